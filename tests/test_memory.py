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
