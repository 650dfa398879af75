"""Vega-Lite specs for the Overview's bar charts (plain dicts for st.vega_lite_chart). No Streamlit here.

Why these are not plotly figures (signals.charts): the Overview is the page every visit opens on,
and plotly.js costs about a second of browser time before its first chart is drawn. Measured on
2026-11-26 with the Overview's six bar charts, 10,000 documents, fresh Chromium contexts (median of
5, twice): first full page 3.15 / 4.07 s with plotly, 2.33 / 2.68 s with the same bars in Vega-Lite,
2.36 / 2.46 s with no charts at all. Heatmaps, co-occurrence and networks stay in plotly.

The same conventions as signals.charts: axis titles in words; the tooltip gives the full label and
the value (long labels are cut on the axis only, by Vega-Lite's labelLimit); one bar colour
(charts.BAR_COLOUR) and the fixed relevancy colours (charts.RELEVANCY_COLOURS). Vega draws every
label as text and its tooltip escapes HTML, so document text never becomes markup.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from signals import schema
from signals.charts import BAR_COLOUR, EMPTY_MESSAGE, RELEVANCY_COLOURS
from signals.charts import scale_stops as charts_scale_stops

#: Axis labels wider than this (pixels) are cut with "…"; the tooltip keeps the full text.
LABEL_LIMIT = 220
#: Height of one bar's row in horizontal bar charts.
BAR_STEP = 22
#: The field holding a bar's label and value in every spec here (what a click selection returns).
LABEL, VALUE = "label", "value"
VALUE_FORMAT = ",.3~f"  # 1,234 / 4.27 / 3


#: Room around a chart, so the last tick label of an axis is not cut at the edge.
PADDING = {"left": 5, "top": 5, "right": 16, "bottom": 5}


def _title(text: str) -> dict:
    return {"text": text, "anchor": "start"}


def empty(message: str = EMPTY_MESSAGE, *, title: str = "") -> dict:
    """A chart with no axes and `message` in the middle: what every chart here gives for empty input."""
    return {
        "title": _title(title),
        "height": 120,
        "data": {"values": [{"message": message}]},
        "mark": {"type": "text", "fontSize": 15, "color": "#555"},
        "encoding": {"text": {"field": "message", "type": "nominal"}},
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    # Column lists zipped, not DataFrame.to_dict(orient="records"): a third of the cost on these
    # 5-60 row frames (~0.7 ms a chart saved, on every rerun that draws one).
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in zip(*(frame[c].tolist() for c in columns))]


def bar(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    horizontal: bool = False,
    select: str | None = None,
    empty_message: str = EMPTY_MESSAGE,
) -> dict:
    """A frame -> bar chart spec, bars in the frame's order. Vertical: x holds the categories (dates
    give a month axis) and y the values; horizontal=True: y holds the categories (first row on top)
    and x the values. `select` names a point selection on the label, so a click hands it back."""
    category, amount = (y, x) if horizontal else (x, y)
    if df is None or df.empty or category not in df.columns or amount not in df.columns:
        return empty(empty_message, title=title)
    frame = pd.DataFrame({VALUE: df[amount].to_numpy()})
    dates = pd.api.types.is_datetime64_any_dtype(df[category])
    frame[LABEL] = df[category].dt.strftime("%Y-%m-%d").to_numpy() if dates else df[category].astype("str").to_numpy()
    category_title, value_title = (y_title, x_title) if horizontal else (x_title, y_title)
    if dates:
        label_encoding = {"field": LABEL, "type": "temporal", "timeUnit": "yearmonth", "title": category_title}
        label_tooltip = {"field": LABEL, "type": "temporal", "timeUnit": "yearmonth", "title": category_title,
                         "format": "%B %Y"}
    else:
        # The order spelled out, not `"sort": None` (data order): Streamlit hands a changed chart
        # its new rows as a dataset update, and Vega kept the old rows' order for the labels it
        # already knew (after a filter change a bar of 2 was drawn above a bar of 9).
        label_encoding = {"field": LABEL, "type": "nominal", "sort": pd.unique(frame[LABEL]).tolist(),
                          "title": category_title, "axis": {"labelLimit": LABEL_LIMIT}}
        label_tooltip = {"field": LABEL, "type": "nominal", "title": category_title}
    value_encoding = {"field": VALUE, "type": "quantitative", "title": value_title}
    if pd.api.types.is_integer_dtype(frame[VALUE]):
        # Counts: whole-number ticks only (an axis of 0, 0.5, 1 documents reads as nonsense).
        value_encoding["axis"] = {"tickMinStep": 1, "format": ",d"}
    spec: dict = {
        "title": _title(title),
        "padding": PADDING,
        "data": {"values": _records(frame)},
        "mark": {"type": "bar", "color": BAR_COLOUR, "tooltip": True},
        "encoding": {
            ("y" if horizontal else "x"): label_encoding,
            ("x" if horizontal else "y"): value_encoding,
            "tooltip": [label_tooltip, {"field": VALUE, "type": "quantitative", "title": value_title,
                                        "format": VALUE_FORMAT}],
        },
    }
    if horizontal:
        spec["height"] = {"step": BAR_STEP}
    else:
        spec["height"] = 300
    if select:
        spec["params"] = [{"name": select, "select": {"type": "point", "fields": [LABEL]}}]
    return spec


def stacked_relevancy(
    dist_df: pd.DataFrame, *, title: str = "Relevancy of rows by section", empty_message: str = EMPTY_MESSAGE
) -> dict:
    """relevancy_distribution's frame (section, relevancy, rows) -> bars per section stacked by
    relevancy level (1 at the bottom), coloured as on every chart. Tooltip: section, level, rows and
    their share of the section's rated rows."""
    if dist_df is None or dist_df.empty or not {"section", "relevancy", "rows"} <= set(dist_df.columns) \
            or not dist_df["rows"].sum():
        return empty(empty_message, title=title)
    sections_column = dist_df["section"].astype("str")
    rows = dist_df["rows"].to_numpy(dtype="int64")
    totals = pd.Series(rows).groupby(sections_column.to_numpy(), sort=False).transform("sum").to_numpy()
    frame = pd.DataFrame({
        "section": sections_column.to_numpy(),
        "relevancy": dist_df["relevancy"].to_numpy(dtype="int64"),
        "rows": rows,
        "share": np.divide(rows, totals, out=np.zeros(len(rows)), where=totals > 0),
    })
    sections = pd.unique(frame["section"]).tolist()
    levels = list(range(schema.RELEVANCY_MIN, schema.RELEVANCY_MAX + 1))
    return {
        "title": _title(title),
        "padding": PADDING,
        "height": 300,
        "data": {"values": _records(frame)},
        "mark": {"type": "bar", "stroke": "#999", "strokeWidth": 0.5, "tooltip": True},
        "encoding": {
            # Slanted: level, five section names overlap at this chart's width and Vega-Lite
            # then drops every other one (concerns and technologies went missing).
            "x": {"field": "section", "type": "nominal", "sort": sections, "title": "Section",
                  "axis": {"labelAngle": -30, "labelOverlap": False}},
            "y": {"field": "rows", "type": "quantitative", "stack": "zero", "title": "Rated rows"},
            "color": {
                "field": "relevancy", "type": "ordinal", "title": "Relevancy",
                "scale": {"domain": levels, "range": [RELEVANCY_COLOURS[level] for level in levels]},
                "legend": {"orient": "right", "reverse": True, "symbolType": "square", "symbolSize": 160,
                           "symbolStrokeWidth": 0.5, "symbolStrokeColor": "#999"},
            },
            "order": {"field": "relevancy", "type": "quantitative", "sort": "ascending"},
            "tooltip": [
                {"field": "section", "type": "nominal", "title": "Section"},
                {"field": "relevancy", "type": "ordinal", "title": "Relevancy"},
                {"field": "rows", "type": "quantitative", "title": "Rows", "format": ","},
                {"field": "share", "type": "quantitative", "title": "Share of the section", "format": ".0%"},
            ],
        },
    }


#: Cells resting on fewer rows (or documents) than this are drawn faded: a mean of one or two rows is
#: not a finding. The chart's caption and tooltip say so.
LOW_SUPPORT = 3
#: Cell labels are written inside cells only while the grid has at most this many columns.
CELL_TEXT_MAX_COLUMNS = 16
#: Height of one heatmap row.
CELL_STEP = 24
#: Fields of a heatmap cell record: what a click hands back (X_KEY, Y_KEY as the aggregates hold them).
X_KEY, Y_KEY, X_LABEL, CELL_VALUE, CELL_COUNT = "x_key", "y_key", "x_label", "value", "count"


def scale_stops(name: str, domain: tuple[float, float]) -> dict:
    """A named plotly colour scale (charts.RELEVANCY_SCALE / COUNT_SCALE) as a Vega-Lite scale over
    `domain`: the same stops as the plotly charts, so one colour means one value in both libraries."""
    stops = charts_scale_stops(name)
    low, high = domain
    return {
        "domain": [low + at * (high - low) for at, _ in stops],
        "range": [colour for _, colour in stops],
        "clamp": True,
    }


def heatmap(
    long_df: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    count: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    value_title: str,
    count_title: str,
    colour_scale: str,
    domain: tuple[float, float],
    value_format: str = ".1f",
    x_labels: list[str] | None = None,
    select: str | None = None,
    empty_message: str = EMPTY_MESSAGE,
) -> dict:
    """A long frame (one row per cell) -> a heatmap of rectangles, rows and columns in the order they
    first appear, cells with a zero `count` left blank (nothing there, not a value of 0).

    Colour: `colour_scale` over `domain` (pass the fixed 1-5 for relevancy so a colour means the same
    relevancy on every view; the caller decides when to fit it to the data and says so in
    `value_title`). Each cell says what it rests on: the tooltip gives the value and the count, cells
    with fewer than LOW_SUPPORT are faded, and small grids write "value (count)" in each cell.
    `x_labels` (same length as the distinct x values) shows other text on the x axis (months as
    "2024-07"); the selection still hands back X_KEY as given. `select` names a point selection on
    (X_KEY, Y_KEY): a click on a cell hands back its coordinates.
    """
    if long_df is None or long_df.empty or not {x, y, value, count} <= set(long_df.columns):
        return empty(empty_message, title=title)
    x_keys = pd.unique(long_df[x])
    y_keys = pd.unique(long_df[y])
    as_text = (lambda values: pd.Series(values).dt.strftime("%Y-%m-%d").tolist()
               if pd.api.types.is_datetime64_any_dtype(pd.Series(values))
               else [str(v) for v in values])
    x_key_text, y_key_text = as_text(x_keys), as_text(y_keys)
    x_label_text = list(x_labels) if x_labels is not None else x_key_text
    label_of_x = dict(zip(x_key_text, x_label_text))
    cells = long_df[long_df[count].fillna(0).to_numpy() > 0]
    if cells.empty:
        return empty(empty_message, title=title)
    cell_x = as_text(cells[x].to_numpy())
    frame = pd.DataFrame({
        X_KEY: cell_x,
        X_LABEL: [label_of_x[k] for k in cell_x],
        Y_KEY: as_text(cells[y].to_numpy()),
        CELL_VALUE: cells[value].to_numpy(dtype="float64"),
        CELL_COUNT: cells[count].to_numpy(dtype="int64"),
    })
    frame = frame[frame[CELL_VALUE].notna()]
    if frame.empty:
        return empty(empty_message, title=title)
    low, high = domain
    # The domain spelled out: Vega's comes from the cells drawn, and with empty cells left out a
    # month without documents vanished from a timeline (2004-07 sat next to 2022-08).
    x_encoding = {"field": X_LABEL, "type": "ordinal", "sort": x_label_text, "title": x_title,
                  "scale": {"domain": x_label_text},
                  "axis": {"labelLimit": LABEL_LIMIT, "labelOverlap": "greedy"}}
    if len(y_key_text) > 12:
        x_encoding["axis"]["orient"] = "top"  # tall grids: column names where the eye starts
    # Few short columns read level (Vega turned even "signals" on its side at the top); many slant.
    slanted = len(x_label_text) > 8 or max(len(t) for t in x_label_text) > 14
    x_encoding["axis"]["labelAngle"] = -45 if slanted else 0
    y_encoding = {"field": Y_KEY, "type": "ordinal", "sort": y_key_text, "title": y_title,
                  "scale": {"domain": y_key_text}, "axis": {"labelLimit": LABEL_LIMIT}}
    is_count = value_format in ("d", ",d")
    legend = {"title": value_title, "format": ",d" if is_count else ".1f", "gradientLength": 200}
    if is_count:
        legend["tickMinStep"] = 1
    tooltip = [
        {"field": Y_KEY, "type": "nominal", "title": y_title},
        {"field": X_LABEL, "type": "ordinal", "title": x_title},
        {"field": CELL_VALUE, "type": "quantitative", "title": value_title.split(" (")[0],
         "format": ",d" if is_count else ".2f"},
        {"field": CELL_COUNT, "type": "quantitative", "title": count_title, "format": ","},
    ]
    rect: dict = {
        "mark": {"type": "rect", "stroke": "white", "strokeWidth": 1, "tooltip": True, "cursor": "pointer"},
        "encoding": {
            "color": {"field": CELL_VALUE, "type": "quantitative",
                      "scale": scale_stops(colour_scale, (low, high)), "legend": legend},
            "opacity": {"condition": {"test": f"datum.{CELL_COUNT} < {LOW_SUPPORT}", "value": 0.35},
                        "value": 1},
            "tooltip": tooltip,
        },
    }
    layers = [rect]
    if select:
        rect["params"] = [{"name": select, "select": {"type": "point", "fields": [X_KEY, Y_KEY]}}]
        rect["encoding"]["strokeWidth"] = {"condition": {"param": select, "empty": False, "value": 3},
                                           "value": 1}
        rect["encoding"]["stroke"] = {"condition": {"param": select, "empty": False, "value": "#111"},
                                      "value": "white"}
    if len(x_label_text) <= CELL_TEXT_MAX_COLUMNS:
        label = (f"format(datum.{CELL_VALUE}, ',d')" if is_count
                 else f"format(datum.{CELL_VALUE}, '{value_format}') + ' (' + datum.{CELL_COUNT} + ')'")
        # Dark cells get white text: past two thirds of the scale the stops are dark red / dark blue.
        dark_from = low + (high - low) * 0.66
        layers.append({
            "transform": [{"calculate": label, "as": "cell_text"}],
            "mark": {"type": "text", "fontSize": 11, "tooltip": True},
            "encoding": {
                "text": {"field": "cell_text", "type": "nominal"},
                "color": {"condition": {"test": f"datum.{CELL_VALUE} >= {dark_from}", "value": "white"},
                          "value": "#222"},
                "tooltip": tooltip,
            },
        })
    return {
        "title": _title(title),
        "padding": PADDING,
        "data": {"values": _records(frame)},
        "height": {"step": CELL_STEP},
        "encoding": {"x": x_encoding, "y": y_encoding},
        "layer": layers,
        "config": {"axis": {"grid": False}},
    }
