"""Theme co-occurrence: which themes travel together, as a matrix and as a network."""

from __future__ import annotations

import streamlit as st

from signals import charts
from signals.analysis import cooccurrence as pairs
from signals.app import state
from signals.app.components import cached_chart, empty_state
from signals.app.context import current_view

MEASURES = {
    "count": "Documents in common",
    "jaccard": "Jaccard (shared / either)",
    "lift": "Lift (vs. chance)",
}


def _theme_from(key: str) -> None:
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return
    point = points[0]
    theme = point.get("customdata") or point.get("y") or point.get("text")
    if isinstance(theme, list):
        theme = theme[0] if theme else None
    if theme:
        state.add_theme(str(theme))


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Theme co-occurrence")
    st.caption("Which themes appear in the same documents. Click a theme to filter by it.")
    if corpus.themes.empty:
        empty_state()
        return
    controls = st.columns([2, 3])
    top_n = controls[0].slider("Themes (most frequent first)", 5, 60, 20, step=5, key="cooc_top_n")
    measure = controls[1].segmented_control(
        "Measure", list(MEASURES), default="count", key="cooc_measure", format_func=MEASURES.get,
    ) or "count"
    matrix_tab, network_tab = st.tabs(["Matrix", "Network"])
    with matrix_tab:
        figure = cached_chart(view, f"cooc-matrix|{top_n}|{measure}", lambda: charts.cooccurrence_matrix(
            pairs.theme_cooccurrence(corpus, top_n=top_n, measure=measure), measure))
        st.plotly_chart(figure, key="cooc-matrix",
                        on_select=lambda: _theme_from("cooc-matrix"), selection_mode="points")
    with network_tab:
        min_documents = st.slider("Hide links shared by fewer documents than", 1, 20, 2, key="cooc_threshold")

        def network():
            graph = pairs.theme_graph(corpus, top_n=top_n, min_documents=min_documents)
            return (charts.network(graph, title="Themes that share documents"),
                    graph.number_of_nodes(), graph.number_of_edges())

        figure, nodes, links = cached_chart(view, f"cooc-network|{top_n}|{min_documents}", network)
        st.caption(f"{nodes} themes, {links} links.")
        st.plotly_chart(figure, key="cooc-network",
                        on_select=lambda: _theme_from("cooc-network"), selection_mode="points")


if __name__ == "__main__":
    render()
