"""Nearest neighbours by cosine among unit vectors: each row's k most similar other rows.

No n x n matrix is ever held: below EXACT_LIMIT rows the exact top k comes from blocked matrix
products (faiss's flat index, BLOCK query rows at a time); above it, from a faiss inverted-file
index (IVF: rows are bucketed around sqrt(n)-ish centroids learnt from a sample, and each query scans
the NPROBE buckets nearest to it). Measured in docs/performance.md: exact search over the 44,000
signal rows of the 10k synthetic corpus takes seconds, but grows with n squared (about 100 times that
at 440,000 rows, the 100k corpus), while the IVF index finds 0.99 of the exact neighbours there.

Rows can be given a group (their document): neighbours in the same group are skipped, because
"the same signal in other articles" never means two rows of one article.
"""

from __future__ import annotations

import numpy as np

#: Up to this many rows, exact search (measured: see module docstring).
EXACT_LIMIT = 20_000
#: Query rows per block in exact search (bounds the scores held at once).
BLOCK = 8_192
#: Buckets scanned per query in the IVF index.
NPROBE = 32


def _as32(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _exact(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top k (self included): faiss's flat index, BLOCK query rows at a time (its BLAS product
    and heap selection took a third of the time of numpy's product + argpartition here)."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(_as32(vectors))
    n = len(vectors)
    indices = np.empty((n, k), dtype=np.int64)
    similarities = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK):
        found_scores, found = index.search(_as32(vectors[start:start + BLOCK]), k)
        similarities[start:start + BLOCK], indices[start:start + BLOCK] = found_scores, found
    return indices, similarities


def _approximate(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top k (self included) from a faiss IVF index with inner-product metric."""
    import faiss

    n, dimensions = vectors.shape
    buckets = int(min(4 * np.sqrt(n), n // 40))
    quantizer = faiss.IndexFlatIP(dimensions)
    # float16 storage halves the index's memory; its scores differ from float32 by under 0.002.
    index = faiss.IndexIVFScalarQuantizer(quantizer, dimensions, buckets, faiss.ScalarQuantizer.QT_fp16,
                                          faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(n, size=min(n, 64 * buckets), replace=False)
    index.train(_as32(vectors[np.sort(sample)]))
    step = 100_000  # added and searched in slices: no float32 copy of the whole matrix
    for start in range(0, n, step):
        index.add(_as32(vectors[start:start + step]))
    index.nprobe = NPROBE
    similarities = np.empty((n, k), dtype=np.float32)
    indices = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, step):
        found_scores, found = index.search(_as32(vectors[start:start + step]), k)
        similarities[start:start + step], indices[start:start + step] = found_scores, found
    return indices, similarities


def nearest(
    vectors: np.ndarray, k: int, groups: np.ndarray | None = None, *, exact: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (n x d) -> (indices, similarities), both n x k, each row's k most similar other
    rows best first, skipping rows of the same group (groups: one code per row, e.g. its document).
    Missing neighbours (fewer candidates than k) are index -1 with similarity -inf.

    exact None picks exact search up to EXACT_LIMIT rows and the IVF index above."""
    n = len(vectors)
    if n == 0 or k <= 0:
        return np.empty((n, 0), np.int64), np.empty((n, 0), np.float32)
    # Rows of one's own group also come back as neighbours: ask for enough extra to skip them all.
    largest_group = int(np.bincount(groups).max()) if groups is not None and len(groups) else 1
    wanted = min(n, k + largest_group)
    use_exact = n <= EXACT_LIMIT if exact is None else exact
    indices, similarities = (_exact if use_exact else _approximate)(vectors, wanted)
    own = np.arange(n)[:, None]
    drop = (indices < 0) | (indices == own)
    if groups is not None:
        groups = np.asarray(groups)
        drop |= groups[np.maximum(indices, 0)] == groups[:, None]
    similarities = np.where(drop, -np.inf, similarities).astype(np.float32)
    order = np.argsort(-similarities, axis=1, kind="stable")[:, :k]
    indices = np.where(np.isfinite(np.take_along_axis(similarities, order, axis=1)),
                       np.take_along_axis(indices, order, axis=1), -1)
    similarities = np.take_along_axis(similarities, order, axis=1)
    if similarities.shape[1] < k:  # fewer rows than k
        pad = k - similarities.shape[1]
        indices = np.pad(indices, ((0, 0), (0, pad)), constant_values=-1)
        similarities = np.pad(similarities, ((0, 0), (0, pad)), constant_values=-np.inf)
    return indices, similarities


def top_matches(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (n x d) + one unit query vector -> (indices, similarities) of the k most similar
    rows, best first, by blocked products (float16 rows are widened a block at a time)."""
    n = len(vectors)
    k = min(k, n)
    if k == 0:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    query = np.asarray(query, dtype=np.float32).ravel()
    scores = np.empty(n, dtype=np.float32)
    step = 262_144
    for start in range(0, n, step):
        scores[start:start + step] = vectors[start:start + step].astype(np.float32) @ query
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return top, scores[top]
