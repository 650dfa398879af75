"""signals.analysis.cooccurrence: counts, jaccard and lift by hand on the tiny corpus (see conftest),
empty corpora, and matrix invariants on the real one.

Tiny corpus, N = 4: AI on d1 d2 d3, Energy on d2 d3 d4, Climate on d1 d3.
  AI & Energy   = {d2, d3}: 2   jaccard 2/4   lift 2*4/(3*3)
  AI & Climate  = {d1, d3}: 2   jaccard 2/3   lift 2*4/(3*2)
  Climate & Energy = {d3}: 1    jaccard 1/4   lift 1*4/(2*3)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from signals.analysis import theme_cooccurrence, theme_graph, theme_pairs, top_themes

ORDER = ["AI", "Energy", "Climate"]


def test_count_matrix_by_hand(tiny):
    counts = theme_cooccurrence(tiny)
    assert counts.index.tolist() == ORDER and counts.columns.tolist() == ORDER
    assert counts.to_numpy().tolist() == [[3, 2, 2], [2, 3, 1], [2, 1, 2]]


def test_jaccard_matrix_by_hand(tiny):
    jaccard = theme_cooccurrence(tiny, measure="jaccard")
    expected = [[1, 2 / 4, 2 / 3], [2 / 4, 1, 1 / 4], [2 / 3, 1 / 4, 1]]
    np.testing.assert_allclose(jaccard.to_numpy(), expected)


def test_lift_matrix_by_hand(tiny):
    lift = theme_cooccurrence(tiny, measure="lift")
    assert lift.loc["AI", "Energy"] == pytest.approx(2 * 4 / (3 * 3))
    assert lift.loc["AI", "Climate"] == pytest.approx(2 * 4 / (3 * 2))
    assert lift.loc["Energy", "Climate"] == pytest.approx(1 * 4 / (2 * 3))
    assert all(math.isnan(lift.iloc[i, i]) for i in range(3))


def test_top_n_and_unknown_measure(tiny):
    assert theme_cooccurrence(tiny, top_n=2).index.tolist() == ["AI", "Energy"]
    with pytest.raises(ValueError, match="measure"):
        theme_cooccurrence(tiny, measure="cosine")


def test_pairs_by_hand(tiny):
    pairs = theme_pairs(tiny)
    assert list(pairs.columns) == ["theme_a", "theme_b", "documents", "jaccard", "lift"]
    # Most shared first; equal counts by jaccard (AI-Climate 2/3 before AI-Energy 1/2).
    assert list(zip(pairs["theme_a"], pairs["theme_b"], pairs["documents"])) == [
        ("AI", "Climate", 2),
        ("AI", "Energy", 2),
        ("Climate", "Energy", 1),
    ]
    np.testing.assert_allclose(pairs["jaccard"], [2 / 3, 2 / 4, 1 / 4])
    np.testing.assert_allclose(pairs["lift"], [8 / 6, 8 / 9, 4 / 6])
    assert (pairs["theme_a"] < pairs["theme_b"]).all()


def test_pairs_leave_out_themes_that_never_meet(tiny):
    apart = tiny.with_frames(themes=tiny.themes[tiny.themes["doc_id"].astype("str") != "d3"])
    # Without d3, Climate (d1) and Energy (d2, d4) never share a document.
    assert ("Climate", "Energy") not in set(zip(theme_pairs(apart)["theme_a"], theme_pairs(apart)["theme_b"]))


def test_graph_by_hand(tiny):
    graph = theme_graph(tiny)
    assert list(graph.nodes) == ORDER
    assert dict(graph.nodes(data="documents")) == {"AI": 3, "Energy": 3, "Climate": 2}
    assert graph["AI"]["Energy"]["weight"] == 2 and graph["Climate"]["Energy"]["weight"] == 1
    assert graph["AI"]["Climate"]["jaccard"] == pytest.approx(2 / 3)
    strong = theme_graph(tiny, min_documents=2)
    assert set(map(frozenset, strong.edges)) == {frozenset({"AI", "Energy"}), frozenset({"AI", "Climate"})}
    assert strong.number_of_nodes() == 3  # Climate-Energy is dropped, its themes stay


def test_empty_corpus(empty):
    assert theme_cooccurrence(empty).shape == (0, 0)
    assert theme_cooccurrence(empty, measure="lift").shape == (0, 0)
    pairs = theme_pairs(empty)
    assert pairs.empty and list(pairs.columns) == ["theme_a", "theme_b", "documents", "jaccard", "lift"]
    assert theme_graph(empty).number_of_nodes() == 0


def test_real_corpus_invariants(futures):
    counts = theme_cooccurrence(futures, top_n=20)
    matrix = counts.to_numpy()
    assert counts.shape == (20, 20)
    assert (matrix == matrix.T).all()
    diagonal = np.diag(matrix)
    assert (matrix <= np.minimum.outer(diagonal, diagonal)).all()
    assert diagonal.tolist() == top_themes(futures, n=20)["documents"].tolist()

    jaccard = theme_cooccurrence(futures, top_n=20, measure="jaccard").to_numpy()
    assert ((jaccard >= 0) & (jaccard <= 1)).all() and np.allclose(jaccard, jaccard.T)
    lift = theme_cooccurrence(futures, top_n=20, measure="lift").to_numpy()
    n_documents = len(futures.documents)
    i, j = 0, 1
    assert lift[i, j] == pytest.approx(matrix[i, j] * n_documents / (diagonal[i] * diagonal[j]))

    # One pair checked against plain sets of doc_ids.
    themes = futures.themes.astype({"doc_id": "str", "theme": "str"})
    first, second = counts.index[0], counts.index[1]
    shared = set(themes.loc[themes["theme"] == first, "doc_id"]) & set(
        themes.loc[themes["theme"] == second, "doc_id"]
    )
    assert counts.loc[first, second] == len(shared)

    pairs = theme_pairs(futures, top_n=20)
    assert len(pairs) == int((np.triu(matrix, k=1) > 0).sum())
    assert pairs["documents"].is_monotonic_decreasing
    graph = theme_graph(futures, top_n=20, min_documents=2)
    assert graph.number_of_nodes() == 20
    assert graph.number_of_edges() == int((np.triu(matrix, k=1) >= 2).sum())
    assert isinstance(counts, pd.DataFrame)
