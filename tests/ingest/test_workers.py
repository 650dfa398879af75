"""signals.ingest.raw: worker-side tables, and how they reach the parent (RAM-backed IPC files)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from signals.ingest import workers
from signals.ingest.files import discover
from signals.ingest.load import load_corpus
from signals.synth import write_corpus


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str]]:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 30, seed=3)
    return [(location, doc_id, path) for location, doc_id, path, _, _ in discover(folder)]


def assert_same_tables(left: dict[str, pa.Table], right: dict[str, pa.Table]) -> None:
    assert list(left) == list(right)
    for name, table in left.items():
        assert table.equals(right[name], check_metadata=True), name


def test_tables_handed_through_files_arrive_whole_and_the_files_go(files, tmp_path: Path) -> None:
    handed, stamps = workers.parse_to_shared(files, str(tmp_path), "signals-raw-test-")
    assert all(isinstance(value, str) and value.startswith(str(tmp_path)) for value in handed.values())
    assert len(stamps) == len(files) and all(size > 0 for size, _ in stamps)
    assert_same_tables(workers.take_shared(handed), workers.parse_files(files))
    assert list(tmp_path.iterdir()) == []


def test_without_a_shared_folder_the_tables_themselves_are_handed(files) -> None:
    handed, _ = workers.parse_to_shared(files, None, "signals-raw-test-")
    assert all(isinstance(value, pa.Table) for value in handed.values())
    assert_same_tables(workers.take_shared(handed), workers.parse_files(files))


def test_a_folder_that_cannot_be_written_hands_the_tables(files, tmp_path: Path) -> None:
    handed, _ = workers.parse_to_shared(files, str(tmp_path / "missing"), "signals-raw-test-")
    assert all(isinstance(value, pa.Table) for value in handed.values())
    assert_same_tables(workers.take_shared(handed), workers.parse_files(files))


def test_remove_shared_removes_only_its_own_prefix(tmp_path: Path) -> None:
    (tmp_path / "signals-raw-1-a-x.items.arrow").write_bytes(b"x")
    (tmp_path / "signals-raw-2-b-x.items.arrow").write_bytes(b"x")
    workers.remove_shared(str(tmp_path), "signals-raw-1-a-")
    assert [p.name for p in tmp_path.iterdir()] == ["signals-raw-2-b-x.items.arrow"]


def test_files_of_loads_whose_process_is_gone_are_removed(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    gone = tmp_path / f"signals-raw-{finished.stdout.strip()}-abc-x.items.arrow"
    mine = tmp_path / f"signals-raw-{os.getpid()}-abc-x.items.arrow"
    other = tmp_path / "something-else"
    for path in (gone, mine, other):
        path.write_bytes(b"x")
    workers.remove_orphans(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])


@pytest.mark.parametrize("broken", [False, True])
def test_a_parallel_load_leaves_nothing_behind(files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               broken: bool) -> None:
    shared = tmp_path / "shm"
    shared.mkdir()
    monkeypatch.setattr(workers, "SHARED_FOLDER", str(shared))
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "_chunk_size", lambda count, processes: 5)  # several chunks in flight
    folder = Path(files[0][0]).parent.parent
    if broken:
        # The parent fails while taking the workers' files: what it has not taken is removed.
        calls = []

        def take_then_fail(handed):
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("parent failed")
            return workers.take_shared(handed)

        monkeypatch.setattr(workers, "take_shared", take_then_fail)
        with pytest.raises(RuntimeError):
            load_corpus(folder, use_cache=False, workers=2)
    else:
        corpus = load_corpus(folder, use_cache=False, workers=2)
        assert len(corpus.documents) == len({doc_id for _, doc_id, _ in files})
    assert list(shared.iterdir()) == []
