"""Plotly figures from the analysis aggregates (signals.analysis). No Streamlit here.

Every function takes a small DataFrame (or graph) and returns a go.Figure with axis titles in words,
a hover that shows the value and the count behind it, and long labels shortened on the axis but
given in full in the hover. Empty input gives `empty_figure(message)` instead of a blank chart.

Colour: relevancy is always drawn with the sequential RELEVANCY_SCALE over the fixed range 1-5, so the
same colour means the same relevancy on every chart; counts and co-occurrence use COUNT_SCALE.

Theme: no plotly template is set here. st.plotly_chart applies Streamlit's own theme, and setting
a template per figure deep-copies it, which was most of each chart's build time.

Click-back: network nodes carry the theme name (or the node's id and wording), so the app can turn
a selection into a filter. The relevancy heatmaps are Vega-Lite (signals.vegalite.heatmap): plotly's
heatmap trace hands Streamlit an empty selection on a click. They use this module's colour stops.
"""

from __future__ import annotations

import functools
import math
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale

from signals import schema

if TYPE_CHECKING:  # networkx (0.2 s to import) is not needed to draw the first page
    import networkx as nx

#: The one sequential scale for relevancy (low = pale yellow, high = dark red), range fixed below.
RELEVANCY_SCALE = "YlOrRd"
RELEVANCY_RANGE = (schema.RELEVANCY_MIN, schema.RELEVANCY_MAX)
#: Relevancy level -> its colour on RELEVANCY_SCALE, as a heatmap with zmin=1, zmax=5 would draw it.
RELEVANCY_COLOURS = dict(
    zip(
        range(schema.RELEVANCY_MIN, schema.RELEVANCY_MAX + 1),
        sample_colorscale(RELEVANCY_SCALE, [i / 4 for i in range(5)]),
    )
)
#: Sequential scale for counts, co-occurrence and the theme network.
COUNT_SCALE = "Blues"
#: Axis labels longer than this are shortened with "…" (the hover keeps the full text).
LABEL_WIDTH = 40
#: Long text in a hover is wrapped at this many characters.
HOVER_WRAP = 60
MARGIN = {"l": 10, "r": 10, "t": 60, "b": 10}
#: Room for a chart's title above the plot.
TITLE_PX = 60
#: Width of an average character of tick text (12 px), rounded up: for margins worked out in advance.
CHAR_PX = 7.0
#: Category labels on an x axis that would need more room than this side by side are drawn at -45°.
ROTATE_ABOVE_PX = 520
#: Room a colour bar with its title takes on the right of a heatmap.
COLORBAR_PX = 110
#: The one colour of single-series bars.
BAR_COLOUR = sample_colorscale(COUNT_SCALE, [0.7])[0]
#: Change markers (signals.analysis.change_markers) -> their symbol; plotly and Vega-Lite share these names.
MARKER_SYMBOLS = {"spike": "diamond", "growth": "triangle-up", "decline": "triangle-down"}
MARKER_COLOUR = "#111111"
#: Comparison labels (signals.analysis.compare) -> their colour: up blue, down orange, the rest grey.
COMPARE_COLOURS = {"new": "#08519c", "rising": "#4292c6", "steady": "#969696", "falling": "#fd8d3c",
                   "gone": "#a63603", "few": "#d9d9d9"}
#: Plotly validates every property as a figure is built: 10-20 ms per chart, most of a dashboard
#: rerun (measured on a 15-bar chart: 16.8 ms validated, 1.2 ms from the same spec unvalidated).
#: So figures are built here from plain dict specs with validation off; the test suite turns it on
#: (tests/conftest.py), so every spec a test draws is still checked against plotly's schema.
VALIDATE = False
EMPTY_MESSAGE = "Nothing to show for the current filters."
COOCCURRENCE_TITLES = {"count": "Documents with both", "jaccard": "Jaccard similarity", "lift": "Lift"}
VALUE_FORMAT = ",.2~f"  # 1,234 / 4.27 / 3: no trailing zeros, thousands separated


@functools.cache
def scale_stops(name: str) -> tuple[tuple[float, str], ...]:
    return tuple((float(at), colour) for at, colour in get_colorscale(name))


def _scale(name: str) -> list[list]:
    """A named colour scale as its explicit stops, low to high.

    Never the bare name in a figure built without validation: plotly.js has its own built-in
    scales of the same names running the other way (its "YlOrRd" and "Blues" start dark), so
    "high relevancy = dark red" would be drawn pale. Validation used to swap in plotly.py's stops.
    """
    return [list(stop) for stop in scale_stops(name)]


def figure_from(data: list[dict], layout: dict) -> go.Figure:
    """A go.Figure from trace dicts and a layout dict, validated only when VALIDATE is on."""
    return go.Figure({"data": data, "layout": layout}, _validate=VALIDATE)


def empty_figure(message: str = EMPTY_MESSAGE, *, title: str = "") -> go.Figure:
    """A figure with no axes and `message` in the middle: what every chart returns for empty input."""
    annotation = {
        "text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
        "font": {"size": 15, "color": "#555"},
    }
    return figure_from([], {
        "annotations": [annotation],
        "title": {"text": title, "x": 0},
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "height": 260,
        "margin": MARGIN,
    })


def plotly_text(text: object) -> str:
    """Document text for plotly to draw, shown as typed.

    Plotly reads `<a href>`, `<b>`, `<br>`, `<span style>` in tick labels, legends, node labels and
    hovers as markup (a theme `<a href='mailto:x@y'>` became a link on the axis); as entities, `&`,
    `<` and `>` are drawn as the characters they are. Only what is drawn is escaped: x, y and the
    customdata a click hands back keep the real names.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short_label(text: object, width: int = LABEL_WIDTH) -> str:
    """Text for an axis tick: as is when short enough, else cut at a word boundary with "…";
    escaped for plotly (`plotly_text`)."""
    text = str(text)
    if len(text) <= width:
        return plotly_text(text)
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return plotly_text(cut.rstrip(" ,;:-") + "…")


def _label_text(values: pd.Series | pd.Index | list) -> list[str]:
    """Labels as hover text: dates as YYYY-MM-DD (the start of their period), the rest as str,
    escaped for plotly (`plotly_text`)."""
    values = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").fillna("").tolist()
    return [plotly_text(value) for value in values.astype("str").tolist()]


def _is_text(values: pd.Series | pd.Index | list) -> bool:
    values = pd.Series(values)
    return not (pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values))


def _category_axis(values: list, **extra: object) -> dict:
    """An axis over text categories, keeping their order, with long labels shortened on the ticks."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": values,
        "tickmode": "array",
        "tickvals": values,
        "ticktext": [short_label(v) for v in values],
        "automargin": True,
        **extra,
    }


def _ticks_px(axis: dict) -> float:
    """Room an axis's tick labels take across it: the longest label's width (numbers: 6 characters)."""
    if axis.get("visible") is False:
        return 0.0
    labels = axis.get("ticktext")
    chars = max((len(str(label)) for label in labels), default=0) if labels is not None else 6
    return chars * CHAR_PX + 8


def _margin(xaxis: dict, yaxis: dict, *, x_title: str, y_title: str, right: float = 0) -> dict:
    """Margins wide enough for the tick labels and axis titles, worked out here.

    Plotly can find them itself (automargin, kept on as a safety net), but when the given margins
    are too small it draws the chart a second time; in Chromium that redraw was about 0.3 s of the
    Overview's first page (benchmarks/bench_app.py). So the margins are estimated generously first.
    """
    title_px = 26
    left = _ticks_px(yaxis) + (title_px if y_title else 0) + 10
    across = _ticks_px(xaxis)
    if xaxis.get("visible") is False:
        x_room = 10.0
    elif xaxis.get("tickangle") in (-90, 90):
        x_room = across + (title_px if x_title else 0) + 10
    elif xaxis.get("tickangle"):
        x_room = across * 0.72 + (title_px if x_title else 0) + 14
    else:
        x_room = 22 + (title_px if x_title else 0) + 10
    top, bottom = (TITLE_PX + x_room, 10.0) if xaxis.get("side") == "top" else (TITLE_PX, x_room)
    return {"l": round(left), "r": round(10 + right), "t": round(top), "b": round(bottom)}


def _legend_px(names: list[str]) -> float:
    """Room a legend of these entries (or its title) takes on the right."""
    return max((len(str(name)) for name in names), default=0) * CHAR_PX + 50


def _layout(
    *, title: str, x_title: str, y_title: str, height: int | None = None,
    xaxis: dict | None = None, yaxis: dict | None = None, right: float = 0, **extra: object,
) -> dict:
    """The layout every chart shares (title on the left, axis titles in words), plus its own parts.
    `right`: room a legend or colour bar needs on the right."""
    xaxis = {"title": {"text": x_title}, "automargin": True, **(xaxis or {})}
    yaxis = {"title": {"text": y_title}, "automargin": True, **(yaxis or {})}
    if xaxis.get("type") == "category" and "tickangle" not in xaxis:
        labels = xaxis.get("ticktext") or []
        if sum(len(str(label)) for label in labels) * CHAR_PX > ROTATE_ABOVE_PX:
            xaxis["tickangle"] = -45  # plotly would turn them itself, after drawing: say so up front
    layout = {
        "title": {"text": title, "x": 0},
        "margin": _margin(xaxis, yaxis, x_title=x_title, y_title=y_title, right=right),
        "hoverlabel": {"align": "left"},
        "xaxis": xaxis,
        "yaxis": yaxis,
        **extra,
    }
    if height is not None:
        layout["height"] = height
    return layout


def _has(frame: pd.DataFrame | None, *columns: str | None) -> bool:
    return frame is not None and len(frame) > 0 and all(c is None or c in frame.columns for c in columns)


def line(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    color: str | None = None,
    title: str,
    x_title: str,
    y_title: str,
    count: str | None = None,
    bands: list[tuple[object, object, str]] | None = None,
    marks: pd.DataFrame | None = None,
    marks_rule: str = "",
    empty_message: str = EMPTY_MESSAGE,
) -> go.Figure:
    """A frame -> line chart of y over x, one line per value of `color` (in order of appearance).
    Hover: the series name, x and the value, plus (n = count) when `count` names a column.
    `bands`: (start, end, label) spans of x shaded behind the lines (the windows a score compares).
    `marks`: change markers, a frame with the x, y and `color` columns and `marker` (a key of
    MARKER_SYMBOLS), drawn as black symbols on the lines, one legend entry per kind; `marks_rule`
    is added to their hover (the rule that put them there)."""
    if not _has(df, x, y, color, count):
        return empty_figure(empty_message, title=title)
    traces = []
    groups = df.groupby(color, sort=False, observed=True) if color else [(None, df)]
    x_hover = "%{x|%Y-%m-%d}" if pd.api.types.is_datetime64_any_dtype(df[x]) else "%{x}"
    for name, group in groups:
        name_text = "" if name is None else str(name[0] if isinstance(name, tuple) else name)
        counts = group[count].to_numpy() if count else np.zeros(len(group), dtype="int64")
        n_part = " (n = %{customdata[1]:,})" if count else ""
        prefix = "%{customdata[0]}<br>" if color else ""
        traces.append({
            "type": "scatter",
            "x": group[x].tolist(),
            "y": group[y].tolist(),
            "mode": "lines+markers",
            "name": short_label(name_text) if color else y_title,
            "customdata": np.column_stack(
                [np.full(len(group), plotly_text(name_text), dtype=object), counts.astype(object)]
            ),
            "hovertemplate": f"{prefix}{x_hover}: %{{y:{VALUE_FORMAT}}}{n_part}<extra></extra>",
        })
    traces += _marker_traces(marks, x, y, color, x_hover, marks_rule)
    yaxis = count_axis(df[y]) if pd.api.types.is_integer_dtype(df[y]) else None
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": start, "x1": end, "y0": 0, "y1": 1,
               "fillcolor": shade, "line": {"width": 0}, "layer": "below",
               "label": {"text": plotly_text(label), "textposition": "top center", "font": {"size": 11}}}
              for (start, end, label), shade in zip(bands or [], ("rgba(0,0,0,0.05)", "rgba(255,165,0,0.15)"))]
    return figure_from(traces, _layout(
        title=title, x_title=x_title, y_title=y_title, yaxis=yaxis, showlegend=bool(color), shapes=shapes,
        legend={"title": {"text": color or ""}}, right=_legend_px([t["name"] for t in traces]) if color else 0))


def _marker_traces(marks: pd.DataFrame | None, x: str, y: str, color: str | None, x_hover: str,
                   rule: str) -> list[dict]:
    """One trace of black symbols per kind of change marker (see `line`)."""
    if marks is None or marks.empty:
        return []
    traces = []
    rule_text = "<br>".join(textwrap.wrap(plotly_text(rule), HOVER_WRAP))
    for kind, symbol in MARKER_SYMBOLS.items():
        chosen = marks[marks["marker"] == kind]
        if chosen.empty:
            continue
        names = chosen[color].astype("str") if color else pd.Series("", index=chosen.index)
        traces.append({
            "type": "scatter", "x": chosen[x].tolist(), "y": chosen[y].tolist(), "mode": "markers",
            "name": kind, "legendgroup": "markers",
            "marker": {"symbol": symbol, "size": 13, "color": MARKER_COLOUR, "line": {"width": 1, "color": "white"}},
            "customdata": np.column_stack([names.map(plotly_text).to_numpy(dtype=object)]),
            "hovertemplate": f"%{{customdata[0]}}<br>{x_hover}: {kind}<br>{rule_text}<extra></extra>",
        })
    return traces


def count_axis(values: pd.Series) -> dict:
    """Axis settings for whole numbers (documents, rows): ticks on integers only, from zero.

    Plotly picks ticks like 0, 0.5, 1 for small counts ("0.5 documents"); a tick step of at least 1
    and an integer format keep them whole."""
    top = float(pd.to_numeric(values, errors="coerce").max()) if len(values) else 0.0
    axis: dict = {"rangemode": "tozero", "tickformat": ",d"}
    if not np.isfinite(top) or top <= 6:
        axis["dtick"] = 1
    return axis


def cooccurrence_matrix(
    matrix_df: pd.DataFrame,
    measure: str,
    *,
    counts: pd.DataFrame | None = None,
    title: str | None = None,
    empty_message: str = EMPTY_MESSAGE,
) -> go.Figure:
    """theme_cooccurrence's square frame -> heatmap of the measure between themes (diagonal left blank,
    so the colours show pairs). Hover: "<row> × <column>: value (n = documents with both)"; pass the
    "count" matrix as `counts` for jaccard or lift (for "count" the matrix is its own count)."""
    title = (
        title if title is not None else f"Theme co-occurrence: {COOCCURRENCE_TITLES.get(measure, measure)}"
    )
    if matrix_df is None or matrix_df.empty:
        return empty_figure(empty_message, title=title)
    values = matrix_df.to_numpy(dtype="float64").copy()
    np.fill_diagonal(values, np.nan)
    if counts is None and measure == "count":
        counts = matrix_df
    labels_y = [str(v) for v in matrix_df.index]
    labels_x = [str(v) for v in matrix_df.columns]
    customdata = np.empty(values.shape + (3,), dtype=object)
    customdata[:, :, 0] = np.array(labels_x, dtype=object)[None, :]
    customdata[:, :, 1] = np.array(labels_y, dtype=object)[:, None]
    if counts is not None:
        customdata[:, :, 2] = (
            counts.reindex(index=matrix_df.index, columns=matrix_df.columns).fillna(0).to_numpy(dtype="int64")
        )
        n_part = " (n = %{customdata[2]:,} documents with both)"
    else:
        customdata[:, :, 2] = ""
        n_part = ""
    finite = values[np.isfinite(values)]
    trace = {
        "type": "heatmap",
        "z": values,
        "x": labels_x,
        "y": labels_y,
        "customdata": customdata,
        # The customdata hands the real theme names back on a click; the hover draws escaped ones.
        "text": [[f"{plotly_text(y)} × {plotly_text(x)}" for x in labels_x] for y in labels_y],
        "hovertemplate": f"%{{text}}: %{{z:{VALUE_FORMAT}}}{n_part}<extra></extra>",
        "hoverongaps": False,
        "colorscale": _scale(COUNT_SCALE),
        "zmin": 0,
        "colorbar": {"title": {"text": COOCCURRENCE_TITLES.get(measure, measure), "side": "right"}},
        "xgap": 1,
        "ygap": 1,
    }
    if measure == "jaccard":
        trace["zmax"] = 1
    elif len(finite) and finite.max() > 0:
        trace["zmax"] = float(finite.max())
    size = max(420, 26 * len(labels_y) + 220)
    return figure_from([trace], _layout(
        title=title, x_title="Theme", y_title="Theme", height=size,
        xaxis={**_category_axis(labels_x), "tickangle": -45},
        yaxis={**_category_axis(labels_y), "autorange": "reversed"}, right=COLORBAR_PX))


#: The theme network's labels are placed for a plot area this size (px): the width the app gives it
#: beside the list of unlinked themes on a 1280 px screen (487 px measured in Chromium; 652 at 1500).
#: Wider only adds room between labels.
NETWORK_PLOT_PX = (480, 530)
NETWORK_HEIGHT = 600
#: Beyond 20 drawn themes the figure grows this much taller per theme (up to NETWORK_MAX_HEIGHT).
NETWORK_PX_PER_NODE = 7
NETWORK_MAX_HEIGHT = 900
NETWORK_LABEL_WIDTH = 28
#: Room around the outermost nodes, as a share of the layout's width and height: for their labels.
NETWORK_PAD = (0.15, 0.06)
#: A 12 px label with its background: width per character and height, rounded up from Chromium
#: (theme names on 2,000 synthetic documents: 5.4 px per character, 19 px high).
LABEL_CHAR_PX = 6.2
LABEL_LINE_PX = 20.0
#: Where a label may sit around its node, in order of preference: plotly textposition -> the box's
#: offset from the node centre as a function of (node radius, label width, label height).
_LABEL_SPOTS = {
    "top center": lambda r, w, h: (-w / 2, r + 2),
    "bottom center": lambda r, w, h: (-w / 2, -r - 2 - h),
    "middle right": lambda r, w, h: (r + 4, -h / 2),
    "middle left": lambda r, w, h: (-r - 4 - w, -h / 2),
    "top right": lambda r, w, h: (r * 0.75, r * 0.75),
    "top left": lambda r, w, h: (-r * 0.75 - w, r * 0.75),
    "bottom right": lambda r, w, h: (r * 0.75, -r * 0.75 - h),
    "bottom left": lambda r, w, h: (-r * 0.75 - w, -r * 0.75 - h),
}
#: The same spots as plotly annotation anchors and shifts (px) from the node centre.
_LABEL_ANCHORS = {
    "top center": lambda r: {"xanchor": "center", "yanchor": "bottom", "yshift": r + 2},
    "bottom center": lambda r: {"xanchor": "center", "yanchor": "top", "yshift": -r - 2},
    "middle right": lambda r: {"xanchor": "left", "yanchor": "middle", "xshift": r + 4},
    "middle left": lambda r: {"xanchor": "right", "yanchor": "middle", "xshift": -r - 4},
    "top right": lambda r: {"xanchor": "left", "yanchor": "bottom", "xshift": r * 0.75, "yshift": r * 0.75},
    "top left": lambda r: {"xanchor": "right", "yanchor": "bottom", "xshift": -r * 0.75, "yshift": r * 0.75},
    "bottom right": lambda r: {"xanchor": "left", "yanchor": "top", "xshift": r * 0.75, "yshift": -r * 0.75},
    "bottom left": lambda r: {"xanchor": "right", "yanchor": "top", "xshift": -r * 0.75, "yshift": -r * 0.75},
}
NETWORK_NODE_COLOUR = "#E69F00"
#: Edge colour runs over COUNT_SCALE from this far up (the palest blues vanish on white).
_EDGE_SCALE_FLOOR = 0.35


def label_spots(
    centres: np.ndarray, radii: np.ndarray, widths: np.ndarray, area: tuple[float, float] = NETWORK_PLOT_PX,
) -> list[str | None]:
    """Where each node's label goes so that no two labels, and no label and node, overlap.

    centres: n x 2 node centres in px (origin bottom left, within `area`); radii: node radii in px;
    widths: label widths in px. Nodes are taken in the given order (put the largest first); each
    label takes the first spot of _LABEL_SPOTS that stays inside the area and clear of every node
    and of the labels already placed, else None (the node keeps its hover).
    """
    width, height = area
    placed: list[tuple[float, float, float, float]] = []
    nodes = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(centres, radii)]

    def clear(box: tuple[float, float, float, float], own: int) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            return False
        for other, (a0, b0, a1, b1) in enumerate(nodes):
            if other != own and x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                return False
        return all(not (x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1) for a0, b0, a1, b1 in placed)

    spots: list[str | None] = []
    for index, ((x, y), r, w) in enumerate(zip(centres, radii, widths)):
        chosen = None
        for name, offset in _LABEL_SPOTS.items():
            dx, dy = offset(r, w, LABEL_LINE_PX)
            box = (x + dx, y + dy, x + dx + w, y + dy + LABEL_LINE_PX)
            if clear(box, index):
                chosen = name
                placed.append(box)
                break
        spots.append(chosen)
    return spots


def placed_labels(
    xy: np.ndarray, sizes: np.ndarray, names: list[str], *, area: tuple[float, float], label_width: int,
    font_size: int = 12, pad: tuple[float, float] = (0.15, 0.06),
) -> tuple[list[dict], list[float], list[float]]:
    """Node positions (data units) and marker sizes (px), largest first -> (label annotations
    placed clear of each other and of the nodes by label_spots, x range, y range).

    The ranges are the positions' extent plus `pad` (shares of width and height, room for labels),
    which is what maps data units to the px of `area` the spots are worked out in. A node whose
    label finds no room gets none (it keeps its hover)."""
    pad_x = (xy[:, 0].max() - xy[:, 0].min() or 1.0) * pad[0] + 1e-9
    pad_y = (xy[:, 1].max() - xy[:, 1].min() or 1.0) * pad[1] + 1e-9
    x_range = [float(xy[:, 0].min() - pad_x), float(xy[:, 0].max() + pad_x)]
    y_range = [float(xy[:, 1].min() - pad_y), float(xy[:, 1].max() + pad_y)]
    width, height = area
    centres = np.column_stack([
        (xy[:, 0] - x_range[0]) / (x_range[1] - x_range[0]) * width,
        (xy[:, 1] - y_range[0]) / (y_range[1] - y_range[0]) * height,
    ])
    scale = font_size / 12
    # The width of the drawn text (entities such as &amp; draw one character).
    widths = np.array([len(short_label(n, label_width).replace("&amp;", "&").replace("&lt;", "<")
                           .replace("&gt;", ">")) * LABEL_CHAR_PX * scale + 6 for n in names])
    spots = label_spots(centres, sizes / 2, widths, area)
    annotations = [
        {"x": float(x), "y": float(y), "text": short_label(name, label_width), "showarrow": False,
         **_LABEL_ANCHORS[spot](radius), "font": {"size": font_size, "color": "#262730"},
         "bgcolor": "rgba(255,255,255,0.8)", "borderpad": 1}
        for (x, y), name, spot, radius in zip(xy, names, spots, sizes / 2) if spot
    ]
    return annotations, x_range, y_range


def _edge_spread(values: np.ndarray, measure: str) -> np.ndarray:
    """Edge values -> 0..1 for width and colour: lift on a log scale (its range is wide and 1 is
    its middle), the others linearly; all equal -> 1."""
    scaled = np.log(np.maximum(values, 1e-9)) if measure == "lift" else values.astype("float64")
    low, high = (scaled.min(), scaled.max()) if len(scaled) else (0.0, 0.0)
    return (scaled - low) / (high - low) if high > low else np.ones(len(scaled))


def _measure_text(value: float, measure: str) -> str:
    return f"{value:,.0f}" if measure == "count" else f"{value:,.2f}"


def network(
    graph: nx.Graph, *, title: str, measure: str = "count", empty_message: str = EMPTY_MESSAGE,
) -> go.Figure:
    """theme_graph's Graph -> node-link figure of its linked themes (spring layout, fixed seed; themes
    without a link are left out for the page to list). Node size grows with `documents`; a link's
    width and colour with `measure` ("count": shared documents, "jaccard" or "lift"), with a colour
    bar. Labels are placed clear of each other and of the nodes (label_spots), largest themes first;
    a theme without room keeps its hover. Hover on a node: theme, documents, its links; on a link's
    midpoint: both themes, the measure and the documents it rests on. Node customdata = theme name,
    so a click can filter by it (link midpoints carry none)."""
    linked_count = sum(1 for node in graph.nodes if graph.degree(node) > 0) if graph is not None else 0
    height = int(min(NETWORK_MAX_HEIGHT, NETWORK_HEIGHT + NETWORK_PX_PER_NODE * max(linked_count - 20, 0)))
    plot_w, plot_h = NETWORK_PLOT_PX[0], NETWORK_PLOT_PX[1] + height - NETWORK_HEIGHT
    from signals.analysis import graph_layout  # networkx: imported by the pages that draw graphs

    positions = graph_layout.packed_positions(graph, aspect=plot_w / plot_h) if linked_count else {}
    if not positions:
        message = empty_message if graph is None or graph.number_of_nodes() == 0 else (
            "No two themes share enough documents to be linked.")
        return empty_figure(message, title=title)
    attribute = {"count": "weight"}.get(measure, measure)
    measure_title = COOCCURRENCE_TITLES.get(measure, measure)
    edges = list(graph.edges(data=True))
    values = np.array([float(data.get(attribute, data.get("weight", 1))) for _, _, data in edges])
    spread = _edge_spread(values, measure)
    traces = []
    # One trace per width class: a scatter line has one width and one colour.
    by_class: dict[int, tuple[list, list]] = {}
    for (a, b, _), level in zip(edges, spread):
        xs, ys = by_class.setdefault(int(np.rint(5 * level)), ([], []))
        xs += [positions[a][0], positions[b][0], None]
        ys += [positions[a][1], positions[b][1], None]
    for level, (xs, ys) in sorted(by_class.items()):
        colour = sample_colorscale(_scale(COUNT_SCALE), [_EDGE_SCALE_FLOOR + (1 - _EDGE_SCALE_FLOOR) * level / 5])[0]
        traces.append({
            "type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip", "showlegend": False,
            "line": {"width": 1 + level, "color": colour},
        })
    ticks = np.unique(np.quantile(spread, [0, 0.5, 1])) if len(spread) else np.array([])
    tick_values = [values[int(np.argmin(np.abs(spread - t)))] for t in ticks]
    traces.append({
        "type": "scatter",
        "x": [(positions[a][0] + positions[b][0]) / 2 for a, b, _ in edges],
        "y": [(positions[a][1] + positions[b][1]) / 2 for a, b, _ in edges],
        "mode": "markers",
        "showlegend": False,
        "hovertext": [
            f"{plotly_text(a)} — {plotly_text(b)}<br>{measure_title}: {_measure_text(v, measure)}"
            + ("" if measure == "count" else f"<br>{int(data.get('weight', 0)):,} documents with both")
            + f"<br>{plotly_text(a)}: {graph.nodes[a].get('documents', 0):,} · "
              f"{plotly_text(b)}: {graph.nodes[b].get('documents', 0):,} documents"
            for (a, b, data), v in zip(edges, values)
        ],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {
            "size": 7, "color": list(spread), "colorscale": _scale(COUNT_SCALE), "cmin": -_EDGE_SCALE_FLOOR / (
                1 - _EDGE_SCALE_FLOOR), "cmax": 1, "line": {"width": 0},
            "showscale": True,
            "colorbar": {"title": {"text": measure_title, "side": "right"}, "tickmode": "array",
                         "len": 0.45, "y": 1, "yanchor": "top", "thickness": 14,
                         "tickvals": list(ticks), "ticktext": [_measure_text(v, measure) for v in tick_values]},
        },
    })

    names = sorted(positions, key=lambda n: (-graph.nodes[n].get("documents", 0), str(n)))
    documents = np.array([graph.nodes[n].get("documents", 0) for n in names], dtype="float64")
    largest = documents.max() if len(documents) and documents.max() > 0 else 1.0
    sizes = 12 + 26 * np.sqrt(documents / largest)
    xy = np.array([positions[n] for n in names], dtype="float64")
    labels, x_range, y_range = placed_labels(xy, sizes, [str(n) for n in names], area=(plot_w, plot_h),
                                             label_width=NETWORK_LABEL_WIDTH, pad=NETWORK_PAD)
    link_lists = []
    for n in names:
        linked = sorted(graph[n].items(), key=lambda item: (-float(item[1].get(attribute, 0)), str(item[0])))
        shown = ", ".join(f"{plotly_text(other)} ({_measure_text(float(data.get(attribute, 0)), measure)})"
                          for other, data in linked[:6])
        more = f" and {len(linked) - 6} more" if len(linked) > 6 else ""
        link_lists.append(f"<br>Linked ({measure_title.lower()}): {shown}{more}")
    traces.append({
        "type": "scatter",
        "x": list(xy[:, 0]),
        "y": list(xy[:, 1]),
        "mode": "markers",
        "customdata": names,
        "hovertext": [
            f"<b>{plotly_text(n)}</b><br>{int(d):,} documents{links}"
            for n, d, links in zip(names, documents, link_lists)
        ],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {"size": list(sizes), "color": NETWORK_NODE_COLOUR, "opacity": 1,
                   "line": {"width": 1, "color": "#444"}},
        "showlegend": False,
    })
    # Labels as annotations, not scatter text: their pale background keeps them readable where
    # links cross them.
    return figure_from(traces, {
        "title": {"text": title, "x": 0},
        "annotations": labels,
        "height": height,
        "margin": {"l": 10, "r": COLORBAR_PX, "t": TITLE_PX, "b": 10},
        "hoverlabel": {"align": "left"},
        "xaxis": {"visible": False, "range": x_range, "fixedrange": False},
        "yaxis": {"visible": False, "range": y_range},
        "dragmode": "pan",
    })


#: The typed network's height, and the plot area its labels are placed for (px): the width it gets
#: at 1280 px, less its margins; a wider screen only adds room between labels.
TYPED_NETWORK_HEIGHT = 640
TYPED_NETWORK_PLOT_PX = (880, 590)
#: One colour per node type of the typed network (colour-blind-safe Okabe-Ito palette).
NODE_TYPE_COLOURS = {
    "themes": "#0072B2", "signals": "#E69F00", "concerns": "#D55E00", "behaviors": "#009E73",
    "technologies": "#CC79A7", "issues": "#56B4E9",
}


def typed_network(
    graph: nx.Graph, positions: pd.DataFrame, *, type_names: dict[str, str], item_names: dict[str, str]
) -> go.Figure:
    """signals.analysis.network's graph drawn at its `positions` (node, type, label, x, y, documents,
    links; optional text = the full wording, shown in the hover under a shorter label): grey links
    (wider = heavier), one coloured trace per node type (themes as diamonds), node size by documents.
    Node customdata = [node id, type, label, text], what a click reads. `type_names` names each type
    in the legend ("Themes"), `item_names` one node of it in the hover ("theme")."""
    if graph is None or graph.number_of_nodes() == 0 or positions is None or positions.empty:
        return empty_figure(title="")
    weights = [w for _, _, w in graph.edges(data="weight")]
    heaviest = max(weights) if weights else 1.0
    where = positions.set_index("node")[["x", "y"]]
    by_width: dict[int, tuple[list, list]] = {}
    for a, b, weight in graph.edges(data="weight"):
        width = 1 + round(4 * weight / heaviest)
        xs, ys = by_width.setdefault(width, ([], []))
        xs += [where.at[a, "x"], where.at[b, "x"], None]
        ys += [where.at[a, "y"], where.at[b, "y"], None]
    traces = [
        {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip", "showlegend": False,
         "line": {"width": width, "color": "rgba(120,120,120,0.35)"}}
        for width, (xs, ys) in sorted(by_width.items())
    ]
    largest = max(positions["documents"].max(), 1)
    for node_type, nodes in positions.groupby("type", sort=False):
        name = type_names.get(node_type, str(node_type))
        item = item_names.get(node_type, str(node_type))
        labels = nodes["label"].astype("str").tolist()
        texts = nodes["text"].astype("str").tolist() if "text" in nodes.columns else labels
        # The full wording wrapped: a 200-character description on one line made a hover wider than the chart.
        wording = ["<br>" + "<br>".join(plotly_text(line) for line in textwrap.wrap(text, HOVER_WRAP))
                   if text != label else "" for label, text in zip(labels, texts)]
        traces.append({
            "type": "scatter",
            "x": nodes["x"].tolist(),
            "y": nodes["y"].tolist(),
            "mode": "markers",
            "name": plotly_text(name),
            "customdata": [list(row) for row in zip(nodes["node"], nodes["type"], labels, texts)],
            "hovertext": [
                f"{plotly_text(item)}: {plotly_text(label)}{full}<br>{int(d):,} documents · {int(k)} links"
                for label, full, d, k in zip(labels, wording, nodes["documents"], nodes["links"])
            ],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "marker": {
                "size": [_typed_node_px(d, largest) for d in nodes["documents"]],
                "color": NODE_TYPE_COLOURS.get(node_type, "#777"),
                "line": {"width": 1, "color": "#333"},
                "symbol": "diamond" if node_type == "themes" else "circle",
            },
        })
    # Labels placed clear of each other and of the nodes, as on the theme network (the
    # best-connected rows sat in one knot of overlapping text); most documents first.
    ordered = positions.sort_values(["documents", "links", "label"], ascending=[False, False, True], kind="stable")
    annotations, x_range, y_range = placed_labels(
        ordered[["x", "y"]].to_numpy(dtype="float64"),
        np.array([_typed_node_px(d, largest) for d in ordered["documents"]]),
        ordered["label"].astype("str").tolist(), area=TYPED_NETWORK_PLOT_PX, label_width=22, font_size=10)
    layout = {
        "height": TYPED_NETWORK_HEIGHT,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "hoverlabel": {"align": "left"},
        "legend": {"title": {"text": "Node type "}, "orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "annotations": annotations,
        "xaxis": {"visible": False, "range": x_range},
        "yaxis": {"visible": False, "range": y_range},
    }
    return figure_from(traces, layout)


def _typed_node_px(documents: float, largest: float) -> float:
    """A typed-network node's marker size (px): grows with the square root of its documents."""
    return 9 + 22 * math.sqrt(documents / largest)


#: Colours of the annotation values on the assessment grid: time to impact from near (dark red) to
#: far (dark blue), no horizon grey; status from untriaged grey to escalated red, dismissed pale.
HORIZON_COLOURS = {"<1y": "#b2182b", "1-3y": "#ef8a62", "3-10y": "#67a9cf", ">10y": "#2166ac",
                   "no horizon": "#9e9e9e"}
STATUS_COLOURS = {"new": "#7f7f7f", "watch": "#1f77b4", "escalate": "#d62728", "dismissed": "#c7c7c7"}
#: The Emerging page's labels (signals.analysis.emerging.LABELS).
EMERGING_LABEL_COLOURS = {"new": "#9467bd", "returning": "#17becf", "growing": "#2ca02c", "steady": "#7f7f7f", "fading": "#bcbd22"}
#: Zone tints behind the assessment grid's points (signals.analysis.assessment.ZONES), and where each
#: zone's name is written: (x side, y side) of the plot.
ZONE_TINTS = {"act_now": "rgba(214,39,40,0.08)", "prepare": "rgba(255,127,14,0.08)",
              "monitor": "rgba(31,119,180,0.07)", "park": "rgba(127,127,127,0.05)"}
_ZONE_CORNERS = {"act_now": ("right", "top"), "prepare": ("left", "top"), "monitor": ("right", "bottom"),
                 "park": ("left", "bottom")}
ASSESSMENT_HEIGHT = 600


#: The assessment plot's drawing area (px) at the page's usual width, for placing point labels.
ASSESSMENT_PLOT_PX = (370, 480)
#: Point labels longer than this are cut with "…" (the tooltip keeps the name).
ASSESSMENT_LABEL_WIDTH = 24


def _point_labels(points: pd.DataFrame, largest: float, x_range: tuple[float, float],
                  y_range: tuple[float, float]) -> list[dict]:
    """Names beside the points, most documents first, where each fits clear of the others."""
    ordered = points.sort_values(["documents", "name"], ascending=[False, True], kind="stable")
    width, height = ASSESSMENT_PLOT_PX
    centres = np.column_stack([
        (ordered["x"].to_numpy(dtype="float64") - x_range[0]) / (x_range[1] - x_range[0]) * width,
        (ordered["y"].to_numpy(dtype="float64") - y_range[0]) / (y_range[1] - y_range[0]) * height,
    ])
    radii = np.array([_assessment_marker_px(d, largest) / 2 for d in ordered["documents"]])
    names = ordered["name"].astype("str").tolist()
    widths = np.array([len(short_label(n, ASSESSMENT_LABEL_WIDTH).replace("&amp;", "&").replace("&lt;", "<")
                           .replace("&gt;", ">")) * LABEL_CHAR_PX + 6 for n in names])
    spots = label_spots(centres, radii, widths, ASSESSMENT_PLOT_PX)
    return [{"x": float(x), "y": float(y), "xref": "x", "yref": "y", "text": short_label(name, ASSESSMENT_LABEL_WIDTH),
             "showarrow": False, **_LABEL_ANCHORS[spot](radius), "font": {"size": 11, "color": "#262730"},
             "bgcolor": "rgba(255,255,255,0.75)", "borderpad": 1}
            for x, y, name, spot, radius in zip(ordered["x"], ordered["y"], names, spots, radii) if spot]


def _assessment_marker_px(documents: float, largest: float) -> float:
    """A grid point's size (px): its area grows with its documents."""
    return 12 + 26 * math.sqrt(documents / largest)


def assessment_grid(
    points: pd.DataFrame,
    *,
    zone_names: dict[str, str],
    x_title: str,
    y_title: str,
    x_cut: float,
    y_cut: float,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    colour_title: str,
    colours: dict[str, str],
    hover: list[str],
    title: str,
    whole_ticks: bool = False,
    label_points: bool = False,
    empty_message: str = EMPTY_MESSAGE,
) -> go.Figure:
    """Assessment points (signals.analysis.assessment.POINT_COLUMNS) -> a scatter over four tinted,
    named zones cut at (x_cut, y_cut), one trace per colour value in `colours`' order (the legend),
    markers sized by documents. `hover` holds each point's tooltip (plain text lines joined by
    "\\n", escaped here); each marker's customdata is its point id, what a click or a box / lasso
    selection hands back. `whole_ticks`: ticks on the integers (the 1-5 ratings). `label_points`:
    each point's name beside it where it fits clear of the others (label_spots; the rest keep their
    tooltip), for a few dozen themes; rated rows' names are too long for that."""
    if points is None or points.empty:
        return empty_figure(empty_message, title=title)
    (x0, x1), (y0, y1) = x_range, y_range
    shapes = [{"type": "rect", "xref": "x", "yref": "y", "layer": "below", "line": {"width": 0},
               "fillcolor": ZONE_TINTS[zone],
               "x0": x_cut if side_x == "right" else x0, "x1": x1 if side_x == "right" else x_cut,
               "y0": y_cut if side_y == "top" else y0, "y1": y1 if side_y == "top" else y_cut}
              for zone, (side_x, side_y) in _ZONE_CORNERS.items()]
    shapes += [{"type": "line", "xref": "x", "yref": "y", "x0": x_cut, "x1": x_cut, "y0": y0, "y1": y1,
                "line": {"color": "#555", "width": 1.5, "dash": "dash"}},
               {"type": "line", "xref": "x", "yref": "y", "x0": x0, "x1": x1, "y0": y_cut, "y1": y_cut,
                "line": {"color": "#555", "width": 1.5, "dash": "dash"}}]
    annotations = [{"text": f"<b>{plotly_text(zone_names[zone])}</b>", "showarrow": False, "xref": "x", "yref": "y",
                    "x": x1 if side_x == "right" else x0, "y": y1 if side_y == "top" else y0,
                    "xanchor": side_x, "yanchor": side_y, "font": {"size": 15, "color": "#333"},
                    "bgcolor": "rgba(255,255,255,0.7)", "borderpad": 3}
                   for zone, (side_x, side_y) in _ZONE_CORNERS.items()]
    largest = max(float(points["documents"].max()), 1.0)
    if label_points:
        annotations += _point_labels(points, largest, x_range, y_range)
    # Long lines wrapped: eight names on one line made a tooltip wider than the chart.
    tooltips = pd.Series(["<br>".join(plotly_text(part) for line in text.split("\n")
                                      for part in (textwrap.wrap(line, HOVER_WRAP) or [""])) for text in hover],
                         index=points.index)
    traces = []
    for value, colour in colours.items():
        chosen = points[points["colour"] == value]
        if chosen.empty:
            continue
        traces.append({
            "type": "scatter",
            "mode": "markers",
            "name": plotly_text(value),
            "x": chosen["x"].tolist(),
            "y": chosen["y"].tolist(),
            "customdata": [[point] for point in chosen["point"]],
            "hovertext": tooltips[chosen.index].tolist(),
            "hovertemplate": "%{hovertext}<extra></extra>",
            "marker": {"size": [_assessment_marker_px(d, largest) for d in chosen["documents"]], "color": colour,
                       "opacity": 0.85, "line": {"width": 1, "color": "#333"}},
        })
    tick = {"tickmode": "array", "tickvals": list(range(math.ceil(x0), math.floor(x1) + 1))} if whole_ticks else {}
    ytick = {"tickmode": "array", "tickvals": list(range(math.ceil(y0), math.floor(y1) + 1))} if whole_ticks else {}
    layout = _layout(
        title=title, x_title=x_title, y_title=y_title, height=ASSESSMENT_HEIGHT,
        # Fixed ranges: the zones are the chart; a drag that panned them away helped nobody. No
        # dragmode set: Streamlit's default (a click selects a point) is what makes clicks work, and
        # in its box or lasso mode (the toolbar) a click was not handed back (Streamlit 1.67).
        xaxis={"range": [x0, x1], "zeroline": False, "showgrid": False, "fixedrange": True, **tick},
        yaxis={"range": [y0, y1], "zeroline": False, "showgrid": False, "fixedrange": True, **ytick},
        right=_legend_px([colour_title, *colours]), shapes=shapes, annotations=annotations,
        legend={"title": {"text": plotly_text(colour_title)}, "itemsizing": "constant"},
    )
    return figure_from(traces, layout)
