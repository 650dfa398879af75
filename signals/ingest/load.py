"""A folder of signal documents -> a Corpus: the loader's orchestration.

    files.discover  list the folder (with a stat per file only when a cache entry is there to compare)
    cache           the finished frames when nothing changed; else the raw tables of unchanged files
    workers         parse the new and changed files (in worker processes from PARALLEL_THRESHOLD files)
    raw             cached and fresh raw tables as one (merge_raw, refresh)
    frames          raw tables -> the typed frames (finalize), on every load: duplicates, dates in
                    the future and theme spellings depend on the whole corpus and on today
    cache           written, in the background for the dashboard's first load

`combine` puts an upload's Corpus beside a session's.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from signals import memory, schema
from signals.corpus_type import Corpus
from signals.ingest import cache
from signals.ingest.files import NO_STAMP, UNREADABLE, discover
from signals.ingest.frames import finalize
from signals.ingest.raw import drop_documents, merge_raw, merge_section_columns, refresh, section_columns_of
from signals.ingest.workers import parse_all

Progress = Callable[[int, int], None]

#: Cache folder -> its background writer still running (see load_corpus).
_PENDING_WRITES: dict[str, threading.Thread] = {}


@dataclass
class LoadStats:
    """What a load did: files seen, parsed, served from cache; whether the cache was written."""

    files: int = 0
    parsed: int = 0
    cached: int = 0
    removed: int = 0
    cache_dir: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    _cache_writer: threading.Thread | None = field(default=None, repr=False)
    _cache_result: list[bool] = field(default_factory=list, repr=False)

    @property
    def cache_written(self) -> bool:
        """Whether this load wrote the cache (waits for the background write to finish)."""
        if self._cache_writer is not None:
            self._cache_writer.join()
        return bool(self._cache_result and self._cache_result[0])

    def lap(self, step: str, started: float) -> float:
        """Record the time since `started` under `step`; return now."""
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + now - started
        return now


def _retry_unreadable(fingerprints: dict[str, tuple[int, int]], parsed: dict[str, pa.Table]) -> dict:
    """Fingerprints to cache: a file that could not be read gets one no file has, so the next load
    reads it again. (Made readable by chmod, or read while it was being replaced, its size and
    mtime may not change, and the cache would serve "cannot read" for ever.)"""
    problems = parsed["problems"]
    if not problems.num_rows or "message" not in problems.column_names:
        return fingerprints
    failed = problems.filter(pc.starts_with(problems["message"], UNREADABLE))["doc_id"].to_pylist()
    if not failed:
        return fingerprints
    return {**fingerprints, **{doc_id: NO_STAMP for doc_id in failed if doc_id in fingerprints}}


class _FramesAhead:
    """A cache entry's finished frames, read in a thread from the moment the entry is opened."""

    def __init__(self, entry: cache.CacheEntry, day: str) -> None:
        self.stop, self.done = threading.Event(), threading.Event()
        self.value: tuple[dict[str, pd.DataFrame], dict[str, list[str]]] | None = None
        threading.Thread(target=self._read, args=(entry, day), name="signals-frames-ahead", daemon=True).start()

    def _read(self, entry: cache.CacheEntry, day: str) -> None:
        try:
            self.value = entry.frames(day, stop=self.stop)
        finally:
            self.done.set()

    def result(self) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]] | None:
        self.done.wait()
        return self.value

    def abandon(self) -> None:
        """Stop at the next file and wait for it (no thread is left holding frames)."""
        self.stop.set()
        self.done.wait()
        self.value = None


@memory.while_loading  # large blocks from the arenas while parsing (signals/memory.py)
def load_corpus(
    path: str | os.PathLike = "seeds",
    *,
    use_cache: bool = True,
    cache_root: str | os.PathLike | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    stats: LoadStats | None = None,
    within: Sequence[Path] | None = None,
    background_write: bool = False,
) -> Corpus:
    """A folder (or one file) of signal documents -> Corpus.

    Parses only files whose size or modification time changed since the cached run; a corrupt
    cache is rebuilt. `progress(done, total)` is called as files are parsed. Raises
    FileNotFoundError when the path does not exist; every other problem is a row in `problems`.
    `within`: follow symbolic links only into these folders (see files.discover).
    `background_write=True`: return before the cache is on disk (the dashboard's first load).
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise FileNotFoundError(f"no such folder or file: {root}")
    memory.use_returning_allocator()  # transient buffers go back to the system (signals/memory.py)
    stats = stats if stats is not None else LoadStats()
    clock = time.perf_counter()
    cache_dir = cache.corpus_cache_dir(root, Path(cache_root) if cache_root else None)
    stats.cache_dir = str(cache_dir)
    pending = _PENDING_WRITES.pop(str(cache_dir), None)
    if pending is not None:
        pending.join()
    entry = cache.open_entry(cache_dir) if use_cache else None
    day = (today or dt.date.today()).strftime("%Y%m%d")
    # The finished frames are read while the folder is listed: the listing waits on the file
    # system, the reading decodes Parquet, and both let go of the GIL (at 100,000 documents 0.6 s
    # and 1.1 s one after the other). When the folder changed, that read is abandoned.
    ahead = _FramesAhead(entry, day) if entry is not None and entry.has_frames(day) else None
    try:
        # Without a cache entry every file is parsed, and its fingerprint is taken as it is read.
        files = discover(root, within, stat=entry is not None)
    except BaseException:
        if ahead is not None:
            ahead.abandon()
        raise
    clock = stats.lap("discover", clock)
    stats.files = len(files)
    fingerprints = {doc_id: (size, mtime) for _, doc_id, _, size, mtime in files}

    if entry is not None and entry.fingerprints == fingerprints:
        # Nothing changed since the cache was written: its finished frames, when derived today.
        finished = ahead.result() if ahead is not None else None
        if finished is not None:
            stats.cached = len(fingerprints)
            stats.lap("cache_read", clock)
            frames, section_columns = finished
            return Corpus(**frames, section_columns=section_columns, root=str(root.resolve()),
                  loaded_documents=len(frames["documents"]))
    if ahead is not None:
        ahead.abandon()
    raw_cached = entry.raw_tables() if entry is not None else None
    clock = stats.lap("cache_read", clock)
    if raw_cached is not None:
        fresh = {d for d, fp in fingerprints.items() if entry.fingerprints.get(d) == fp}
        stale = set(entry.fingerprints) - fresh
        kept = drop_documents(raw_cached, stale)
    else:
        fresh, stale, kept = set(), set(), None
    to_parse = [(location, doc_id, display) for location, doc_id, display, _, _ in files if doc_id not in fresh]
    stats.parsed, stats.cached = len(to_parse), len(fresh)
    stats.removed = len(stale - set(fingerprints))

    workers = workers or min(os.cpu_count() or 1, 8)
    parsed, read_stamps = parse_all(to_parse, workers, progress)
    fingerprints.update(read_stamps)  # as each file was read: a file changed since is parsed again
    raw = merge_raw([kept, parsed]) if kept is not None else parsed
    if kept is not None and (to_parse or stale):
        raw = refresh(raw)
    clock = stats.lap("parse", clock)
    frames = finalize(raw, today=today)
    clock = stats.lap("finalize", clock)
    section_columns = section_columns_of(raw["items"])
    if use_cache:
        changed = bool(to_parse or stale or raw_cached is None)
        generation = None if changed else entry.generation
        fingerprints_read = _retry_unreadable(fingerprints, parsed) if changed else fingerprints

        def store() -> None:
            written = generation
            if changed:
                written = cache.write(cache_dir, fingerprints_read, raw)
                stats._cache_result.append(bool(written))
            if written:
                cache.add_frames(cache_dir, written, day, frames, section_columns)

        if background_write:
            # The dashboard does not wait for the disk: it gets its frames while the cache is
            # written. A later load of the same folder in this process waits for it first; the
            # thread is not a daemon, so a process exits only after its cache is complete.
            writer = threading.Thread(target=store, name=f"signals-cache-write-{cache_dir.name}")
            stats._cache_writer = writer
            _PENDING_WRITES[str(cache_dir)] = writer
            writer.start()
        else:
            store()
            stats.lap("cache_write", clock)
    return Corpus(**frames, section_columns=section_columns, root=str(root.resolve()),
                  loaded_documents=len(frames["documents"]))


def combine(base: Corpus, extra: Corpus, prefix: str) -> Corpus:
    """Two corpora as one (an upload joining a session's corpus); `extra`'s doc_ids get `prefix/`.

    Categorical columns stay categorical; everything else is concatenated as is.
    """

    def prefixed(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        if "doc_id" in frame.columns:
            frame["doc_id"] = prefix + "/" + frame["doc_id"].astype("str")
        return frame

    merged = {}
    for name in schema.FRAME_NAMES:
        left, right = getattr(base, name), prefixed(getattr(extra, name))
        if name == "problems":
            right["path"] = prefix + "/" + right["path"].astype("str")
        frame = pd.concat([left, right], ignore_index=True)
        for column in left.columns:
            if isinstance(left[column].dtype, pd.CategoricalDtype) and column in frame.columns:
                categories = left[column].dtype.categories.union(
                    right[column].astype("category").cat.categories, sort=False
                ) if column in right.columns else left[column].dtype.categories
                frame[column] = pd.Categorical(frame[column], categories=categories)
        merged[name] = frame
    columns = merge_section_columns(chain(base.section_columns.items(), extra.section_columns.items()))
    return Corpus(**merged, section_columns=columns, root=base.root, loaded_documents=len(merged["documents"]))
