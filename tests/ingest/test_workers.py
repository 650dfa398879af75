"""signals.ingest.workers: a worker's tables, how they reach the parent (RAM-backed IPC files), and
workers that end with the process that loads."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
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


# ---------------------------------------------------------------------------------------------
# A loading process killed mid-load leaves nothing behind
# ---------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]

#: A loading process: prints a line at the first chunk parsed, then (when asked) waits there, so
#: that the workers finish the other chunks and leave their tables in the shared folder untaken.
_LOADER = r"""
import sys, threading, time
from signals.ingest.load import load_corpus

folder, start, moment = sys.argv[1:4]
if start == "forkserver":  # the loader picks forkserver when other threads run (the dashboard)
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()

def progress(done, total):
    print("parsing", done, total, flush=True)
    if moment == "idle":
        time.sleep(3600)

load_corpus(folder, use_cache=False, workers=2, progress=progress)
print("finished", flush=True)
"""


@pytest.fixture(scope="module")
def large_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large")
    write_corpus(folder, 2000, seed=5)  # 16 chunks of 125 documents over 2 workers
    return folder


def _group(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry))
    return members


def _shared_files(pid: int) -> list[str]:
    return [name for name in os.listdir(workers.SHARED_FOLDER) if name.startswith(f"{workers.SHARED_PREFIX}{pid}-")]


def _closes(pipe: int, seconds: float) -> bool:
    """Whether the pipe reaches its end (every writer gone) within `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if select.select([pipe], [], [], left)[0] and not os.read(pipe, 1 << 16):
            return True
    return False


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.skipif(not sys.platform.startswith("linux") or workers.shared_folder() is None,
                    reason="reads /proc and /dev/shm")
@pytest.mark.parametrize("start", ["fork", "forkserver"])
@pytest.mark.parametrize("moment", ["busy", "idle"])
def test_a_killed_loader_leaves_no_process_and_no_shared_file(large_corpus: Path, tmp_path: Path, start: str,
                                                               moment: str) -> None:
    """SIGKILL the loading process mid-load: its workers (and forkserver, resource tracker) end,
    its stdout and stderr close, and its hand-over files go -- within seconds, with no load after.

    busy: killed while the workers parse; idle: killed once they have finished and left their
    tables in /dev/shm for a parent that no longer takes them."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SIGNALS_CACHE_DIR": str(tmp_path / "cache")}
    loader = subprocess.Popen([sys.executable, "-c", _LOADER, str(large_corpus), start, moment], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        ready, _, _ = select.select([loader.stdout], [], [], 120)
        assert ready, "the loader printed nothing in 120 s"
        assert loader.stdout.readline().startswith(b"parsing"), loader.stderr.read()
        if moment == "idle":
            assert _until(lambda: len(_shared_files(loader.pid)) >= 6, 60), "no tables left in the shared folder"
        assert len(_group(loader.pid)) >= 3  # the loader and its two workers at least
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
        assert _until(lambda: not _group(loader.pid), 5), f"still running: {_group(loader.pid)}"
        assert _until(lambda: not _shared_files(loader.pid), 5), f"left behind: {_shared_files(loader.pid)}"
        # Nothing holds the loader's pipes open any more: a script reading them is not left waiting.
        assert _closes(loader.stdout.fileno(), 5) and _closes(loader.stderr.fileno(), 5), "a pipe is held open"
    finally:
        for pid in _group(loader.pid):  # whatever a failure left: never outlive the test
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
        workers.remove_shared(workers.shared_folder(), f"{workers.SHARED_PREFIX}{loader.pid}-")


_WATCHED = r"""
import os, subprocess, sys, time
from signals.ingest import workers

folder, poll = sys.argv[1], sys.argv[2] == "poll"
if poll:  # as where os.pidfd_open is missing (not Linux 5.3+)
    del os.pidfd_open
loader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
left = os.path.join(folder, f"{workers.SHARED_PREFIX}{loader.pid}-abc-x.items.arrow")
other = os.path.join(folder, f"{workers.SHARED_PREFIX}1-abc-x.items.arrow")
for path in (left, other):
    open(path, "w").close()
workers._watch_loader(loader.pid, folder)  # what each worker runs first
loader.kill()
loader.wait()
time.sleep(30)
print("still running", flush=True)
"""


@pytest.mark.parametrize("how", ["pidfd", "poll"])
def test_a_watched_worker_ends_with_its_loader_and_removes_its_files(tmp_path: Path, how: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    worker = subprocess.run([sys.executable, "-c", _WATCHED, str(tmp_path), how], env=env, check=False,
                            capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 10, worker.stdout
    assert worker.returncode == 0 and "still running" not in worker.stdout, worker.stderr
    assert [p.name for p in tmp_path.iterdir()] == [f"{workers.SHARED_PREFIX}1-abc-x.items.arrow"]
