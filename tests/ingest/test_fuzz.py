"""A bounded fuzz of the loader: real documents, damaged the way files get damaged, lose no row.

Hypothesis picks real documents from ../shared/corpus/futures (synthetic ones from signals.synth
where it is absent, see sample_documents.py) and applies truncations, byte flips,
shuffled lines, doubled separators and line edits (tests/mutate.py). Each damaged file goes through
the loader's own unit of work (`workers.parse_files`, what a worker process runs on a chunk of files): no
exception, no parser failure, and every table row -- counted independently by tests/rowcount.py --
is an item at its own line or a problem at its line, or its file is reported skipped. A smaller run
loads whole folders of damaged documents beside a good one with `load_corpus` (cache included).
The long run is benchmarks/fuzz_loader.py (100,000+ inputs).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import mutate
import pytest
import rowcount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_documents import SEED_FILE, real_or_synthetic_files

from signals.ingest.load import LoadStats, load_corpus
from signals.ingest.workers import parse_files


def _sources() -> list[bytes]:
    """The seed and 40 more documents, sorted by size so that shrinking moves towards the smaller."""
    with tempfile.TemporaryDirectory(prefix="signals-fuzz-sources-") as scratch:
        others = [path.read_bytes() for path in real_or_synthetic_files(40, Path(scratch))]
    return sorted([SEED_FILE.read_bytes(), *others], key=len)


SOURCES = _sources()

damage = st.lists(st.sampled_from(sorted(mutate.MUTATIONS)), min_size=1, max_size=3)
FAST = settings(max_examples=250, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="signals-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _assert_clean(report: dict[str, list]) -> None:
    for kind, found in report.items():
        assert not found, f"{kind}: {found[:5]}"


@FAST
@given(source=st.sampled_from(SOURCES), names=damage, rng=st.randoms(use_true_random=False))
def test_a_damaged_document_loses_no_row(scratch: Path, source: bytes, names: list[str], rng: random.Random) -> None:
    data = mutate.mutate(source, names, rng)
    path = scratch / "doc.md"
    path.write_bytes(data)
    raw = parse_files([(str(path), "doc", "doc.md")])
    _assert_clean(rowcount.audit({"doc": data}, raw))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(picks=st.lists(st.tuples(st.sampled_from(SOURCES), damage), min_size=1, max_size=4),
       rng=st.randoms(use_true_random=False))
def test_folders_of_damaged_documents_load_beside_a_good_one(
    scratch: Path, picks: list[tuple[bytes, list[str]]], rng: random.Random
) -> None:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copy(SEED_FILE, folder / "good.md")
    inputs = {}
    for k, (source, names) in enumerate(picks):
        inputs[f"damaged{k}"] = mutate.mutate(source, names, rng)
        (folder / f"damaged{k}.md").write_bytes(inputs[f"damaged{k}"])
    cache_root = folder.with_suffix(".cache")
    corpus = load_corpus(folder, cache_root=cache_root)
    good = corpus.items[corpus.items["doc_id"].astype("str") == "good"]
    assert len(good) == 27
    # A mutation may leave a document byte for byte the seed (a shuffle of lines that were equal):
    # then good.md is rightly reported a duplicate of the first such one (by name), and only that.
    identical = sorted(d for d, text in inputs.items() if text == SEED_FILE.read_bytes())
    about_good = corpus.problems.loc[corpus.problems["path"] == "good.md", "message"].tolist()
    # Else, a damaged copy that kept the seed's link and sorts first makes good.md "the same
    # article" as it (damaged0 < good): reported once, naming that copy.
    documents = corpus.documents.set_index(corpus.documents["doc_id"].astype("str"))
    same_link = sorted(d for d in inputs if d in documents.index and not identical
                       and documents.at[d, "article_url"] == documents.at["good", "article_url"])
    expected = ([f"duplicate of {identical[0]!r} (same bytes); both kept"] if identical else
                [(f"the same article as {same_link[0]!r} (its link, tracking parameters aside: "
                  f"{documents.at['good', 'article_url']}); both kept, both counted")] if same_link else [])
    assert about_good == expected
    # The frames the user sees hold what the raw tables hold: every row, every problem.
    raw = parse_files([(str(folder / f"{d}.md"), d, f"{d}.md") for d in inputs])
    _assert_clean(rowcount.audit(inputs, raw))
    assert len(corpus.items) - 27 == raw["items"].num_rows
    reported = corpus.problems[corpus.problems["path"] != "good.md"]
    assert len(reported) >= raw["problems"].num_rows  # finalize may add (duplicates, dates)
    stats = LoadStats()
    warm = load_corpus(folder, cache_root=cache_root, stats=stats)
    assert stats.parsed == 0 and len(warm.items) == len(corpus.items) and len(warm.problems) == len(corpus.problems)
