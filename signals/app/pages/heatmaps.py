"""Heatmaps: mean relevancy by theme x section and category x section; themes over time.

Click a cell to list the table rows behind it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from signals import charts
from signals.analysis import heatmaps as cells
from signals.app.components import cached_chart, display_frame, empty_state, link_columns, plain
from signals.app.context import current_view, open_document


def _clicked(key: str) -> dict | None:
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    return points[0] if points else None


def _rows_behind(corpus, **cell) -> None:
    rows = cells.rows_behind_cell(corpus, **cell)
    described = ", ".join(f"{k} = {plain(v)}" for k, v in cell.items() if v is not None and k != "period_freq")
    st.subheader(f"Rows behind {described}")
    if rows.empty:
        st.caption("No rows in this cell.")
        return
    st.caption(f"{len(rows):,} rows. Select one to open its document.")
    shown = display_frame(rows)
    event = st.dataframe(
        shown, hide_index=True, column_config=link_columns(shown), on_select="rerun",
        selection_mode="single-row", key="heatmap-rows",
    )
    selected = event.selection.rows if event else []
    if selected:
        open_document(str(shown.iloc[selected[0]]["doc_id"]))


def _colour_range(long: pd.DataFrame, fit: bool) -> tuple[float, float]:
    """The colour scale's ends: the data's own range (fit) or the full 1-5."""
    values = long["mean_relevancy"].dropna() if "mean_relevancy" in long.columns else pd.Series(dtype=float)
    if not fit or values.empty or values.min() == values.max():
        return 1.0, 5.0
    return float(values.min()), float(values.max())


def _by_section(long: pd.DataFrame, by: str, fit: bool):
    """Mean relevancy per (`by` value, section): the theme and the category heatmaps."""
    low, high = _colour_range(long, fit)
    return charts.heatmap(
        long, x="section", y=by, value="mean_relevancy", count="rows",
        title=f"Mean relevancy by {by} and section", x_title="Section", y_title=by.capitalize(),
        value_title="Mean relevancy", zmin=low, zmax=high, cell_text="%{z:.1f}",
    )


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Relevancy heatmaps")
    st.caption("Mean relevancy (1 low – 5 high) of the table rows behind each cell; hover for the count. "
               "Click a cell to list its rows.")
    if corpus.items.empty:
        empty_state()
        return
    controls = st.columns([3, 2])
    top_n = controls[0].slider("Themes shown (most frequent first)", 5, 60, 20, step=5, key="heatmap_top_n")
    fit = controls[1].toggle(
        "Fit colours to the data", value=True, key="heatmap_fit",
        help="On: the colour scale spans the lowest to highest mean shown, for contrast. "
             "Off: it spans the full 1–5 relevancy range, comparable across views.",
    )
    by_theme, by_category, by_month = st.tabs(["Theme × section", "Category × section", "Theme × month"])

    with by_theme:
        figure = cached_chart(view, f"heat-theme|{top_n}|{fit}", lambda: _by_section(
            cells.relevancy_by_theme_section(corpus, top_n=top_n), "theme", fit))
        st.plotly_chart(figure, key="heat-theme", on_select="rerun", selection_mode="points")
        point = _clicked("heat-theme")
        if point:
            _rows_behind(corpus, theme=point.get("y"), section=point.get("x"))

    with by_category:
        figure = cached_chart(view, f"heat-category|{fit}", lambda: _by_section(
            cells.relevancy_by_category_section(corpus), "category", fit))
        st.plotly_chart(figure, key="heat-category", on_select="rerun", selection_mode="points")
        point = _clicked("heat-category")
        if point:
            _rows_behind(corpus, category=point.get("y"), section=point.get("x"))

    with by_month:
        measure = st.segmented_control(
            "Colour by", ["documents", "mean_relevancy"], default="documents", key="heat_measure",
            format_func=lambda m: "Documents" if m == "documents" else "Mean relevancy",
        ) or "documents"
        period = st.segmented_control("Period", ["M", "Q"], default="M", key="heat_period",
                                      format_func=lambda p: "Month" if p == "M" else "Quarter") or "M"
        is_mean = measure == "mean_relevancy"

        def by_period_figure():
            long = cells.themes_by_period(corpus, top_n=top_n, measure=measure, period=period)
            return charts.heatmap(
                long, x="period", y="theme", value="value", count="documents",
                title=("Mean relevancy" if is_mean else "Documents") + " by theme and "
                + ("month" if period == "M" else "quarter"),
                x_title="Month" if period == "M" else "Quarter", y_title="Theme",
                value_title="Mean relevancy" if is_mean else "Documents",
                zmin=1 if is_mean else None, zmax=5 if is_mean else None,
                colorscale=charts.RELEVANCY_SCALE if is_mean else charts.COUNT_SCALE,
            )

        figure = cached_chart(view, f"heat-month|{top_n}|{measure}|{period}", by_period_figure)
        st.plotly_chart(figure, key="heat-month", on_select="rerun", selection_mode="points")
        point = _clicked("heat-month")
        if point:
            _rows_behind(corpus, theme=point.get("y"), period=pd.Timestamp(point.get("x")), period_freq=period)


if __name__ == "__main__":
    render()
