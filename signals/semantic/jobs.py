"""Embeddings computed in a background thread, so a page can show progress and the app stays usable.

One job per (cache folder, name, texts): every session asking for the same rows shares it. A job
embeds in slices and writes the store after each (signals.semantic.store), so a job stopped by the
process ending keeps what it had done. No Streamlit here: the app polls `EmbeddingJob.done / total`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from signals.semantic import store
from signals.semantic.model import FULL, in_background

#: Texts embedded (and stored) per slice: the store is rewritten after each.
SLICE = 50_000


@dataclass
class EmbeddingJob:
    """Progress of one background embedding: done / total texts; error when it failed."""

    total: int
    done: int = 0
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def ready(self) -> bool:
        """True once every text is embedded and stored (or the job failed: see error)."""
        return self.finished.is_set()


_jobs: dict[tuple, EmbeddingJob] = {}
_lock = threading.Lock()


def missing_count(texts: list[str], cache_dir: Path | None, name: str, model: str = FULL) -> int:
    """How many of the texts the store does not hold yet (each distinct text once)."""
    if cache_dir is None:
        return len(set(texts))
    keys = np.unique(store.digests(texts))
    stored = store.stored_digests(cache_dir, name, model)
    return int((~np.isin(keys, stored)).sum())


def embedding_job(texts: list[str], cache_dir: Path | None, name: str, model: str = FULL) -> EmbeddingJob:
    """The job embedding `texts` under `name` in cache_dir: started here if none runs for them.

    Returns a finished job at once when every text is already stored. cache_dir None (a corpus
    without a folder) has nowhere to keep vectors between runs: the job is finished and callers
    embed in memory."""
    digest = int(store.digests(["\x00".join(texts)])[0])
    key = (str(cache_dir), name, model, len(texts), digest)
    with _lock:
        job = _jobs.get(key)
        if job is not None and job.error is None:
            return job
        job = EmbeddingJob(total=len(texts))
        if cache_dir is None or missing_count(texts, cache_dir, name, model) == 0:
            job.done = job.total
            job.finished.set()
            return job
        _jobs[key] = job
    threading.Thread(target=_run, args=(job, texts, cache_dir, name, model), daemon=True,
                     name=f"embed-{name}").start()
    return job


def _run(job: EmbeddingJob, texts: list[str], cache_dir: Path, name: str, model: str) -> None:
    try:
        with in_background():  # a page's own embedding goes first (model._Priority)
            _embed_in_slices(job, texts, cache_dir, name, model)
    except Exception as error:  # noqa: BLE001 - reported to the page, which falls back to computing inline
        job.error = f"{type(error).__name__}: {error}"
    finally:
        job.finished.set()


def _embed_in_slices(job: EmbeddingJob, texts: list[str], cache_dir: Path, name: str, model: str) -> None:
    for start in range(0, len(texts), SLICE):
        part = texts[start:start + SLICE]

        def progress(done: int, total: int, start: int = start, size: int = len(part)) -> None:
            job.done = start + int(size * done / max(total, 1))

        store.embeddings(part, cache_dir, name, progress, model)
        job.done = min(start + SLICE, len(texts))
