"""The Assessment facets (starred, status, tags, note, impact, likelihood, horizon, rated): their URL
form, words and flags, and the rows they keep, checked against the annotations written here, filtered
with plain pandas from a table of what each row says (its own annotation, its document's filling in)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from signals import facets
from signals.cli import build_parser, main
from signals.cli.common import filters_from_args
from signals.filters import Filters, apply, facet_counts
from signals.ingest.load import load_corpus
from signals.workspace import annotations, keys
from signals.workspace.store import Store
from tests.workspace.notes_corpus import write_document

# What each row says once annotated below: (doc, section, name) -> starred, status, impact,
# likelihood, horizon, tags, note. Rows of document b inherit b's annotation where they say nothing.
NA = None
EXPECTED_ROWS = pd.DataFrame([
    ("2025/a", "signals", "Heat pumps in flats", False, "new", NA, NA, NA, (), ""),
    ("2025/a", "signals", "Grid-scale batteries", False, "watch", 4, 2, "1-3y", ("grid",), ""),
    ("2025/a", "signals", "Community solar", True, "new", NA, NA, NA, (), "call the co-op"),
    ("2025/a", "concerns", "Grid congestion", False, "new", NA, NA, NA, (), ""),
    ("2025/b", "signals", "Wind leases", False, "escalate", 2, NA, NA, ("Wind",), ""),
    ("2025/b", "signals", "Tidal pilots", False, "dismissed", 2, NA, NA, ("Wind",), ""),
    ("2025/c", "signals", "Biochar", False, "new", NA, NA, NA, (), ""),
], columns=["doc_id", "section", "name", "starred", "status", "impact", "likelihood", "horizon", "tags", "note"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("annotated-corpus")
    write_document(root, "2025/a", "A", [("Heat pumps in flats", "Retrofits.", 4), ("Grid-scale batteries", "Bids.", 5),
                                         ("Community solar", "Co-ops.", 3)],
                   concerns=[("Grid congestion", "Queues.", 5)])
    write_document(root, "2025/b", "B", [("Wind leases", "Auctions.", 3), ("Tidal pilots", "Trials.", 2)])
    write_document(root, "2025/c", "C", [("Biochar", "Soil.", 4)])
    return root


@pytest.fixture(scope="module")
def workspace(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("annotated-workspace") / "workspace.sqlite"
    store = Store.open(path)
    items = load_corpus(folder, use_cache=False).items

    def row(name: str):
        return annotations.row_targets(items, items.index[items["name"] == name])

    annotations.annotate(store, row("Grid-scale batteries"), {"status": "watch", "impact": 4, "likelihood": 2,
                                                               "horizon": "1-3y", "tags": ["grid"]}, by="ana")
    annotations.annotate(store, row("Community solar"), {"starred": True, "note": "call the co-op"}, by="ana")
    annotations.annotate(store, annotations.document_target("2025/b"),
                         {"status": "escalate", "tags": ["Wind"], "impact": 2}, by="bo")
    annotations.annotate(store, row("Tidal pilots"), {"status": "dismissed"}, by="bo")
    return path


@pytest.fixture(scope="module")
def corpus_and_tables(folder: Path, workspace: Path):
    corpus = load_corpus(folder, use_cache=False)
    corpus = corpus.with_frames(items=keys.with_row_keys(corpus.items))
    joined = annotations.join_rows(corpus.items, annotations.read(Store.open(workspace)))
    return corpus, {facets.ANNOTATIONS: joined}


def _kept_rows(corpus, tables, filters: Filters) -> set[tuple[str, str]]:
    kept = apply(corpus, filters, tables).items
    return set(zip(kept["doc_id"].astype(str), kept["name"].astype(str)))


def _expected(mask: pd.Series) -> set[tuple[str, str]]:
    chosen = EXPECTED_ROWS[mask]
    return set(zip(chosen["doc_id"], chosen["name"]))


rated = EXPECTED_ROWS["impact"].notna() | EXPECTED_ROWS["likelihood"].notna()
impact = pd.to_numeric(EXPECTED_ROWS["impact"])
likelihood = pd.to_numeric(EXPECTED_ROWS["likelihood"])
CASES = [
    (Filters(statuses=("watch", "escalate")), EXPECTED_ROWS["status"].isin(["watch", "escalate"])),
    (Filters(starred=True), EXPECTED_ROWS["starred"]),
    (Filters(starred=False), ~EXPECTED_ROWS["starred"]),
    (Filters(tags=("WIND",)), EXPECTED_ROWS["tags"].map(lambda tags: "wind" in {t.casefold() for t in tags})),
    (Filters(has_note=True), EXPECTED_ROWS["note"] != ""),
    (Filters(has_note=False), EXPECTED_ROWS["note"] == ""),
    (Filters(min_impact=3), impact >= 3),
    (Filters(max_impact=2), impact <= 2),
    (Filters(min_likelihood=2, max_likelihood=2), likelihood == 2),
    (Filters(horizons=("1-3y", ">10y")), EXPECTED_ROWS["horizon"].isin(["1-3y", ">10y"])),
    (Filters(rated=True), rated),
    (Filters(rated=False), ~rated),
    (Filters(statuses=("dismissed",), tags=("wind",)),
     (EXPECTED_ROWS["status"] == "dismissed") & EXPECTED_ROWS["tags"].map(lambda tags: "Wind" in tags)),
]


@pytest.mark.parametrize(("filters", "mask"), CASES, ids=[repr(f) for f, _ in CASES])
def test_annotation_facets_keep_the_rows_plain_pandas_keeps(corpus_and_tables, filters, mask) -> None:
    corpus, tables = corpus_and_tables
    assert _kept_rows(corpus, tables, filters) == _expected(mask)


def test_annotation_facets_combine_with_the_corpus_facets_and_drop_documents_without_rows(corpus_and_tables) -> None:
    corpus, tables = corpus_and_tables
    view = apply(corpus, Filters(rated=True, min_relevancy=3), tables)
    # Rated rows: Grid-scale batteries (relevancy 5), Wind leases (3), Tidal pilots (2).
    assert set(view.items["name"].astype(str)) == {"Grid-scale batteries", "Wind leases"}
    assert sorted(view.documents["doc_id"].astype(str)) == ["2025/a", "2025/b"]
    assert view.themes["doc_id"].astype(str).isin(["2025/a", "2025/b"]).all()


def test_an_annotation_filter_without_the_annotations_is_refused(corpus_and_tables) -> None:
    corpus, _ = corpus_and_tables
    with pytest.raises(ValueError, match="annotations"):
        apply(corpus, Filters(starred=True))


def test_option_counts_are_rows_per_value(corpus_and_tables) -> None:
    corpus, tables = corpus_and_tables
    counts = facet_counts(corpus, tables)
    assert counts["status"].to_dict() == EXPECTED_ROWS["status"].value_counts().reindex(
        annotations.STATUSES, fill_value=0).to_dict()
    assert counts["starred"][True] == 1 and counts["starred"][False] == len(EXPECTED_ROWS) - 1
    assert counts["tag"].to_dict() == {"wind": 2, "grid": 1}
    assert counts["rated"][True] == int(rated.sum())
    assert "status" not in facet_counts(corpus)  # without the annotations, no such counts


def test_annotation_filters_round_trip_through_the_url_and_words() -> None:
    filters = Filters(starred=True, statuses=("watch", "escalate"), tags=("grid",), has_note=False, min_impact=3,
                      max_likelihood=4, horizons=("<1y",), rated=True)
    params = filters.to_params()
    assert params == {"starred": ["yes"], "status": ["watch", "escalate"], "tag": ["grid"], "has_note": ["no"],
                      "imin": ["3"], "lmax": ["4"], "horizon": ["<1y"], "rated": ["yes"]}
    assert Filters.from_params(params) == filters
    assert filters.summary() == ("starred yes; statuses watch, escalate; tag grid; has note no; impact ≥ 3; "
                                 "likelihood ≤ 4; horizon <1y; rated yes")
    assert filters.restricts_rows
    # A hand-edited URL: unknown statuses and horizons, ratings out of range, words for yes/no.
    assert Filters.from_params({"status": ["maybe"], "horizon": ["soon"], "imin": ["9"], "starred": ["perhaps"],
                                "rated": ["false"]}) == Filters(rated=False)
    with pytest.raises(ValueError, match="statuses"):
        Filters(statuses=("maybe",))


def test_annotation_flags_of_the_command_line() -> None:
    args = build_parser().parse_args([
        "export", "somewhere", "--out", "x.zip", "--starred", "--status", "watch", "--status", "escalate",
        "--tag", "grid", "--no-note", "--min-impact", "3", "--max-likelihood", "4", "--horizon", "<1y", "--unrated",
        "--workspace", "w.sqlite"])
    assert filters_from_args(args) == Filters(starred=True, statuses=("watch", "escalate"), tags=("grid",),
                                              has_note=False, min_impact=3, max_likelihood=4, horizons=("<1y",),
                                              rated=False)
    assert args.workspace == "w.sqlite"
    for wrong in (["--status", "maybe"], ["--min-impact", "7"], ["--horizon", "soon"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["export", "somewhere", "--out", "x.zip", *wrong])


def test_signals_export_filters_by_the_workspace(folder: Path, workspace: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(["export", str(folder), "--out", str(out), "--format", "csv", "--workspace", str(workspace),
                 "--status", "watch", "--status", "escalate"])
    assert code == 0
    with (out / "items.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["name"] for row in rows) == ["Grid-scale batteries", "Wind leases"]
    # Each row carries its own annotation (Wind leases says nothing itself: its document does).
    assert {row["name"]: row["status"] for row in rows} == {"Grid-scale batteries": "watch", "Wind leases": "new"}
    with (out / "documents.csv").open(encoding="utf-8") as handle:
        assert {row["doc_id"]: row["status"] for row in csv.DictReader(handle)} == {"2025/a": "new",
                                                                                   "2025/b": "escalate"}


def test_an_unreadable_workspace_is_a_usage_error_when_filtering_by_it(folder: Path, tmp_path: Path, capsys) -> None:
    foreign = tmp_path / "foreign.sqlite"
    foreign.write_text("not a database", encoding="utf-8")
    code = main(["export", str(folder), "--out", str(tmp_path / "o.zip"), "--workspace", str(foreign), "--starred"])
    assert code == 2
    assert "annotation filters" in capsys.readouterr().err
