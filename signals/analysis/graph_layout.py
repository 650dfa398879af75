"""Node positions for the network drawings (theme co-occurrence and the typed network), one rule for
both: each connected component laid out on its own, then the components packed in rows.

Laid out together, separate components drift to the rim and leave the middle empty, and a spring
layout weighted by co-occurrence pulls the best-connected nodes into one knot; Kamada-Kawai on hop
distances (started from a fixed-seed spring layout, so the picture is the same on every run) spreads
each component evenly. It is quadratic, so components past KAMADA_KAWAI_MAX_NODES keep the spring
layout (about a second at 100 nodes).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

#: Fixed seed: the same graph gets the same picture on every rerun.
LAYOUT_SEED = 7
KAMADA_KAWAI_MAX_NODES = 100
#: Room between packed components, in link lengths.
COMPONENT_GAP = 1.2


def component_positions(component: nx.Graph) -> dict:
    """One connected component -> node -> (x, y), links about one unit long, from the origin."""
    nodes = list(component.nodes)
    if len(nodes) <= 2:
        return {node: np.array([float(i), 0.0]) for i, node in enumerate(nodes)}
    positions = nx.spring_layout(component, seed=LAYOUT_SEED, weight=None,
                                 k=2 / math.sqrt(len(nodes)), iterations=60)
    if len(nodes) <= KAMADA_KAWAI_MAX_NODES:
        positions = nx.kamada_kawai_layout(component, pos=positions, weight=None)
    lengths = [np.linalg.norm(positions[a] - positions[b]) for a, b in component.edges]
    unit = float(np.mean(lengths)) if lengths else 1.0
    return {node: np.asarray(xy, dtype="float64") / (unit or 1.0) for node, xy in positions.items()}


def _in_name_order(graph: nx.Graph, members: set) -> nx.Graph:
    """The subgraph of `members` with nodes and links inserted in name order.

    The layouts depend on node order, and a graph built from sets (theme pairs) gets its order
    from string hashing, which changes from process to process: the same corpus drew a different
    picture (and placed a different number of labels) on every server start."""
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(members, key=str))
    ordered.add_edges_from(sorted((tuple(sorted((a, b), key=str)) for a, b in graph.subgraph(members).edges),
                                  key=lambda edge: (str(edge[0]), str(edge[1]))))
    return ordered


def packed_positions(graph: nx.Graph, aspect: float = 1.0, *, with_lone: bool = False) -> dict:
    """Graph -> node -> (x, y): each connected component laid out by component_positions, then
    packed in rows, largest first, into a block about `aspect` (width / height) wide, like words on a
    page. Nodes without a link are left out unless `with_lone` (then each is a component of one,
    packed after the others)."""
    kept = graph if with_lone else graph.subgraph([node for node in graph.nodes if graph.degree(node) > 0])
    components = sorted(nx.connected_components(kept), key=lambda c: (-len(c), min(map(str, c))))
    if not components:
        return {}
    pieces = []
    for members in components:
        positions = component_positions(_in_name_order(kept, members))
        xy = np.array(list(positions.values()))
        low = xy.min(axis=0)
        pieces.append(({node: p - low for node, p in positions.items()}, xy.max(axis=0) - low))
    gap = COMPONENT_GAP
    area = sum((w + gap) * (h + gap) for _, (w, h) in pieces)
    row_width = max(max(w for _, (w, _) in pieces), math.sqrt(area * aspect))
    placed: dict = {}
    x = y = row_height = 0.0
    for positions, (w, h) in pieces:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y - row_height - gap, 0.0
        for node, p in positions.items():
            # Rows go downwards; within a row, a piece hangs from the row's top.
            placed[node] = np.array([x + p[0], y - h + p[1]])
        x += w + gap
        row_height = max(row_height, h)
    return placed
