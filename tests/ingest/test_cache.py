"""The Parquet cache: re-runs parse only what changed, never serve stale or damaged data, never
write into the data folder, and survive two loads at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest
from sample_documents import SEED_FILE, real_or_synthetic_files

from signals.corpus_type import Corpus
from signals.ingest import cache
from signals.ingest.load import LoadStats, load_corpus

TODAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seed plus 20 documents: real ones where ../shared is present, else synthetic (a seed alone
    left the top folder empty, and the tests that touch a file there had none to touch)."""
    return [SEED_FILE, *real_or_synthetic_files(20, tmp_path_factory.mktemp("cache-sources"))]


@pytest.fixture
def data(tmp_path: Path, sources: list[Path]) -> Path:
    """A data folder of the sources, every third in sub/ (the seed first, so sub/<seed>.md)."""
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    for k, source in enumerate(sources):
        shutil.copy(source, folder / ("sub" if k % 3 == 0 else "") / f"{source.stem}.md")
    assert len(list(folder.glob("*.md"))) >= 2  # the tests below touch files at the top
    return folder


@pytest.fixture
def cache_root(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def load(folder: Path, cache_root: Path | None, use_cache: bool = True) -> tuple[Corpus, LoadStats]:
    stats = LoadStats()
    corpus = load_corpus(folder, use_cache=use_cache, cache_root=cache_root, today=TODAY, stats=stats)
    return corpus, stats


def assert_same(left: Corpus, right: Corpus) -> None:
    """Every frame and every section table equal (values, dtypes, order)."""
    for name, frame in left.frames().items():
        pd.testing.assert_frame_equal(frame, right.frames()[name], obj=name)
    assert list(left.tables) == list(right.tables)
    assert left.section_columns == right.section_columns


def fresh(folder: Path) -> Corpus:
    return load(folder, None, use_cache=False)[0]


def doc_count(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.md"))


def test_warm_load_parses_nothing_and_gives_equal_frames(data: Path, cache_root: Path) -> None:
    cold, cold_stats = load(data, cache_root)
    n = doc_count(data)
    assert (cold_stats.files, cold_stats.parsed, cold_stats.cached, cold_stats.cache_written) == (n, n, 0, True)
    assert Path(cold_stats.cache_dir).is_relative_to(cache_root)
    warm, warm_stats = load(data, cache_root)
    assert (warm_stats.parsed, warm_stats.cached, warm_stats.cache_written) == (0, n, False)
    assert_same(cold, warm)
    assert_same(warm, fresh(data))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_first_load_keys_each_file_by_its_state_when_read(data: Path, cache_root: Path, workers: int,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a cache, files are listed without a stat and fingerprinted as they are read: what
    is cached is each file's size and change time at that moment."""
    from signals.ingest import load as loader
    from signals.ingest import workers as pool

    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 1)
    target = next(data.rglob("*.md"))
    real_discover = loader.discover

    def discover_then_edit(root: Path, *args, **kwargs):
        found = real_discover(root, *args, **kwargs)
        target.write_bytes(target.read_bytes() + b"\n")  # listed, then changed before it is read
        return found

    monkeypatch.setattr(loader, "discover", discover_then_edit)
    load_corpus(data, cache_root=cache_root, today=TODAY, workers=workers)
    entry = cache.open_entry(cache.corpus_cache_dir(data, cache_root))
    on_disk = {}
    for path in data.rglob("*.md"):
        status = path.stat()
        on_disk[path.relative_to(data).with_suffix("").as_posix()] = (
            status.st_size, max(status.st_mtime_ns, status.st_ctime_ns))
    assert entry.fingerprints == on_disk
    monkeypatch.undo()
    _, stats = load(data, cache_root)
    assert stats.parsed == 0 and stats.cached == doc_count(data)


def test_a_changed_file_is_parsed_again_and_shows_the_change(data: Path, cache_root: Path) -> None:
    load(data, cache_root)
    target = data / "sub" / f"{SEED_FILE.stem}.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("South Korea Considers", "Japan Considers"), encoding="utf-8")
    corpus, stats = load(data, cache_root)
    assert (stats.parsed, stats.cached) == (1, doc_count(data) - 1)
    title = corpus.documents.set_index("doc_id").loc[f"sub/{SEED_FILE.stem}", "title"]
    assert title.startswith("Japan Considers")
    assert_same(corpus, fresh(data))


def test_same_size_edit_with_a_new_mtime_is_seen(data: Path, cache_root: Path) -> None:
    load(data, cache_root)
    target = data / "sub" / f"{SEED_FILE.stem}.md"
    before = target.stat()
    # The first Signals row's relevancy 4 -> 2: same size, so only the mtime tells.
    target.write_text(target.read_text(encoding="utf-8").replace("|           4 |", "|           2 |", 1))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert target.stat().st_size == before.st_size
    corpus, stats = load(data, cache_root)
    assert stats.parsed == 1
    signals = corpus.items[(corpus.items["doc_id"] == f"sub/{SEED_FILE.stem}") & (corpus.items["section"] == "signals")]
    assert signals["relevancy"].tolist() == [2, 5, 4, 3, 4]
    assert_same(corpus, fresh(data))


def test_touching_a_file_parses_exactly_it_and_changes_nothing(data: Path, cache_root: Path) -> None:
    cold, _ = load(data, cache_root)
    target = min(data.glob("*.md"))
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    touched, stats = load(data, cache_root)
    assert (stats.parsed, stats.cached, stats.cache_written) == (1, doc_count(data) - 1, True)
    # Rows of the re-parsed document come back in their place, not at the end.
    assert_same(cold, touched)


ODD_DOC = """\
# Odd one, (from page [20240301](https://x.test/p/20240301).)

## Other

* Region: Asia

## Opportunities

| name | owner | relevancy |
|---|---|---|
| Cooling | cities | 4 |
"""


@pytest.mark.parametrize("which", ["seed", "odd"])
def test_deleting_a_file_drops_it(data: Path, cache_root: Path, which: str) -> None:
    # The odd one is the only document with a Region attribute and an Opportunities table (and among
    # the real documents, the seed the only one with a Concerns table): none of it may linger.
    (data / "odd.md").write_text(ODD_DOC, encoding="utf-8")
    cold, _ = load(data, cache_root)
    assert "region" in cold.documents.columns and "owner" in cold.items.columns
    assert {"concerns", "opportunities"} <= set(cold.tables)
    doc_id = f"sub/{SEED_FILE.stem}" if which == "seed" else "odd"
    (data / f"{doc_id}.md").unlink()
    corpus, stats = load(data, cache_root)
    assert (stats.parsed, stats.removed) == (0, 1)
    assert doc_id in set(cold.documents["doc_id"])
    for name in ("documents", "keywords", "themes", "items", "links", "problems"):
        assert doc_id not in set(getattr(corpus, name)["doc_id"]), name
    assert len(corpus.documents) == len(cold.documents) - 1
    assert_same(corpus, fresh(data))
    again, stats = load(data, cache_root)
    assert (stats.parsed, stats.removed) == (0, 0)
    assert_same(again, corpus)


def test_adding_a_file_adds_it(data: Path, cache_root: Path) -> None:
    load(data, cache_root)
    (data / "sub" / "deeper").mkdir()
    shutil.copy(SEED_FILE, data / "sub" / "deeper" / "new.txt")
    corpus, stats = load(data, cache_root)
    assert (stats.parsed, stats.cached) == (1, doc_count(data))
    assert "sub/deeper/new" in set(corpus.documents["doc_id"])
    assert_same(corpus, fresh(data))


def test_a_problem_file_stays_a_problem_when_cached(data: Path, cache_root: Path) -> None:
    (data / "empty.md").write_bytes(b"")
    cold, _ = load(data, cache_root)
    warm, stats = load(data, cache_root)
    assert stats.parsed == 0
    assert "empty.md" in set(warm.problems["path"])
    assert_same(cold, warm)


def _generation_files(cache_dir: Path) -> dict[str, Path]:
    generation = json.loads((cache_dir / "manifest.json").read_text())["generation"]
    return {path.stem.rsplit("-", 1)[0]: path for path in cache_dir.glob(f"*-{generation}.*")
            if path.suffix in (".parquet", ".arrow")}  # raw tables; finished frames


@pytest.mark.parametrize("table", ["items", "documents", "files"])
def test_a_truncated_parquet_file_is_rebuilt(data: Path, cache_root: Path, table: str) -> None:
    cold, stats = load(data, cache_root)
    target = _generation_files(Path(stats.cache_dir))[table]
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    if table != "files":
        # Nothing changed, so the finished frames serve this load and the damaged raw table is not
        # read; the first change needs it, finds it damaged, and parses everything again.
        served, stats = load(data, cache_root)
        assert (stats.parsed, stats.cache_written) == (0, False)
        assert_same(cold, served)
        touched = min(data.rglob("*.md"))
        touched.write_text(touched.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        cold = fresh(data)
    rebuilt, stats = load(data, cache_root)
    assert (stats.parsed, stats.cached, stats.cache_written) == (doc_count(data), 0, True)
    assert_same(cold, rebuilt)
    warm, stats = load(data, cache_root)
    assert stats.parsed == 0
    assert_same(cold, warm)


@pytest.mark.parametrize("frame", ["items", "documents", "problems"])
def test_damaged_finished_frames_are_derived_again_from_the_raw_tables(data: Path, cache_root: Path, frame: str) -> None:
    cold, stats = load(data, cache_root)
    cache_dir = Path(stats.cache_dir)
    target = _generation_files(cache_dir)[f"frames.{frame}.{TODAY:%Y%m%d}"]
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    again, stats = load(data, cache_root)
    assert (stats.parsed, stats.cached, stats.cache_written) == (0, doc_count(data), False)
    assert "finalize" in stats.seconds  # derived from the raw tables, not read
    assert_same(cold, again)
    warm, stats = load(data, cache_root)  # ... and stored again
    assert "finalize" not in stats.seconds and stats.parsed == 0
    assert_same(cold, warm)


def test_finished_frames_serve_only_the_day_they_were_derived_on(data: Path, cache_root: Path) -> None:
    future = data / "future.md"
    future.write_text("# Soon, (from page [20250701](https://x.test/p).)\n\n## Keywords\n\n- k\n", encoding="utf-8")
    load(data, cache_root)
    stats = LoadStats()
    later = load_corpus(data, cache_root=cache_root, today=dt.date(2025, 8, 1), stats=stats)
    assert "finalize" in stats.seconds and stats.parsed == 0  # another day: derived again
    def flagged(corpus: Corpus) -> bool:
        mine = corpus.problems[corpus.problems["path"].astype("str").str.endswith("future.md")]
        return bool(mine["message"].str.contains("in the future").any())

    assert not flagged(later)
    stats = LoadStats()
    same_day = load_corpus(data, cache_root=cache_root, today=dt.date(2025, 8, 1), stats=stats)
    assert "finalize" not in stats.seconds
    assert_same(later, same_day)
    assert flagged(load(data, cache_root)[0])


def test_row_frames_share_the_documents_ids_as_categories_after_the_cache(data: Path, cache_root: Path) -> None:
    load(data, cache_root)
    warm, stats = load(data, cache_root)
    assert "finalize" not in stats.seconds
    ids = list(warm.documents["doc_id"].astype("str"))
    for name in ("keywords", "themes", "items", "links"):
        assert list(getattr(warm, name)["doc_id"].cat.categories) == ids, name


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"version": 3}', b"[1, 2]", b"\x00\xff" * 50])
def test_a_garbage_manifest_is_rebuilt(data: Path, cache_root: Path, garbage: bytes) -> None:
    cold, stats = load(data, cache_root)
    (Path(stats.cache_dir) / "manifest.json").write_bytes(garbage)
    rebuilt, stats = load(data, cache_root)
    assert (stats.parsed, stats.cache_written) == (doc_count(data), True)
    assert_same(cold, rebuilt)
    assert load(data, cache_root)[1].parsed == 0


def test_a_manifest_that_miscounts_rows_is_not_trusted(data: Path, cache_root: Path) -> None:
    cold, stats = load(data, cache_root)
    manifest_path = Path(stats.cache_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["rows"]["items"] -= 1
    manifest["frames"]["rows"]["items"] -= 1
    manifest_path.write_text(json.dumps(manifest))
    assert cache.read(Path(stats.cache_dir)) is None
    rebuilt, stats = load(data, cache_root)
    assert stats.parsed == doc_count(data)
    assert_same(cold, rebuilt)


def test_old_generations_are_removed_and_recent_files_spared(data: Path, cache_root: Path) -> None:
    def age(folder: Path) -> None:  # as if written an hour ago
        for path in folder.iterdir():
            os.utime(path, ns=(path.stat().st_mtime_ns - 3600 * 10**9,) * 2)

    def generation(folder: Path) -> str:
        return json.loads((folder / "manifest.json").read_text())["generation"]

    _, stats = load(data, cache_root)
    folder = Path(stats.cache_dir)
    generations = [generation(folder)]
    for k in range(2):
        age(folder)
        (folder / f"manifest-old{k}.tmp").write_text("{}")
        os.utime(folder / f"manifest-old{k}.tmp", ns=(10**9, 10**9))
        if k:
            (folder / "manifest-inflight.tmp").write_text("{}")  # another writer's, about to be renamed
        os.utime(min(data.glob("*.md")), ns=(10**9 * (k + 1),) * 2)
        load(data, cache_root)
        generations.append(generation(folder))
    files_of = {g: len([*folder.glob(f"*-{g}.parquet"), *folder.glob(f"*-{g}.arrow")]) for g in generations}
    # The oldest generation goes; the newest other one stays for readers still on it.
    assert files_of == {generations[0]: 0, generations[1]: 13, generations[2]: 13}  # 7 raw, 6 finished frames
    assert sorted(p.name for p in folder.glob("*.tmp")) == ["manifest-inflight.tmp"]
    assert load(data, cache_root)[1].parsed == 0


def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under folder: (mode, size, mtime, content hash for files)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        found[str(path.relative_to(folder))] = (info.st_mode, info.st_size, info.st_mtime_ns, digest)
    return found


def _set_read_only(folder: Path, read_only: bool) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        write = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        path.chmod(mode & ~write if read_only else mode | stat.S_IWUSR)


def test_the_data_folder_is_never_written_to(data: Path, cache_root: Path, tmp_path: Path) -> None:
    (data / "bad.md").write_text("# Title only, no page id\n\n## Signals\n\n| name | relevancy |\n|---|---|\n| a | x |\n")
    _set_read_only(data, True)
    try:
        before = _snapshot(data)
        folder_mtime = data.stat().st_mtime_ns
        cold, stats = load(data, cache_root)  # an explicit cache folder
        assert not Path(stats.cache_dir).resolve().is_relative_to(data.resolve())
        warm, _ = load(data, cache_root)
        default, stats = load(data, None)  # the default cache folder ($SIGNALS_CACHE_DIR in tests)
        assert not Path(stats.cache_dir).resolve().is_relative_to(data.resolve())
        load(data, None, use_cache=False)
        assert _snapshot(data) == before
        assert data.stat().st_mtime_ns == folder_mtime
        assert_same(cold, warm)
        assert_same(cold, default)
        assert len(cold.problems) >= 1  # problems are reported, not written anywhere near the data
    finally:
        _set_read_only(data, False)


def test_an_unwritable_cache_folder_still_loads(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    corpus, stats = load(data, blocker)
    assert stats.cache_written is False
    assert_same(corpus, fresh(data))


def _load_in_child(folder: str, cache_root: str, touch: str | None, barrier, results) -> None:
    barrier.wait(timeout=60)
    # With `touch`, several loads in a row, each after touching this child's own file: the two
    # processes keep writing generations and removing old ones while the other reads.
    for k in range(5 if touch else 1):
        if touch:
            os.utime(touch, ns=(10**9 * (k + 1), 10**9 * (k + 1)))
        stats = LoadStats()
        corpus = load_corpus(folder, cache_root=cache_root, today=TODAY, stats=stats)
        results.put((len(corpus.documents), len(corpus.items), stats.parsed, stats.cache_written))


@pytest.mark.parametrize("scenario", ["cold", "stale", "churn"])
def test_two_loads_at_once_leave_a_consistent_cache(data: Path, cache_root: Path, scenario: str) -> None:
    if scenario != "cold":  # a warm cache that both processes find stale at the same moment
        load(data, cache_root)
        shutil.copy(SEED_FILE, data / "added.md")
    touches = sorted(data.glob("*.md"))[:2] if scenario == "churn" else [None, None]
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    children = [context.Process(target=_load_in_child,
                                args=(str(data), str(cache_root), touch and str(touch), barrier, results))
                for touch in touches]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=300) for _ in range(10 if scenario == "churn" else 2)]
    for child in children:
        child.join(timeout=120)
    assert [child.exitcode for child in children] == [0, 0]
    expected = fresh(data)
    for documents, items, parsed, written in outcomes:
        assert (documents, items) == (len(expected.documents), len(expected.items))
        # Whoever parsed wrote (the other process may already have cached this one's touch).
        assert written == (parsed > 0)
    assert sum(parsed for _, _, parsed, _ in outcomes) >= 2
    after, stats = load(data, cache_root)
    # The last writer may hold an older view of the file the other process touched last (two
    # writers race on the manifest; neither ever serves stale data): at most those are re-parsed.
    assert stats.parsed <= (2 if scenario == "churn" else 0)
    assert_same(after, expected)
    cache_dir = Path(stats.cache_dir)
    frames = {f"frames.{name}.{TODAY:%Y%m%d}" for name in ("documents", "keywords", "themes", "items", "links",
                                                          "problems")}
    assert set(_generation_files(cache_dir)) == {"documents", "keywords", "themes", "links", "items", "problems",
                                                 "files"} | frames
    assert not list(cache_dir.glob("*.tmp"))


def test_a_process_that_exits_right_after_a_background_load_still_writes_the_whole_cache(tmp_path: Path) -> None:
    """The dashboard's first load returns before the cache is written; a process that ends just then
    (a script, a server stopped) must still leave the finished frames, and no error on stderr
    (pyarrow's converter pool refuses work once the interpreter is exiting)."""
    import subprocess
    import sys

    from signals.synth import write_corpus

    folder = tmp_path / "corpus"
    write_corpus(folder, 120, seed=3)  # over 100 rows a column: pyarrow would convert in threads
    cache_root = tmp_path / "cache"
    code = ("import sys; from signals.ingest.load import load_corpus; "
            "load_corpus(sys.argv[1], cache_root=sys.argv[2], background_write=True)")
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(cache_root)], check=False, capture_output=True,
                          text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    cache_dir = cache.corpus_cache_dir(folder, cache_root)
    manifest = json.loads((cache_dir / "manifest.json").read_text())
    assert manifest["frames"]["day"] == dt.date.today().strftime("%Y%m%d")
    assert manifest["frames"]["rows"]["items"] > 1200
    assert sorted(p.name.split(".")[1] for p in cache_dir.glob("frames.*.arrow")) == \
        ["documents", "items", "keywords", "links", "problems", "themes"]
    warm = LoadStats()
    load_corpus(folder, cache_root=cache_root, stats=warm)
    assert warm.parsed == 0 and warm.cached == 120
