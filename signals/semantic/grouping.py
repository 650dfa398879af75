"""Rows -> groups of rows telling the same thing, from their embeddings (no n x n matrix).

The rule (chosen on planted paraphrase groups; figures in docs/insights.md):

centre      the section's mean vector is subtracted from every row before comparing (per language:
            English and French rows each lose their own mean). A static embedding model gives every
            text a large shared component (and one per language: French rows are all alike to it);
            removing it turns "both are sentences about something" into a cosine near 0.
neighbours  each row's K most similar rows from other documents (signals.semantic.neighbours).
links       i and j link when each is among the other's K nearest (mutual) and their centred cosine
            is at least `floor`. Mutual nearest neighbours do not chain through hubs: a generic row
            close to everything is nobody's nearest.
groups      connected components of the links.
"""

from __future__ import annotations

import re

import numpy as np

from signals.semantic.neighbours import nearest

#: Neighbours per row considered for links.
K = 5
#: Centred cosine two rows need to link.
DEFAULT_FLOOR = 0.35

_FRENCH = frozenset(
    ["le", "la", "les", "des", "du", "une", "et", "au", "aux", "pour", "par", "sur", "dans", "avec", "sans", "cette", "ces", "qui", "que", "leur", "leurs", "sont", "est", "plus", "ne", "pas", "il", "ils", "elle", "elles", "nous", "vous", "où", "comme", "d'", "l'", "qu'", "en", "un", "à"])
_ENGLISH = frozenset(["the", "of", "and", "to", "in", "for", "with", "on", "by", "is", "are", "their", "from", "as", "at", "that", "this", "which", "a", "an"])
_WORD = re.compile(r"[a-zà-ÿœæ]+'?")


def language(text: str) -> str:
    """'fr' when a text has more French than English function words, else 'en' (a heuristic good
    enough to centre each language on its own mean; it is not shown to users)."""
    words = _WORD.findall(text.lower())
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    return "fr" if french > english else "en"


def centred(vectors: np.ndarray, languages: np.ndarray | None = None) -> np.ndarray:
    """Unit vectors -> float32 unit vectors with their (per-language) mean removed."""
    data = np.asarray(vectors, dtype=np.float32).copy()
    keys = languages if languages is not None else np.zeros(len(data), dtype=np.int8)
    for key in np.unique(keys):
        chosen = keys == key
        data[chosen] -= data[chosen].mean(axis=0)
    norms = np.linalg.norm(data, axis=1, keepdims=True)
    return np.divide(data, norms, out=np.zeros_like(data), where=norms > 0)


def mutual_links(
    indices: np.ndarray, similarities: np.ndarray, floor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kNN lists (n x k) -> the links (i, j, similarity) with i < j, mutual and at least floor."""
    n, k = indices.shape
    first = np.repeat(np.arange(n), k)
    second = indices.ravel()
    similarity = similarities.ravel()
    keep = (second >= 0) & (similarity >= floor)
    first, second, similarity = first[keep], second[keep], similarity[keep]
    # A pair is mutual when it appears in both directions: encode each directed pair as one integer.
    codes = first.astype(np.int64) * n + second
    reverse = second.astype(np.int64) * n + first
    mutual = np.isin(reverse, codes) & (first < second)
    return first[mutual], second[mutual], similarity[mutual]


def group_rows(
    vectors: np.ndarray, documents: np.ndarray, floor: float = DEFAULT_FLOOR, k: int = K,
    languages: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors + each row's document code -> (a group code per row, the links i, j, similarity).

    Rows without a link are groups of one. See the module docstring for the rule."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = len(vectors)
    if n == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, empty, np.empty(0, np.float32)
    indices, similarities = nearest(centred(vectors, languages), k, documents)
    first, second, similarity = mutual_links(indices, similarities, floor)
    graph = sparse.coo_matrix((np.ones(len(first), dtype=np.int8), (first, second)), shape=(n, n))
    _, groups = connected_components(graph, directed=False)
    return groups.astype(np.int64), first, second, similarity
