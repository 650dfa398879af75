"""How a process gives memory back: the app's server lives for days and serves many sessions, and
a load or a clustering run frees large transient buffers it should not keep.

Arrow's default pool (mimalloc here) keeps what it frees for its next allocations, so every distinct
filter a session tried left its transient buffers in the process. Measured with
benchmarks/load_sessions.py at 100,000 documents (5 sessions at once): each extra session grew
the server by 122 MB with mimalloc, 46 MB with the system allocator (which hands large blocks back
as soon as they are freed). A warm load of the same corpus in a fresh process peaked at 1,226-1,262
MiB with mimalloc and 1,180-1,193 MiB with the system allocator (three runs each, 1.7-3.0 s and
1.85-1.92 s): `load_corpus` sets it, so the app, the command line and the benchmarks all use it.
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


#: Seconds after a script run before the C allocator's free memory is handed back (one trim for
#: any number of runs meanwhile: a trim locks the allocator's arenas while it walks them).
TRIM_DELAY = 1.0
_trim_lock = threading.Lock()
_trim_pending = False


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library is not glibc (macOS, Windows, musl)."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


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
        release = _malloc_trim()
        if release is not None:
            release(0)

    timer = threading.Timer(TRIM_DELAY, trim)
    timer.daemon = True
    timer.start()
