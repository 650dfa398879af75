"""Overview: headline counts, top themes and keywords, documents over time, relevancy, categories."""

from __future__ import annotations

import streamlit as st

from signals import demo, vegalite
from signals.analysis import overview as numbers
from signals.analysis.heatmaps import dense_span
from signals.analysis.parameters import DISTINCTIVE_MIN_DOCUMENTS, Z_SIGNIFICANT
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
    if not corpus.document_count:
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
    future = counts["future_dated"]
    columns[5].metric("Years", years, help=f"First document {first}, last {last}" + (
        f"; {counted(future, 'document')} dated in the future (most often a wrong page id: see Data health) "
        "not counted in this span" if future else ""))

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
    _what_sets_it_apart(view)


#: Terms listed per kind in "What sets this view apart".
DISTINCTIVE_SHOWN = 10
KIND_TITLES = {"theme": "Themes", "keyword": "Keywords", "word": "Words (titles, summaries, row names)"}


def _what_sets_it_apart(view) -> None:
    """The themes, keywords and words over-represented in the filtered view against the rest.

    The analysis (scikit-learn's tokenizer, SciPy) is imported here, when a filter is set: the
    Overview is the first page of every visit and must not pay for it otherwise."""
    from signals.analysis.distinctive import distinctive_terms, excluded_by_filters
    from signals.analysis.parameters import DISTINCTIVE_ASKED_ABOVE

    st.subheader("What sets this view apart")
    if view.filters.is_empty:
        st.caption("Nothing to compare: no filter is set, so this is the whole corpus. Choose a theme, a "
                   "category, a period… in the sidebar to see what sets those documents apart from the rest.")
        return
    in_view = view.filtered.document_count
    rest = view.corpus.document_count - in_view
    large = view.corpus.document_count > DISTINCTIVE_ASKED_ABOVE
    if large and not st.toggle("Compare this view with the rest of the corpus", key="overview_distinctive",
                               help=f"Over {DISTINCTIVE_ASKED_ABOVE:,} documents the first comparison reads every "
                                    "document's words once (seconds); later ones are quick."):
        return
    terms = cached_chart(view, "overview-distinctive", lambda: distinctive_terms(
        view.filtered, view.corpus, top=DISTINCTIVE_SHOWN, exclude=excluded_by_filters(view.filters)))
    st.caption(f"Against the rest of the corpus ({counted(rest, 'document')}; {counted(in_view, 'document')} in view). "
               f"Listed: in at least {DISTINCTIVE_MIN_DOCUMENTS} documents of the view and over-represented by a "
               f"weighted log-odds z ≥ {Z_SIGNIFICANT} (Monroe et al., with the whole corpus as prior, so a term "
               "in a handful of documents cannot rank high). Themes and keywords you filtered on are left out. "
               "English and French stop words are ignored.")
    if rest == 0 or terms.empty:
        st.info("Nothing stands out: no theme, keyword or word is over-represented in enough documents of this view.",
                icon=":material/balance:")
        return
    columns = st.columns(3)
    for column, (kind, title) in zip(columns, KIND_TITLES.items()):
        chosen = terms[terms["kind"] == kind]
        with column:
            st.markdown(f"**{title}**")
            if chosen.empty:
                st.caption("None stands out.")
                continue
            st.dataframe(
                chosen[["term", "in_view", "in_rest", "z"]], hide_index=True, key=f"overview-distinctive-{kind}",
                column_config={
                    "term": st.column_config.TextColumn(kind),
                    "in_view": st.column_config.NumberColumn("in view", help=f"Documents of the {in_view:,} in view"),
                    "in_rest": st.column_config.NumberColumn("in rest", help=f"Documents of the {rest:,} others"),
                    "z": st.column_config.NumberColumn("z", format="%.1f", help="Weighted log-odds z-score"),
                })


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
