"""A folder of signal documents -> a Corpus of pandas DataFrames.

Flow: discover files (recursive, symlink-loop safe) -> compare fingerprints with the cache ->
parse only new or changed files, in parallel processes -> merge with cached raw tables ->
write the cache -> derive the typed frames (signals.ingest.frames.finalize).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from signals import schema
from signals.corpus_type import Corpus
from signals.ingest import cache
from signals.ingest.files import UNREADABLE, changed_ns
from signals.ingest.frames import finalize
from signals.ingest.raw import (
    drop_documents,
    merge_raw,
    new_prefix,
    parse_to_raw,
    parse_to_shared,
    refresh,
    remove_orphans,
    remove_shared,
    section_columns_of,
    shared_folder,
    take_shared,
)

#: Below this many files to parse, one process does it: starting workers would cost more.
PARALLEL_THRESHOLD = 400

Progress = Callable[[int, int], None]


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


def discover(
    root: Path, within: Sequence[Path] | None = None, stat: bool = True,
) -> list[tuple[str, str, str, int, int]]:
    """A folder -> [(absolute path, doc_id, display path, size, changed_ns)] of its documents, sorted.

    Recursive; follows directory symlinks but never the same real directory twice (no loops);
    skips hidden folders. A single file is a corpus of one. With `within` (resolved folders, the
    app's allow-list), a symbolic link is followed only when its target lies inside one of them.
    `stat=False`: size and changed_ns are -1 (a load that parses every file takes them as it
    reads each one: a stat per file was half of listing 10k files).
    """
    if root.is_file():
        status = root.stat()
        return [(str(root), root.stem, root.name, status.st_size, changed_ns(status))]
    found = []
    seen_dirs: set[tuple[int, int]] = set()
    # (folder, its path relative to root with a trailing "/"): relative paths by concatenation, as
    # os.path.relpath per file took 40% of a warm load's discovery on 10k files.
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            folder_stat = folder.stat()
            key = (folder_stat.st_dev, folder_stat.st_ino)
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if within is not None and entry.is_symlink() and not _inside(entry.path, within):
                    continue
                if entry.is_dir():
                    if not name.startswith("."):
                        stack.append((Path(entry.path), f"{prefix}{name}/"))
                    continue
                if not name.lower().endswith(schema.DOCUMENT_SUFFIXES) or not entry.is_file():
                    continue
                if stat:
                    status = entry.stat()
                    size, changed = status.st_size, changed_ns(status)
                else:
                    size = changed = -1
            except OSError:
                continue
            relative = prefix + name
            doc_id = relative.rsplit(".", 1)[0]
            found.append((entry.path, doc_id, relative, size, changed))
    found.sort(key=lambda f: f[1])
    # `a.md` beside `a.txt` would share the doc_id `a` (mixing their rows and their cache
    # fingerprint): such files keep their extension in the doc_id.
    uses = Counter(f[1] for f in found)
    if len(uses) < len(found):
        shared = {doc_id for doc_id, count in uses.items() if count > 1}
        found = [(loc, rel if doc_id in shared else doc_id, rel, size, mtime) for loc, doc_id, rel, size, mtime in found]
        found.sort(key=lambda f: f[1])
    return found


def _inside(path: str, folders: Sequence[Path]) -> bool:
    real = Path(os.path.realpath(path))
    return any(real == folder or folder in real.parents for folder in folders)


_POOL: ProcessPoolExecutor | None = None
#: Cache folder -> its background writer still running (see load_corpus).
_PENDING_WRITES: dict[str, threading.Thread] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """A process pool kept for the life of the process (a dashboard reloads often).

    fork when this process runs a single thread (CLI, scripts, tests): workers start at once and
    inherit the parser. forkserver otherwise (the dashboard's server is multi-threaded, and forking
    a threaded process can deadlock the child).
    """
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        import multiprocessing
        import threading

        if threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["signals.ingest.raw"])
        _POOL = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    return _POOL


def _parse(files: list[tuple[str, str, str]], workers: int, progress: Progress | None
           ) -> tuple[dict[str, pa.Table], dict[str, tuple[int, int]]]:
    """Files -> their raw tables, and each file's (size, changed_ns) as it was read."""
    stamps: list[tuple[int, int]] = []
    if not files:
        # Empty tables with every column (merge_raw([]) has none, and finalize needs them).
        return parse_to_raw([]), {}
    if workers <= 1 or len(files) < PARALLEL_THRESHOLD:
        chunks = [files[i:i + 200] for i in range(0, len(files), 200)]
        parts = []
        for chunk in chunks:
            parts.append(parse_to_raw(chunk, stamps))
            if progress:
                progress(len(stamps), len(files))
        return merge_raw(parts), _stamps_by_id(files, stamps)
    # Eight chunks per worker: progress moves, a slow file does not hold one worker alone, and each
    # chunk's buffers are small enough to be reused by the next. Cold load of 10k documents, 10
    # fresh processes each: median 1.04 s with 4 chunks per worker, 0.89 s with 8 (16: no better).
    size = _chunk_size(len(files), workers)
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    pool = _pool(workers)
    folder = shared_folder()
    remove_orphans(folder)
    prefix = new_prefix()
    jobs = [pool.submit(parse_to_shared, chunk, folder, prefix) for chunk in chunks]
    parts = []
    done = 0
    try:
        for job, chunk in zip(jobs, chunks):
            handed, chunk_stamps = job.result()
            parts.append(take_shared(handed))
            stamps.extend(chunk_stamps)
            done += len(chunk)
            if progress:
                progress(done, len(files))
    except BaseException:
        # Nothing left behind in the shared folder: the chunks not started are cancelled, the
        # running ones finished, and then every file of this load that was not taken removed.
        for job in jobs:
            job.cancel()
        wait(jobs)
        remove_shared(folder, prefix)
        raise
    return merge_raw(parts), _stamps_by_id(files, stamps)


def _chunk_size(count: int, workers: int) -> int:
    return max(50, count // (workers * 8) + 1)


def _stamps_by_id(files: list[tuple[str, str, str]], stamps: list[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {doc_id: stamp for (_, doc_id, _), stamp in zip(files, stamps, strict=True)}


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
    return {**fingerprints, **{doc_id: (-1, -1) for doc_id in failed if doc_id in fingerprints}}


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
    `within`: follow symbolic links only into these folders (see `discover`).
    `background_write=True`: return before the cache is on disk (the dashboard's first load).
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise FileNotFoundError(f"no such folder or file: {root}")
    stats = stats if stats is not None else LoadStats()
    clock = time.perf_counter()
    cache_dir = cache.corpus_cache_dir(root, Path(cache_root) if cache_root else None)
    stats.cache_dir = str(cache_dir)
    pending = _PENDING_WRITES.pop(str(cache_dir), None)
    if pending is not None:
        pending.join()
    entry = cache.open_entry(cache_dir) if use_cache else None
    # Without a cache entry every file is parsed, and its fingerprint is taken as it is read.
    files = discover(root, within, stat=entry is not None)
    clock = stats.lap("discover", clock)
    stats.files = len(files)
    fingerprints = {doc_id: (size, mtime) for _, doc_id, _, size, mtime in files}

    day = (today or dt.date.today()).strftime("%Y%m%d")
    if entry is not None and entry.fingerprints == fingerprints:
        # Nothing changed since the cache was written: its finished frames, when derived today.
        finished = entry.frames(day)
        if finished is not None:
            stats.cached = len(fingerprints)
            stats.lap("cache_read", clock)
            frames, section_columns = finished
            return Corpus(**frames, section_columns=section_columns, root=str(root.resolve()))
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
    parsed, read_stamps = _parse(to_parse, workers, progress)
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
    return Corpus(**frames, section_columns=section_columns, root=str(root.resolve()))


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
    columns = {s: list(c) for s, c in base.section_columns.items()}
    for section, extra_columns in extra.section_columns.items():
        known = columns.setdefault(section, [])
        known.extend(c for c in extra_columns if c not in known)
    return Corpus(**merged, section_columns=columns, root=base.root)
