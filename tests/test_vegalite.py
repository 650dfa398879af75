"""The Overview's Vega-Lite specs: order, titles, tooltips, colours, clicks, empty input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from signals import charts, vegalite

LONG = "a theme whose name goes on and on well past any axis label width you would want"


def _values(spec: dict) -> list[dict]:
    return spec["data"]["values"]


def test_horizontal_bar_keeps_order_titles_and_full_labels():
    frame = pd.DataFrame({"theme": ["energy", LONG, "<b>AI</b>"], "documents": [9, 4, 1]})
    spec = vegalite.bar(frame, x="documents", y="theme", title="Top themes", x_title="Documents",
                        y_title="Theme", horizontal=True)
    assert [v[vegalite.LABEL] for v in _values(spec)] == ["energy", LONG, "<b>AI</b>"]  # data, as typed
    assert [v[vegalite.VALUE] for v in _values(spec)] == [9, 4, 1]
    y, x = spec["encoding"]["y"], spec["encoding"]["x"]
    assert y["sort"] == ["energy", LONG, "<b>AI</b>"] and y["title"] == "Theme" and y["axis"]["labelLimit"] == vegalite.LABEL_LIMIT
    assert x["title"] == "Documents" and x["type"] == "quantitative"
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Theme", "Documents"]
    assert spec["mark"]["color"] == charts.BAR_COLOUR and spec["title"]["text"] == "Top themes"
    assert "params" not in spec
    json.dumps(spec)  # what Streamlit sends


def test_vertical_bar_over_months_is_a_time_axis():
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]), "documents": [3, 5]})
    spec = vegalite.bar(frame, x="period", y="documents", title="Documents per month", x_title="Month",
                        y_title="Documents")
    assert _values(spec) == [{"value": 3, "label": "2024-01-01"}, {"value": 5, "label": "2024-02-01"}]
    assert spec["encoding"]["x"]["type"] == "temporal" and spec["encoding"]["x"]["timeUnit"] == "yearmonth"
    assert spec["encoding"]["y"]["title"] == "Documents"
    json.dumps(spec)


def test_a_bar_can_hand_back_the_clicked_label():
    frame = pd.DataFrame({"theme": ["energy"], "documents": [2]})
    spec = vegalite.bar(frame, x="documents", y="theme", title="T", x_title="D", y_title="Theme",
                        horizontal=True, select="pick")
    assert spec["params"] == [{"name": "pick", "select": {"type": "point", "fields": [vegalite.LABEL]}}]


def test_stacked_relevancy_colours_levels_as_every_chart_does():
    dist = pd.DataFrame({
        "section": ["signals"] * 5 + ["issues"] * 5,
        "relevancy": list(range(1, 6)) * 2,
        "rows": [0, 1, 1, 2, 4, 0, 0, 0, 0, 0],
    })
    spec = vegalite.stacked_relevancy(dist)
    colour = spec["encoding"]["color"]
    assert colour["scale"]["domain"] == [1, 2, 3, 4, 5]
    assert colour["scale"]["range"] == [charts.RELEVANCY_COLOURS[level] for level in range(1, 6)]
    assert spec["encoding"]["x"]["sort"] == ["signals", "issues"]
    signals_rows = [v for v in _values(spec) if v["section"] == "signals"]
    assert [v["share"] for v in signals_rows] == pytest.approx([0, 0.125, 0.125, 0.25, 0.5])
    assert all(v["share"] == 0 for v in _values(spec) if v["section"] == "issues")  # no division by zero
    json.dumps(spec)


@pytest.mark.parametrize("frame", [pd.DataFrame({"theme": [], "documents": []}), None,
                                   pd.DataFrame({"other": [1]})])
def test_empty_input_gives_the_message(frame):
    spec = vegalite.bar(frame, x="documents", y="theme", title="Top themes", x_title="D", y_title="T",
                        horizontal=True, empty_message="Nothing here.")
    assert _values(spec) == [{"message": "Nothing here."}] and spec["mark"]["type"] == "text"
    assert spec["title"]["text"] == "Top themes"
    empty_dist = pd.DataFrame({"section": ["signals"], "relevancy": [3], "rows": [0]})
    assert vegalite.stacked_relevancy(empty_dist)["mark"]["type"] == "text"


def test_the_overview_charts_on_a_realistic_corpus(realistic_dir, tmp_path):
    from signals import analysis, load_corpus

    corpus = load_corpus(realistic_dir, cache_root=tmp_path)
    specs = [
        vegalite.bar(analysis.top_themes(corpus), x="documents", y="theme", title="t", x_title="Documents",
                     y_title="Theme", horizontal=True, select="pick"),
        vegalite.bar(analysis.documents_per_period(corpus, period="M"), x="period", y="documents", title="t",
                     x_title="Month", y_title="Documents"),
        vegalite.stacked_relevancy(analysis.relevancy_distribution(corpus)),
    ]
    for spec in specs:
        assert spec["mark"]["type"] == "bar" and len(_values(spec)) > 0
        json.dumps(spec)  # serialisable, as Streamlit will send it


# ---------------------------------------------------------------------------------------------
# heatmap: clickable cells that say what they rest on
# ---------------------------------------------------------------------------------------------
def _grid() -> pd.DataFrame:
    return pd.DataFrame({
        "theme": ["energy", "energy", "<b>AI</b>", "<b>AI</b>"],
        "section": ["signals", "issues", "signals", "issues"],
        "mean_relevancy": [4.25, np.nan, 2.0, 3.0],
        "rows": [8, 0, 1, 5],
    })


def _heat(frame: pd.DataFrame, **extra) -> dict:
    settings = {"title": "R", "x_title": "Section", "y_title": "Theme", "value_title": "Mean relevancy (1–5)",
                "count_title": "Rated rows", "colour_scale": charts.RELEVANCY_SCALE, "domain": (1, 5),
                "select": "cell"}
    settings.update(extra)
    return vegalite.heatmap(frame, x="section", y="theme", value="mean_relevancy", count="rows", **settings)


def test_heatmap_cells_keep_their_order_skip_empty_cells_and_carry_their_count():
    spec = _heat(_grid())
    cells = _values(spec)
    assert [(c[vegalite.Y_KEY], c[vegalite.X_KEY], c[vegalite.CELL_COUNT]) for c in cells] == [
        ("energy", "signals", 8), ("<b>AI</b>", "signals", 1), ("<b>AI</b>", "issues", 5)]
    assert spec["encoding"]["y"]["sort"] == ["energy", "<b>AI</b>"]  # frequency order, not alphabetical
    assert spec["encoding"]["x"]["sort"] == ["signals", "issues"]
    rect, text = spec["layer"]
    assert rect["params"] == [{"name": "cell", "select": {"type": "point", "fields": [vegalite.X_KEY, vegalite.Y_KEY]}}]
    titles = [t["title"] for t in rect["encoding"]["tooltip"]]
    assert titles == ["Theme", "Section", "Mean relevancy", "Rated rows"]
    assert "datum.count" in text["transform"][0]["calculate"]  # "4.3 (8)" written in the cell


def test_heatmap_colours_are_the_fixed_relevancy_scale_and_few_rows_are_faded():
    rect = _heat(_grid())["layer"][0]
    scale = rect["encoding"]["color"]["scale"]
    assert scale["domain"][0] == 1 and scale["domain"][-1] == 5
    assert scale["range"][0].replace(" ", "") == charts.RELEVANCY_COLOURS[1].replace(" ", "")
    assert scale["range"][-1].replace(" ", "") == charts.RELEVANCY_COLOURS[5].replace(" ", "")
    assert rect["encoding"]["opacity"]["condition"]["test"] == f"datum.count < {vegalite.LOW_SUPPORT}"


def test_heatmap_of_counts_has_whole_number_legend_and_month_labels():
    frame = pd.DataFrame({"theme": ["AI", "AI", "AI"], "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
                          "value": [2.0, 0.0, 7.0], "documents": [2, 0, 7]})
    spec = vegalite.heatmap(frame, x="period", y="theme", value="value", count="documents", title="T",
                            x_title="Month", y_title="Theme", value_title="Documents per month",
                            count_title="Documents", colour_scale=charts.COUNT_SCALE, domain=(0, 7),
                            value_format=",d", x_labels=["2024-01", "2024-02", "2024-03"], select="cell")
    cells = _values(spec)
    assert [c[vegalite.X_KEY] for c in cells] == ["2024-01-01", "2024-03-01"]  # what a click hands back
    assert [c[vegalite.X_LABEL] for c in cells] == ["2024-01", "2024-03"]  # what the axis shows
    # A month without documents keeps its column: the axis is time, not the cells drawn.
    assert spec["encoding"]["x"]["scale"]["domain"] == ["2024-01", "2024-02", "2024-03"]
    legend = spec["layer"][0]["encoding"]["color"]["legend"]
    assert legend["format"] == ",d" and legend["tickMinStep"] == 1


def test_heatmap_without_cells_is_the_empty_chart():
    empty_cells = _grid().assign(rows=0)
    assert _heat(empty_cells)["mark"]["type"] == "text"
    assert _heat(pd.DataFrame())["mark"]["type"] == "text"


def test_heatmaps_on_a_realistic_corpus(realistic_dir, tmp_path):
    from signals import load_corpus
    from signals.analysis import heatmaps

    corpus = load_corpus(realistic_dir, cache_root=tmp_path)
    by_section = heatmaps.relevancy_by_theme_section(corpus)
    spec = _heat(by_section)
    assert len(_values(spec)) == int((by_section["rows"] > 0).sum())  # every cell with rows, no empty one
    json.dumps(spec)  # what Streamlit sends must serialise
    by_quarter = heatmaps.themes_by_period(corpus, period="Q")
    spec = vegalite.heatmap(by_quarter, x="period", y="theme", value="value", count="documents", title="T",
                            x_title="Quarter", y_title="Theme", value_title="Documents", count_title="Documents",
                            colour_scale=charts.COUNT_SCALE, domain=(0, float(by_quarter["documents"].max())),
                            value_format=",d", select="cell")
    assert sum(c[vegalite.CELL_COUNT] for c in _values(spec)) == int(by_quarter["documents"].sum())
    json.dumps(spec)
