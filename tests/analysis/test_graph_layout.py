"""signals.analysis.graph_layout: components laid out apart, same picture every run, lone nodes optional."""

from __future__ import annotations

import networkx as nx
import numpy as np

from signals.analysis import graph_layout


def _two_triangles_and_a_lone_node() -> nx.Graph:
    graph = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x")])
    graph.add_node("alone")
    return graph


def test_components_do_not_overlap_and_links_are_about_one_unit():
    positions = graph_layout.packed_positions(_two_triangles_and_a_lone_node())
    assert set(positions) == {"a", "b", "c", "x", "y", "z"}  # the lone node is left out
    first = np.array([positions[n] for n in "abc"])
    second = np.array([positions[n] for n in "xyz"])
    # Bounding boxes apart by at least the gap along one axis.
    apart_x = first[:, 0].max() + graph_layout.COMPONENT_GAP <= second[:, 0].min() + 1e-9
    apart_y = second[:, 1].max() + graph_layout.COMPONENT_GAP <= first[:, 1].min() + 1e-9
    assert apart_x or apart_y
    lengths = [np.linalg.norm(positions[a] - positions[b]) for a, b in [("a", "b"), ("b", "c"), ("c", "a")]]
    assert np.mean(lengths) == np.float64(np.mean(lengths)) and abs(np.mean(lengths) - 1) < 1e-6


def test_the_same_graph_gets_the_same_picture_and_lone_nodes_on_request():
    graph = _two_triangles_and_a_lone_node()
    once, again = graph_layout.packed_positions(graph), graph_layout.packed_positions(graph)
    assert all(np.allclose(once[n], again[n]) for n in once)
    with_lone = graph_layout.packed_positions(graph, with_lone=True)
    assert "alone" in with_lone and len(with_lone) == 7
    assert graph_layout.packed_positions(nx.Graph()) == {}


def test_the_picture_does_not_depend_on_the_order_nodes_were_added_in():
    edges = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("a", "c"), ("c", "e")]
    forward, backward = nx.Graph(edges), nx.Graph(list(reversed([(b, a) for a, b in edges])))
    one, other = graph_layout.packed_positions(forward), graph_layout.packed_positions(backward)
    assert all(np.allclose(one[n], other[n]) for n in one)
