"""The demo corpus (signals/demo.py): `signals synth`'s documents, written once into the cache folder,
whole or not at all, and found again after."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from signals import demo, synth

DOCUMENTS = 40  # the real demo has 3,000; the rules are the same


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_written_into_the_cache_folder_as_signals_synth_writes_it(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    calls: list[tuple[int, int]] = []
    folder = demo.ensure_demo_corpus(progress=lambda done, total: calls.append((done, total)),
                                     cache_root=cache, documents=DOCUMENTS, seed=3)
    assert folder.parent == cache / demo.DEMO_PARENT
    assert folder.name.startswith(f"{DOCUMENTS}-seed3-")
    expected = tmp_path / "expected"
    synth.write_corpus(expected, DOCUMENTS, seed=3, planted=True)
    assert _files(folder) == _files(expected)  # ground_truth.json included
    assert len(list(folder.rglob("*.md"))) == DOCUMENTS
    assert calls[-1] == (DOCUMENTS, DOCUMENTS)
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no partial folder left
    assert demo.is_demo_folder(folder, cache_root=cache)
    assert not demo.is_demo_folder(expected, cache_root=cache)
    assert not demo.is_demo_folder(cache, cache_root=cache)


def test_the_default_place_is_the_cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALS_CACHE_DIR", str(tmp_path / "from-env"))
    assert demo.demo_folder().parent == tmp_path / "from-env" / demo.DEMO_PARENT
    assert demo.demo_folder().name.startswith(f"{demo.DEMO_DOCUMENTS}-seed{demo.DEMO_SEED}-")


def test_a_second_call_reuses_the_folder(tmp_path: Path) -> None:
    first = demo.ensure_demo_corpus(cache_root=tmp_path, documents=DOCUMENTS)
    stamps = {path: path.stat().st_mtime_ns for path in first.rglob("*.md")}
    calls: list[tuple[int, int]] = []
    again = demo.ensure_demo_corpus(progress=lambda done, total: calls.append((done, total)),
                                    cache_root=tmp_path, documents=DOCUMENTS)
    assert again == first and calls == []
    assert {path: path.stat().st_mtime_ns for path in again.rglob("*.md")} == stamps


def test_an_interrupted_write_is_never_taken_for_a_demo(tmp_path: Path) -> None:
    def interrupted(done: int, total: int) -> None:
        raise KeyboardInterrupt  # the server stopped mid-write

    with pytest.raises(KeyboardInterrupt):
        demo.ensure_demo_corpus(progress=interrupted, cache_root=tmp_path, documents=DOCUMENTS)
    assert list((tmp_path / demo.DEMO_PARENT).iterdir()) == []
    folder = demo.ensure_demo_corpus(cache_root=tmp_path, documents=DOCUMENTS)
    assert len(list(folder.rglob("*.md"))) == DOCUMENTS


def test_abandoned_partial_writes_and_older_generator_versions_are_removed(tmp_path: Path) -> None:
    parent = tmp_path / demo.DEMO_PARENT
    abandoned, in_flight = parent / ".partial-dead", parent / ".partial-live"
    older_version = parent / f"{DOCUMENTS}-seed{demo.DEMO_SEED}-0123456789"
    other_size = parent / f"{DOCUMENTS + 1}-seed{demo.DEMO_SEED}-0123456789"
    for folder in (abandoned, in_flight, older_version, other_size):
        (folder / "2024").mkdir(parents=True)
        (folder / "2024" / "doc.md").write_text("# x\n", encoding="utf-8")
    hours_ago = time.time() - 2 * 3600
    os.utime(abandoned, (hours_ago, hours_ago))
    current = demo.ensure_demo_corpus(cache_root=tmp_path, documents=DOCUMENTS)
    assert sorted(p.name for p in parent.iterdir()) == sorted([in_flight.name, other_size.name, current.name])


def test_an_unwritable_cache_folder_raises_oserror(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    with pytest.raises(OSError):
        demo.ensure_demo_corpus(cache_root=blocker, documents=DOCUMENTS)
