"""signals.analysis.heatmaps: cells worked out by hand on the tiny corpus (see conftest), empty
corpora, and the real corpus checked against a plain pandas merge."""

from __future__ import annotations

import math
import types

import numpy as np
import pandas as pd
import pytest

from signals.analysis import (
    relevancy_by_category_section,
    relevancy_by_theme_section,
    rows_behind_cell,
    themes_by_period,
)

GRID_COLUMNS = ["section", "mean_relevancy", "rows", "documents"]


def cell(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


# ---------------------------------------------------------------------------------------------
# relevancy_by_theme_section
# ---------------------------------------------------------------------------------------------
def test_theme_section_grid_is_complete_and_ordered(tiny):
    grid = relevancy_by_theme_section(tiny)
    assert list(grid.columns) == ["theme", *GRID_COLUMNS]
    assert list(pd.unique(grid["theme"])) == ["AI", "Energy", "Climate"]
    assert list(pd.unique(grid["section"])) == ["signals", "concerns", "technologies", "issues"]
    assert len(grid) == 3 * 4


def test_theme_section_cells_by_hand(tiny):
    grid = relevancy_by_theme_section(tiny)
    # AI is on d1, d2, d3; their signals rows are rated 5, 3 (d1), 2 (d2), 4 (d3).
    ai_signals = cell(grid, theme="AI", section="signals")
    assert ai_signals["mean_relevancy"] == pytest.approx(14 / 4)
    assert (ai_signals["rows"], ai_signals["documents"]) == (4, 3)
    ai_concerns = cell(grid, theme="AI", section="concerns")
    assert ai_concerns["mean_relevancy"] == pytest.approx((4 + 1) / 2)
    assert (ai_concerns["rows"], ai_concerns["documents"]) == (2, 2)
    # d2's issues row has no relevancy: the AI x issues cell is empty.
    ai_issues = cell(grid, theme="AI", section="issues")
    assert math.isnan(ai_issues["mean_relevancy"]) and (ai_issues["rows"], ai_issues["documents"]) == (0, 0)
    energy_issues = cell(grid, theme="Energy", section="issues")
    assert energy_issues["mean_relevancy"] == 3 and (energy_issues["rows"], energy_issues["documents"]) == (
        1,
        1,
    )
    climate_signals = cell(grid, theme="Climate", section="signals")
    assert climate_signals["mean_relevancy"] == pytest.approx((5 + 3 + 4) / 3)


def test_theme_section_top_n(tiny):
    assert list(pd.unique(relevancy_by_theme_section(tiny, top_n=1)["theme"])) == ["AI"]
    assert relevancy_by_theme_section(tiny, top_n=0).empty


# ---------------------------------------------------------------------------------------------
# relevancy_by_category_section
# ---------------------------------------------------------------------------------------------
def test_category_section_cells_by_hand(tiny):
    grid = relevancy_by_category_section(tiny)
    assert list(grid.columns) == ["category", *GRID_COLUMNS]
    assert list(pd.unique(grid["category"])) == ["tech", "(none)", "science"]
    tech_signals = cell(grid, category="tech", section="signals")
    assert tech_signals["mean_relevancy"] == pytest.approx((5 + 3 + 2) / 3)
    assert (tech_signals["rows"], tech_signals["documents"]) == (3, 2)
    none_issues = cell(grid, category="(none)", section="issues")
    assert (none_issues["mean_relevancy"], none_issues["rows"]) == (3, 1)
    assert cell(grid, category="science", section="technologies")["mean_relevancy"] == 5


# ---------------------------------------------------------------------------------------------
# themes_by_period
# ---------------------------------------------------------------------------------------------
def test_themes_by_month_by_hand(tiny):
    frame = themes_by_period(tiny)
    assert list(frame.columns) == ["theme", "period", "value", "documents", "mean_relevancy"]
    assert list(pd.unique(frame["period"])) == [pd.Timestamp(f"2024-0{m}-01") for m in (1, 2, 3)]
    assert len(frame) == 3 * 3
    january = cell(frame, theme="AI", period=pd.Timestamp("2024-01-01"))
    # d1 and d2; all their rated rows: 5, 3, 4 (d1) and 2 (d2).
    assert (january["documents"], january["value"]) == (2, 2)
    assert january["mean_relevancy"] == pytest.approx(14 / 4)
    february = cell(frame, theme="AI", period=pd.Timestamp("2024-02-01"))
    assert february["documents"] == 0 and math.isnan(february["mean_relevancy"])
    march = cell(frame, theme="AI", period=pd.Timestamp("2024-03-01"))
    assert march["mean_relevancy"] == pytest.approx((4 + 1 + 5) / 3)
    # d4 (Energy) has no date: Energy counts d2 in January and d3 in March only.
    assert frame.loc[frame["theme"] == "Energy", "documents"].tolist() == [1, 0, 1]


def test_themes_by_period_measure_and_quarters(tiny):
    by_mean = themes_by_period(tiny, measure="mean_relevancy")
    assert by_mean["value"].equals(by_mean["mean_relevancy"])
    quarters = themes_by_period(tiny, period="Q")
    assert cell(quarters, theme="AI", period=pd.Timestamp("2024-01-01"))["documents"] == 3
    with pytest.raises(ValueError, match="measure"):
        themes_by_period(tiny, measure="median")


# ---------------------------------------------------------------------------------------------
# rows_behind_cell
# ---------------------------------------------------------------------------------------------
def test_rows_behind_a_theme_section_cell(tiny):
    rows = rows_behind_cell(tiny, theme="ai", section="Signals")
    assert list(rows.columns[:3]) == ["doc_id", "title", "date"]
    assert "doc_id" not in rows.columns[3:]
    # Most relevant first.
    assert list(zip(rows["doc_id"], rows["relevancy"])) == [("d1", 5), ("d3", 4), ("d1", 3), ("d2", 2)]
    assert rows["title"].tolist() == ["One", "Three", "One", "Two"]
    assert len(rows) == cell(relevancy_by_theme_section(tiny), theme="AI", section="signals")["rows"]


def test_rows_behind_a_cell_of_a_filtered_view_keep_their_titles(tiny):
    """A filtered view counts without the documents' texts (Corpus.document_facts); the rows behind a
    cell still carry each document's title."""
    from signals.filters import Filters, apply

    view = apply(tiny, Filters(themes=("AI",)))
    rows = rows_behind_cell(view, theme="ai", section="Signals")
    assert rows["title"].tolist() == ["One", "Three", "One", "Two"]


def test_rows_behind_a_cell_put_unrated_rows_last(tiny):
    rows = rows_behind_cell(tiny, theme="Energy", section="issues")
    assert rows["doc_id"].tolist() == ["d4", "d2"]
    assert pd.isna(rows["relevancy"].iloc[1])


def test_rows_behind_category_and_period_cells(tiny):
    assert rows_behind_cell(tiny, category="(none)")["name"].tolist() == ["Storage"]
    january = rows_behind_cell(tiny, theme="AI", period=pd.Timestamp("2024-01-01"))
    assert sorted(january["doc_id"].unique()) == ["d1", "d2"] and len(january) == 5
    assert rows_behind_cell(tiny, period="2024-02-01").empty
    assert rows_behind_cell(tiny, category="science", section="technologies")["label"].tolist() == [
        "Perovskite cells"
    ]
    assert rows_behind_cell(tiny, theme="no such theme").empty


# ---------------------------------------------------------------------------------------------
# Empty corpus
# ---------------------------------------------------------------------------------------------
def test_empty_corpus(empty):
    assert list(relevancy_by_theme_section(empty).columns) == ["theme", *GRID_COLUMNS]
    assert list(relevancy_by_category_section(empty).columns) == ["category", *GRID_COLUMNS]
    assert list(themes_by_period(empty).columns) == [
        "theme",
        "period",
        "value",
        "documents",
        "mean_relevancy",
    ]
    for frame in (
        relevancy_by_theme_section(empty),
        relevancy_by_category_section(empty),
        themes_by_period(empty),
    ):
        assert frame.empty
    rows = rows_behind_cell(empty, theme="AI", section="signals")
    assert rows.empty and list(rows.columns[:3]) == ["doc_id", "title", "date"]


# ---------------------------------------------------------------------------------------------
# The real corpus, against a plain pandas merge
# ---------------------------------------------------------------------------------------------
def naive_theme_section(corpus, theme_keys):
    themes = corpus.themes[corpus.themes["theme_key"].isin(theme_keys)][["doc_id", "theme_key"]]
    themes = themes.astype({"doc_id": "str", "theme_key": "str"}).drop_duplicates()
    items = corpus.items.assign(
        doc_id=corpus.items["doc_id"].astype("str"), section=corpus.items["section"].astype("str")
    )
    rated = items[items["relevancy"].notna()]
    merged = themes.merge(rated, on="doc_id")
    return merged.groupby(["theme_key", "section"]).agg(
        mean_relevancy=("relevancy", lambda r: r.astype(float).mean()),
        rows=("relevancy", "size"),
        documents=("doc_id", "nunique"),
    )


def test_a_realistic_corpus_against_a_merge(realistic):
    grid = relevancy_by_theme_section(realistic, top_n=10)
    assert grid["theme"].nunique() == 10
    keys = realistic.themes.drop_duplicates("theme_key").set_index("theme")["theme_key"].astype("str")
    naive = naive_theme_section(realistic, keys[grid["theme"].unique()].tolist())
    for row in grid[grid["rows"] > 0].itertuples(index=False):
        expected = naive.loc[(keys[row.theme], row.section)]
        assert row.mean_relevancy == pytest.approx(expected["mean_relevancy"])
        assert (row.rows, row.documents) == (expected["rows"], expected["documents"])
    assert grid["mean_relevancy"].dropna().between(1, 5).all()

    by_category = relevancy_by_category_section(realistic)
    assert by_category["rows"].sum() == realistic.items["relevancy"].notna().sum()

    over_time = themes_by_period(realistic, top_n=5)
    dated = realistic.documents.loc[realistic.documents["date"].notna(), "doc_id"].astype("str")
    top = over_time["theme"].iloc[0]
    with_top = realistic.themes.loc[realistic.themes["theme"] == top, "doc_id"].astype("str")
    assert over_time.loc[over_time["theme"] == top, "documents"].sum() == with_top.isin(dated).sum()

    behind = rows_behind_cell(realistic, theme=top, section="signals")
    assert behind["relevancy"].notna().sum() == cell(grid, theme=top, section="signals")["rows"]


def test_dense_span_leaves_stray_dates_out_and_counts_them():
    from signals.analysis.heatmaps import dense_span

    def corpus_dated(dates):
        documents = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(dates))], "date": pd.to_datetime(dates)})
        return types.SimpleNamespace(documents=documents, document_facts=documents)

    bulk = [f"2023-{m:02d}-10" for m in range(1, 13)] * 4 + [f"2024-{m:02d}-10" for m in range(1, 7)] * 4
    first, last, outside = dense_span(corpus_dated(["2004-07-14", *bulk, "2029-08-30", "2029-09-11"]), "M")
    assert (first, last, outside) == (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-06-01"), 3)
    # No run dominates (two halves a decade apart): nothing is stray, the whole range is shown.
    first, last, outside = dense_span(corpus_dated(["2010-01-01"] * 5 + ["2020-01-01"] * 5), "Q")
    assert (first, last, outside) == (pd.Timestamp("2010-01-01"), pd.Timestamp("2020-01-01"), 0)
    assert dense_span(corpus_dated([None, None]), "M") is None
