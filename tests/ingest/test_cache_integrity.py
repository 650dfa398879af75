"""The cache never serves stale or damaged data -- the cases tests/test_cache.py does not cover.

test_cache.py covers added, changed, touched and deleted files, truncated Parquet files, garbage
and miscounting manifests, old-generation clean-up, a read-only data folder and two processes at
once. Here: a single flipped bit anywhere in any cache file (Parquet does not notice one in
compressed data: before the manifest recorded a CRC-32 per file, half of such flips loaded as
different text), a generation file gone, a manifest rolled back to an older generation, edits that
keep a file's size *and* its modification time, and the cache folder's permissions.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest
from sample_documents import SEED_FILE, real_or_synthetic_files

from signals.corpus_type import Corpus
from signals.ingest.load import LoadStats, load_corpus


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seed and 6 more documents: real where ../shared is present, else synthetic."""
    return [SEED_FILE, *real_or_synthetic_files(6, tmp_path_factory.mktemp("integrity-sources"))]


@pytest.fixture
def data(tmp_path: Path, sources: list[Path]) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for source in sources:
        shutil.copy(source, folder / f"{source.stem}.md")
    (folder / "broken.md").write_text("# Broken, (from page [20240101](https://x.test/p).)\n\n## Signals\n\n"
                                      "| name | relevancy |\n|---|---|\n| a | high |\n| b |\n", encoding="utf-8")
    return folder


def load(folder: Path, cache_root: Path | None) -> tuple[Corpus, LoadStats]:
    stats = LoadStats()
    corpus = load_corpus(folder, use_cache=cache_root is not None, cache_root=cache_root, stats=stats)
    writer = getattr(stats, "_cache_writer", None)
    if writer is not None:  # written in the background: wait, so the test sees the files
        writer.join()
    return corpus, stats


def assert_same(left: Corpus, right: Corpus) -> None:
    for name, frame in left.frames().items():
        pd.testing.assert_frame_equal(frame, right.frames()[name], obj=name)


def _generation(cache_dir: Path) -> str:
    return json.loads((cache_dir / "manifest.json").read_text())["generation"]


def test_no_flipped_bit_in_any_cache_file_is_served(data: Path, tmp_path: Path) -> None:
    expected, _ = load(data, None)
    pristine = tmp_path / "pristine"
    _, stats = load(data, pristine)
    cache_dir = Path(stats.cache_dir)
    generation = _generation(cache_dir)
    files = sorted([*cache_dir.glob(f"*-{generation}.parquet"), *cache_dir.glob(f"*-{generation}.arrow")])
    files.append(cache_dir / "manifest.json")
    rng = random.Random(5)
    trials = 0
    for path in files:
        size = path.stat().st_size
        # Every region of every file: Parquet's or Arrow IPC's header, pages, footer and its length; the manifest.
        for offset in sorted({0, size // 3, size // 2, size - 9, size - 5, *rng.sample(range(size), 3)}):
            work = tmp_path / f"trial-{trials}"
            shutil.copytree(pristine, work)
            target = work / cache_dir.name / path.name
            damaged = bytearray(target.read_bytes())
            damaged[offset] ^= 1 << rng.randrange(8)
            target.write_bytes(bytes(damaged))
            corpus, stats = load(data, work)
            assert_same(corpus, expected)  # whatever the flip, the frames are the documents'
            if stats.parsed == 0:
                # Served from the cache: the flip was in JSON whitespace or a key order, or in a
                # file this load did not need (raw tables when the finished frames serve it, or
                # the reverse) -- never in the file list the cache is keyed on.
                assert not path.name.startswith("files-"), (path.name, offset)
            shutil.rmtree(work)
            trials += 1
    assert trials >= 50


def test_a_missing_generation_file_is_rebuilt(data: Path, tmp_path: Path) -> None:
    expected, stats = load(data, tmp_path / "cache")
    cache_dir = Path(stats.cache_dir)
    (cache_dir / f"themes-{_generation(cache_dir)}.parquet").unlink()
    for frames_file in cache_dir.glob("frames.*.arrow"):  # so the raw tables must be read
        frames_file.unlink()
    corpus, stats = load(data, tmp_path / "cache")
    assert stats.parsed == stats.files
    assert_same(corpus, expected)
    assert load(data, tmp_path / "cache")[1].parsed == 0


def test_a_manifest_rolled_back_to_an_older_generation(data: Path, tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    _, stats = load(data, cache_root)
    cache_dir = Path(stats.cache_dir)
    old_manifest = (cache_dir / "manifest.json").read_bytes()
    target = data / f"{SEED_FILE.stem}.md"
    target.write_text(target.read_text(encoding="utf-8").replace("South Korea Considers", "Changed:"),
                      encoding="utf-8")
    load(data, cache_root)
    # A crash or a restore puts the older (complete, consistent) generation back in charge.
    (cache_dir / "manifest.json").write_bytes(old_manifest)
    corpus, stats = load(data, cache_root)
    assert stats.parsed == 1
    assert corpus.documents.set_index("doc_id").loc[SEED_FILE.stem, "title"].startswith("Changed:")
    assert_same(corpus, load(data, None)[0])


def test_a_same_size_edit_that_keeps_the_modification_time_is_seen(data: Path, tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    load(data, cache_root)
    target = data / f"{SEED_FILE.stem}.md"
    before = target.stat()
    text = target.read_text(encoding="utf-8")
    edited = text.replace("|           4 |", "|           1 |", 1)
    assert len(edited) == len(text) and edited != text
    target.write_text(edited, encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` or `cp -p` leave it
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    corpus, stats = load(data, cache_root)
    assert stats.parsed == 1
    signals = corpus.items[(corpus.items["doc_id"] == SEED_FILE.stem) & (corpus.items["section"] == "signals")]
    assert signals["relevancy"].tolist()[0] == 1
    assert_same(corpus, load(data, None)[0])


def test_a_file_swapped_for_another_of_the_same_size_and_time_is_seen(data: Path, tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    load(data, cache_root)
    target = data / f"{SEED_FILE.stem}.md"
    before = target.stat()
    replacement = tmp_path / "replacement.md"
    replacement.write_text(target.read_text(encoding="utf-8").replace("South Korea", "North Korea", 1),
                           encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, target)  # an atomic swap, as sync tools do
    corpus, stats = load(data, cache_root)
    assert stats.parsed == 1
    assert corpus.documents.set_index("doc_id").loc[SEED_FILE.stem, "title"].startswith("North Korea")


def test_problems_survive_the_cache_and_a_fixed_file_clears_them(data: Path, tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    cold, _ = load(data, cache_root)
    warm, stats = load(data, cache_root)
    assert stats.parsed == 0
    broken = warm.problems[warm.problems["path"] == "broken.md"]
    assert set(broken["line"]) == {7, 8}
    pd.testing.assert_frame_equal(cold.problems, warm.problems)
    (data / "broken.md").write_text(
        "# Broken, (from page [20240101](https://x.test/p).)\n\n## Signals\n\n| name | relevancy |\n|---|---|\n"
        "| a | 4 |\n| b | 5 |\n", encoding="utf-8")
    fixed, stats = load(data, cache_root)
    assert stats.parsed == 1
    assert not (fixed.problems["path"] == "broken.md").any()


def test_the_cache_folder_is_private(data: Path, tmp_path: Path) -> None:
    _, stats = load(data, tmp_path / "cache")
    mode = stat.S_IMODE(Path(stats.cache_dir).stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)
