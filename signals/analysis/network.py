"""A typed network: themes, signals, concerns, behaviors, technologies and issues as nodes; an edge
where two of them appear in the same document, weighted by relevancy.

Nodes. A theme node per theme key; an item node per (section, label) with the label compared
case- and spacing-insensitively, so the same signal named alike in two documents is one node. A row
without a name (real Technologies rows) is keyed by its description and shown by a short label
derived from it (signals.analysis.short_labels); `text` keeps the full description.

Only the `top_per_type` nodes of each type are kept (a real corpus has thousands of one-off rows;
drawing them all helps no one): highest link weight first (the node's total edge weight in the
network of every node of the chosen types, the quantity "Most connected" ranks by), then most
documents, then label. On real documents most rows sit in one document with relevancy 5, so
frequency and relevancy tie for hundreds of rows and used to leave the choice to the alphabet.

Edges. Each node gets a weight in each of its documents: its best relevancy there / 5 (themes, and
rows without a relevancy, weigh 1). An edge's weight is the sum over the documents both nodes appear
in of the product of their two weights: two top-relevancy nodes sharing 3 documents weigh 3.0, two
relevancy-3 rows in one document 0.36. `documents` on an edge counts those shared documents.

Communities are found by Louvain (networkx, fixed seed) and named by their best-connected themes.
A bridge is a node whose links reach more than one community, ranked by how many it reaches, then
by betweenness centrality (with 1 / weight as the length of an edge: strong links are short).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from signals import schema
from signals.analysis import graph_layout
from signals.analysis.incidence import normalized_text_key
from signals.analysis.short_labels import short_label
from signals.corpus_type import Corpus

THEMES = "themes"
NODE_TYPES = (THEMES, *schema.TABLE_SECTIONS)
#: How a node type is named in the app (singular).
TYPE_NAMES = {
    "themes": "theme", "signals": "signal", "concerns": "concern", "behaviors": "behavior",
    "technologies": "technology", "issues": "issue",
}
COMMUNITY_SEED = 7
#: The node id joins type and key with this (`signals:rise of e-bikes`).
ID_SEPARATOR = ":"


def node_id(node_type: str, key: str) -> str:
    """A node's id from its type and key."""
    return f"{node_type}{ID_SEPARATOR}{key}"


_MEMBER_COLUMNS = {"type": "str", "key": "str", "label": "str", "text": "str", "doc_id": "str",
                   "weight": "float64"}


def row_labels(items: pd.DataFrame) -> pd.Series:
    """Item rows -> the label a node shows: the row's name, or for a row without one a short label
    derived from its description (signals.analysis.short_labels), computed once per distinct text."""
    full = items["label"].astype("str")
    names = items[schema.NAME].astype("str").str.strip() if schema.NAME in items.columns else None
    named = names.notna() & (names != "") if names is not None else pd.Series(False, index=items.index)
    unnamed = full[~named]
    shortened = unnamed.map({text: short_label(text) or text for text in unnamed.unique()})
    return full.where(named, shortened)


def _memberships(corpus: Corpus, types: tuple[str, ...]) -> pd.DataFrame:
    """DataFrame[type, key, label, text, doc_id, weight]: each node's best weight in each of its
    documents; label is what the node shows, text its full wording (the description of an unnamed row)."""
    parts = []
    if THEMES in types and len(corpus.themes):
        themes = corpus.themes
        parts.append(pd.DataFrame({
            "type": THEMES,
            "key": themes["theme_key"].astype("str").to_numpy(),
            "label": themes["theme"].astype("str").to_numpy(),
            "text": themes["theme"].astype("str").to_numpy(),
            "doc_id": themes["doc_id"].astype("str").to_numpy(),
            "weight": 1.0,
        }))
    sections = [t for t in types if t != THEMES]
    items = corpus.items
    if sections and len(items):
        rows = items[items["section"].astype("str").isin(sections)]
        text = rows["label"].astype("str")
        keys = normalized_text_key(text).to_numpy()
        relevancy = pd.to_numeric(rows[schema.RELEVANCY], errors="coerce").astype("float64")
        parts.append(pd.DataFrame({
            "type": rows["section"].astype("str").to_numpy(),
            "key": keys,
            "label": row_labels(rows).to_numpy(),
            "text": text.to_numpy(),
            "doc_id": rows["doc_id"].astype("str").to_numpy(),
            "weight": (relevancy / schema.RELEVANCY_MAX).fillna(1.0).to_numpy(),
        }))
    if not parts:
        return pd.DataFrame({column: [] for column in _MEMBER_COLUMNS}).astype(_MEMBER_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["key"].notna() & (frame["key"] != "") & (frame["key"] != "nan")]
    frame = frame.sort_values("weight", ascending=False, kind="stable")
    return frame.drop_duplicates(["type", "key", "doc_id"]).reset_index(drop=True)


_NODE_COLUMNS = {"node": "str", "type": "str", "label": "str", "text": "str", "documents": "int64",
                 "relevancy": "float64", "link_weight": "float64"}


def node_table(corpus: Corpus, types: tuple[str, ...] | list[str] = NODE_TYPES, top_per_type: int = 25) -> pd.DataFrame:
    """Corpus -> DataFrame[node, type, label, text, documents, relevancy, link_weight]: the nodes kept
    (module docstring), grouped by type in NODE_TYPES order, each type highest link_weight first.
    relevancy = mean of the node's best relevancy per document (NaN for themes); link_weight = its
    total edge weight to every node of the chosen types (before any is left out)."""
    types = tuple(t for t in NODE_TYPES if t in set(types))
    return _node_table(_memberships(corpus, types), top_per_type)


def _node_table(members: pd.DataFrame, top_per_type: int) -> pd.DataFrame:
    if members.empty:
        return pd.DataFrame({column: [] for column in _NODE_COLUMNS}).astype(_NODE_COLUMNS)
    # A node's edge to another weighs the sum over shared documents of the product of their weights,
    # so its total over all others is, per document, its weight times everyone else's weight there.
    weight_in_document = members.groupby("doc_id", sort=False)["weight"].transform("sum")
    members = members.assign(link_weight=members["weight"] * (weight_in_document - members["weight"]))
    grouped = members.groupby(["type", "key"], sort=False)
    nodes = grouped.agg(documents=("doc_id", "size"), total=("weight", "sum"),
                        link_weight=("link_weight", "sum")).reset_index()
    # Display label and full text: the most used spelling of the key.
    spelling = (members.groupby(["type", "key", "label", "text"]).size().reset_index(name="uses")
                .sort_values(["type", "key", "uses", "label"], ascending=[True, True, False, True])
                .drop_duplicates(["type", "key"]).set_index(["type", "key"]))
    where = pd.MultiIndex.from_frame(nodes[["type", "key"]])
    nodes["label"] = spelling["label"].reindex(where).to_numpy()
    nodes["text"] = spelling["text"].reindex(where).to_numpy()
    nodes["relevancy"] = np.where(nodes["type"] == THEMES, np.nan,
                                  nodes["total"] / nodes["documents"] * schema.RELEVANCY_MAX)
    nodes["link_weight"] = nodes["link_weight"].round(9)  # sums in another order must still tie
    nodes["rank_type"] = nodes["type"].map({t: i for i, t in enumerate(NODE_TYPES)})
    nodes = nodes.sort_values(["rank_type", "link_weight", "documents", "label"],
                              ascending=[True, False, False, True], kind="stable")
    nodes = nodes.groupby("type", sort=False).head(max(top_per_type, 0))
    nodes["node"] = nodes["type"] + ID_SEPARATOR + nodes["key"]
    return nodes[list(_NODE_COLUMNS)].reset_index(drop=True).astype(_NODE_COLUMNS)


def typed_network(
    corpus: Corpus,
    types: tuple[str, ...] | list[str] = NODE_TYPES,
    *,
    top_per_type: int = 25,
    min_weight: float = 0.0,
) -> nx.Graph:
    """Corpus -> networkx Graph of the kept nodes (attributes type, label, text, documents, relevancy)
    and their co-document edges with weight > 0 and >= min_weight (attributes weight, documents).
    Nodes without an edge stay, so the picture shows what is isolated."""
    types = tuple(t for t in NODE_TYPES if t in set(types))
    members = _memberships(corpus, types)
    nodes = _node_table(members, top_per_type)
    graph = nx.Graph()
    graph.add_nodes_from(
        (node, {"type": node_type, "label": label, "text": text, "documents": int(documents),
                "relevancy": None if math.isnan(relevancy) else float(relevancy)})
        for node, node_type, label, text, documents, relevancy, _ in nodes.itertuples(index=False)
    )
    if len(nodes) < 2:
        return graph
    members = members.assign(node=members["type"] + ID_SEPARATOR + members["key"])
    members = members[members["node"].isin(set(nodes["node"]))]
    node_code = pd.Index(nodes["node"]).get_indexer(members["node"])
    doc_code, _ = pd.factorize(members["doc_id"])
    shape = (len(nodes), int(doc_code.max()) + 1 if len(doc_code) else 0)
    weights = sparse.csr_matrix((members["weight"].to_numpy(), (node_code, doc_code)), shape=shape)
    present = sparse.csr_matrix((np.ones(len(node_code)), (node_code, doc_code)), shape=shape)
    edge_weight = sparse.triu(weights @ weights.T, k=1).tocoo()
    shared = (present @ present.T).tocsr()
    keep = (edge_weight.data > 0) & (edge_weight.data >= min_weight)
    names = nodes["node"].to_numpy()
    rows, cols, values = edge_weight.row[keep], edge_weight.col[keep], edge_weight.data[keep]
    shared_documents = np.asarray(shared[rows, cols]).ravel()
    graph.add_edges_from(
        (names[a], names[b], {"weight": round(float(w), 6), "documents": int(d)})
        for a, b, w, d in zip(rows, cols, values, shared_documents)
    )
    return graph


def most_connected(graph: nx.Graph, n: int = 15) -> pd.DataFrame:
    """Graph -> DataFrame[node, label, type, links, weight, documents, text]: the n nodes with the
    largest total edge weight, then most documents, then most links, then label. links =
    neighbours; weight = sum of edge weights; text = the node's full wording."""
    columns = {"node": "str", "label": "str", "type": "str", "links": "int64", "weight": "float64",
               "documents": "int64", "text": "str"}
    rows = [
        (node, data["label"], data["type"], graph.degree(node), graph.degree(node, weight="weight"),
         data.get("documents", 0), data.get("text", data["label"]))
        for node, data in graph.nodes(data=True)
    ]
    table = pd.DataFrame(rows, columns=list(columns)).astype(columns)
    table = table[table["links"] > 0]
    # Rounded for the sort only: the same total added up in another order must still tie.
    order = table.assign(rounded=table["weight"].round(9))
    order = order.sort_values(["rounded", "documents", "links", "label"], ascending=[False, False, False, True],
                              kind="stable")
    return table.loc[order.index].reset_index(drop=True).head(n)


def communities(graph: nx.Graph) -> dict[str, int]:
    """Graph -> node -> community number (0 = largest). Lone nodes get no community."""
    linked = graph.subgraph([n for n in graph.nodes if graph.degree(n) > 0])
    if linked.number_of_edges() == 0:
        return {}
    found = nx.community.louvain_communities(linked, weight="weight", seed=COMMUNITY_SEED)
    found = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: number for number, members in enumerate(found) for node in members}


def community_names(graph: nx.Graph, membership: dict[str, int], size: int = 2) -> dict[int, str]:
    """Community number -> a name: its `size` best-connected themes (or nodes, when it has no theme)."""
    names: dict[int, str] = {}
    for number in sorted(set(membership.values())):
        members = [n for n, c in membership.items() if c == number]
        themes = [n for n in members if graph.nodes[n]["type"] == THEMES] or members
        themes.sort(key=lambda n: (-graph.degree(n, weight="weight"), graph.nodes[n]["label"]))
        names[number] = " · ".join(graph.nodes[n]["label"] for n in themes[:size])
    return names


def bridges(graph: nx.Graph, n: int = 15) -> pd.DataFrame:
    """Graph -> DataFrame[node, label, type, communities, linked_communities, betweenness]: nodes whose
    links reach more than one community (module docstring), most communities first, then highest
    betweenness, then label. linked_communities names them, joined by " | "."""
    columns = {"node": "str", "label": "str", "type": "str", "communities": "int64",
               "linked_communities": "str", "betweenness": "float64"}
    membership = communities(graph)
    if not membership:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in columns.items()})
    names = community_names(graph, membership)
    lengths = graph.copy()  # the caller's graph is left as it was
    nx.set_edge_attributes(
        lengths, {(a, b): 1.0 / w if w else 1.0 for a, b, w in graph.edges(data="weight")}, "distance"
    )
    sample = 300 if len(graph) > 300 else None  # exact up to 300 nodes, sampled (fixed seed) beyond
    centrality = nx.betweenness_centrality(lengths, weight="distance", k=sample, seed=COMMUNITY_SEED)
    rows = []
    for node, data in graph.nodes(data=True):
        reached = {membership[m] for m in graph.neighbors(node) if m in membership}
        if node in membership:
            reached.add(membership[node])
        if len(reached) > 1:
            rows.append((node, data["label"], data["type"], len(reached),
                         " | ".join(names[c] for c in sorted(reached)), centrality.get(node, 0.0)))
    table = pd.DataFrame(rows, columns=list(columns)).astype(columns)
    return table.sort_values(["communities", "betweenness", "label"], ascending=[False, False, True],
                             kind="stable", ignore_index=True).head(n)


def layout(graph: nx.Graph, aspect: float = 1.5) -> pd.DataFrame:
    """Graph -> DataFrame[node, x, y, type, label, text, documents, links, community]: positions for a
    drawing (graph_layout.packed_positions, the theme network's rule, nodes without a link packed
    after the others) and what to colour and size by."""
    positions = graph_layout.packed_positions(graph, aspect, with_lone=True)
    membership = communities(graph)
    rows = [
        (node, float(positions[node][0]), float(positions[node][1]), data["type"], data["label"],
         data.get("text", data["label"]), data.get("documents", 0), graph.degree(node), membership.get(node, -1))
        for node, data in graph.nodes(data=True)
    ]
    return pd.DataFrame(rows, columns=["node", "x", "y", "type", "label", "text", "documents", "links", "community"])


def edge_table(graph: nx.Graph) -> pd.DataFrame:
    """Graph -> DataFrame[source, target, weight, documents]: every edge once, heaviest first."""
    rows = [(a, b, data["weight"], data["documents"]) for a, b, data in graph.edges(data=True)]
    table = pd.DataFrame(rows, columns=["source", "target", "weight", "documents"]).astype(
        {"source": "str", "target": "str", "weight": "float64", "documents": "int64"})
    return table.sort_values(["weight", "source", "target"], ascending=[False, True, True], ignore_index=True)
