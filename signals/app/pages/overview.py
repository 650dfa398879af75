"""Overview: headline counts, top themes and keywords, documents over time, relevancy, categories."""

from __future__ import annotations

import streamlit as st

from signals import charts
from signals.analysis import overview as numbers
from signals.app import state
from signals.app.components import cached_figure, date_text, empty_state, plain
from signals.app.context import current_view


def _theme_clicked() -> None:
    selection = st.session_state.get("overview-top-themes")
    points = (selection or {}).get("selection", {}).get("points", []) if selection else []
    if points:
        theme = points[0].get("y") or points[0].get("label")
        if theme:
            state.add_theme(str(theme))


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Overview")
    if view.filters.is_empty:
        st.caption("The whole corpus. Narrow it with the filters in the sidebar.")
    else:
        # Filter values are document text (theme and category names): shown as typed, never as markup.
        described = "; ".join(f"{k}: {plain(v)}" for k, v in view.filters.describe().items())
        st.caption(f"Filtered — {described}")
    if corpus.documents.empty:
        empty_state()
        return

    counts = numbers.headline_counts(corpus)
    columns = st.columns(6)
    columns[0].metric("Documents", f"{counts['documents']:,}")
    columns[1].metric("Table rows", f"{counts['rows']:,}")
    columns[2].metric("Themes", f"{counts['themes']:,}")
    columns[3].metric("Sources", f"{counts['sources']:,}", help="Distinct article web sites")
    mean = counts["mean_relevancy"]
    columns[4].metric("Mean relevancy", "—" if mean is None else f"{mean:.2f}", help="Over all table rows, 1 to 5")
    first, last = date_text(counts["first_date"]), date_text(counts["last_date"])
    years = first[:4] if first[:4] == last[:4] else f"{first[:4]}–{last[2:4] if first[:2] == last[:2] else last[:4]}"
    columns[5].metric("Years", years, help=f"First document {first}, last {last}")

    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            cached_figure(view, "overview-top-themes", lambda: charts.bar(
                numbers.top_themes(corpus, n=15), x="documents", y="theme",
                title="Top themes (click one to filter by it)", x_title="Documents", y_title="Theme",
                horizontal=True)),
            key="overview-top-themes", on_select=_theme_clicked, selection_mode="points",
        )
    with right:
        st.plotly_chart(
            cached_figure(view, "overview-top-keywords", lambda: charts.bar(
                numbers.top_keywords(corpus, n=15), x="documents", y="keyword", title="Top keywords",
                x_title="Documents", y_title="Keyword", horizontal=True)),
            key="overview-top-keywords",
        )

    st.plotly_chart(
        cached_figure(view, "overview-per-month", lambda: charts.bar(
            numbers.documents_per_period(corpus, period="M"), x="period", y="documents",
            title="Documents per month", x_title="Month", y_title="Documents")),
        key="overview-per-month",
    )
    left, middle, right = st.columns([2, 1, 1])
    with left:
        st.plotly_chart(
            cached_figure(view, "overview-relevancy",
                          lambda: charts.stacked_relevancy(numbers.relevancy_distribution(corpus))),
            key="overview-relevancy",
        )
    with middle:
        st.plotly_chart(
            cached_figure(view, "overview-categories", lambda: charts.bar(
                numbers.counts_by(corpus, "category"), x="documents", y="value", title="Categories",
                x_title="Documents", y_title="Category", horizontal=True)),
            key="overview-categories",
        )
    with right:
        st.plotly_chart(
            cached_figure(view, "overview-types", lambda: charts.bar(
                numbers.counts_by(corpus, "type"), x="documents", y="value", title="Types",
                x_title="Documents", y_title="Type", horizontal=True)),
            key="overview-types",
        )


if __name__ == "__main__":
    render()
