"""Heatmaps: mean relevancy by theme x section and category x section; themes over time.

Click a cell to list the table rows behind it (Vega-Lite rectangles with a point selection: plotly's
heatmap trace reports clicks to Streamlit as an empty selection, so its cells could not be opened).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from signals import charts, schema, vegalite
from signals.analysis import change_markers
from signals.analysis import heatmaps as cells
from signals.app import annotation_editor
from signals.app.components import cached_chart, display_frame, empty_state, link_columns, plain
from signals.app.context import current_view
from signals.wording import counted

#: The point selection on every heatmap: a click hands back the cell's (x_key, y_key).
CELL = "cell"
TAB_KEY = "heatmap_tab"


def _clicked(key: str) -> tuple[str, str] | None:
    """The clicked cell of the chart drawn under `key`, as (x_key, y_key), or None."""
    event = st.session_state.get(key) or {}
    points = (event.get("selection") or {}).get(CELL) or []
    for point in points if isinstance(points, list) else [points]:
        if isinstance(point, dict) and point.get(vegalite.X_KEY) is not None and point.get(vegalite.Y_KEY) is not None:
            return str(point[vegalite.X_KEY]), str(point[vegalite.Y_KEY])
    return None


def _rows_behind(corpus, described: str, **cell) -> None:
    rows = cells.rows_behind_cell(corpus, **cell)
    st.subheader(f"Rows behind {described}")
    if rows.empty:
        st.caption("No rows in this cell.")
        return
    st.caption(f"{counted(len(rows), 'row')}, most relevant first. "
               "Select rows to assess them; one, to open its document.")
    shown = display_frame(rows).drop(columns=["line", schema.ROW_KEY], errors="ignore")
    annotation_editor.rows_with_editor(rows, shown, key="heatmap-rows", column_config=link_columns(shown),
                                       after=("name", "label", "title"))


def _colour_domain(long: pd.DataFrame, value: str, fit: bool) -> tuple[tuple[float, float], str]:
    """The colour scale's ends and how the legend names them: the fixed 1-5 (default: one colour is
    one relevancy on every view) or, when asked, the range of the cells shown."""
    values = long.loc[long["rows"] > 0, value].dropna() if "rows" in long.columns else long[value].dropna()
    if fit and not values.empty and values.min() < values.max():
        low, high = float(values.min()), float(values.max())
        return (low, high), f"Mean relevancy (colours fitted to {low:.1f}–{high:.1f})"
    return charts.RELEVANCY_RANGE, "Mean relevancy (1–5)"


def _by_section(long: pd.DataFrame, by: str, fit: bool) -> dict:
    """Mean relevancy per (`by` value, section): the theme and the category heatmaps."""
    domain, legend = _colour_domain(long, "mean_relevancy", fit)
    return vegalite.heatmap(
        long, x="section", y=by, value="mean_relevancy", count="rows",
        title=f"Mean relevancy by {by} and section", x_title="Section", y_title=by.capitalize(),
        value_title=legend, count_title="Rated rows", colour_scale=charts.RELEVANCY_SCALE,
        domain=domain, select=CELL,
    )


def _period_labels(starts: pd.Series, period: str) -> list[str]:
    """Period starts -> axis text: "2024-07" for months, "2024 Q3" for quarters."""
    starts = pd.to_datetime(pd.Series(pd.unique(starts)))
    if period == "Q":
        return [f"{d.year} Q{d.quarter}" for d in starts]
    return starts.dt.strftime("%Y-%m").tolist()


def _by_period(corpus, top_n: int, measure: str, period: str, every_period: bool, marked: bool) -> dict:
    long = cells.themes_by_period(corpus, top_n=top_n, measure=measure, period=period)
    span = None if every_period else cells.dense_span(corpus, period)
    if span is not None:
        long = long[(long["period"] >= span[0]) & (long["period"] <= span[1])]
    markers = None
    if marked and not long.empty:
        # On the periods shown: a stray month years away is no baseline for the others.
        totals = change_markers.documents_per_period(corpus.document_facts, period)
        markers = change_markers.change_markers(long[["theme", "period", "documents"]], totals)
    is_mean = measure == "mean_relevancy"
    name = "month" if period == "M" else "quarter"
    title = ("Mean relevancy" if is_mean else "Documents") + f" by theme and {name}"
    if long.empty:
        return vegalite.empty(title=title)
    top = max(float(long["documents"].max()), 1.0)
    return vegalite.heatmap(
        long, x="period", y="theme", value="value", count="documents",
        title=title, x_title=name.capitalize(), y_title="Theme",
        value_title="Mean relevancy (1–5)" if is_mean else f"Documents per {name}",
        count_title="Documents",
        colour_scale=charts.RELEVANCY_SCALE if is_mean else charts.COUNT_SCALE,
        domain=charts.RELEVANCY_RANGE if is_mean else (0.0, top),
        value_format=".1f" if is_mean else ",d",
        x_labels=_period_labels(long["period"], period), select=CELL,
        markers=markers, markers_title="Change in documents",
    )


def _chart(view, key: str, settings: str, build) -> tuple[str, str] | None:
    """Draw one heatmap (its spec built once per view and settings); the clicked cell, if any."""
    spec = dict(cached_chart(view, f"{key}|{settings}", build))  # Streamlit takes "data" out of the spec
    st.vega_lite_chart(spec, key=key, on_select="rerun", selection_mode=CELL)
    return _clicked(key)


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Relevancy heatmaps")
    st.caption(
        "Mean relevancy (1 low – 5 high) of the table rows behind each cell, with the number of rows "
        f"it rests on in brackets; cells resting on fewer than {vegalite.LOW_SUPPORT} rows are faded. "
        "Click a cell to list its rows."
    )
    if corpus.item_facts.empty:  # not items: that takes the view's rows with their text
        empty_state()
        return
    controls = st.columns([3, 2])
    top_n = controls[0].slider("Themes shown (most frequent first)", 5, 60, 20, step=5, key="heatmap_top_n")
    fit = controls[1].toggle(
        "Fit colours to the shown range", value=False, key="heatmap_fit",
        help="Off (default): the colour scale spans the full 1–5 relevancy range, so a colour means the "
             "same relevancy on every view. On: it spans the lowest to highest mean shown, for contrast; "
             "the legend then gives that range.",
    )
    # Tabs with state: a click's rerun stays on the tab it was made in (stateless tabs jumped back
    # to the first), and only the open tab's chart is computed and sent.
    by_theme, by_category, by_month = st.tabs(
        ["Theme × section", "Category × section", "Theme × month"], key=TAB_KEY, on_change="rerun")
    if by_theme.open:
        with by_theme:
            _theme_tab(view, top_n, fit)
    if by_category.open:
        with by_category:
            _category_tab(view, fit)
    if by_month.open:
        with by_month:
            _month_tab(view, top_n)


def _theme_tab(view, top_n: int, fit: bool) -> None:
    corpus = view.filtered
    clicked = _chart(view, "heat-theme", f"{top_n}|{fit}", lambda: _by_section(
        cells.relevancy_by_theme_section(corpus, top_n=top_n), "theme", fit))
    if clicked:
        section, theme = clicked
        _rows_behind(corpus, f"theme “{plain(theme)}” in {plain(section)}", theme=theme, section=section)


def _category_tab(view, fit: bool) -> None:
    corpus = view.filtered
    clicked = _chart(view, "heat-category", str(fit), lambda: _by_section(
        cells.relevancy_by_category_section(corpus), "category", fit))
    if clicked:
        section, category = clicked
        _rows_behind(corpus, f"category “{plain(category)}” in {plain(section)}", category=category, section=section)


def _month_tab(view, top_n: int) -> None:
    corpus = view.filtered
    measure = st.segmented_control(
        "Colour by", ["documents", "mean_relevancy"], default="documents", key="heat_measure",
        format_func=lambda m: "Documents" if m == "documents" else "Mean relevancy",
    ) or "documents"
    period = st.segmented_control("Period", ["M", "Q"], default="M", key="heat_period",
                                  format_func=lambda p: "Month" if p == "M" else "Quarter") or "M"
    every_period = st.toggle("Every period, stray dates included", value=False, key="heat_every_period",
                             help="Off: the run of periods where most documents lie (a year without any "
                                  "ends a run), so a few stray dates years away do not squeeze the rest "
                                  "into slivers. On: from the first to the last dated document.")
    unit = "month" if period == "M" else "quarter"
    spike_rule, trend_rule = change_markers.rule(unit)
    marked = st.toggle("Mark spikes, growth and declines", value=True, key="heat_markers",
                       help=f"Spike: {spike_rule}. Growth / decline: {trend_rule}.")
    span = cells.dense_span(corpus, period)
    if span is not None and span[2] and not every_period:
        name = "month" if period == "M" else "quarter"
        st.caption(f"{_period_labels(pd.Series([span[0]]), period)[0]} to "
                   f"{_period_labels(pd.Series([span[1]]), period)[0]}: "
                   f"{counted(span[2], 'document')} dated outside that span not shown; inside it every {name} "
                   "has its column, empty ones blank.")
    if marked:
        st.caption(f"Symbols mark changes in a theme's share of each {unit}'s documents. ◆ spike: {spike_rule}. "
                   f"▲ growth / ▼ decline: {trend_rule}.")
    clicked = _chart(view, "heat-month", f"{top_n}|{measure}|{period}|{every_period}|{marked}",
                     lambda: _by_period(corpus, top_n, measure, period, every_period, marked))
    if clicked:
        start, theme = clicked
        label = _period_labels(pd.Series([pd.Timestamp(start)]), period)[0]
        _rows_behind(corpus, f"theme “{plain(theme)}” in {label}", theme=theme,
                     period=pd.Timestamp(start), period_freq=period)


if __name__ == "__main__":
    render()
