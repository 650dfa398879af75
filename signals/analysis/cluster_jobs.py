"""Clusters of a view too large to group on opening a page, computed in a background thread of the
app's server when the analyst asks: the page stays usable and fills in when the answer is stored.

One job at a time per server: grouping the 437,000 signals rows of 100,000 documents holds some
1.7 GB besides the corpus while it runs (a process doing it peaks at 2.7-2.8 GB with the corpus
loaded, `benchmarks/bench_growth.py`), and two at once would double it. Every session asking for the
same view shares its job. `find_clusters` stores the answer beside the vectors, where the page reads
it (`stored_clusters`); the job keeps it only when it cannot be read back from there (a corpus
without a cache folder, a folder that cannot be written). No Streamlit here: the page polls the job.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from signals import memory
from signals.analysis.clusters import Clusters, find_clusters, stored_clusters


@dataclass
class ClusteringJob:
    """One view's grouping: `embedded` of `to_embed` new texts embedded so far (0 of 0 when every
    text was already), then the grouping; once done, `error`, or `found` when the answer could not
    be stored."""

    key: tuple
    rows: int
    started: float = field(default_factory=time.monotonic)
    embedded: int = 0
    to_embed: int = 0
    found: Clusters | None = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    took: float | None = None  # seconds, once done

    @property
    def ready(self) -> bool:
        return self.finished.is_set()

    @property
    def seconds(self) -> float:
        """Seconds it took, or since it started while it runs."""
        return self.took if self.took is not None else time.monotonic() - self.started


_lock = threading.Lock()
_latest: ClusteringJob | None = None  # the job running, or the last one


def job_for(key: tuple) -> ClusteringJob | None:
    """The job for this view (running or done), if it is the latest one."""
    job = _latest
    return job if job is not None and job.key == key else None


def running() -> ClusteringJob | None:
    """The job running now, if any."""
    job = _latest
    return job if job is not None and not job.ready else None


def start(key: tuple, corpus, section: str, threshold: float, rows: int) -> ClusteringJob:
    """Group `section` of `corpus` at `threshold` in a background thread, unless a job runs already:
    then that job is returned (its key tells whose it is)."""
    global _latest
    with _lock:
        if _latest is not None and not _latest.ready:
            return _latest
        job = _latest = ClusteringJob(key, rows)
    threading.Thread(target=_run, args=(job, corpus, section, threshold), daemon=True,
                     name=f"clusters-{section}").start()
    return job


def _run(job: ClusteringJob, corpus, section: str, threshold: float) -> None:
    def progress(done: int, total: int) -> None:
        job.embedded, job.to_embed = done, total

    from signals.semantic.model import in_background

    try:
        with in_background():  # a page's own embedding goes first (model._Priority)
            found = find_clusters(corpus, (section,), threshold, progress=progress)
        # Kept in the job only when the page could not read it back (a write error is not raised).
        job.found = found if stored_clusters(corpus, (section,), threshold) is None else None
    except Exception as error:  # noqa: BLE001 - reported on the page, which offers to start again
        job.error = f"{type(error).__name__}: {error}"
    finally:
        job.took = time.monotonic() - job.started
        job.finished.set()
        memory.give_back_soon()  # the grouping's buffers, freed in this thread's arena, back to the system
