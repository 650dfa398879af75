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

import threading

_done = threading.Event()


def use_returning_allocator() -> None:
    """Arrow allocates from the C library's allocator from now on (once per process)."""
    if _done.is_set():
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    _done.set()
