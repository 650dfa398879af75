"""The Overview's Vega-Lite specs: order, titles, tooltips, colours, clicks, empty input."""

from __future__ import annotations

import json

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
    assert y["sort"] is None and y["title"] == "Theme" and y["axis"]["labelLimit"] == vegalite.LABEL_LIMIT
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


def test_the_overview_charts_on_the_real_corpus(futures_dir, tmp_path):
    from signals import analysis, load_corpus

    corpus = load_corpus(futures_dir, cache_root=tmp_path)
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
