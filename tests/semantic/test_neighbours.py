"""signals.semantic.neighbours: the graph's lists for rows in empty corners, and lists made symmetric."""

from __future__ import annotations

import numpy as np
import pytest

from signals.semantic import neighbours
from signals.semantic.grouping import CentredRows


def _bulk_and_odd_rows() -> tuple[np.ndarray, int]:
    """5,000 rows around 40 centres, then 200 rows belonging to none (the empty corners)."""
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 64))
    bulk = centres[rng.integers(0, 40, 5_000)] + rng.normal(scale=0.6, size=(5_000, 64))
    odd = rng.normal(size=(200, 64))
    vectors = np.vstack([bulk, odd]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, 200


def _shares_found(reference: np.ndarray, found: np.ndarray) -> np.ndarray:
    return np.array([len(set(a) & set(b)) / reference.shape[1] for a, b in zip(reference, found)])


def test_rows_in_empty_corners_are_searched_again_wider(monkeypatch):
    """With a narrow first search, the graph misses a fifth of the odd rows' exact neighbours; the
    SPARSE_SHARE rows whose k-th found neighbour is least similar (here: the odd rows) are searched
    again at SPARSE_SEARCH_BREADTH and then find nearly all of them."""
    vectors, odd = _bulk_and_odd_rows()
    rows = CentredRows(vectors.astype(np.float16))
    documents = np.arange(len(vectors))
    exact, _ = neighbours.nearest(rows.all(), 10, documents, exact=True)
    monkeypatch.setattr(neighbours, "GRAPH_SEARCH_BREADTH", 10)

    monkeypatch.setattr(neighbours, "SPARSE_SHARE", 0.0)
    once, _ = neighbours.nearest(rows, 10, documents, exact=False)
    monkeypatch.setattr(neighbours, "SPARSE_SHARE", odd / len(vectors))
    again, _ = neighbours.nearest(rows, 10, documents, exact=False)

    assert _shares_found(exact, once)[-odd:].mean() < 0.9
    assert _shares_found(exact, again)[-odd:].mean() > 0.95
    assert _shares_found(exact, again)[:-odd].mean() >= _shares_found(exact, once)[:-odd].mean() - 0.001


def test_the_sparsest_rows_are_those_whose_kth_neighbour_is_least_similar():
    similarities = np.array([[0.9, 0.8], [0.7, 0.2], [0.9, 0.5], [0.6, -np.inf]], dtype=np.float32)
    indices = np.array([[1, 2], [0, 2], [0, 1], [0, -1]])
    assert neighbours._sparsest(indices, similarities, 2).tolist() == [1, 3]  # row 3 found only one
    assert neighbours._sparsest(indices, similarities, 0).tolist() == []


def _one_sided_lists(n: int = 300, k: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact lists of random unit rows with a third of the entries replaced by worse rows, as an
    approximate search leaves them (best first); and the rows' full similarity matrix."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    order = np.argsort(-scores, axis=1)
    indices = order[:, :k].copy()
    worse = rng.random((n, k)) < 0.33
    indices[worse] = order[:, k:3 * k][:, :k][worse]  # a worse row in that slot
    similarities = np.take_along_axis(scores, indices, axis=1)
    ranked = np.argsort(-similarities, axis=1)
    return np.take_along_axis(indices, ranked, 1), np.take_along_axis(similarities, ranked, 1), scores


@pytest.mark.parametrize("block", [neighbours.SYMMETRISE_BLOCK, 7])
def test_symmetrise_lists_hold_every_row_that_found_them_when_it_ranks(monkeypatch, block):
    """Row b's list after: the k best of its own list and of the rows whose lists hold b (computed
    here by brute force over the pairs), best first, with no row twice; the same when the lists are
    read in blocks of a few rows."""
    monkeypatch.setattr(neighbours, "SYMMETRISE_BLOCK", block)
    indices, similarities, scores = _one_sided_lists()
    n, k = indices.shape
    out_indices, out_similarities = neighbours.symmetrise(indices.copy(), similarities.copy())
    for b in range(n):
        candidates = set(indices[b]) | {a for a in range(n) if b in indices[a]}
        expected = sorted(candidates, key=lambda a: -scores[b, a])[:k]
        assert set(out_indices[b]) == set(expected)
        assert len(set(out_indices[b])) == k
        assert np.allclose(out_similarities[b], scores[b, out_indices[b]])
        assert (np.diff(out_similarities[b]) <= 0).all()
    # the pairs found from one end only now make mutual pairs: there are more of them
    def mutual(lists):
        return sum(a in lists[b] for a in range(n) for b in lists[a])
    assert mutual(out_indices) > mutual(indices)


def test_symmetrise_keeps_missing_slots_and_empty_lists():
    indices = np.array([[1, -1], [-1, -1], [0, -1]])
    similarities = np.array([[0.5, -np.inf], [-np.inf, -np.inf], [0.4, -np.inf]], dtype=np.float32)
    out_indices, out_similarities = neighbours.symmetrise(indices, similarities)
    assert out_indices[1].tolist() == [0, -1]  # row 0 found row 1: it enters row 1's empty list
    assert out_indices[0].tolist() == [1, 2]  # row 2 found row 0
    assert out_similarities[0].tolist() == pytest.approx([0.5, 0.4])
    assert out_indices[2].tolist() == [0, -1]
    empty = np.empty((0, 3), np.int64), np.empty((0, 3), np.float32)
    assert neighbours.symmetrise(*empty)[0].shape == (0, 3)


def test_two_searches_lists_give_each_row_the_best_of_both_once():
    first = np.array([[4, 2, -1], [1, 3, 5]])
    first_scores = np.array([[0.9, 0.5, -np.inf], [0.8, 0.7, 0.1]], dtype=np.float32)
    second = np.array([[2, 7, 4], [6, 1, 0]])
    second_scores = np.array([[0.5, 0.6, 0.9], [0.75, 0.8, 0.05]], dtype=np.float32)
    indices, scores = neighbours._best_of_both(first, first_scores, second, second_scores)
    assert indices.tolist() == [[4, 7, 2], [1, 6, 3]]
    assert np.allclose(scores, [[0.9, 0.6, 0.5], [0.8, 0.75, 0.7]])
    few = neighbours._best_of_both(np.array([[3, -1]]), np.array([[0.4, -np.inf]], np.float32),
                                   np.array([[3, -1]]), np.array([[0.4, -np.inf]], np.float32))
    assert few[0].tolist() == [[3, -1]]
