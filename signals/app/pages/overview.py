"""Overview: headline counts, top themes and keywords, documents over time, relevancy, categories."""

from __future__ import annotations

import streamlit as st

from signals import demo, vegalite
from signals.analysis import overview as numbers
from signals.analysis.heatmaps import dense_span
from signals.app import data, state
from signals.app.components import cached_chart, date_text, empty_state, plain
from signals.app.context import current_view
from signals.wording import counted

#: The point selection on the top-themes chart: a click hands back the bar's label.
PICK = "pick"


def _theme_clicked() -> None:
    event = st.session_state.get("overview-top-themes") or {}
    picked = (event.get("selection") or {}).get(PICK) or []
    for point in picked if isinstance(picked, list) else [picked]:
        theme = point.get(vegalite.LABEL) if isinstance(point, dict) else None
        if theme:
            state.add_theme(str(theme))
            return


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Overview")
    if view.filters.is_empty:
        st.caption("The whole corpus. Narrow it with the filters in the sidebar.")
    else:
        # Filter values are document text (theme and category names): shown as typed, never as markup.
        st.caption(f"Filtered — {plain(view.filters.summary())}")
    if data.demo_offered():
        _demo_offer()
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
        _chart(view, "overview-top-themes", lambda: vegalite.bar(
            numbers.top_themes(corpus, n=15), x="documents", y="theme",
            title="Top themes (click one to filter by it)", x_title="Documents", y_title="Theme",
            horizontal=True, select=PICK), on_select=_theme_clicked)
    with right:
        _chart(view, "overview-top-keywords", lambda: vegalite.bar(
            numbers.top_keywords(corpus, n=15), x="documents", y="keyword", title="Top keywords",
            x_title="Documents", y_title="Keyword", horizontal=True))
    _chart(view, "overview-per-month", lambda: _per_month(corpus))
    left, middle, right = st.columns([2, 1, 1])
    with left:
        _chart(view, "overview-relevancy", lambda: vegalite.stacked_relevancy(numbers.relevancy_distribution(corpus)))
    with middle:
        _chart(view, "overview-categories", lambda: vegalite.bar(
            numbers.counts_by(corpus, "category"), x="documents", y="value", title="Categories",
            x_title="Documents", y_title="Category", horizontal=True))
    with right:
        _chart(view, "overview-types", lambda: vegalite.bar(
            numbers.counts_by(corpus, "type"), x="documents", y="value", title="Types",
            x_title="Documents", y_title="Type", horizontal=True))


def _demo_offer() -> None:
    """A first run shows the one seed document: offer a corpus that fills every chart."""
    with st.container(border=True):
        st.markdown(
            f"**This is the one seed document that comes with Signals Explorer.** To see what the tool "
            f"does with a whole corpus, open a demo of {counted(demo.DEMO_DOCUMENTS, 'synthetic document')} "
            "(written once on this machine into the cache folder, in a few seconds). Your own folder "
            "opens from **Data source** in the sidebar, or with `streamlit run dashboard.py -- --data DIR`."
        )
        st.button(f"Open the demo corpus ({counted(demo.DEMO_DOCUMENTS, 'synthetic document')})",
                  key="overview_open_demo", on_click=data.request_demo, type="primary", icon=":material/science:")


def _per_month(corpus) -> dict:
    """Documents per month over the run of months where the documents lie (heatmaps.dense_span):
    stray dates years away are left out and counted in the title rather than squeezing the rest."""
    per_month = numbers.documents_per_period(corpus, period="M")
    span = dense_span(corpus, "M")
    title = "Documents per month"
    if span is not None and span[2]:
        per_month = per_month[(per_month["period"] >= span[0]) & (per_month["period"] <= span[1])]
        title += f" ({counted(span[2], 'document')} with a stray date outside {span[0]:%Y-%m} – {span[1]:%Y-%m} not shown)"
    return vegalite.bar(per_month, x="period", y="documents", title=title, x_title="Month", y_title="Documents")


def _chart(view, key: str, build, on_select=None) -> None:
    """One Overview chart: its Vega-Lite spec built once per (filtered view, chart), drawn under `key`."""
    spec = dict(cached_chart(view, key, build))  # a shallow copy: Streamlit takes "data" out of the spec
    if on_select is None:
        st.vega_lite_chart(spec, key=key)
    else:
        st.vega_lite_chart(spec, key=key, on_select=on_select, selection_mode=PICK)

if __name__ == "__main__":
    render()
