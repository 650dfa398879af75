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
        label_encoding = {"field": LABEL, "type": "nominal", "sort": None, "title": category_title,
                          "axis": {"labelLimit": LABEL_LIMIT}}
        label_tooltip = {"field": LABEL, "type": "nominal", "title": category_title}
    value_encoding = {"field": VALUE, "type": "quantitative", "title": value_title}
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
