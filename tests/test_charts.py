"""signals.charts: trace types, axis titles, hovers that carry the count, click-back customdata, the
colour stops, label placement, and empty input -> empty_figure with the message."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from signals import charts

LONG_THEME = "a very long theme name that would never fit on the axis of any chart"


def assert_empty(figure: go.Figure, message: str) -> None:
    assert len(figure.data) == 0
    assert [annotation.text for annotation in figure.layout.annotations] == [message]


# ---------------------------------------------------------------------------------------------
# line
# ---------------------------------------------------------------------------------------------
def test_line_one_trace_per_colour():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
            "theme": ["AI"] * 2 + ["Energy"] * 2,
            "documents": [1, 2, 3, 4],
        }
    )
    figure = charts.line(
        frame,
        "period",
        "documents",
        color="theme",
        title="Themes over time",
        x_title="Month",
        y_title="Documents",
    )
    assert [trace.type for trace in figure.data] == ["scatter", "scatter"]
    assert [trace.name for trace in figure.data] == ["AI", "Energy"]
    assert list(figure.data[1].y) == [3, 4]
    assert "%{y" in figure.data[0].hovertemplate
    assert figure.layout.xaxis.title.text == "Month" and figure.layout.yaxis.title.text == "Documents"
    single = charts.line(
        frame.head(2), "period", "documents", title="t", x_title="Month", y_title="Documents"
    )
    assert len(single.data) == 1


# ---------------------------------------------------------------------------------------------
# colours
# ---------------------------------------------------------------------------------------------
def test_relevancy_colours_follow_the_scale_from_low_to_high():
    colours = [charts.RELEVANCY_COLOURS[level] for level in range(1, 6)]
    brightness = [sum(map(float, colour[colour.index("(") + 1 : -1].split(","))) for colour in colours]
    assert brightness == sorted(brightness, reverse=True)  # paler for low relevancy


# ---------------------------------------------------------------------------------------------
# cooccurrence_matrix, network
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def counts() -> pd.DataFrame:
    labels = pd.Index(["AI", "Energy", "Climate"], name="theme")
    return pd.DataFrame([[3, 2, 2], [2, 3, 1], [2, 1, 2]], index=labels, columns=list(labels))


def test_cooccurrence_matrix_blanks_the_diagonal_and_shows_counts(counts):
    jaccard = pd.DataFrame(
        [[1, 0.5, 2 / 3], [0.5, 1, 0.25], [2 / 3, 0.25, 1]], index=counts.index, columns=counts.columns
    )
    figure = charts.cooccurrence_matrix(jaccard, "jaccard", counts=counts)
    (trace,) = figure.data
    z = np.asarray(trace.z, dtype=float)
    assert trace.type == "heatmap" and np.isnan(np.diag(z)).all() and z[0, 1] == 0.5
    assert (trace.zmin, trace.zmax) == (0, 1)
    assert "n = %{customdata[2]" in trace.hovertemplate
    assert list(np.asarray(trace.customdata, dtype=object)[0, 1]) == ["Energy", "AI", 2]
    assert figure.layout.xaxis.title.text == "Theme" and figure.layout.yaxis.title.text == "Theme"
    own = charts.cooccurrence_matrix(counts, "count")
    assert np.asarray(own.data[0].customdata, dtype=object)[2, 0][2] == 2


def _theme_graph() -> nx.Graph:
    """AI (3 documents) - Energy (3): 2 shared, jaccard 0.5, lift 0.9; Energy - Climate (1): 1 shared,
    jaccard 1/3, lift 2.0; Alone (2) links to nothing."""
    graph = nx.Graph()
    graph.add_nodes_from([("AI", {"documents": 3}), ("Energy", {"documents": 3}), ("Climate", {"documents": 1}),
                          ("Alone", {"documents": 2})])
    graph.add_edge("AI", "Energy", weight=2, jaccard=0.5, lift=0.9)
    graph.add_edge("Energy", "Climate", weight=1, jaccard=1 / 3, lift=2.0)
    return graph


def test_network_draws_linked_themes_only():
    graph = _theme_graph()
    figure = charts.network(graph, title="Theme network")
    nodes = figure.data[-1]
    assert nodes.type == "scatter" and nodes.mode == "markers"
    assert list(nodes.customdata) == ["AI", "Energy", "Climate"]  # "Alone" is left for the page to list
    assert nodes.hovertext[0].startswith("<b>AI</b><br>3 documents")
    assert "Energy (2)" in nodes.hovertext[0]  # its links, with the measure
    sizes = list(nodes.marker.size)
    assert sizes[0] == sizes[1] > sizes[2]
    assert sorted(a.text for a in figure.layout.annotations) == ["AI", "Climate", "Energy"]  # room for all
    again = charts.network(graph, title="Theme network")
    assert list(again.data[-1].x) == list(nodes.x)  # fixed seed: the same picture every render
    lone = nx.Graph()
    lone.add_nodes_from([("A", {"documents": 3}), ("B", {"documents": 3})])
    assert charts.network(lone, title="t").layout.annotations[0].text == (
        "No two themes share enough documents to be linked.")


@pytest.mark.parametrize(("measure", "heavier"), [("count", ("AI", "Energy")), ("jaccard", ("AI", "Energy")),
                                                  ("lift", ("Energy", "Climate"))])
def test_network_links_follow_the_measure(measure, heavier):
    figure = charts.network(_theme_graph(), title="t", measure=measure)
    lines = [trace for trace in figure.data if trace.mode == "lines"]
    assert sorted(trace.line.width for trace in lines) == [1, 6]  # lightest and heaviest link
    heaviest = max(lines, key=lambda trace: trace.line.width)
    nodes = figure.data[-1]
    where = {name: (x, y) for name, x, y in zip(nodes.customdata, nodes.x, nodes.y)}
    assert {tuple(heaviest.x[:2]), tuple(heaviest.y[:2])} <= {  # the heaviest line joins those two themes
        (where[heavier[0]][0], where[heavier[1]][0]), (where[heavier[1]][0], where[heavier[0]][0]),
        (where[heavier[0]][1], where[heavier[1]][1]), (where[heavier[1]][1], where[heavier[0]][1])}
    midpoints = figure.data[-2]
    assert midpoints.mode == "markers" and midpoints.customdata is None  # a click on a link filters nothing
    hover = dict(zip([text.split("<br>")[0] for text in midpoints.hovertext], midpoints.hovertext))
    title = charts.COOCCURRENCE_TITLES[measure]
    assert midpoints.marker.colorbar.title.text == title
    if measure == "lift":
        assert hover["Energy — Climate"].split("<br>")[1:3] == ["Lift: 2.00", "1 documents with both"]
        assert hover["AI — Energy"].split("<br>")[1:3] == ["Lift: 0.90", "2 documents with both"]
    if measure == "count":
        assert hover["AI — Energy"].split("<br>")[1] == "Documents with both: 2"


def _boxes(figure: go.Figure, area: tuple[float, float] | None = None,
           scale: float = 1.0) -> list[tuple[float, float, float, float]]:
    """Each label's box in px, worked out from the annotation's anchor and shift, with the plot area
    the figure was laid out for and the label size measured in Chromium (12 px text; `scale` for others)."""
    width, height = area or (charts.NETWORK_PLOT_PX[0], figure.layout.height - charts.TITLE_PX - 10)
    (x0, x1), (y0, y1) = figure.layout.xaxis.range, figure.layout.yaxis.range
    boxes = []
    for label in figure.layout.annotations:
        x = (label.x - x0) / (x1 - x0) * width + (label.xshift or 0)
        y = (label.y - y0) / (y1 - y0) * height + (label.yshift or 0)
        shown = label.text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        w, h = len(shown) * charts.LABEL_CHAR_PX * scale + 6, charts.LABEL_LINE_PX
        left = {"left": x, "center": x - w / 2, "right": x - w}[label.xanchor]
        bottom = {"bottom": y, "middle": y - h / 2, "top": y - h}[label.yanchor]
        boxes.append((left, bottom, left + w, bottom + h))
    return boxes


def test_network_labels_do_not_overlap_on_a_dense_graph():
    """40 themes, 160 links: every label placed is clear of the others, of every node and of the
    plot's edges; the larger themes are labelled first."""
    graph = nx.gnm_random_graph(40, 160, seed=3)
    names = [f"theme {'x' * (i % 9)} {i}" for i in range(40)]
    graph = nx.relabel_nodes(graph, dict(enumerate(names)))
    for i, name in enumerate(names):
        graph.nodes[name]["documents"] = 100 - i
    for _, _, data in graph.edges(data=True):
        data.update(weight=3, jaccard=0.2, lift=1.5)
    figure = charts.network(graph, title="t")
    boxes = _boxes(figure)
    width, height = charts.NETWORK_PLOT_PX[0], figure.layout.height - charts.TITLE_PX - 10
    assert len(boxes) >= 20  # 22: a random graph this dense is one tight ball
    assert all(0 <= a and 0 <= b and c <= width and d <= height for a, b, c, d in boxes)
    overlapping = [(i, j) for i, p in enumerate(boxes) for j, q in enumerate(boxes[:i])
                   if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]
    assert overlapping == []
    nodes = figure.data[-1]
    (x0, x1), (y0, y1) = figure.layout.xaxis.range, figure.layout.yaxis.range
    for x, y, size in zip(nodes.x, nodes.y, nodes.marker.size):
        cx, cy, r = (x - x0) / (x1 - x0) * width, (y - y0) / (y1 - y0) * height, size / 2
        for a, b, c, d in boxes:  # the nearest point of the box is outside the circle
            assert (min(max(cx, a), c) - cx) ** 2 + (min(max(cy, b), d) - cy) ** 2 >= (r - 0.5) ** 2
    labelled = {label.text for label in figure.layout.annotations}
    assert names[0] in labelled and names[1] in labelled  # the two largest


def test_typed_network_labels_do_not_overlap_in_a_dense_knot():
    """45 rows and themes, densely linked (as the best-connected rows of a real corpus are): labels
    placed are clear of each other; the nodes with most documents are labelled first."""
    graph = nx.gnm_random_graph(45, 260, seed=5)
    nodes = [f"signals:{i}" for i in range(45)]
    graph = nx.relabel_nodes(graph, dict(enumerate(nodes)))
    for _, _, data in graph.edges(data=True):
        data["weight"] = 1.0
    layout = nx.spring_layout(graph, seed=1)
    positions = pd.DataFrame({
        "node": nodes, "type": "signals", "label": [f"Technologies that {'x' * (i % 7)} {i}" for i in range(45)],
        "x": [layout[n][0] for n in nodes], "y": [layout[n][1] for n in nodes],
        "documents": [90 - i for i in range(45)], "links": [graph.degree(n) for n in nodes],
    })
    figure = charts.typed_network(graph, positions, type_names={"signals": "Signals"}, item_names={"signals": "signal"})
    boxes = _boxes(figure, charts.TYPED_NETWORK_PLOT_PX, scale=10 / 12)
    assert len(boxes) >= 10
    overlapping = [(i, j) for i, p in enumerate(boxes) for j, q in enumerate(boxes[:i])
                   if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]
    assert overlapping == []
    labelled = {label.text for label in figure.layout.annotations}
    assert "Technologies that  0" in labelled  # the node with most documents


def test_label_spots_by_hand():
    """Two 10 px nodes 30 px apart side by side, labels 50 x 20 px, in a 200 x 100 area: the first
    takes the spot above, the second cannot (it would overlap), so it goes below."""
    centres = np.array([[100.0, 50.0], [130.0, 50.0]])
    spots = charts.label_spots(centres, np.array([5.0, 5.0]), np.array([50.0, 50.0]), (200, 100))
    assert spots == ["top center", "bottom center"]
    # At the right edge a label may not go right; with no room at all, None.
    assert charts.label_spots(np.array([[195.0, 50.0]]), np.array([5.0]), np.array([50.0]), (200, 100)) == [
        "middle left"]
    assert charts.label_spots(np.array([[10.0, 10.0]]), np.array([5.0]), np.array([150.0]), (40, 20)) == [None]


def test_typed_network_one_trace_per_type_with_clickable_escaped_nodes():
    graph = nx.Graph()
    graph.add_edge("themes:ai", "signals:<b>chips</b>", weight=2.0)
    graph.add_edge("themes:ai", "signals:grid", weight=1.0)
    positions = pd.DataFrame({
        "node": ["themes:ai", "signals:<b>chips</b>", "signals:grid"],
        "type": ["themes", "signals", "signals"],
        "label": ["AI", "<b>chips</b>", "Grid"],
        "text": ["AI", "<b>chips</b>", ("A grid that balances <i>wind</i> farms across three countries so that "
                                        "no farm has to stop on windy nights.")],
        "x": [0.0, 1.0, -1.0], "y": [0.0, 1.0, 1.0],
        "documents": [4, 2, 1], "links": [2, 1, 1],
    })
    figure = charts.typed_network(graph, positions, type_names={"themes": "Themes", "signals": "Signals"},
                                  item_names={"themes": "theme", "signals": "signal"})
    light, heavy, themes, signals_ = figure.data
    assert (light.mode, light.line.width, list(light.x)) == ("lines", 3, [0.0, -1.0, None])  # weight 1 of 2
    assert (heavy.mode, heavy.line.width, list(heavy.x)) == ("lines", 5, [0.0, 1.0, None])
    assert [themes.name, signals_.name] == ["Themes", "Signals"]
    assert themes.marker.symbol == "diamond" and signals_.marker.symbol == "circle"
    assert list(signals_.customdata[0]) == ["signals:<b>chips</b>", "signals", "<b>chips</b>", "<b>chips</b>"]
    assert "<b>" not in signals_.hovertext[0] and "&lt;b&gt;chips" in signals_.hovertext[0]
    assert signals_.hovertext[0].startswith("signal: ")
    # A short label's full wording follows it in the hover (escaped), and a click hands it back.
    assert signals_.hovertext[1].startswith("signal: Grid<br>A grid that balances &lt;i&gt;wind")
    assert signals_.hovertext[0].count("chips") == 1  # no wording repeated when it is the label
    assert signals_.customdata[1][3].startswith("A grid that balances <i>wind</i> farms across")
    wording = signals_.hovertext[1].split("<br>")[1:-1]  # wrapped, each line within 60 characters as typed
    assert len(wording) == 2 and all(len(line.replace("&lt;", "<").replace("&gt;", ">")) <= 60 for line in wording)
    assert signals_.marker.size[0] > signals_.marker.size[1]  # more documents, bigger node


def test_colour_scales_run_pale_to_dark_without_validation(monkeypatch):
    """plotly.js's own "YlOrRd"/"Blues" start dark: figures carry plotly.py's explicit stops instead."""
    monkeypatch.setattr(charts, "VALIDATE", False)
    stops = charts.scale_stops(charts.RELEVANCY_SCALE)

    def spaced(colour: str) -> str:
        return colour.replace(" ", "")
    assert spaced(stops[0][1]) == spaced(charts.RELEVANCY_COLOURS[1]) == "rgb(255,255,204)"  # 1: pale yellow
    assert spaced(stops[-1][1]) == spaced(charts.RELEVANCY_COLOURS[5]) == "rgb(128,0,38)"  # 5: dark red
    counts = pd.DataFrame([[0, 2], [2, 0]], index=["AI", "Energy"], columns=["AI", "Energy"])
    blues = charts.cooccurrence_matrix(counts, "count").to_plotly_json()["data"][0]["colorscale"]
    assert blues[0][1] == "rgb(247,251,255)"  # pale for few documents in common


def test_figures_skip_validation_only_when_asked(monkeypatch):
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]), "documents": [3, 5]})
    monkeypatch.setattr(charts, "VALIDATE", False)
    fast = charts.line(frame, "period", "documents", title="T", x_title="Month", y_title="Documents")
    monkeypatch.setattr(charts, "VALIDATE", True)
    checked = charts.line(frame, "period", "documents", title="T", x_title="Month", y_title="Documents")
    assert fast.to_plotly_json()["layout"]["title"] == checked.to_plotly_json()["layout"]["title"]
    assert list(fast.data[0].y) == list(checked.data[0].y) == [3, 5]
    with pytest.raises(ValueError):
        charts.figure_from([{"type": "bar", "colour": "red"}], {})  # a typo is caught when validating


# ---------------------------------------------------------------------------------------------
# Empty input
# ---------------------------------------------------------------------------------------------
def test_empty_inputs_give_the_empty_figure_with_its_message():
    message = "No documents match these filters."
    assert_empty(
        charts.line(
            pd.DataFrame(columns=["a", "b"]),
            "a",
            "b",
            title="t",
            x_title="x",
            y_title="y",
            empty_message=message,
        ),
        message,
    )
    assert_empty(charts.cooccurrence_matrix(pd.DataFrame(), "lift", empty_message=message), message)
    assert_empty(charts.network(nx.Graph(), title="t", empty_message=message), message)
    assert_empty(charts.empty_figure(message), message)
    default = charts.line(pd.DataFrame(columns=["a", "b"]), "a", "b", title="t", x_title="x", y_title="y")
    assert_empty(default, charts.EMPTY_MESSAGE)
    assert default.layout.xaxis.visible is False


# ---------------------------------------------------------------------------------------------
# Every chart on a realistic corpus's aggregates (the real one where present)
# ---------------------------------------------------------------------------------------------
def test_charts_on_a_realistic_corpus(realistic_dir, tmp_path):
    from signals import analysis, load_corpus

    corpus = load_corpus(realistic_dir, cache_root=tmp_path)
    figures = [
        charts.line(
            analysis.documents_per_period(corpus),
            "period",
            "documents",
            title="t",
            x_title="Month",
            y_title="Documents",
        ),
        charts.cooccurrence_matrix(
            analysis.theme_cooccurrence(corpus, measure="lift"),
            "lift",
            counts=analysis.theme_cooccurrence(corpus),
        ),
    ]
    for figure in figures:
        assert len(figure.data) > 0 and not figure.layout.annotations
        figure.to_json()  # serialisable, as Streamlit will send it
    network = charts.network(analysis.theme_graph(corpus), title="t")
    # A theme whose label finds no room keeps only its hover (charts.network): most are labelled.
    labelled, nodes = len(network.layout.annotations), len(network.data[-1].x)
    assert len(network.data) > 0 and 0.8 * nodes <= labelled <= nodes
    network.to_json()
