"""Files -> raw tables, in worker processes: the unit of work, the pool, the hand-over.

    parse_files(files)        one chunk of files -> raw tables: each file read once (files.read),
                              the regular documents by batchparse, the declined ones and the rest
                              by lineparse one at a time, put together in file order (raw.interleave)
    parse_all(files, n, ...)  every file to parse -> raw tables: in this process below
                              PARALLEL_THRESHOLD files, else in chunks over a pool of n processes
    parse_one_by_one(files)   the reference: every file through the line parser (tests, benchmark)

A worker hands its chunk's tables back as Arrow IPC files in /dev/shm (RAM), which the parent maps
and removes at once. Workers die with the process that loads: a thread in each watches it (a
pidfd on Linux), and when it is gone removes the hand-over files that process will never take and
ends the worker; the forkserver, if any, then ends too (it lives while a worker or the loader does).

Imports pyarrow and numpy, not pandas: this module is what the forkserver preloads.
"""

from __future__ import annotations

import contextlib
import os
import select
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait

import numpy as np
import pyarrow as pa

from signals.ingest import files as disk
from signals.ingest import raw
from signals.ingest.batchparse import Parsed, parse_batch
from signals.ingest.lineparse import parse_document

#: [(absolute path, doc_id, display path)]: files to parse, as load_corpus lists them.
Files = list[tuple[str, str, str]]
Progress = Callable[[int, int], None]

#: Below this many files to parse, one process does it: starting workers would cost more.
PARALLEL_THRESHOLD = 400
#: Chunks per worker: progress moves, a slow file does not hold one worker alone, and each chunk's
#: buffers are small enough to be reused by the next. Cold load of 10k documents, 10 fresh
#: processes each: median 1.04 s with 4 chunks per worker, 0.89 s with 8 (16: no better).
CHUNKS_PER_WORKER = 8


# ---------------------------------------------------------------------------------------------
# The unit of work
# ---------------------------------------------------------------------------------------------
def parse_files(files: Files, stamps: list[disk.Stamp] | None = None) -> dict[str, pa.Table]:
    """[(absolute path, doc_id, display path)] -> raw tables, text columns as large_string.

    The same tables as `raw.batch_to_raw(parse_one_by_one(files))` (tests/ingest/test_batchparse.py),
    each file read once. `stamps`, when given, gets each file's (size, changed_ns) as it was read,
    (-1, -1) for one that could not be.
    """
    reads = [disk.read(location) for location, _, _ in files]
    if stamps is not None:
        stamps.extend(read.stamp for read in reads)
    return raw.large_strings(_parse_reads(files, reads))


def _parse_reads(files: Files, reads: list[disk.Read]) -> dict[str, pa.Table]:
    """The chunk's files as read -> raw tables: the regular documents by batchparse, the others
    (declined, unreadable, not UTF-8 ...) by lineparse from the same bytes, in file order."""
    doc_ids = [doc_id for _, doc_id, _ in files]
    candidates: list[int] = []  # files that may be regular documents, and their texts
    texts: list[bytes] = []
    if len(set(doc_ids)) == len(doc_ids):  # else rows could not be put in file order by doc_id
        for k, read in enumerate(reads):
            text = disk.batch_text(read.data) if read.data is not None else None
            if text is not None:
                candidates.append(k)
                texts.append(text)
    try:
        parsed = parse_batch(texts) if texts else Parsed({}, [])
    except Exception:  # noqa: BLE001 - a bug here must cost speed, never documents
        parsed = Parsed({}, list(range(len(texts))))
    regular = np.ones(len(texts), bool)
    regular[parsed.declined] = False
    regular_files = np.asarray(candidates, np.int64)[regular] if len(candidates) else np.zeros(0, np.int64)

    # The others, one at a time, from the bytes already read.
    by_line = np.ones(len(files), bool)
    by_line[regular_files] = False
    batch = raw.Batch()
    line_part = raw.Part({}, [], [])
    for k in np.flatnonzero(by_line).tolist():
        _, doc_id, path = files[k]
        record = _add_file(batch, doc_id, path, reads[k], parse_document)
        if record is not None:
            line_part.key_events.append((k, tuple(record["attrs"])))
            line_part.shape_events.append((k, tuple((s, tuple(c), bool(rows)) for s, c, _, rows, _ in record["tables"])))
    line_part.tables = raw.batch_to_raw(batch)
    if not len(regular_files):
        return line_part.tables
    return raw.interleave([_batch_part(files, reads, parsed, regular_files), line_part], doc_ids)


def _batch_part(files: Files, reads: list[disk.Read], parsed: Parsed, regular_files: np.ndarray) -> raw.Part:
    """batchparse's tables as raw tables of these files: doc_id, path and digest in, doc_index out."""
    doc_index = parsed.tables["documents"]["doc_index"].to_numpy()
    row_of_doc = np.full(int(doc_index.max()) + 1, -1, np.int64)
    row_of_doc[doc_index] = np.arange(len(regular_files))
    regular = regular_files.tolist()
    doc_ids = pa.array([files[k][1] for k in regular], pa.string())
    tables = {}
    for name, table in parsed.tables.items():
        table = table.set_column(0, "doc_id", doc_ids.take(pa.array(row_of_doc[table["doc_index"].to_numpy()])))
        if name == "documents":
            table = table.add_column(1, "path", pa.array([files[k][2] for k in regular], pa.string()))
            table = table.append_column("digest", pa.array([disk.content_digest(reads[k].data) for k in regular],
                                                           pa.string()))
        tables[name] = table
    # Each distinct key list and table layout once, at its first document.
    events = []
    for ids, lists in ((parsed.keys_of_doc, parsed.key_lists), (parsed.shape_of_doc, parsed.shapes)):
        distinct, first = np.unique(ids, return_index=True)
        events.append([(int(regular_files[f]), lists[i]) for i, f in zip(distinct.tolist(), first.tolist())])
    return raw.Part(tables, *events)


def _add_file(batch: raw.Batch, doc_id: str, path: str, read: disk.Read, parse: Callable[[str], dict]) -> dict | None:
    """One file as read -> its record added to the batch, or a problem saying why not. The record
    when added, else None. Unreadable, empty, undecodable and non-documents become problems."""
    if read.data is None:
        batch.problem(doc_id, path, 0, None, "error", f"{disk.UNREADABLE}: {read.error}; skipped")
        return None
    data = read.data
    if not data.strip():
        batch.problem(doc_id, path, 0, None, "error", "empty file; skipped")
        return None
    text, decode_problem = disk.decode(data)
    if decode_problem:
        line, severity, message = decode_problem
        batch.problem(doc_id, path, line, None, severity, message)
    if text is None:
        return None
    try:
        record = parse(text)
    except Exception as error:  # noqa: BLE001 - a parser bug must not stop the other files
        batch.problem(doc_id, path, 0, None, "error", f"parser failed: {type(error).__name__}: {error}; skipped")
        return None
    if not record["is_document"]:
        batch.problem(doc_id, path, 1, None, "error",
                      "not a signal document (no page id in a title line, no known section); skipped")
        return None
    batch.add(doc_id, path, record, disk.content_digest(data))
    return record


def parse_one_by_one(files: Files, parse: Callable[[str], dict] = parse_document) -> raw.Batch:
    """Every file read, decoded and parsed on its own by `parse` -> one Batch: the reference the
    batch parser is tested against, and what the benchmark times with a markdown-it-py parser."""
    batch = raw.Batch()
    for location, doc_id, path in files:
        _add_file(batch, doc_id, path, disk.read(location), parse)
    return batch


# ---------------------------------------------------------------------------------------------
# Worker -> parent: raw tables through RAM-backed files, not a pipe
# ---------------------------------------------------------------------------------------------
#: Where parser processes leave their tables for the parent (tmpfs: memory, never the disk).
SHARED_FOLDER = "/dev/shm"
#: How every file parse_to_shared writes is named: SHARED_PREFIX + the loading process's pid + "-".
SHARED_PREFIX = "signals-raw-"


def shared_folder() -> str | None:
    """SHARED_FOLDER when this machine has it and it is writable, else None (pickle instead)."""
    return SHARED_FOLDER if os.path.isdir(SHARED_FOLDER) and os.access(SHARED_FOLDER, os.W_OK) else None


def new_prefix() -> str:
    """The prefix of one load's files: SHARED_PREFIX, this process's pid, a random part."""
    return f"{SHARED_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}-"


def parse_to_shared(files: Files, folder: str | None, prefix: str
                    ) -> tuple[dict[str, pa.Table | str], list[disk.Stamp]]:
    """parse_files in a worker, each table handed back as the path of an Arrow IPC file in
    `folder` (named `prefix...`), which the parent maps (take_shared); and the files' stamps.

    A pickled result crosses the pipe in 64 kB writes the parent must read and copy: on the 10k
    benchmark corpus each 626-document chunk cost its worker 12-19 ms of waiting, where writing
    the file takes 3 ms and mapping it 2 ms. Where a file cannot be written, the table itself.
    """
    stamps: list[disk.Stamp] = []
    tables = parse_files(files, stamps)
    if folder is None:
        return tables, stamps
    handed: dict[str, pa.Table | str] = {}
    for name, table in tables.items():
        try:
            # Created under the lock the watch takes before removing this load's files: a file made
            # between its listing and its exit would otherwise be left behind (seen once in 16 runs
            # of test_workers under load).
            with _HANDING:
                gone = _LOADER_GONE.is_set()
                if not gone:
                    handle, path = tempfile.mkstemp(prefix=prefix, suffix=f".{name}.arrow", dir=folder)
            if gone:  # the watch is removing this load's files
                threading.Event().wait()  # until the watch ends the process
            with open(handle, "wb") as file, pa.PythonFile(file, mode="w") as sink, \
                    pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            handed[name] = path
        except OSError:
            handed[name] = table
    return handed, stamps


def take_shared(handed: dict[str, pa.Table | str]) -> dict[str, pa.Table]:
    """parse_to_shared's result -> the raw tables, mapped without a copy; the files are removed
    at once (the mapping lives on while the tables use it)."""
    tables = {}
    for name, value in handed.items():
        if isinstance(value, str):
            try:
                tables[name] = pa.ipc.open_file(pa.memory_map(value)).read_all()
            finally:
                os.unlink(value)
        else:
            tables[name] = value
    return tables


def remove_shared(folder: str | None, prefix: str) -> None:
    """Remove what parse_to_shared left under `prefix` that no one took (a load that failed)."""
    _remove(folder, lambda name: name.startswith(prefix))


def remove_orphans(folder: str | None) -> None:
    """Remove files that loads of processes no longer running left behind: in a tmpfs they would
    hold memory until the machine restarts. (A loader killed mid-load has its workers remove
    them; this is for a machine that went down with both.)"""

    def orphaned(name: str) -> bool:
        pid = name[len(SHARED_PREFIX):].split("-", 1)[0]
        return name.startswith(SHARED_PREFIX) and pid.isdigit() and not _running(int(pid))

    _remove(folder, orphaned)


def _remove(folder: str | None, which: Callable[[str], bool]) -> None:
    if folder is None:
        return
    for entry in os.scandir(folder):
        if which(entry.name):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (PermissionError): running
        return True
    return True


# ---------------------------------------------------------------------------------------------
# Workers that die with the loading process
# ---------------------------------------------------------------------------------------------
#: Set in a worker once its loading process is gone (see _watch_loader).
_LOADER_GONE = threading.Event()
#: Held while a hand-over file is created, and by the watch while it removes them (see parse_to_shared).
_HANDING = threading.Lock()
#: How often a worker without pidfd_open checks that its loading process still runs.
_POLL_SECONDS = 0.2


def _watch_loader(loader: int, folder: str | None) -> None:
    """Worker initializer: a thread that ends this worker when the loading process `loader` ends.

    Without it a killed loader (SIGKILL, the out-of-memory killer) left its workers waiting for
    work for ever: they hold their own end of the task pipe, so never see it close, and with them
    the forkserver, the resource tracker, and the loader's stdout and stderr, so that a script
    reading those hung. A kernel signal on the parent's death (PR_SET_PDEATHSIG) would not do: a
    forkserver's workers are its children, not the loader's, and a signal would end a worker
    before it could remove the hand-over files its loader will never take.
    """
    # An initializer that raises breaks the pool: a thread that cannot start leaves a worker unwatched.
    with contextlib.suppress(Exception):
        threading.Thread(target=_watch, args=(loader, folder), name="signals-watch-loader", daemon=True).start()


def _watch(loader: int, folder: str | None) -> None:
    try:
        handle = os.pidfd_open(loader)
    except ProcessLookupError:  # gone already
        handle = None
    except (AttributeError, OSError):  # not Linux 5.3+: ask every _POLL_SECONDS
        while _running(loader):
            time.sleep(_POLL_SECONDS)
        handle = None
    if handle is not None:
        select.select([handle], [], [])  # readable once the process has ended
    _LOADER_GONE.set()
    with _HANDING:  # no hand-over file is being created; any later one sees the flag first
        _remove(folder, lambda name: name.startswith(f"{SHARED_PREFIX}{loader}-"))
        os._exit(0)


_POOL: ProcessPoolExecutor | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """A process pool kept for the life of the process (a dashboard reloads often).

    fork when this process runs a single thread (CLI, scripts, tests): workers start at once and
    inherit the parser. forkserver otherwise (the dashboard's server is multi-threaded, and forking
    a threaded process can deadlock the child); the forkserver preloads this module.
    """
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        import multiprocessing

        if threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
        _POOL = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_watch_loader,
                                    initargs=(os.getpid(), shared_folder()))
    return _POOL


def parse_all(files: Files, workers: int, progress: Progress | None = None
              ) -> tuple[dict[str, pa.Table], dict[str, disk.Stamp]]:
    """Files -> their raw tables, and each file's (size, changed_ns) as it was read, by doc_id."""
    stamps: list[disk.Stamp] = []
    if not files:
        # Empty tables with every column (merge_raw([]) has none, and finalize needs them).
        return parse_files([]), {}
    if workers <= 1 or len(files) < PARALLEL_THRESHOLD:
        parts = []
        for start in range(0, len(files), 200):
            parts.append(parse_files(files[start:start + 200], stamps))
            if progress:
                progress(len(stamps), len(files))
        return raw.merge_raw(parts), _stamps_by_id(files, stamps)
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
    return raw.merge_raw(parts), _stamps_by_id(files, stamps)


def _chunk_size(count: int, workers: int) -> int:
    return max(50, count // (workers * CHUNKS_PER_WORKER) + 1)


def _stamps_by_id(files: Files, stamps: list[disk.Stamp]) -> dict[str, disk.Stamp]:
    return {doc_id: stamp for (_, doc_id, _), stamp in zip(files, stamps, strict=True)}
