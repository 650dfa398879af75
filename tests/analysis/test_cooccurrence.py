"""signals.analysis.cooccurrence: counts, jaccard and lift by hand on the tiny corpus (see conftest),
empty corpora, and matrix invariants on the real one.

Tiny corpus, N = 4: AI on d1 d2 d3, Energy on d2 d3 d4, Climate on d1 d3.
  AI & Energy   = {d2, d3}: 2   jaccard 2/4   lift 2*4/(3*3)
  AI & Climate  = {d1, d3}: 2   jaccard 2/3   lift 2*4/(3*2)
  Climate & Energy = {d3}: 1    jaccard 1/4   lift 1*4/(2*3)

The arithmetic is checked with min_documents=1 (every pair); the support rule on its own.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from signals.analysis import theme_cooccurrence, theme_graph, theme_pairs, top_themes
from signals.analysis.cooccurrence import (
    DEFAULT_MIN_DOCUMENTS,
    default_links_drawn,
    strongest_links,
    unlinked_themes,
)

ORDER = ["AI", "Energy", "Climate"]


def test_count_matrix_by_hand(tiny):
    counts = theme_cooccurrence(tiny, min_documents=1)
    assert counts.index.tolist() == ORDER and counts.columns.tolist() == ORDER
    assert counts.to_numpy().tolist() == [[3, 2, 2], [2, 3, 1], [2, 1, 2]]


def test_jaccard_matrix_by_hand(tiny):
    jaccard = theme_cooccurrence(tiny, measure="jaccard", min_documents=1)
    expected = [[1, 2 / 4, 2 / 3], [2 / 4, 1, 1 / 4], [2 / 3, 1 / 4, 1]]
    np.testing.assert_allclose(jaccard.to_numpy(), expected)


def test_lift_matrix_by_hand(tiny):
    lift = theme_cooccurrence(tiny, measure="lift", min_documents=1)
    assert lift.loc["AI", "Energy"] == pytest.approx(2 * 4 / (3 * 3))
    assert lift.loc["AI", "Climate"] == pytest.approx(2 * 4 / (3 * 2))
    assert lift.loc["Energy", "Climate"] == pytest.approx(1 * 4 / (2 * 3))
    assert all(math.isnan(lift.iloc[i, i]) for i in range(3))


def test_top_n_and_unknown_measure(tiny):
    assert theme_cooccurrence(tiny, top_n=2, min_documents=1).index.tolist() == ["AI", "Energy"]
    with pytest.raises(ValueError, match="measure"):
        theme_cooccurrence(tiny, measure="cosine")


def test_pairs_by_hand(tiny):
    pairs = theme_pairs(tiny, min_documents=1)
    assert list(pairs.columns) == ["theme_a", "theme_b", "documents", "documents_a", "documents_b",
                                   "jaccard", "lift"]
    # Most shared first; equal counts by jaccard (AI-Climate 2/3 before AI-Energy 1/2).
    assert list(zip(pairs["theme_a"], pairs["theme_b"], pairs["documents"])) == [
        ("AI", "Climate", 2),
        ("AI", "Energy", 2),
        ("Climate", "Energy", 1),
    ]
    np.testing.assert_allclose(pairs["jaccard"], [2 / 3, 2 / 4, 1 / 4])
    np.testing.assert_allclose(pairs["lift"], [8 / 6, 8 / 9, 4 / 6])
    assert (pairs["theme_a"] < pairs["theme_b"]).all()
    # Each theme's own documents beside the pair: what the lift rests on.
    assert pairs[["documents_a", "documents_b"]].to_numpy().tolist() == [[3, 2], [3, 3], [2, 3]]
    by_lift = theme_pairs(tiny, min_documents=1, order_by="lift")
    assert list(zip(by_lift["theme_a"], by_lift["theme_b"])) == [("AI", "Climate"), ("AI", "Energy"),
                                                                 ("Climate", "Energy")]
    with pytest.raises(ValueError, match="order_by"):
        theme_pairs(tiny, order_by="cosine")


def test_pairs_leave_out_themes_that_never_meet(tiny):
    apart = tiny.with_frames(themes=tiny.themes[tiny.themes["doc_id"].astype("str") != "d3"])
    # Without d3, Climate (d1) and Energy (d2, d4) never share a document.
    pairs = theme_pairs(apart, min_documents=1)
    assert ("Climate", "Energy") not in set(zip(pairs["theme_a"], pairs["theme_b"]))


def test_graph_by_hand(tiny):
    graph = theme_graph(tiny, min_documents=1)
    assert list(graph.nodes) == ORDER
    assert dict(graph.nodes(data="documents")) == {"AI": 3, "Energy": 3, "Climate": 2}
    assert graph["AI"]["Energy"]["weight"] == 2 and graph["Climate"]["Energy"]["weight"] == 1
    assert graph["AI"]["Climate"]["jaccard"] == pytest.approx(2 / 3)
    strong = theme_graph(tiny, min_documents=2)
    assert set(map(frozenset, strong.edges)) == {frozenset({"AI", "Energy"}), frozenset({"AI", "Climate"})}
    assert strong.number_of_nodes() == 3  # Climate-Energy is dropped, its themes stay
    assert unlinked_themes(strong).empty


def test_support_hides_measures_links_and_rare_themes(tiny):
    """min_documents=2: Climate-Energy shares 1 document, so no jaccard, lift or link for it (its
    count stays). min_documents=3: Climate (2 documents) is left out, AI-Energy (2) loses its link."""
    lift = theme_cooccurrence(tiny, measure="lift", min_documents=2)
    assert lift.loc["AI", "Climate"] == pytest.approx(8 / 6) and lift.loc["AI", "Energy"] == pytest.approx(8 / 9)
    assert math.isnan(lift.loc["Climate", "Energy"]) and math.isnan(lift.loc["Energy", "Climate"])
    jaccard = theme_cooccurrence(tiny, measure="jaccard", min_documents=2)
    assert math.isnan(jaccard.loc["Climate", "Energy"]) and jaccard.loc["Climate", "Climate"] == 1
    assert theme_cooccurrence(tiny, min_documents=2).loc["Climate", "Energy"] == 1
    pairs = theme_pairs(tiny, min_documents=2)
    assert list(zip(pairs["theme_a"], pairs["theme_b"])) == [("AI", "Climate"), ("AI", "Energy")]

    assert DEFAULT_MIN_DOCUMENTS == 3
    assert theme_cooccurrence(tiny).index.tolist() == ["AI", "Energy"]
    assert math.isnan(theme_cooccurrence(tiny, measure="lift").loc["AI", "Energy"])
    assert theme_pairs(tiny).empty
    graph = theme_graph(tiny)
    assert list(graph.nodes) == ["AI", "Energy"] and graph.number_of_edges() == 0
    assert unlinked_themes(graph).to_dict("list") == {"theme": ["AI", "Energy"], "documents": [3, 3]}


def test_strongest_links_by_hand():
    """A-B 5 documents (lift 1), A-C 4 (lift 3), B-C 3 (lift 2), C-D 1 (lift 0.5), E alone."""
    graph = nx.Graph()
    graph.add_nodes_from("ABCDE", documents=5)
    for a, b, shared, lift in [("A", "B", 5, 1.0), ("A", "C", 4, 3.0), ("B", "C", 3, 2.0), ("C", "D", 1, 0.5)]:
        graph.add_edge(a, b, weight=shared, jaccard=shared / 10, lift=lift)

    def links(drawn):
        return {"".join(sorted(edge)) for edge in drawn.edges}

    # The two most shared, and D keeps its only link.
    assert links(strongest_links(graph, "count", 2)) == {"AB", "AC", "CD"}
    # By lift: A-C first; B's strongest is B-C, D's C-D.
    assert links(strongest_links(graph, "lift", 1)) == {"AC", "BC", "CD"}
    assert links(strongest_links(graph, "jaccard", 10)) == {"AB", "AC", "BC", "CD"}
    drawn = strongest_links(graph, "lift", 1)
    assert list(drawn.nodes) == list("ABCDE") and drawn["A"]["C"]["weight"] == 4
    assert graph.number_of_edges() == 4  # the caller's graph is untouched
    assert default_links_drawn(graph) == 10  # 1.5 per linked theme, at least 10
    with pytest.raises(ValueError, match="measure"):
        strongest_links(graph, "cosine")


def test_empty_corpus(empty):
    assert theme_cooccurrence(empty).shape == (0, 0)
    assert theme_cooccurrence(empty, measure="lift").shape == (0, 0)
    pairs = theme_pairs(empty)
    assert pairs.empty and list(pairs.columns) == ["theme_a", "theme_b", "documents", "documents_a",
                                                   "documents_b", "jaccard", "lift"]
    assert theme_graph(empty).number_of_nodes() == 0
    assert unlinked_themes(theme_graph(empty)).empty


def test_invariants_on_a_realistic_corpus(realistic):
    counts = theme_cooccurrence(realistic, top_n=20, min_documents=1)
    matrix = counts.to_numpy()
    assert counts.shape == (20, 20)
    assert (matrix == matrix.T).all()
    diagonal = np.diag(matrix)
    assert (matrix <= np.minimum.outer(diagonal, diagonal)).all()
    assert diagonal.tolist() == top_themes(realistic, n=20)["documents"].tolist()

    jaccard = theme_cooccurrence(realistic, top_n=20, measure="jaccard", min_documents=1).to_numpy()
    # Pairs that share no document have no jaccard or lift (nothing to rest on), the rest are in [0, 1].
    assert (np.isnan(jaccard) == (matrix == 0)).all()
    assert ((jaccard[matrix > 0] > 0) & (jaccard[matrix > 0] <= 1)).all()
    assert np.allclose(jaccard, jaccard.T, equal_nan=True)
    lift = theme_cooccurrence(realistic, top_n=20, measure="lift", min_documents=1).to_numpy()
    n_documents = len(realistic.documents)
    i, j = 0, 1
    assert lift[i, j] == pytest.approx(matrix[i, j] * n_documents / (diagonal[i] * diagonal[j]))

    # One pair checked against plain sets of doc_ids.
    themes = realistic.themes.astype({"doc_id": "str", "theme": "str"})
    first, second = counts.index[0], counts.index[1]
    shared = set(themes.loc[themes["theme"] == first, "doc_id"]) & set(
        themes.loc[themes["theme"] == second, "doc_id"]
    )
    assert counts.loc[first, second] == len(shared)

    pairs = theme_pairs(realistic, top_n=20, min_documents=1)
    assert len(pairs) == int((np.triu(matrix, k=1) > 0).sum())
    assert pairs["documents"].is_monotonic_decreasing
    graph = theme_graph(realistic, top_n=20, min_documents=2)
    assert graph.number_of_nodes() == 20
    assert graph.number_of_edges() == int((np.triu(matrix, k=1) >= 2).sum())
    assert isinstance(counts, pd.DataFrame)


@pytest.mark.parametrize("top_n", [20, 60])
def test_no_measure_rests_on_fewer_than_the_minimum(realistic, top_n):
    """On real documents two themes sharing their only two documents got a lift of 80. With the
    default support, every lift, jaccard and link shown rests on at least 3 shared documents."""
    themes = realistic.themes.astype({"doc_id": "str", "theme_key": "str"})
    docs_of_key = themes.groupby("theme_key")["doc_id"].agg(set)
    display = realistic.themes.astype({"theme": "str", "theme_key": "str"}).drop_duplicates("theme_key")
    key_of = dict(zip(display["theme"], display["theme_key"]))
    minimum = DEFAULT_MIN_DOCUMENTS
    for measure in ("lift", "jaccard"):
        matrix = theme_cooccurrence(realistic, top_n=top_n, measure=measure)
        shown = [(a, b) for a in matrix.index for b in matrix.columns if a != b and not math.isnan(matrix.loc[a, b])]
        assert shown  # something is left to show
        assert all(len(docs_of_key[key_of[a]] & docs_of_key[key_of[b]]) >= minimum for a, b in shown)
    assert all(len(docs_of_key[key_of[t]]) >= minimum for t in theme_cooccurrence(realistic, top_n=top_n).index)
    pairs = theme_pairs(realistic, top_n=top_n, order_by="lift")
    assert (pairs["documents"] >= minimum).all() and pairs["lift"].is_monotonic_decreasing
    for a, b, shared, own_a, own_b, lift in pairs[["theme_a", "theme_b", "documents", "documents_a", "documents_b",
                                                   "lift"]].itertuples(index=False):
        assert len(docs_of_key[key_of[a]] & docs_of_key[key_of[b]]) == shared
        assert (own_a, own_b) == (len(docs_of_key[key_of[a]]), len(docs_of_key[key_of[b]]))
        assert lift == pytest.approx(shared * len(realistic.documents) / (own_a * own_b))
    graph = theme_graph(realistic, top_n=top_n)
    assert all(weight >= minimum for _, _, weight in graph.edges(data="weight"))
    lone = unlinked_themes(graph)
    assert len(lone) + sum(1 for n in graph if graph.degree(n)) == graph.number_of_nodes()
