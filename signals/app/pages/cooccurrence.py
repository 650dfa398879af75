"""Theme co-occurrence: which themes travel together, as a matrix, a network and a list of pairs."""

from __future__ import annotations

import streamlit as st

from signals import charts
from signals.analysis import cooccurrence as pairs
from signals.app import state
from signals.app.components import cached_chart, empty_state
from signals.app.context import current_view

MEASURES = {
    "count": "Documents in common",
    "jaccard": "Jaccard",
    "lift": "Lift",
}


def _theme_from(key: str) -> None:
    """A click on the matrix (customdata [column theme, row theme, count]) or on a network node
    (customdata = the theme) adds that theme to the filter; a link's midpoint carries none."""
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return
    theme = points[0].get("customdata")
    if isinstance(theme, list):
        theme = theme[0] if theme else None
    if isinstance(theme, str) and theme:
        state.add_theme(theme)


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Theme co-occurrence")
    st.caption("Which themes appear in the same documents. Click a theme to filter by it.")
    if corpus.themes.empty:
        empty_state()
        return
    controls = st.columns([2, 2, 3])
    top_n = controls[0].slider("Themes (most frequent first)", 5, 60, 20, step=5, key="cooc_top_n")
    min_documents = controls[1].slider(
        "Minimum documents", 1, 10, pairs.DEFAULT_MIN_DOCUMENTS, key="cooc_min_documents",
        help="A theme needs this many documents to be shown, and a pair this many in common to get a "
             "Jaccard, a lift or a link: on a few documents chance alone makes large lifts.")
    measure = controls[2].segmented_control(
        "Measure", list(MEASURES), default="count", key="cooc_measure", format_func=MEASURES.get,
        help="Documents in common: how many documents carry both themes. Jaccard: that count / the "
             "documents with either (0-1). Lift: how many times more often together than chance predicts "
             "(1 = chance).",
    ) or "count"
    settings = f"{top_n}|{min_documents}|{measure}"
    documents_word = "document" if min_documents == 1 else "documents"
    st.caption(f"Themes in at least {min_documents} {documents_word}; Jaccard, lift and links only for pairs "
               f"with at least {min_documents} {documents_word} in common. The hover gives the documents "
               "each value rests on.")
    matrix_tab, network_tab, pairs_tab = st.tabs(["Matrix", "Network", "Pairs"])
    with matrix_tab:
        def matrix():
            counts = pairs.theme_cooccurrence(corpus, top_n=top_n, min_documents=min_documents)
            values = counts if measure == "count" else pairs.theme_cooccurrence(
                corpus, top_n=top_n, measure=measure, min_documents=min_documents)
            return charts.cooccurrence_matrix(values, measure, counts=counts,
                                              empty_message="No theme is in enough documents.")

        st.plotly_chart(cached_chart(view, f"cooc-matrix|{settings}", matrix), key="cooc-matrix",
                        on_select=lambda: _theme_from("cooc-matrix"), selection_mode="points")
        if measure != "count":
            st.caption(f"Blank cells: fewer than {min_documents} {documents_word} in common.")
    with network_tab:
        graph = pairs.theme_graph(corpus, top_n=top_n, min_documents=min_documents)
        lone = pairs.unlinked_themes(graph)
        links = graph.number_of_edges()
        drawn_links = pairs.default_links_drawn(graph)
        if links > drawn_links:
            drawn_links = st.slider("Links drawn (strongest first)", 1, links, drawn_links, key="cooc_links",
                                    help="The strongest links by the measure, plus each theme's own strongest; "
                                         "every pair is in the Pairs tab.")
        drawn_links = min(drawn_links, links)

        def network():
            drawn = pairs.strongest_links(graph, measure, drawn_links)
            figure = charts.network(drawn, measure=measure,
                                    title=f"Themes sharing at least {min_documents} {documents_word}",
                                    empty_message="No theme is in enough documents.")
            return figure, drawn.number_of_edges()

        figure, shown = cached_chart(view, f"cooc-network|{settings}|{drawn_links}", network)
        linked = graph.number_of_nodes() - len(lone)
        count = f"all {links}" if shown == links else f"the strongest {shown} of {links}"
        st.caption(f"{linked} linked themes; {count} {'link' if links == 1 else 'links'} drawn. Line width and "
                   f"colour: {MEASURES[measure].lower()}; hover a link's midpoint for its value and the documents "
                   "behind it, a theme for its links. Unlabelled themes (no room) are named in their hover.")
        chart_column, list_column = st.columns([3, 1])
        chart_column.plotly_chart(figure, key="cooc-network",
                                  on_select=lambda: _theme_from("cooc-network"), selection_mode="points")
        with list_column:
            st.markdown(f"**Not linked** ({len(lone)})")
            if lone.empty:
                st.caption("Every theme shown shares enough documents with another.")
            else:
                st.caption(f"Fewer than {min_documents} {documents_word} in common with any other theme shown.")
                st.dataframe(lone, hide_index=True, key="cooc-unlinked", height=min(35 * len(lone) + 38, 500),
                             column_config={"theme": st.column_config.TextColumn("Theme"),
                                            "documents": st.column_config.NumberColumn("Documents")})
    with pairs_tab:
        table = pairs.theme_pairs(corpus, top_n=top_n, min_documents=min_documents, order_by=measure)
        if table.empty:
            st.info(f"No two of these themes share {min_documents} {documents_word}.", icon=":material/hub:")
        else:
            st.caption(f"{len(table):,} pairs, highest {MEASURES[measure].lower()} first. Lift = documents with "
                       "both × all documents / (documents A × documents B).")
            st.dataframe(table, hide_index=True, key="cooc-pairs", column_config={
                "theme_a": st.column_config.TextColumn("Theme A"),
                "theme_b": st.column_config.TextColumn("Theme B"),
                "documents": st.column_config.NumberColumn("Documents with both"),
                "documents_a": st.column_config.NumberColumn("Documents A"),
                "documents_b": st.column_config.NumberColumn("Documents B"),
                "jaccard": st.column_config.NumberColumn("Jaccard", format="%.2f"),
                "lift": st.column_config.NumberColumn("Lift", format="%.2f"),
            })


if __name__ == "__main__":
    render()
