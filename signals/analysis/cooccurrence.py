"""Which themes appear together: a co-occurrence matrix, the list of pairs, and a theme graph.

All three start from the same sparse incidence (top themes x documents, 1 where a document carries
the theme), so counts = incidence @ incidence.T. Themes are the top_n by document count, shown by
display name, in that order.

Measures for two themes A and B, over N documents (the corpus's documents):
  count    |A ∩ B|, documents carrying both
  jaccard  |A ∩ B| / |A ∪ B|
  lift     |A ∩ B| · N / (|A| · |B|): 1 = together as often as chance predicts, above 1 = more often
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from signals.analysis.incidence import encode
from signals.corpus import Corpus

MEASURES = ("count", "jaccard", "lift")


def _counts(corpus: Corpus, top_n: int) -> tuple[list[str], np.ndarray, int]:
    """Corpus -> (the top_n theme display names; their square co-occurrence count matrix; N)."""
    encoded = encode(corpus)
    ranking, incidence = encoded.top_theme_incidence(top_n)
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


def theme_cooccurrence(corpus: Corpus, top_n: int = 20, measure: str = "count") -> pd.DataFrame:
    """Corpus -> square DataFrame over the top_n themes (index and columns = display names, most
    documents first) holding the measure for each pair.

    Diagonal: the theme's own document count for "count", 1 for "jaccard", NaN for "lift".
    Values are int64 for "count", float64 otherwise. An empty corpus gives a 0 x 0 frame.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    themes, counts, total = _counts(corpus, top_n)
    if measure == "count":
        values = counts
    elif measure == "jaccard":
        values = _jaccard(counts)
        np.fill_diagonal(values, 1.0)
    else:
        values = _lift(counts, total)
        np.fill_diagonal(values, np.nan)
    labels = pd.Index(themes, dtype="str", name="theme")
    return pd.DataFrame(values, index=labels, columns=labels.rename(None))


def theme_pairs(corpus: Corpus, top_n: int = 30) -> pd.DataFrame:
    """Corpus -> DataFrame[theme_a, theme_b, documents, jaccard, lift]: each pair of top_n themes that
    share at least one document, once (theme_a < theme_b alphabetically), most shared documents first,
    then highest jaccard, then by name."""
    themes, counts, total = _counts(corpus, top_n)
    first, second = np.triu_indices(len(themes), k=1)
    shared = counts[first, second] if len(themes) else np.empty(0, dtype=np.int64)
    keep = shared > 0
    first, second, shared = first[keep], second[keep], shared[keep]
    names = np.asarray(themes, dtype=object)
    names_first, names_second = names[first], names[second]
    swap = names_first > names_second
    jaccard = _jaccard(counts)[first, second] if len(themes) else np.empty(0)
    lift = _lift(counts, total)[first, second] if len(themes) else np.empty(0)
    pairs = pd.DataFrame(
        {
            "theme_a": pd.Series(np.where(swap, names_second, names_first), dtype="str"),
            "theme_b": pd.Series(np.where(swap, names_first, names_second), dtype="str"),
            "documents": shared.astype("int64"),
            "jaccard": np.asarray(jaccard, dtype="float64"),
            "lift": np.asarray(lift, dtype="float64"),
        }
    )
    return pairs.sort_values(
        ["documents", "jaccard", "theme_a", "theme_b"],
        ascending=[False, False, True, True],
        ignore_index=True,
    )


def theme_graph(corpus: Corpus, top_n: int = 30, min_documents: int = 1) -> nx.Graph:
    """Corpus -> networkx Graph: a node per top_n theme (attribute `documents`), an edge per pair
    sharing at least min_documents documents (attributes `weight` = shared documents, `jaccard`,
    `lift`). Nodes are added most documents first; themes without an edge stay as lone nodes."""
    graph = nx.Graph()
    ranking = encode(corpus).theme_ranking.head(max(top_n, 0))
    graph.add_nodes_from(
        (theme, {"documents": int(documents)})
        for theme, documents in zip(ranking["theme"], ranking["documents"])
    )
    pairs = theme_pairs(corpus, top_n)
    strong = pairs[pairs["documents"] >= max(min_documents, 1)]
    graph.add_edges_from(
        (a, b, {"weight": int(documents), "jaccard": float(jaccard), "lift": float(lift)})
        for a, b, documents, jaccard, lift in strong.itertuples(index=False)
    )
    return graph
