"""Which themes appear together: a co-occurrence matrix, the list of pairs, and a theme graph.

All three start from the same sparse incidence (top themes x documents, 1 where a document carries
the theme), so counts = incidence @ incidence.T. Themes are the top_n by document count among those
in at least `min_documents` documents, shown by display name, in that order.

Measures for two themes A and B, over N documents (the corpus's documents):
  count    |A ∩ B|, documents carrying both
  jaccard  |A ∩ B| / |A ∪ B|
  lift     |A ∩ B| · N / (|A| · |B|): 1 = together as often as chance predicts, above 1 = more often

Support. On real corpora most themes are seen once or twice, and two themes that share their only
two documents out of 160 get a lift of 80: a coincidence, not a finding. So a pair's jaccard and lift
are given only when it shares at least `min_documents` documents (DEFAULT_MIN_DOCUMENTS), links
need as many, and themes seen in fewer documents are left out (they could not reach it with
anyone). A pair sharing no document has no jaccard or lift either. Counts below the minimum are
still counts: the count matrix shows them.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from signals.analysis.incidence import encode
from signals.corpus_type import Corpus

MEASURES = ("count", "jaccard", "lift")
#: Documents a pair must share (and a theme must be in) before its jaccard, lift or link is shown.
DEFAULT_MIN_DOCUMENTS = 3
PAIR_COLUMNS = {"theme_a": "str", "theme_b": "str", "documents": "int64", "documents_a": "int64",
                "documents_b": "int64", "jaccard": "float64", "lift": "float64"}
#: What theme_pairs sorts by for each measure (descending), names last.
_PAIR_ORDER = {"count": ["documents", "jaccard"], "jaccard": ["jaccard", "documents"], "lift": ["lift", "documents"]}


def _counts(corpus: Corpus, top_n: int, min_documents: int) -> tuple[list[str], np.ndarray, int]:
    """Corpus -> (the display names of the top_n themes in at least min_documents documents; their
    square co-occurrence count matrix; N)."""
    encoded = encode(corpus)
    # theme_ranking is sorted by documents, so the themes with enough of them are its first rows.
    enough = int((encoded.theme_ranking["documents"] >= max(min_documents, 1)).sum())
    ranking, incidence = encoded.top_theme_incidence(min(max(top_n, 0), enough))
    counts = (incidence @ incidence.T).toarray().astype(np.int64)
    return ranking["theme"].tolist(), counts, encoded.document_count


def _jaccard(counts: np.ndarray) -> np.ndarray:
    own = np.diag(counts).astype("float64")
    union = own[:, None] + own[None, :] - counts
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, counts / np.where(union > 0, union, 1), 0.0)


def _lift(counts: np.ndarray, total: int) -> np.ndarray:
    own = np.diag(counts).astype("float64")
    expected = own[:, None] * own[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, counts * float(total) / np.where(expected > 0, expected, 1), np.nan)


def _supported(values: np.ndarray, counts: np.ndarray, min_documents: int) -> np.ndarray:
    """values with NaN off the diagonal wherever the pair shares fewer than min_documents documents."""
    weak = counts < max(min_documents, 1)
    np.fill_diagonal(weak, False)
    return np.where(weak, np.nan, values)


def theme_cooccurrence(
    corpus: Corpus, top_n: int = 20, measure: str = "count", min_documents: int = DEFAULT_MIN_DOCUMENTS,
) -> pd.DataFrame:
    """Corpus -> square DataFrame over the top_n themes in at least min_documents documents (index
    and columns = display names, most documents first) holding the measure for each pair.

    "count" holds every count. "jaccard" and "lift" are NaN for pairs sharing fewer than
    min_documents documents (module docstring). Diagonal: the theme's own document count for
    "count", 1 for "jaccard", NaN for "lift". Values are int64 for "count", float64 otherwise.
    No theme gives a 0 x 0 frame.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    themes, counts, total = _counts(corpus, top_n, min_documents)
    if measure == "count":
        values = counts
    elif measure == "jaccard":
        values = _jaccard(counts)
        np.fill_diagonal(values, 1.0)
        values = _supported(values, counts, min_documents)
    else:
        values = _supported(_lift(counts, total), counts, min_documents)
        np.fill_diagonal(values, np.nan)
    labels = pd.Index(themes, dtype="str", name="theme")
    return pd.DataFrame(values, index=labels, columns=labels.rename(None))


def theme_pairs(
    corpus: Corpus, top_n: int = 30, min_documents: int = DEFAULT_MIN_DOCUMENTS, order_by: str = "count",
) -> pd.DataFrame:
    """Corpus -> DataFrame[theme_a, theme_b, documents, documents_a, documents_b, jaccard, lift]: each
    pair of the top_n themes (in at least min_documents documents) that shares at least min_documents
    documents, once (theme_a < theme_b alphabetically). documents = shared; documents_a / _b = each
    theme's own. Sorted by the measure `order_by` names, highest first: "count" (documents, then
    jaccard), "jaccard" (then documents) or "lift" (then documents); then by name."""
    if order_by not in MEASURES:
        raise ValueError(f"order_by must be one of {MEASURES}, not {order_by!r}")
    themes, counts, total = _counts(corpus, top_n, min_documents)
    if not themes:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in PAIR_COLUMNS.items()})
    first, second = np.triu_indices(len(themes), k=1)
    shared = counts[first, second]
    keep = (shared > 0) & (shared >= max(min_documents, 1))
    first, second, shared = first[keep], second[keep], shared[keep]
    names = np.asarray(themes, dtype=object)
    own = np.diag(counts)
    swap = names[first] > names[second]
    a, b = np.where(swap, second, first), np.where(swap, first, second)
    pairs = pd.DataFrame({
        "theme_a": names[a], "theme_b": names[b], "documents": shared, "documents_a": own[a],
        "documents_b": own[b], "jaccard": _jaccard(counts)[a, b], "lift": _lift(counts, total)[a, b],
    }).astype(PAIR_COLUMNS)
    keys = [*_PAIR_ORDER[order_by], "theme_a", "theme_b"]
    return pairs.sort_values(keys, ascending=[False, False, True, True], ignore_index=True)


def theme_graph(corpus: Corpus, top_n: int = 30, min_documents: int = DEFAULT_MIN_DOCUMENTS) -> nx.Graph:
    """Corpus -> networkx Graph: a node per top_n theme in at least min_documents documents
    (attribute `documents`), an edge per pair sharing at least min_documents documents (attributes
    `weight` = shared documents, `jaccard`, `lift`). Nodes are added most documents first; themes
    without an edge stay as lone nodes (see unlinked_themes)."""
    graph = nx.Graph()
    themes, counts, _ = _counts(corpus, top_n, min_documents)
    graph.add_nodes_from((theme, {"documents": int(counts[i, i])}) for i, theme in enumerate(themes))
    pairs = theme_pairs(corpus, top_n, min_documents)
    graph.add_edges_from(
        (a, b, {"weight": int(documents), "jaccard": float(jaccard), "lift": float(lift)})
        for a, b, documents, jaccard, lift in pairs[["theme_a", "theme_b", "documents", "jaccard", "lift"]]
        .itertuples(index=False)
    )
    return graph


def unlinked_themes(graph: nx.Graph) -> pd.DataFrame:
    """theme_graph's Graph -> DataFrame[theme, documents]: its themes without a link, in the graph's
    order (most documents first)."""
    lone = [(node, int(data.get("documents", 0))) for node, data in graph.nodes(data=True)
            if graph.degree(node) == 0]
    return pd.DataFrame(lone, columns=["theme", "documents"]).astype({"theme": "str", "documents": "int64"})


def default_links_drawn(graph: nx.Graph) -> int:
    """How many links a drawing of the graph keeps by default: 1.5 per linked theme (at least 10).
    A dense corpus links nearly every pair of top themes (183 of 190 on 2,000 synthetic documents),
    and a drawing of all of them is a hairball in which no label can be read."""
    linked = sum(1 for node in graph.nodes if graph.degree(node) > 0)
    return max(10, round(1.5 * linked))


def strongest_links(graph: nx.Graph, measure: str = "count", max_links: int | None = None) -> nx.Graph:
    """theme_graph's Graph -> a copy with every node and, of the links, the max_links strongest by
    `measure` ("count" = shared documents, "jaccard", "lift"; ties: more shared documents, then names)
    plus each theme's own strongest link, so that no theme loses all of its links to the cut.
    max_links None: default_links_drawn(graph)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    attribute = "weight" if measure == "count" else measure
    limit = default_links_drawn(graph) if max_links is None else max(max_links, 0)

    def strength(edge: tuple) -> tuple:
        a, b, data = edge
        return (-float(data.get(attribute, 0.0)), -int(data.get("weight", 0)), *sorted((str(a), str(b))))

    ranked = sorted(graph.edges(data=True), key=strength)
    kept = {frozenset((a, b)) for a, b, _ in ranked[:limit]}
    for node in graph.nodes:
        own = sorted(((node, other, data) for other, data in graph[node].items()), key=strength)
        if own:
            kept.add(frozenset(own[0][:2]))
    drawn = nx.Graph()
    drawn.add_nodes_from(graph.nodes(data=True))
    drawn.add_edges_from((a, b, data) for a, b, data in ranked if frozenset((a, b)) in kept)
    return drawn
