"""signals.analysis.overview: values worked out by hand on the tiny corpus (see conftest), empty
corpora, and invariants on the real one."""

from __future__ import annotations

import pandas as pd
import pytest

from signals import schema
from signals.analysis import (
    counts_by,
    documents_per_period,
    headline_counts,
    relevancy_distribution,
    top_keywords,
    top_themes,
)


def rows_of(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(row) for row in frame.itertuples(index=False)]


# ---------------------------------------------------------------------------------------------
# Hand-computed values
# ---------------------------------------------------------------------------------------------
def test_headline_counts(tiny):
    counts = headline_counts(tiny)
    assert counts["documents"] == 4
    assert counts["rows"] == 9
    assert counts["themes"] == 3  # ai, climate, energy
    assert counts["keywords"] == 3  # ai (AI, ai, "AI "), solar (Solar, solar), wind
    assert counts["sources"] == 2
    assert counts["first_date"] == pd.Timestamp("2024-01-10")
    assert counts["last_date"] == pd.Timestamp("2024-03-05")
    assert counts["mean_relevancy"] == pytest.approx((5 + 3 + 4 + 2 + 4 + 1 + 5 + 3) / 8)
    assert counts["rows_per_section"] == {
        "signals": 4,
        "concerns": 2,
        "behaviors": 0,
        "technologies": 1,
        "issues": 2,
    }
    assert list(counts["rows_per_section"]) == list(schema.TABLE_SECTIONS)


def test_top_themes_counts_documents_and_breaks_ties_by_name(tiny):
    assert rows_of(top_themes(tiny)) == [("AI", 3), ("Energy", 3), ("Climate", 2)]
    assert rows_of(top_themes(tiny, n=1)) == [("AI", 3)]
    assert list(top_themes(tiny).columns) == ["theme", "documents"]


def test_top_themes_counts_a_theme_once_per_document(tiny):
    doubled = tiny.with_frames(themes=pd.concat([tiny.themes, tiny.themes.iloc[[0]]], ignore_index=True))
    assert rows_of(top_themes(doubled))[0] == ("AI", 3)


def test_top_keywords_ignore_case_and_show_the_most_used_spelling(tiny):
    # ai: d1 "AI", d2 "ai", d3 "AI ", d4 "ai" -> 4 documents, "ai" used twice.
    # solar: "Solar" and "solar" once each -> alphabetical first; wind: d2, d4.
    assert rows_of(top_keywords(tiny)) == [("ai", 4), ("Solar", 2), ("Wind", 2)]
    assert rows_of(top_keywords(tiny, n=2)) == [("ai", 4), ("Solar", 2)]


def test_documents_per_month_fills_the_gap_month_with_zero(tiny):
    per_month = documents_per_period(tiny)
    assert rows_of(per_month) == [
        (pd.Timestamp("2024-01-01"), 2),
        (pd.Timestamp("2024-02-01"), 0),
        (pd.Timestamp("2024-03-01"), 1),
    ]


def test_documents_per_quarter_and_year(tiny):
    assert rows_of(documents_per_period(tiny, "Q")) == [(pd.Timestamp("2024-01-01"), 3)]
    assert rows_of(documents_per_period(tiny, "Y")) == [(pd.Timestamp("2024-01-01"), 3)]


def test_documents_per_period_rejects_an_unknown_period(tiny):
    with pytest.raises(ValueError, match="period"):
        documents_per_period(tiny, "fortnight")


def test_relevancy_distribution_has_every_level_for_every_section(tiny):
    distribution = relevancy_distribution(tiny)
    assert list(distribution.columns) == ["section", "relevancy", "rows"]
    assert list(pd.unique(distribution["section"])) == ["signals", "concerns", "technologies", "issues"]
    table = distribution.set_index(["section", "relevancy"])["rows"]
    assert table["signals"].tolist() == [0, 1, 1, 1, 1]
    assert table["concerns"].tolist() == [1, 0, 0, 1, 0]
    assert table["technologies"].tolist() == [0, 0, 0, 0, 1]
    assert table["issues"].tolist() == [0, 0, 1, 0, 0]  # the unrated row is not counted
    assert len(distribution) == 4 * 5


def test_counts_by_category_type_domain(tiny):
    assert rows_of(counts_by(tiny, "category")) == [("tech", 2), ("(none)", 1), ("science", 1)]
    assert rows_of(counts_by(tiny, "type")) == [("news", 2), ("(none)", 1), ("blog post", 1)]
    assert rows_of(counts_by(tiny, "domain")) == [("a.com", 2), ("(none)", 1), ("b.com", 1)]
    assert counts_by(tiny, "no such column").empty


def test_counts_by_treats_blank_as_none_and_ignores_surrounding_spaces(tiny):
    categories = pd.Series(["tech", " tech ", "", None], dtype="category")
    corpus = tiny.with_frames(documents=tiny.documents.assign(category=categories))
    assert rows_of(counts_by(corpus, "category")) == [("(none)", 2), ("tech", 2)]


# ---------------------------------------------------------------------------------------------
# Empty corpus
# ---------------------------------------------------------------------------------------------
def test_empty_corpus(empty):
    counts = headline_counts(empty)
    assert (
        counts["documents"]
        == counts["rows"]
        == counts["themes"]
        == counts["keywords"]
        == counts["sources"]
        == 0
    )
    assert counts["first_date"] is None and counts["last_date"] is None and counts["mean_relevancy"] is None
    assert counts["rows_per_section"] == dict.fromkeys(schema.TABLE_SECTIONS, 0)
    expected_columns = {
        top_themes: ["theme", "documents"],
        top_keywords: ["keyword", "documents"],
        documents_per_period: ["period", "documents"],
        relevancy_distribution: ["section", "relevancy", "rows"],
    }
    for function, columns in expected_columns.items():
        result = function(empty)
        assert result.empty and list(result.columns) == columns, function.__name__
    assert counts_by(empty, "category").empty
    assert list(counts_by(empty, "category").columns) == ["value", "documents"]


# ---------------------------------------------------------------------------------------------
# The real corpus
# ---------------------------------------------------------------------------------------------
def test_invariants_on_a_realistic_corpus(realistic):
    counts = headline_counts(realistic)
    assert counts["documents"] == len(realistic.documents)
    assert sum(counts["rows_per_section"].values()) == counts["rows"] == len(realistic.items)
    assert counts["themes"] == realistic.themes["theme_key"].nunique()
    assert 1 <= counts["mean_relevancy"] <= 5
    # Dates after today (six real documents, on two days of 2029: wrong page ids) are counted, not spanned.
    dates = pd.to_datetime(realistic.documents["date"])
    today = pd.Timestamp.today().normalize()
    assert counts["future_dated"] == int((dates > today).sum())
    assert counts["last_date"] == dates[dates <= today].max()
    assert counts["first_date"] == dates.min()

    themes = top_themes(realistic, n=15)
    assert len(themes) == 15
    assert themes["documents"].is_monotonic_decreasing
    independent = realistic.themes.groupby("theme_key", observed=True)["doc_id"].nunique().max()
    assert themes["documents"].iloc[0] == independent

    keywords = top_keywords(realistic, n=10)
    assert keywords["documents"].is_monotonic_decreasing
    folded = realistic.keywords.assign(key=realistic.keywords["keyword"].astype("str").map(schema.theme_key))
    assert keywords["documents"].iloc[0] == folded.groupby("key")["doc_id"].nunique().max()

    per_month = documents_per_period(realistic)
    assert per_month["documents"].sum() == realistic.documents["date"].notna().sum()
    assert (per_month["period"].diff().dropna() <= pd.Timedelta(days=31)).all()

    distribution = relevancy_distribution(realistic)
    assert distribution["rows"].sum() == realistic.items["relevancy"].notna().sum()

    by_category = counts_by(realistic, "category")
    assert by_category["documents"].sum() == len(realistic.documents)
