"""How a process gives memory back: the app's server lives for days and serves many sessions, and
a load or a clustering run frees large transient buffers it should not keep.

Arrow's default pool (mimalloc here) keeps what it frees for its next allocations, so every distinct
filter a session tried left its transient buffers in the process. Measured with
benchmarks/load_sessions.py at 100,000 documents (5 sessions at once): each extra session grew
the server by 122 MB with mimalloc, 46 MB with the system allocator (which hands large blocks back
as soon as they are freed). A warm load of the same corpus in a fresh process peaked at 1,226-1,262
MiB with mimalloc and 1,180-1,193 MiB with the system allocator (three runs each, 1.7-3.0 s and
1.85-1.92 s): `load_corpus` sets it, so the app, the command line and the benchmarks all use it.

In the app's server, glibc also maps every block from MMAP_THRESHOLD up on its own
(`serve_returning_blocks`, but not while a corpus loads: `while_loading`), and what a script run
leaves in the arenas is trimmed a second after it (`give_back_soon`).
"""

from __future__ import annotations

import functools
import threading

_done = threading.Event()


def use_returning_allocator() -> None:
    """Arrow allocates from the C library's allocator from now on (once per process)."""
    if _done.is_set():
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    _done.set()


#: In the app's server, blocks from this size up get their own mapping from the C library (glibc's
#: M_MMAP_THRESHOLD), handed back to the system as soon as they are freed. glibc's default starts at
#: 128 KiB but rises to the size of any mapped block freed, up to 32 MiB, so after a few reruns the
#: views' arrays of 1-30 MB (masks, positions, column copies) come from the arenas, where what is
#: freed stays. Held at 128 KiB, measured with benchmarks/load_sessions.py at 100,000 documents
#: (5 sessions at once): each extra session grew the server by 29.2-34.3 MB instead of 75.6 MB
#: (256 KiB: 31.7-35.8 MB), its peak was 1,942-2,094 MB instead of 2,432 MB, and interactions took
#: the same time (docs/performance.md, session 11).
MMAP_THRESHOLD = 128 * 1024
#: While a corpus loads: glibc's largest threshold (blocks up to 32 MiB from the arenas). The fixed
#: 256 KiB made the first load of 100,000 documents 9.4 s instead of 7.1 s (10,000: 0.85 instead of
#: 0.58 s): the parser maps and unmaps many such blocks, each a system call and fresh pages.
LOADING_MMAP_THRESHOLD = 32 * 1024 * 1024
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
_threshold_lock = threading.Lock()
_serving = False
_loads = 0


def _set_mmap_threshold(size: int) -> None:
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, size)


def serve_returning_blocks() -> None:
    """The app's server: from now on large blocks are mapped on their own (MMAP_THRESHOLD), except
    while a corpus loads (`while_loading`)."""
    global _serving
    with _threshold_lock:
        if _serving:
            return
        _serving = True
        if _loads == 0:
            _set_mmap_threshold(MMAP_THRESHOLD)


def while_loading(function):
    """Decorator: while `function` runs (a corpus load), large blocks come from the arenas again
    (LOADING_MMAP_THRESHOLD), if the server had them mapped on their own; restored after the last
    of any loads running at once."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        global _loads
        with _threshold_lock:
            _loads += 1
            if _serving and _loads == 1:
                _set_mmap_threshold(LOADING_MMAP_THRESHOLD)
        try:
            return function(*args, **kwargs)
        finally:
            with _threshold_lock:
                _loads -= 1
                if _serving and _loads == 0:
                    _set_mmap_threshold(MMAP_THRESHOLD)

    return wrapper


@functools.cache
def _glibc(name: str):
    """A function of glibc's allocator by name, or None where the C library is not glibc (macOS,
    Windows, musl)."""
    import ctypes
    import ctypes.util

    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None


def _mallopt():
    return _glibc("mallopt")


#: Seconds after a script run before the C allocator's free memory is handed back (one trim for
#: any number of runs meanwhile: a trim locks the allocator's arenas while it walks them).
TRIM_DELAY = 1.0
_trim_lock = threading.Lock()
_trim_pending = False


def _malloc_trim():
    return _glibc("malloc_trim")


def give_back_soon() -> None:
    """Hand the C allocator's free pages back to the system TRIM_DELAY seconds from now.

    glibc returns a freed block to the system only when it was mapped on its own (large) or sits at
    the top of its arena; the many medium buffers a script run frees (a view's rows, a chart's frame)
    stay inside the arenas of the threads that ran it, counted in the server's memory. malloc_trim
    releases the free pages inside every arena. Measured with benchmarks/load_sessions.py at
    100,000 documents: the server with one session held 1,511-1,680 MB instead of 1,768-1,956 MB,
    with six about the same (1,944-2,046 against 2,082-2,098 MB); a theme change 20 s after the first
    run took the same time (median of eight 138 ms with, 139 ms without)."""
    global _trim_pending
    with _trim_lock:
        if _trim_pending:
            return
        _trim_pending = True

    def trim() -> None:
        global _trim_pending
        with _trim_lock:
            _trim_pending = False
        give_back_now()

    timer = threading.Timer(TRIM_DELAY, trim)
    timer.daemon = True
    timer.start()


def give_back_now() -> None:
    """Hand the C allocator's free pages back to the system at once (malloc_trim), where glibc is the
    C library. For work done in other threads: each thread allocates from its own arena, and what it
    frees there stays there, unused by the calling thread's later allocations. Called after the
    embedding workers and the neighbour search's threads: `signals clusters` from scratch at 100,000
    documents (docs/performance.md, session 16)."""
    release = _malloc_trim()
    if release is not None:
        release(0)
