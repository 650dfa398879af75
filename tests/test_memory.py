"""signals.memory: Arrow on the C allocator; what a script run frees handed back to the system."""

from __future__ import annotations

import time

from signals import memory


def test_runs_in_a_row_make_one_trim_after_the_delay(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(memory, "TRIM_DELAY", 0.05)
    monkeypatch.setattr(memory, "_malloc_trim", lambda: calls.append)
    for _ in range(5):  # five script runs within the delay
        memory.give_back_soon()
    assert calls == []  # not during the runs
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert calls == [0]  # one trim, of every arena (malloc_trim(0))
    memory.give_back_soon()  # a later run: another trim
    deadline = time.monotonic() + 5
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [0, 0]


def test_without_glibc_nothing_is_trimmed_and_nothing_fails(monkeypatch) -> None:
    monkeypatch.setattr(memory, "TRIM_DELAY", 0.0)
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    memory.give_back_soon()
    time.sleep(0.1)
    assert memory._trim_pending is False


def test_the_c_library_trim_is_found_with_glibc() -> None:
    import platform

    import pytest

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's")
    release = memory._malloc_trim()
    assert release is not None and release(0) in (0, 1)


def test_the_server_maps_large_blocks_except_while_loading(monkeypatch) -> None:
    """serve_returning_blocks fixes glibc's threshold once; a load (two at once here) runs with the
    loading threshold and the serving one is back after the last of them."""
    calls = []
    monkeypatch.setattr(memory, "_serving", False)
    monkeypatch.setattr(memory, "_loads", 0)
    monkeypatch.setattr(memory, "_mallopt", lambda: lambda *args: calls.append(args[1]) or 1)

    @memory.while_loading
    def load(inner=None):
        calls.append("loading")
        return inner() if inner else "corpus"

    assert load() == "corpus" and calls == ["loading"]  # not serving: the threshold is left alone
    memory.serve_returning_blocks()
    memory.serve_returning_blocks()
    assert calls == ["loading", memory.MMAP_THRESHOLD]
    calls.clear()
    assert load(lambda: load()) == "corpus"
    assert calls == [memory.LOADING_MMAP_THRESHOLD, "loading", "loading", memory.MMAP_THRESHOLD]
    calls.clear()
    try:
        load(lambda: 1 / 0)
    except ZeroDivisionError:
        pass
    assert calls == [memory.LOADING_MMAP_THRESHOLD, "loading", memory.MMAP_THRESHOLD]  # restored after a failure


_FREED_BLOCK = """
import sys
import numpy as np
from signals import memory

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

if sys.argv[1] == "fixed":
    memory.serve_returning_blocks()
big = np.ones(30 * 2**20 // 8)  # mapped on its own, then freed: glibc raises its threshold to 30 MB
del big
before = resident_mb()
blocks = [np.ones(2**20 // 8) for _ in range(20)]  # 20 blocks of 1 MB, written
blocks.append(np.ones(16))  # a small block after them: the arena's top cannot be trimmed
del blocks[:20]
print(resident_mb() - before)
"""


def test_freed_megabyte_blocks_go_back_to_the_system() -> None:
    """What a script run frees (views' arrays of a few MB) leaves the process at once with the fixed
    threshold; with glibc's rising default it stays in the arena (20 MB kept here)."""
    import platform
    import subprocess
    import sys

    import pytest

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")

    def kept(mode: str) -> float:
        run = subprocess.run([sys.executable, "-c", _FREED_BLOCK, mode], capture_output=True, text=True, check=True)
        return float(run.stdout)

    assert kept("default") > 15
    assert kept("fixed") < 5


def test_what_another_thread_freed_goes_back_to_the_system_at_once() -> None:
    """The embedding workers and the neighbour search's threads allocate from their own arenas; what
    they free there stays in the process (the blocks still held keep it fragmented) until
    give_back_now: 234 MB kept of 256 MB allocated and 16 MB held, 2 MB after it, here."""
    import platform
    import subprocess
    import sys

    import pytest

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's")

    def kept(mode: str) -> float:
        run = subprocess.run([sys.executable, "-c", _FREED_IN_A_THREAD, mode], capture_output=True, text=True,
                             check=True)
        return float(run.stdout)

    assert kept("keep") > 100
    assert kept("trim") < 30


_FREED_IN_A_THREAD = """
import sys, threading
import numpy as np
from signals import memory
def rss():
    return [int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmRSS")][0]
held = []
def work():
    blocks = [np.ones(8192) for _ in range(4000)]  # 64 KB each, 256 MB, from this thread's arena
    held.extend(blocks[::16])  # 16 MB still held: the freed blocks between them stay in the arena
    del blocks
before = rss()
thread = threading.Thread(target=work)
thread.start()
thread.join()
if sys.argv[1] == "trim":
    memory.give_back_now()
print(rss() - before - len(held) * 64 / 1024)
"""
