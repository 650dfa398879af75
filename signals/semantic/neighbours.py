"""Nearest neighbours by cosine among unit vectors: each row's k most similar other rows.

No n x n matrix is ever held: below EXACT_LIMIT rows the exact top k comes from blocked matrix
products (faiss's flat index, BLOCK query rows at a time); above it, from a faiss inverted-file
index (IVF: rows, reduced by PCA to REDUCED_DIMENSIONS, are bucketed around sqrt(n)-ish centroids
learnt from a sample, and each query scans the NPROBE buckets nearest to it; the pairs found are
then scored exactly). Measured in docs/performance.md: exact search over the 44,000
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
NPROBE = 16
#: Dimensions the IVF index works in (PCA); the pairs it finds are rescored in full.
REDUCED_DIMENSIONS = 256
#: Rows the PCA is learnt from.
PCA_SAMPLE = 50_000
#: k-means iterations learning the buckets (faiss's default is 25: 13 s of the search at 100k;
#: the buckets only choose where to look, the pairs found are scored exactly).
KMEANS_ITERATIONS = 10
#: Rows rescored at a time (4,096 x 20 neighbours x 512 float32: 168 MB).
RESCORE = 4_096


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
    """Top k (self included) from a faiss IVF index over the rows reduced to REDUCED_DIMENSIONS by
    PCA (learnt on a sample), with each found pair's similarity then computed exactly from the full
    vectors, so thresholds mean the same as with exact search.

    Measured on the signals rows of the synthetic corpora, clustering unchanged otherwise: at 10,000
    documents (43,802 rows, FULL model) the planted groups came out the same (8 of 10) with the
    neighbour search 4.1 s instead of 5.3 s (full 512 dimensions, float16 codes, 32 buckets probed);
    at 100,000 documents (437,273 rows, TOKENS model) 76 s instead of 127 s, 4 of 10 groups instead
    of 2. 128 dimensions: 43 s at 100k, but 7 of 10 at 10k."""
    import faiss

    n, dimensions = vectors.shape
    reduced = min(REDUCED_DIMENSIONS, dimensions)
    rng = np.random.default_rng(0)
    pca = faiss.PCAMatrix(dimensions, reduced)
    pca.train(_as32(vectors[np.sort(rng.choice(n, size=min(n, PCA_SAMPLE), replace=False))]))

    def project(rows: np.ndarray) -> np.ndarray:
        out = pca.apply(_as32(rows))
        faiss.normalize_L2(out)
        return out

    buckets = int(min(4 * np.sqrt(n), n // 40))
    quantizer = faiss.IndexFlatIP(reduced)
    # Codes of one byte a dimension (a quarter of float32's memory, and faster to scan); the pairs
    # found are rescored exactly below. At 100,000 documents: 79 s instead of 93 s, 430 MB less at
    # the peak, 0.99 of each row's ten nearest the same as with float32 codes.
    index = faiss.IndexIVFScalarQuantizer(quantizer, reduced, buckets, faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = KMEANS_ITERATIONS
    index.train(project(vectors[np.sort(rng.choice(n, size=min(n, 64 * buckets), replace=False))]))
    step = 100_000  # added and searched in slices: no float32 copy of the whole matrix
    for start in range(0, n, step):
        index.add(project(vectors[start:start + step]))
    index.nprobe = NPROBE
    similarities = np.empty((n, k), dtype=np.float32)
    indices = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, step):
        _, indices[start:start + step] = index.search(project(vectors[start:start + step]), k)
    # Exact cosines of the pairs found, RESCORE rows at a time (bounds the gathered neighbours).
    for start in range(0, n, RESCORE):
        found = indices[start:start + RESCORE]
        rows = _as32(vectors[start:start + RESCORE])
        gathered = vectors[np.maximum(found, 0)].astype(np.float32)
        scores = np.einsum("id,ikd->ik", rows, gathered)
        similarities[start:start + RESCORE] = np.where(found >= 0, scores, -np.inf)
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
