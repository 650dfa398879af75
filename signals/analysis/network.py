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
relevancy-3 rows in one document 0.36. `documents` on an edge counts those shared documents. A
flagged copy of a document in the view (the same article loaded twice) adds nothing: its original
already links its nodes (signals.analysis.copies).

Communities are found by Louvain (networkx, fixed seed) and named by their best-connected themes.
A bridge is a node whose links reach more than one community, ranked by how many it reaches, then
by betweenness centrality (with 1 / weight as the length of an edge: strong links are short).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from signals import schema
from signals.analysis import graph_layout
from signals.analysis.copies import copies_in_view
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


def row_labels(items: pd.DataFrame) -> pd.Series:
    """Item rows -> the label a node shows: the row's name, or for a row without one a short label
    derived from its description (signals.analysis.short_labels), computed once per distinct text."""
    return _shown_labels(items["label"].astype("str"), _named(items))


def _named(items: pd.DataFrame) -> pd.Series:
    names = items[schema.NAME].astype("str").str.strip() if schema.NAME in items.columns else None
    return names.notna() & (names != "") if names is not None else pd.Series(False, index=items.index)


def _shown_labels(full: pd.Series, named: pd.Series) -> pd.Series:
    unnamed = full[~named.to_numpy(dtype=bool)]
    shortened = unnamed.map({text: short_label(text) or text for text in unnamed.unique()})
    return full.where(named.to_numpy(dtype=bool), shortened)


@dataclass
class _Members:
    """Memberships as codes: one entry per (node, document) with the node's best weight there.

    type         node type per entry (codes into `types`)
    key          key code per entry (into `keys`; theme keys first, then the rows')
    doc          document code per entry
    weight       the entry's weight
    source       0 = a themes row, 1 = an items row; position = that row's position in its frame
    The frames themselves give each entry's wording when a kept node needs its label (`_wording`).
    Codes throughout: the same table of strings took 6 s to build at 100,000 documents.
    """

    types: np.ndarray
    keys: np.ndarray
    type: np.ndarray
    key: np.ndarray
    doc: np.ndarray
    weight: np.ndarray
    source: np.ndarray
    position: np.ndarray
    themes: pd.DataFrame
    items: pd.DataFrame

    def __len__(self) -> int:
        return len(self.key)

    def take(self, chosen: np.ndarray) -> _Members:
        return _Members(self.types, self.keys, self.type[chosen], self.key[chosen], self.doc[chosen],
                        self.weight[chosen], self.source[chosen], self.position[chosen], self.themes, self.items)

    def wording(self) -> pd.DataFrame:
        """DataFrame[text, named] of each entry: the theme's spelling, or the row's label and whether
        the row has a name."""
        text = np.empty(len(self), dtype=object)
        named = np.ones(len(self), dtype=bool)
        of_themes = np.flatnonzero(self.source == 0)
        if len(of_themes):
            text[of_themes] = self.themes["theme"].astype("str").to_numpy()[self.position[of_themes]]
        of_items = np.flatnonzero(self.source == 1)
        if len(of_items):
            rows = self.items.iloc[self.position[of_items]]
            text[of_items] = rows["label"].astype("str").to_numpy()
            named[of_items] = _named(rows).to_numpy(dtype=bool)
        return pd.DataFrame({"text": pd.Series(text, dtype="str"), "named": named})


def _document_codes(doc_ids: pd.Series, documents: pd.Index) -> np.ndarray:
    """A doc_id column -> each row's position in `documents` (through a categorical's categories)."""
    if isinstance(doc_ids.dtype, pd.CategoricalDtype):
        by_category = documents.get_indexer(doc_ids.cat.categories.astype("str"))
        codes = doc_ids.cat.codes.to_numpy()
        return np.where(codes >= 0, by_category[np.maximum(codes, 0)], -1)
    return documents.get_indexer(doc_ids.astype("str"))


def _memberships(corpus: Corpus, types: tuple[str, ...]) -> _Members:
    """The corpus's memberships of the chosen types (see _Members), deduplicated: each node's best
    weight in each of its documents (the first such row in corpus order on a tie)."""
    documents = pd.Index(corpus.document_facts["doc_id"].astype("str"))
    type_names = list(types)
    parts: list[tuple] = []
    key_arrays: list[pd.Index] = []
    offset = 0
    themes, facts = corpus.themes, corpus.item_facts
    whole, keep = corpus.item_origin()  # keep: positions in whole (None: all)
    if THEMES in types and len(themes):
        theme_keys = themes["theme_key"]
        if isinstance(theme_keys.dtype, pd.CategoricalDtype):  # the loader's: no 1-million-row factorize
            key_code, key_values = theme_keys.cat.codes.to_numpy().astype(np.int64), theme_keys.cat.categories
        else:
            key_code, key_values = pd.factorize(theme_keys.astype("str"))
        key_values = pd.Index(key_values.astype("str"), dtype="str")
        blank = _blank(key_values)
        key_code = np.where((key_code >= 0) & ~blank[np.maximum(key_code, 0)], key_code, -1)
        parts.append((np.full(len(themes), type_names.index(THEMES)), np.where(key_code >= 0, key_code + offset, -1),
                      _document_codes(themes["doc_id"], documents), np.ones(len(themes)),
                      np.zeros(len(themes), dtype=np.int8), np.arange(len(themes))))
        key_arrays.append(key_values)
        offset += len(key_values)
    sections = [t for t in types if t != THEMES]
    if sections and len(facts):
        # Each row's type through the section column's categories (a map over 2.1 million strings
        # was 1.3 s at 100,000 documents).
        section = facts["section"]
        if isinstance(section.dtype, pd.CategoricalDtype):
            codes, names = section.cat.codes.to_numpy(), section.cat.categories.astype("str")
        else:
            codes, names = pd.factorize(section.astype("str"))
        type_of_name = np.array([type_names.index(n) if n in sections else -1 for n in names] + [-1], dtype=np.int64)
        row_type = type_of_name[np.where(codes >= 0, codes, len(names))]
        chosen = np.flatnonzero(row_type >= 0)
        # The rows' keys come from the whole items frame, computed once per loaded corpus
        # (frame_memo): 1.5 s of the page at 100,000 documents. Positions are in that frame.
        in_whole = chosen if keep is None else keep[chosen]
        row_keys, key_values = _row_keys(whole)
        key_code = row_keys[in_whole]
        relevancy = pd.to_numeric(facts[schema.RELEVANCY].iloc[chosen], errors="coerce").astype("float64")
        parts.append((row_type[chosen], np.where(key_code >= 0, key_code + offset, -1),
                      _document_codes(facts["doc_id"].iloc[chosen], documents),
                      (relevancy / schema.RELEVANCY_MAX).fillna(1.0).to_numpy(),
                      np.ones(len(chosen), dtype=np.int8), in_whole))
        key_arrays.append(key_values)
    keys = key_arrays[0].append(key_arrays[1:]) if key_arrays else pd.Index([], dtype="str")
    if not parts:
        parts.append(tuple(np.empty(0, dtype) for dtype in (np.int64, np.int64, np.int64, float, np.int8, np.int64)))
    node_type, key, doc, weight, source, position = (np.concatenate(column) for column in zip(*parts))
    # Keys that are missing, blank or "nan" make no node (their code is -1); a flagged copy of a
    # document in the view links nothing its original does not (signals.analysis.copies).
    kept = key >= 0
    copies = copies_in_view(corpus.document_facts)
    if copies.any():
        kept &= ~copies[np.maximum(doc, 0)] | (doc < 0)
    members = _Members(np.asarray(type_names, dtype=object), keys, node_type, key, doc, weight, source, position,
                       themes, whole).take(np.flatnonzero(kept))
    # Best weight first (stable: corpus order among equals), then the first entry of each
    # (type, key, document).
    order = np.argsort(-members.weight, kind="stable")
    pair = (members.type[order] * max(len(keys), 1) + members.key[order]) * (len(documents) + 1) + members.doc[order]
    first = np.flatnonzero(~pd.Series(pair).duplicated().to_numpy())  # hashing, not sorting 2.6 million pairs
    return members.take(order[first])


def _row_keys(whole: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Every row of a whole items frame -> (its key's code, -1 where the label is missing, blank or
    "nan"; the keys by code: labels compared case- and spacing-insensitively), once per frame."""
    from signals.frame_memo import once_per_frame

    return once_per_frame(whole, "network_row_keys", _compute_row_keys)


def _compute_row_keys(whole: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(whole):
        return np.empty(0, dtype=np.int64), pd.Index([], dtype="str")
    # Arrow's dictionary encoding: 0.5 s for 2.1 million keys, pandas' factorize 0.9 s.
    keys = pa.array(normalized_text_key(whole["label"].astype("str")).array, type=pa.large_string(), from_pandas=True)
    if isinstance(keys, pa.ChunkedArray):  # what pandas' Arrow-backed strings hand over after an edit
        keys = keys.combine_chunks()
    encoded = pc.dictionary_encode(keys)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    values = pd.Index(encoded.dictionary.to_pandas(), dtype="str")
    blank = np.flatnonzero(_blank(values))
    if len(blank):
        codes[np.isin(codes, blank)] = -1
    return codes, values


def _blank(keys: pd.Index) -> np.ndarray:
    """Which keys make no node: missing, empty or "nan"."""
    return np.asarray(keys.isin(["", "nan"]) | keys.isna())


def prepare(corpus: Corpus) -> None:
    """Compute ahead what every network of this corpus's views reuses (`_row_keys`): the app does it
    in the background once a corpus is loaded."""
    _row_keys(corpus.item_origin()[0])


_NODE_COLUMNS = {"node": "str", "type": "str", "label": "str", "text": "str", "documents": "int64",
                 "relevancy": "float64", "link_weight": "float64"}


def node_table(corpus: Corpus, types: tuple[str, ...] | list[str] = NODE_TYPES, top_per_type: int = 25) -> pd.DataFrame:
    """Corpus -> DataFrame[node, type, label, text, documents, relevancy, link_weight]: the nodes kept
    (module docstring), grouped by type in NODE_TYPES order, each type highest link_weight first.
    relevancy = mean of the node's best relevancy per document (NaN for themes); link_weight = its
    total edge weight to every node of the chosen types (before any is left out)."""
    types = tuple(t for t in NODE_TYPES if t in set(types))
    return _node_table(_memberships(corpus, types), top_per_type)[0]


def _node_table(members: _Members, top_per_type: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Memberships -> (the kept nodes, each membership's node number, the kept nodes' numbers).

    On integer codes (node = first appearance of its type and key): the same table with string
    group-bys and sorts over every membership took 20 s at 100,000 documents (2.6 million
    memberships). Labels are made for the nodes that can be kept only (those ranked within
    top_per_type by link weight and documents, ties included: the label breaks them)."""
    empty = pd.DataFrame({column: [] for column in _NODE_COLUMNS}).astype(_NODE_COLUMNS)
    if not len(members):
        return empty, np.empty(0, np.int64), np.empty(0, np.int64)
    # Nodes numbered by first appearance (what a group-by without sorting gives): factorize hashes
    # where np.unique sorted the 2.6 million memberships of 100,000 documents.
    node_of, uniques = pd.factorize(members.type * max(len(members.keys), 1) + members.key)
    node_of = node_of.astype(np.int64)
    count = len(uniques)
    first_member = np.full(count, len(node_of), dtype=np.int64)
    np.minimum.at(first_member, node_of, np.arange(len(node_of)))
    doc_code, weight = members.doc, members.weight
    # A node's edge to another weighs the sum over shared documents of the product of their weights,
    # so its total over all others is, per document, its weight times everyone else's weight there.
    in_document = np.bincount(doc_code, weights=weight)
    documents = np.bincount(node_of, minlength=count)
    total = np.bincount(node_of, weights=weight, minlength=count)
    link_weight = np.round(np.bincount(node_of, weights=weight * (in_document[doc_code] - weight), minlength=count), 9)
    node_type = members.types[members.type[first_member]]
    rank_type = np.array([NODE_TYPES.index(t) for t in members.types], dtype=np.int64)[members.type[first_member]]

    candidates = []
    for kind in np.unique(rank_type):
        of_kind = np.flatnonzero(rank_type == kind)
        ranked = of_kind[np.lexsort((-documents[of_kind], -link_weight[of_kind]))]
        if len(ranked) > max(top_per_type, 0) > 0:
            last = ranked[top_per_type - 1]
            ranked = ranked[(link_weight[ranked] > link_weight[last])
                            | ((link_weight[ranked] == link_weight[last]) & (documents[ranked] >= documents[last]))]
        elif top_per_type <= 0:
            ranked = ranked[:0]
        candidates.append(ranked)
    candidate = np.sort(np.concatenate(candidates)) if candidates else np.empty(0, np.int64)
    if not len(candidate):
        return empty, node_of, candidate

    # Display label and full text: the most used spelling among the candidates' memberships.
    chosen = np.flatnonzero(np.isin(node_of, candidate))
    spellings = members.take(chosen).wording()
    spellings["node"] = node_of[chosen]
    spellings["label"] = _shown_labels(spellings["text"], spellings["named"]).to_numpy()
    spelling = (spellings.groupby(["node", "label", "text"]).size().reset_index(name="uses")
                .sort_values(["node", "uses", "label"], ascending=[True, False, True])
                .drop_duplicates("node").set_index("node"))
    nodes = pd.DataFrame({
        "number": candidate,
        "type": node_type[candidate],
        "key": members.keys[members.key[first_member[candidate]]],
        "documents": documents[candidate],
        "total": total[candidate],
        "link_weight": link_weight[candidate],
        "rank_type": rank_type[candidate],
    })
    nodes["label"] = spelling["label"].reindex(candidate).to_numpy()
    nodes["text"] = spelling["text"].reindex(candidate).to_numpy()
    nodes["relevancy"] = np.where(nodes["type"] == THEMES, np.nan,
                                  (nodes["total"] / nodes["documents"] * schema.RELEVANCY_MAX).round(9))
    nodes = nodes.sort_values(["rank_type", "link_weight", "documents", "label"],
                              ascending=[True, False, False, True], kind="stable")
    nodes = nodes.groupby("type", sort=False).head(max(top_per_type, 0))
    nodes["node"] = nodes["type"] + ID_SEPARATOR + nodes["key"]
    kept = nodes["number"].to_numpy(dtype=np.int64)
    return nodes[list(_NODE_COLUMNS)].reset_index(drop=True).astype(_NODE_COLUMNS), node_of, kept


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
    nodes, node_of, kept = _node_table(members, top_per_type)
    graph = nx.Graph()
    graph.add_nodes_from(
        (node, {"type": node_type, "label": label, "text": text, "documents": int(documents),
                "relevancy": None if math.isnan(relevancy) else float(relevancy)})
        for node, node_type, label, text, documents, relevancy, _ in nodes.itertuples(index=False)
    )
    if len(nodes) < 2:
        return graph
    position = np.full(int(node_of.max()) + 1, -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    node_code = position[node_of]
    chosen = node_code >= 0
    node_code = node_code[chosen]
    doc_code, _ = pd.factorize(members.doc[chosen])
    shape = (len(nodes), int(doc_code.max()) + 1 if len(doc_code) else 0)
    weights = sparse.csr_matrix((members.weight[chosen], (node_code, doc_code)), shape=shape)
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
