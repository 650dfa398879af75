"""The demo corpus a first run offers: synthetic documents from `signals.synth`, written once into the
cache folder and reused after.

The seed alone (one document) shows a newcomer nothing to judge the tool by; a few thousand synthetic
documents fill every page. They are written where parsed tables are cached (`$SIGNALS_CACHE_DIR`,
else `~/.cache/signals-explorer`, see `signals.ingest.cache.default_cache_root`), never into the project or
a data folder, and always labelled as synthetic wherever they are shown (`DEMO_LABEL`).

The folder's name carries the size, the seed and a digest of the generator's source, so a changed
generator writes a new demo instead of serving a stale one. A folder is written completely under a
temporary name and then renamed into place: a write that was interrupted is never taken for a demo.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from signals import synth
from signals.ingest.cache import default_cache_root

#: Documents in the demo corpus: enough for every chart to have something to say, written in seconds.
DEMO_DOCUMENTS = 3_000
DEMO_SEED = 1
#: What every screen showing the demo says about it.
DEMO_LABEL = "Synthetic demo corpus — not real analysis"
#: The folder under the cache root that holds demo corpora (one per generator version).
DEMO_PARENT = "demo-corpus"
_PARTIAL = ".partial-"
#: A partial folder older than this was left by a write that died (a live write takes seconds).
_ABANDONED_AFTER_S = 3600
# One write at a time in this process: two sessions clicking at once wait for one corpus.
_WRITING = threading.Lock()


def _generator_digest() -> str:
    """A short digest of signals/synth.py: the demo is rewritten when the generator changes."""
    return hashlib.sha256(Path(synth.__file__).read_bytes()).hexdigest()[:10]


def demo_folder(cache_root: Path | None = None, documents: int = DEMO_DOCUMENTS, seed: int = DEMO_SEED) -> Path:
    """Where the demo corpus of `documents` documents and `seed` lives (written or not yet)."""
    root = cache_root if cache_root is not None else default_cache_root()
    return root / DEMO_PARENT / f"{documents}-seed{seed}-{_generator_digest()}"


def is_demo_folder(folder: str | os.PathLike, cache_root: Path | None = None) -> bool:
    """Whether `folder` is a demo corpus folder (of any size, seed or generator version)."""
    root = cache_root if cache_root is not None else default_cache_root()
    try:
        return Path(folder).resolve().parent == (root / DEMO_PARENT).resolve()
    except OSError:
        return False


def ensure_demo_corpus(
    progress: Callable[[int, int], None] | None = None,
    cache_root: Path | None = None,
    documents: int = DEMO_DOCUMENTS,
    seed: int = DEMO_SEED,
) -> Path:
    """The demo corpus folder, written first when it is not there yet; `progress(done, total)` is
    called while writing (never when the folder already exists). Raises OSError when the cache folder
    cannot be written."""
    folder = demo_folder(cache_root, documents, seed)
    if folder.is_dir():
        return folder
    with _WRITING:
        if folder.is_dir():  # written by another session while this one waited
            return folder
        folder.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(folder.parent)
        partial = folder.parent / f"{_PARTIAL}{uuid.uuid4().hex}"
        try:
            # planted: emerging themes and paraphrased signals for the Emerging and Same signal pages
            # to find; its ground_truth.json is not a document, so the loader skips it.
            synth.write_corpus(partial, documents, seed=seed, planted=True, progress=progress)
            try:
                partial.rename(folder)
            except OSError:
                if not folder.is_dir():  # not another process's finished copy: a real failure
                    raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        _remove_other_versions(folder)
    return folder


def _remove_abandoned(parent: Path) -> None:
    """Partial folders left by writes that died (another process's live write is younger)."""
    now = time.time()
    for path in parent.glob(f"{_PARTIAL}*"):
        try:
            if now - path.stat().st_mtime > _ABANDONED_AFTER_S:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _remove_other_versions(current: Path) -> None:
    """Demo folders of the same size and seed made by another generator: about 25 MB each, never
    opened again."""
    same_corpus = current.name.rsplit("-", 1)[0] + "-"
    for path in current.parent.glob(f"{same_corpus}*"):
        if path != current and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
