"""Typed network: themes, signals, concerns, behaviors, technologies and issues linked when they appear
in the same document. Click a node to filter the dashboard by it."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from signals import charts
from signals.analysis import network as typed
from signals.app import state
from signals.app.components import empty_state
from signals.app.context import current_view

CHART_KEY = "network-chart"
DEFAULT_TYPES = ("themes", "signals", "technologies")


def _graph_and_layout(corpus, types: tuple[str, ...], top_per_type: int, min_weight: float):
    graph = typed.typed_network(corpus, types, top_per_type=top_per_type, min_weight=min_weight)
    return graph, typed.layout(graph)


@st.cache_resource(max_entries=16, show_spinner="Linking what appears together…")
def _graph_shared(view_key: str, types: tuple[str, ...], top_per_type: int, min_weight: float, _corpus):
    return _graph_and_layout(_corpus, types, top_per_type, min_weight)


def graph_for(view, types: tuple[str, ...], top_per_type: int, min_weight: float) -> tuple[nx.Graph, pd.DataFrame]:
    """(typed_network for the view, its layout), shared across sessions when the view has a stable key."""
    if view.key.startswith("|"):
        return _graph_and_layout(view.filtered, types, top_per_type, min_weight)
    return _graph_shared(view.key, types, top_per_type, min_weight, view.filtered)


def _clicked() -> None:
    """A node click: a theme joins the theme filter; any other node's full wording (its name, or the
    description a short label stands for) becomes the search text."""
    event = st.session_state.get(CHART_KEY)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    data = points[0].get("customdata") if points else None
    if not data or not isinstance(data, list) or len(data) < 3:
        return
    _, node_type, label = data[:3]
    text = data[3] if len(data) > 3 and data[3] else label
    if node_type == typed.THEMES:
        state.add_theme(str(label))
    else:
        st.session_state[state.KEYS["text"]] = str(text)


def _type_label(node_type: str) -> str:
    """A node type as the app names it: its section slug (already plural), capitalised."""
    return node_type.capitalize()


def render() -> None:
    view = current_view()
    corpus = view.filtered
    st.header("Typed network")
    st.caption("Themes and table rows as nodes, linked when they appear in the same document. A link's weight "
               "adds up, over the documents they share, the product of their relevancies / 5 (themes count 1): "
               "two relevancy-5 rows sharing three documents weigh 3.")
    if not corpus.document_count:
        empty_state()
        return
    controls = st.columns([3, 1, 1])
    chosen = controls[0].multiselect("Node types", list(typed.NODE_TYPES), default=list(DEFAULT_TYPES),
                                     key="network_types", format_func=_type_label)
    top_per_type = controls[1].slider("Nodes per type", 5, 60, 15, step=5, key="network_top",
                                      help="The most linked of each type: largest total link weight to the "
                                           "other nodes, then most documents")
    min_weight = controls[2].slider("Minimum link weight", 0.0, 10.0, 1.0, step=0.5, key="network_min_weight",
                                    help="Hide weaker links")
    if not chosen:
        st.info("Pick at least one node type.", icon=":material/hub:")
        return
    graph, positions = graph_for(view, tuple(t for t in typed.NODE_TYPES if t in chosen), top_per_type, min_weight)
    if graph.number_of_nodes() == 0:
        empty_state("No themes or table rows of these types match.")
        return
    st.caption(f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} links. **Click a node** to filter "
               "the dashboard: a theme joins the theme filter, anything else becomes the search text.")
    st.plotly_chart(
        charts.typed_network(graph, positions, type_names={t: _type_label(t) for t in typed.NODE_TYPES},
                             item_names=typed.TYPE_NAMES),
        key=CHART_KEY, on_select=_clicked, selection_mode="points")

    left, right = st.columns(2)
    with left:
        st.subheader("Most connected")
        st.caption("Largest total link weight.")
        connected = typed.most_connected(graph, 15)
        # A short label derived from a description is followed by that description.
        wording = connected["text"].where(connected["text"] != connected["label"], "")
        st.dataframe(
            connected[["label", "type", "links", "weight", "documents"]].assign(
                type=connected["type"].map(_type_label), description=wording),
            hide_index=True, key="network-connected",
            column_config={"weight": st.column_config.NumberColumn("weight", format="%.1f"),
                           "description": st.column_config.TextColumn("description", width="large")},
        )
    with right:
        st.subheader("Bridges between theme communities")
        st.caption("Nodes linking communities (groups that link mostly among themselves, named by their "
                   "best-connected themes); most communities reached first, then betweenness.")
        bridges = typed.bridges(graph, 15)
        if bridges.empty:
            st.caption("No node links two communities here.")
        else:
            st.dataframe(
                bridges[["label", "type", "communities", "linked_communities", "betweenness"]].assign(
                    type=bridges["type"].map(_type_label)),
                hide_index=True, key="network-bridges",
                column_config={"betweenness": st.column_config.NumberColumn("betweenness", format="%.3f"),
                               "linked_communities": st.column_config.TextColumn("communities linked")},
            )


if __name__ == "__main__":
    render()
