"""How the server's process gives memory back: it lives for days and serves many sessions.

Arrow's default pool (mimalloc here) keeps what it frees for its next allocations, so every distinct
filter a session tried left its transient buffers in the process. Measured with
benchmarks/load_sessions.py at 100,000 documents (5 sessions at once): each extra session grew
the server by 122 MB with mimalloc, 46 MB with the system allocator (which hands large blocks back
as soon as they are freed); the warm load took as long and peaked 20-50 MB lower.
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
