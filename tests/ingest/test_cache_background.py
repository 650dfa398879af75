"""The first load of a folder returns before its cache is on disk (`background_write=True`, what the
dashboard does), and a cache half written, or interrupted, is never what another load reads."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from sample_documents import real_or_synthetic_files

from signals.ingest import cache
from signals.ingest.load import LoadStats, load_corpus

TODAY = dt.date(2025, 6, 1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for source in real_or_synthetic_files(12, tmp_path / "sources"):
        (folder / f"{source.stem}.md").write_bytes(source.read_bytes())
    return folder


def _load(folder: Path, cache_root: Path, **options) -> tuple:
    stats = LoadStats()
    corpus = load_corpus(folder, cache_root=cache_root, today=TODAY, stats=stats, **options)
    return corpus, stats


def _assert_same_frames(left, right) -> None:
    for name, frame in left.frames().items():
        pd.testing.assert_frame_equal(frame, right.frames()[name], obj=name)


def test_a_cache_being_written_is_not_read_until_it_is_whole(data: Path, tmp_path: Path, monkeypatch) -> None:
    cache_root = tmp_path / "cache"
    cache_dir = cache.corpus_cache_dir(data, cache_root)
    first_file_written, finish = threading.Event(), threading.Event()
    write_checked = cache._write_checked

    def slow_write(table, path):  # the writer stops after its first file, until the test lets it go on
        crc = write_checked(table, path)
        first_file_written.set()
        assert finish.wait(30)
        return crc

    monkeypatch.setattr(cache, "_write_checked", slow_write)
    corpus, stats = _load(data, cache_root, background_write=True)
    assert first_file_written.wait(30)
    assert list(cache_dir.glob("*.parquet"))  # on disk already, half of a generation
    assert cache.open_entry(cache_dir) is None  # what any reader sees: no cache yet
    finish.set()
    assert stats.cache_written
    warm, warm_stats = _load(data, cache_root)
    assert warm_stats.parsed == 0 and warm_stats.cached == len(corpus.documents)
    _assert_same_frames(corpus, warm)


_INTERRUPTED_LOAD = """
import os, sys
from signals.ingest import cache
from signals.ingest.load import load_corpus
write_checked, written = cache._write_checked, []
def write_then_die(table, path):
    crc = write_checked(table, path)
    written.append(path)
    if len(written) == int(sys.argv[3]):
        os._exit(0)  # the process ends mid-write: a crash, a kill, a closed laptop
    return crc
cache._write_checked = write_then_die
load_corpus(sys.argv[1], cache_root=sys.argv[2], background_write=True)
"""


@pytest.mark.parametrize("files_written", [1, 3, 7])
def test_an_interrupted_cache_write_is_never_served(data: Path, tmp_path: Path, files_written: int) -> None:
    cache_root = tmp_path / "cache"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", _INTERRUPTED_LOAD, str(data), str(cache_root), str(files_written)],
                   check=True, env=environment, cwd=ROOT, timeout=120)
    cache_dir = cache.corpus_cache_dir(data, cache_root)
    assert len(list(cache_dir.glob("*.parquet"))) == files_written  # the litter of the interrupted write
    after, stats = _load(data, cache_root)
    assert stats.parsed == len(after.documents) > 0  # nothing taken from the half-written generation
    _assert_same_frames(after, load_corpus(data, use_cache=False, today=TODAY))
    assert _load(data, cache_root)[1].parsed == 0  # and the next load has a whole cache
