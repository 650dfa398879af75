"""signals.semantic.grouping: centred rows on demand, and centred in place for the linkage."""

from __future__ import annotations

import numpy as np

from signals.semantic.grouping import SLICE, CentredRows


def _unit_rows(count: int, dimensions: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = rng.standard_normal((count, dimensions)) + 2.0  # a shared offset: the mean matters
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float16)


def test_centred_in_place_holds_the_rows_the_linkage_copied_and_no_copy() -> None:
    """Over more than one SLICE of rows: the stored array now holds each row's centred unit vector,
    the same float16 values `half` made as a copy, and the rows read back centred as before."""
    stored = _unit_rows(SLICE + 1_000, 32, seed=1)
    before = CentredRows(stored.copy())
    expected_half, expected_rows = before.half(), before.rows(np.array([0, 5, SLICE + 10]))
    raw = CentredRows(stored)
    done = raw.centre_in_place()
    assert done.centred_in_place and not raw.centred_in_place
    assert done.vectors is stored  # written over, not copied
    np.testing.assert_array_equal(stored, expected_half)
    np.testing.assert_allclose(done.rows(np.array([0, 5, SLICE + 10])), expected_rows, atol=2e-3)
    assert abs(float(np.linalg.norm(done.rows(np.array([3])))) - 1) < 1e-6


def test_the_linkage_groups_the_same_rows_centred_in_place() -> None:
    from signals.analysis.clusters import COHESION_RATIO, link_by_vectors, mutual_pairs
    from signals.semantic.neighbours import nearest

    rng = np.random.default_rng(4)
    centres = rng.standard_normal((40, 48))
    rows = np.repeat(centres, 5, axis=0) + 0.8 * rng.standard_normal((200, 48)) + 3.0
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float16)
    plain = CentredRows(rows.copy())
    indices, similarities = nearest(plain.rows(slice(None)), 6, exact=True)
    first, second, _ = mutual_pairs(indices, similarities)
    similarity = plain.cosines(first, second)
    copied = link_by_vectors(plain, first, second, similarity, 0.35, guard=0.35, cohesion=COHESION_RATIO)
    in_place = link_by_vectors(CentredRows(rows).centre_in_place(), first, second, similarity, 0.35, guard=0.35,
                               cohesion=COHESION_RATIO)
    assert len(set(copied)) < 150  # groups were made
    np.testing.assert_array_equal(copied, in_place)
