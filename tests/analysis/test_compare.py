"""signals.analysis.compare on planted corpora (tests/planted.py): the labels a user reads, and the
counts and shares behind them, computed here from the plans."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import planted
import pytest

from signals import load_corpus
from signals.analysis.compare import (
    Period,
    compare_periods,
    compare_runs,
    default_periods,
    documents_in,
    run_changes,
)

BEFORE = Period.parse("2024-01-01..2024-06-30")
AFTER = Period.parse("2024-07-01..2024-12-31")


@pytest.fixture(scope="module")
def period_corpus(tmp_path_factory):
    return load_corpus(planted.write(tmp_path_factory.mktemp("periods"), planted.period_docs()))


@pytest.fixture(scope="module")
def comparison(period_corpus):
    return compare_periods(period_corpus, BEFORE, AFTER, "theme")


def _row(comparison, theme: str) -> pd.Series:
    terms = comparison.terms
    return terms[terms["theme"] == theme].iloc[0]


def test_each_planted_theme_gets_its_label(comparison):
    labels = dict(zip(comparison.terms["theme"], comparison.terms["label"]))
    assert labels["new theme"] == "new"
    assert labels["gone theme"] == "gone"
    assert labels["rising theme"] == "rising"
    assert labels["steady theme"] == "steady"  # its count doubled, but so did the corpus
    assert labels["filler"] == "steady"
    assert labels["one-off theme"] == "few"  # one document is not rising, nor new


def test_counts_and_shares_are_per_period(comparison):
    assert (comparison.before_documents, comparison.after_documents) == (planted.BEFORE_DOCS, planted.AFTER_DOCS)
    for theme, (before, after) in planted.PERIOD_THEMES.items():
        row = _row(comparison, theme)
        assert (row["before"], row["after"]) == (before, after)
        assert row["before_share"] == pytest.approx(before / planted.BEFORE_DOCS)
        assert row["after_share"] == pytest.approx(after / planted.AFTER_DOCS)
        assert row["change"] == pytest.approx(after / planted.AFTER_DOCS - before / planted.BEFORE_DOCS)


def test_rising_rests_on_a_two_proportion_test(comparison):
    before, after = planted.PERIOD_THEMES["rising theme"]
    n1, n2 = planted.BEFORE_DOCS, planted.AFTER_DOCS
    pooled = (before + after) / (n1 + n2)
    expected_z = (after / n2 - before / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    row = _row(comparison, "rising theme")
    assert row["z"] == pytest.approx(expected_z)
    assert row["ratio"] == pytest.approx(2.0)


def test_items_too_small_for_a_label_come_last(comparison):
    labels = comparison.terms["label"].tolist()
    assert labels[-1] == "few"
    assert "few" not in labels[: labels.index("few")]


def test_a_one_document_theme_is_not_rising_even_with_a_tiny_before_period(tmp_path):
    docs = [planted.Doc("a", planted.BEFORE_START, ["x"]), planted.Doc("b", planted.AFTER_START, ["x", "y"])]
    comparison = compare_periods(load_corpus(planted.write(tmp_path, docs)), BEFORE, AFTER)
    assert set(comparison.terms["label"]) == {"few"}


def test_by_category_counts_documents_per_category(period_corpus):
    comparison = compare_periods(period_corpus, BEFORE, AFTER, "category")
    row = comparison.terms.iloc[0]
    assert (row["category"], row["before"], row["after"], row["label"]) == ("society", 60, 120, "steady")


def test_a_period_must_be_two_dates():
    with pytest.raises(ValueError):
        Period.parse("2024-01-01")
    with pytest.raises(ValueError):
        Period.parse("2024-06-01..2024-01-01")


# --- two runs -----------------------------------------------------------------------------------

def _runs(tmp_path):
    kept = planted.Doc("kept", planted.BEFORE_START, ["alpha"])
    removed = planted.Doc("removed", planted.BEFORE_START, ["alpha", "beta"])
    rewritten_old = planted.Doc("rewritten", planted.BEFORE_START, ["alpha"], summary="First take.")
    rewritten_new = planted.Doc("rewritten", planted.BEFORE_START, ["alpha"], summary="Second take.")
    rows_old = planted.Doc("rated", planted.BEFORE_START, ["alpha"],
                           signals=[("Heat pumps", "In flats.", 2), ("Batteries", "Cheaper.", 4)])
    # Reordered, re-spaced and one relevancy moved: only that move is a change of the row.
    rows_new = planted.Doc("rated", planted.BEFORE_START, ["alpha"],
                           signals=[("Batteries", "Cheaper.", 4), ("heat  pumps", "In flats.", 5)])
    added = planted.Doc("added", planted.AFTER_START, ["alpha", "gamma"])
    old = planted.write(tmp_path / "old", [kept, removed, rewritten_old, rows_old])
    new = planted.write(tmp_path / "new", [kept, rewritten_new, rows_new, added])
    return load_corpus(old), load_corpus(new)


def test_two_runs_list_documents_added_removed_and_changed(tmp_path):
    changes = run_changes(*_runs(tmp_path))
    listed = dict(zip(changes.documents["doc_id"], changes.documents["change"]))
    assert listed == {"added": "added", "removed": "removed", "rewritten": "changed", "rated": "changed"}
    what = dict(zip(changes.documents["doc_id"], changes.documents["what"]))
    assert what["rewritten"] == "summary"
    assert what["rated"] == "rows"


def test_two_runs_list_the_row_whose_relevancy_moved(tmp_path):
    changes = run_changes(*_runs(tmp_path))
    assert len(changes.rows) == 1
    row = changes.rows.iloc[0]
    assert (row["doc_id"], row["name"], row["relevancy_before"], row["relevancy_after"], row["move"]) == (
        "rated", "heat  pumps", 2, 5, 3)
    assert (changes.rows_added, changes.rows_removed) == (0, 0)


def test_a_file_touched_without_change_is_not_changed(tmp_path):
    old, _ = _runs(tmp_path)
    copy = load_corpus(planted.write(tmp_path / "copy", [planted.Doc("kept", planted.BEFORE_START, ["alpha"])]))
    changes = run_changes(old, copy)
    assert "kept" not in set(changes.documents["doc_id"])


def test_two_runs_compare_shares_of_each_run(tmp_path):
    old, new = _runs(tmp_path)
    terms = compare_runs(old, new, min_documents=1).terms.set_index("theme")
    assert (terms.loc["beta", "before"], terms.loc["beta", "after"], terms.loc["beta", "label"]) == (1, 0, "gone")
    assert (terms.loc["gamma", "before"], terms.loc["gamma", "after"], terms.loc["gamma", "label"]) == (0, 1, "new")
    assert terms.loc["alpha", "before_share"] == 1.0


def test_default_periods_are_the_last_two_half_years_of_the_dense_span(tmp_path):
    docs = planted.period_docs() + [planted.Doc("stray", dt.date(2031, 5, 1), ["filler"]),
                                    planted.Doc("old", dt.date(2004, 5, 1), ["filler"])]
    corpus = load_corpus(planted.write(tmp_path, docs))
    before, after = default_periods(corpus, today=dt.date(2026, 1, 1))
    assert (str(before), str(after)) == ("2024-01-01..2024-06-30", "2024-07-01..2024-12-31")


def test_default_periods_leave_out_future_months(tmp_path):
    corpus = load_corpus(planted.write(tmp_path, planted.period_docs()))
    # Seen from 2024-10-15: the months offered stop in October, 10 months -> two windows of 5.
    before, after = default_periods(corpus, today=dt.date(2024, 10, 15))
    assert (str(before), str(after)) == ("2024-01-01..2024-05-31", "2024-06-01..2024-10-31")


def test_documents_behind_an_item_in_a_period(period_corpus):
    listed = documents_in(period_corpus, "Rising Theme", "theme", AFTER)
    expected = {d.doc_id for d in planted.period_docs() if "rising theme" in d.themes and d.date >= planted.AFTER_START}
    assert set(listed["doc_id"].astype("str")) == expected and len(expected) == 36
    assert listed["date"].is_monotonic_decreasing


def test_on_the_real_documents_no_label_rests_on_fewer_than_three_documents(futures_dir):
    corpus = load_corpus(futures_dir)
    before, after = default_periods(corpus)
    terms = compare_periods(corpus, before, after).terms
    # Counted here from the frames: documents per theme key dated inside either period.
    dates = pd.to_datetime(corpus.documents.set_index(corpus.documents["doc_id"].astype("str"))["date"])
    inside = dates[((dates >= before.start) & (dates <= before.end)) | ((dates >= after.start) & (dates <= after.end))]
    themes = corpus.themes.astype({"doc_id": "str", "theme_key": "str"}).drop_duplicates(["doc_id", "theme_key"])
    support = themes[themes["doc_id"].isin(set(inside.index))].groupby("theme_key")["doc_id"].nunique()
    labelled = terms[terms["label"] != "few"]
    assert len(labelled) and (support.reindex(labelled["key"]).to_numpy() >= 3).all()
    assert (support.reindex(terms.loc[terms["label"] == "few", "key"]).fillna(0).to_numpy() < 3).all()
    assert (support < 3).sum() > 10 * len(labelled), "the real corpus is sparse: most themes get no label"
