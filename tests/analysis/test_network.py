"""signals.analysis.network on the tiny corpus (tests/analysis/conftest.py), weights worked out by hand.

Tiny corpus: d1 AI, Climate + signals Robot tutors (5), Heat pumps (3), concern Job loss (4);
d2 AI, Energy + signal Wind farms (2), issue Grid (unrated); d3 AI, Climate, Energy + signal Solar
glass (4), concern Glare (1), technology Perovskite cells (5, no name); d4 Energy + issue Storage (3).
"""

from __future__ import annotations

import networkx as nx
import pytest

from signals.analysis import network as nw


def _node(kind: str, label: str) -> str:
    return nw.node_id(kind, label.casefold())


def test_nodes_per_type(tiny):
    nodes = nw.node_table(tiny, top_per_type=10)
    assert nodes["type"].drop_duplicates().tolist() == ["themes", "signals", "concerns", "technologies", "issues"]
    themes = nodes[nodes["type"] == "themes"].set_index("label")["documents"]
    assert themes.to_dict() == {"AI": 3, "Energy": 3, "Climate": 2}  # most documents first
    signals = nodes[nodes["type"] == "signals"]
    assert signals["label"].tolist()[0] == "Robot tutors"  # one document each: highest relevancy first
    assert signals.set_index("label").loc["Robot tutors", "relevancy"] == pytest.approx(5.0)
    assert nodes[nodes["type"] == "technologies"]["label"].tolist() == ["Perovskite cells"]
    assert len(nw.node_table(tiny, top_per_type=1)) == 5


def test_edge_weights_by_hand(tiny):
    graph = nw.typed_network(tiny, top_per_type=10)
    # AI and Climate share d1 and d3, themes weigh 1: 1 + 1.
    assert graph.edges[_node("themes", "AI"), _node("themes", "Climate")]["weight"] == pytest.approx(2.0)
    assert graph.edges[_node("themes", "AI"), _node("themes", "Climate")]["documents"] == 2
    # Robot tutors (5/5) and Heat pumps (3/5) share d1.
    assert graph.edges[_node("signals", "Robot tutors"), _node("signals", "Heat pumps")]["weight"] == pytest.approx(0.6)
    # Grid is unrated: weighs 1. With Wind farms (2/5) in d2.
    assert graph.edges[_node("issues", "Grid"), _node("signals", "Wind farms")]["weight"] == pytest.approx(0.4)
    # Energy (1) and Storage (3/5) share d4 only.
    assert graph.edges[_node("themes", "Energy"), _node("issues", "Storage")]["weight"] == pytest.approx(0.6)
    assert not graph.has_edge(_node("signals", "Robot tutors"), _node("issues", "Storage"))
    assert graph.nodes[_node("themes", "AI")]["type"] == "themes"


def test_types_and_minimum_weight(tiny):
    themes_only = nw.typed_network(tiny, ("themes",))
    assert {data["type"] for _, data in themes_only.nodes(data=True)} == {"themes"}
    assert themes_only.number_of_nodes() == 3 and themes_only.number_of_edges() == 3
    heavy = nw.typed_network(tiny, min_weight=1.5)
    assert all(w >= 1.5 for _, _, w in heavy.edges(data="weight"))
    assert heavy.number_of_nodes() == nw.typed_network(tiny).number_of_nodes()  # nodes stay


def test_most_connected(tiny):
    graph = nw.typed_network(tiny, ("themes", "signals"))
    table = nw.most_connected(graph, 3)
    assert table["label"].iloc[0] == "AI"
    expected = max(weight for _, weight in graph.degree(weight="weight"))
    assert table["weight"].iloc[0] == pytest.approx(expected)
    assert table["links"].iloc[0] == graph.degree(_node("themes", "AI"))


def test_bridges_between_communities():
    """Two triangles of themes joined through one signal: the signal is the bridge."""
    graph = nx.Graph()
    for name in ("a", "b", "c", "x", "y", "z"):
        graph.add_node(f"themes:{name}", type="themes", label=name, documents=3)
    graph.add_node("signals:bridge", type="signals", label="Bridge", documents=2)
    for u, v in (("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z")):
        graph.add_edge(f"themes:{u}", f"themes:{v}", weight=5.0, documents=5)
    graph.add_edge("themes:a", "signals:bridge", weight=1.0, documents=1)
    graph.add_edge("signals:bridge", "themes:x", weight=1.0, documents=1)
    membership = nw.communities(graph)
    assert membership["themes:a"] == membership["themes:b"] != membership["themes:x"]
    table = nw.bridges(graph)
    assert table["label"].iloc[0] == "Bridge"
    assert table["communities"].iloc[0] == 2
    assert table["betweenness"].iloc[0] == pytest.approx(nx.betweenness_centrality(graph)["signals:bridge"])
    assert "distance" not in next(iter(graph.edges(data=True)))[2]  # the caller's graph is untouched


def test_layout_and_edges(tiny):
    graph = nw.typed_network(tiny)
    positions = nw.layout(graph)
    assert set(positions["node"]) == set(graph.nodes)
    assert positions[["x", "y"]].notna().all().all()
    edges = nw.edge_table(graph)
    assert len(edges) == graph.number_of_edges()
    assert edges["weight"].is_monotonic_decreasing


def test_empty(empty):
    graph = nw.typed_network(empty)
    assert graph.number_of_nodes() == 0
    assert nw.most_connected(graph).empty and nw.bridges(graph).empty and nw.layout(graph).empty
