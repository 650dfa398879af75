"""Nearest neighbours by cosine among unit vectors: each row's k most similar other rows.

No n x n matrix is ever held: below EXACT_LIMIT rows the exact top k comes from blocked matrix
products (faiss's flat index, BLOCK query rows at a time); above it, from a faiss HNSW graph over
the rows (kept as float16) reduced by PCA to REDUCED_DIMENSIONS (each row linked to GRAPH_LINKS near rows; a search
walks the graph towards the query; the rows in the emptiest corners are searched again, wider), and
the pairs it finds are then scored exactly. Exact search
over the 44,000 signal rows of the 10k synthetic corpus takes seconds, but grows with n squared
(about 100 times that at 440,000 rows, the 100k corpus); the graph finds 0.97-0.99 of a row's
exact 10 nearest there, 0.87-0.91 for rows unlike the bulk of the corpus (`_approximate`).

Rows can be given a group (their document): neighbours in the same group are skipped, because
"the same signal in other articles" never means two rows of one article.
"""

from __future__ import annotations

import numpy as np

#: Up to this many rows, exact search (measured: see module docstring).
EXACT_LIMIT = 20_000
#: Query rows per block in exact search (bounds the scores held at once).
BLOCK = 8_192
#: Links per row in the HNSW graph (faiss's M). 16 found 0.63 of planted rows' exact neighbours
#: at 100,000 documents, 32 found 0.87 (see _approximate).
GRAPH_LINKS = 32
#: Candidates kept while building the graph (faiss's efConstruction).
GRAPH_BUILD_BREADTH = 40
#: Candidates kept while searching it (faiss's efSearch; at least the k asked for): 48 found 0.87
#: of planted rows' exact neighbours, 96 found 0.91 (see _approximate). 64 since the sparsest rows are
#: searched again (SPARSE_SHARE): the same 9 of 10 planted groups at 100,000 documents as 96, in
#: 160.8 s instead of 195.9 s, and the same 10, 9 and 9 of 10 at 10,000.
GRAPH_SEARCH_BREADTH = 64
#: Dimensions the graph works in (PCA); the pairs it finds are rescored in full. 512 found the
#: same neighbours as 256 (0.61 / 0.83 with the former IVF index) at twice the cost.
REDUCED_DIMENSIONS = 256
#: Rows added to the graph at a time. The graph depends on it: adding 25,000 at a time found 0.886
#: of the planted rows' exact 20 nearest at 100,000 documents and 65 of their 150 mutual pairs,
#: 100,000 at a time 0.906 and 72 (the same in two runs).
GRAPH_SLICE = 100_000
#: Rows made float32, centred, normalised and projected at a time (four copies of them at once:
#: 0.8 GB for 100,000 rows, 0.2 GB for 25,000, at the same speed).
PROJECT_SLICE = 25_000
#: Rows the PCA is learnt from.
PCA_SAMPLE = 50_000
#: Rows rescored at a time (2,048 x 30 neighbours x 512 float32: 126 MB of gathered partners).
RESCORE = 2_048
#: Share of the rows searched again, wider (SPARSE_SEARCH_BREADTH): those whose k-th found neighbour
#: is least similar, the rows in empty corners of the corpus, whose neighbours the graph's search
#: misses most (see `_approximate`).
SPARSE_SHARE = 0.05
#: Candidates kept while searching those rows again (faiss's efSearch).
SPARSE_SEARCH_BREADTH = 256


def search_settings() -> str:
    """What the lists a search makes depend on beyond the rows: stored with them, so that lists made
    by another search are searched again rather than carried over (signals.semantic.growing)."""
    return (f"exact<={EXACT_LIMIT}; graph {REDUCED_DIMENSIONS}d M{GRAPH_LINKS} efC{GRAPH_BUILD_BREADTH} "
            f"efS{GRAPH_SEARCH_BREADTH}; sparsest {SPARSE_SHARE} again at {SPARSE_SEARCH_BREADTH}; symmetrised")


def _as32(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _rows(vectors, positions: np.ndarray | slice) -> np.ndarray:
    """Some rows of `vectors` as float32: an array, or an object that makes its rows on demand
    (grouping.CentredRows: no centred copy of every row is held while the graph is built)."""
    return _as32(vectors[positions]) if isinstance(vectors, np.ndarray) else vectors.rows(positions)


def _pair_cosines(vectors, rows: slice, partners: np.ndarray) -> np.ndarray:
    """The cosine of each row of `rows` with each of its partners (positions, one row of them per
    row), for an array or for rows made on demand (their own, cheaper way: CentredRows.pair_cosines)."""
    if isinstance(vectors, np.ndarray):
        return np.einsum("id,ikd->ik", _as32(vectors[rows]), _as32(vectors[partners]))
    return vectors.pair_cosines(rows, partners)


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


class Projection:
    """A learnt linear map to REDUCED_DIMENSIONS (PCA), applied as faiss's PCAMatrix does (y = A x + b),
    then each row normalised: the space the graph ranks rows in. Kept as two arrays so that rows
    added later (signals.semantic.growing) are ranked in the same space as the rows before them."""

    def __init__(self, components: np.ndarray, offset: np.ndarray) -> None:
        self.components = np.ascontiguousarray(components, dtype=np.float32)  # reduced x dimensions
        self.offset = np.ascontiguousarray(offset, dtype=np.float32)

    @classmethod
    def learn(cls, vectors, reduced: int | None = None) -> Projection:
        """The PCA (to `reduced` dimensions, REDUCED_DIMENSIONS by default) of a sample of PCA_SAMPLE
        rows (array, or rows made on demand)."""
        import faiss

        n, dimensions = vectors.shape
        pca = faiss.PCAMatrix(dimensions, min(reduced or REDUCED_DIMENSIONS, dimensions))
        rng = np.random.default_rng(0)
        pca.train(_rows(vectors, np.sort(rng.choice(n, size=min(n, PCA_SAMPLE), replace=False))))
        return cls(faiss.vector_to_array(pca.A).reshape(pca.d_out, pca.d_in), faiss.vector_to_array(pca.b))

    @property
    def dimensions(self) -> int:
        return len(self.offset)

    def apply(self, rows: np.ndarray) -> np.ndarray:
        """Float32 rows -> their reduced, normalised rows."""
        import faiss

        out = _as32(rows) @ self.components.T
        out += self.offset
        faiss.normalize_L2(out)
        return out


def _approximate(vectors: np.ndarray, k: int, rescore: bool = True,
                 projection: Projection | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top k (self included) from a faiss HNSW graph over the rows reduced to REDUCED_DIMENSIONS by
    PCA (learnt on a sample), with each found pair's similarity then computed exactly from the full
    vectors, so thresholds mean the same as with exact search. rescore=False keeps the graph's own
    similarities (cosines of the reduced rows, for ranking only): rescoring every found pair was 20 s
    of the 139 s at 437,273 rows, and a caller that keeps a few of the pairs rescores those.

    Why a graph rather than buckets (IVF, used before): a bucket index finds a row's neighbours in
    the buckets nearest to it, which are learnt from the bulk of the rows; a row unlike the bulk (a
    report in other words than the corpus's usual ones: exactly the rows "same signal" must find)
    has its neighbours spread over many buckets. Measured on the 437,273 signals rows of 100,000
    synthetic documents (whole network's vectors), share of each row's 10 exact nearest rows found:

    | index | planted paraphrases | random rows | time (build + search of every row) |
    |---|---|---|---|
    | IVF, 16 of 2,645 buckets probed (before) | 0.61 | 0.83 | about 75 s |
    | IVF, 48 probed | 0.79 | 0.91 | about 95 s |
    | IVF, 128 probed | 0.89 | 0.95 | about 200 s |
    | HNSW, 32 links a row, efSearch 48 | 0.87 | 0.97 | 54 + 60 s |
    | HNSW, 32 links a row, efSearch 96 (until session 15) | 0.91 | 0.99 | about 55 + 110 s |
    | HNSW, efSearch 64, the sparsest 5% again at 256, lists symmetric (now) | not measured | not measured | 161.5 s for the whole clustering (195.9 s at 96) |

    The graph's rows are float16 since (IndexHNSWSQ): 28% faster, the same neighbours (above).

    Planted groups recovered there (mutual pairs, 20 neighbours): 3 of 10 with the IVF's 16 probes,
    8 with 128; 7 with the graph at efSearch 48, 7-8 at 96 (the search differs from run to run).

    What the graph still missed were the neighbours of rows in empty corners (session 15: rows of the
    orbit clean-up group had group-mates at 0.45-0.64, their exact 20th nearest at 0.30-0.35, and the
    search found neither). So the SPARSE_SHARE of rows whose k-th found neighbour is least similar
    are searched again at efSearch SPARSE_SEARCH_BREADTH: at 100,000 documents the 21,863 rows below
    0.48 (the bulk's k-th is about 0.55), of which 18,103 got a better list, for 13% of the first
    search's time (measured at efSearch 96); with `symmetrise` after it, 9 of 10 planted groups
    against 7 (10% at 384: the same 9, 36 s). Then the first search at 64 instead of 96: the same 9
    (GRAPH_SEARCH_BREADTH)."""
    import faiss

    n = len(vectors)
    projection = projection or Projection.learn(vectors)
    reduced = projection.dimensions

    def project(start: int, stop: int) -> np.ndarray:
        """Rows start..stop reduced and normalised, PROJECT_SLICE rows made float32 at a time."""
        out = np.empty((max(0, min(stop, n) - start), reduced), dtype=np.float32)
        for at in range(start, min(stop, n), PROJECT_SLICE):
            part = projection.apply(_rows(vectors, slice(at, min(at + PROJECT_SLICE, stop))))
            out[at - start:at - start + len(part)] = part
        return out

    # The graph's rows kept as float16: at 100,000 rows the build and search took 26-28 s where
    # float32 rows took 36 s (half the memory read per distance), 0.999 of each row's 10 nearest
    # the same, and the index is half the size (224 MB less at 437,000 rows).
    index = faiss.IndexHNSWSQ(reduced, faiss.ScalarQuantizer.QT_fp16, GRAPH_LINKS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = GRAPH_BUILD_BREADTH
    for start in range(0, n, GRAPH_SLICE):
        index.add(project(start, start + GRAPH_SLICE))
    index.hnsw.efSearch = max(GRAPH_SEARCH_BREADTH, k)
    similarities = np.empty((n, k), dtype=np.float32)
    indices = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, PROJECT_SLICE):  # the search's answers do not depend on its slices
        similarities[start:start + PROJECT_SLICE], indices[start:start + PROJECT_SLICE] = index.search(
            project(start, start + PROJECT_SLICE), k)
    # The rows in the emptiest corners, searched again with a wider beam (module constants); each
    # keeps the k best of both searches.
    sparse = _sparsest(indices, similarities, int(SPARSE_SHARE * n))
    index.hnsw.efSearch = max(SPARSE_SEARCH_BREADTH, k)
    for at in range(0, len(sparse), PROJECT_SLICE):
        some = sparse[at:at + PROJECT_SLICE]
        found_scores, found = index.search(projection.apply(_rows(vectors, some)), k)
        indices[some], similarities[some] = _best_of_both(indices[some], similarities[some], found, found_scores)
    del index
    if not rescore:
        return indices, np.where(indices >= 0, similarities, -np.inf).astype(np.float32)
    # Exact cosines of the pairs found, RESCORE rows at a time (bounds the gathered neighbours).
    for start in range(0, n, RESCORE):
        found = indices[start:start + RESCORE]
        scores = _pair_cosines(vectors, slice(start, start + RESCORE), np.maximum(found, 0))
        similarities[start:start + RESCORE] = np.where(found >= 0, scores, -np.inf)
    return indices, similarities


def _sparsest(indices: np.ndarray, similarities: np.ndarray, count: int) -> np.ndarray:
    """Found neighbours (n x k, best first, -1 where none) -> the positions (sorted) of the `count`
    rows whose k-th neighbour is least similar (rows with fewer than k found first)."""
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    kth = np.where(indices[:, -1] >= 0, similarities[:, -1], -np.inf)
    return np.sort(np.argpartition(kth, min(count, len(kth)) - 1)[:count])


#: Rows whose lists are read at a time by `symmetrise`: a block gathers its links' partners' lists
#: (16,384 x 20 x 20 int64 at most: 52 MB), as `clusters.mutual_pairs` does.
SYMMETRISE_BLOCK = 16_384


def _best_of_both(indices: np.ndarray, similarities: np.ndarray, other: np.ndarray,
                  other_similarities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two searches' lists of the same rows (q x k each, best first, -1 where none) -> each row's k
    best of both, each row once, best first."""
    k = indices.shape[1]
    both = np.concatenate([indices, other], axis=1)
    scores = np.concatenate([similarities, other_similarities], axis=1).astype(np.float32)
    scores = np.where(both >= 0, scores, -np.inf)
    order = np.argsort(both, axis=1, kind="stable")  # a row found by both: side by side
    both, scores = np.take_along_axis(both, order, 1), np.take_along_axis(scores, order, 1)
    repeated = np.zeros_like(both, dtype=bool)
    repeated[:, 1:] = (both[:, 1:] == both[:, :-1]) & (both[:, 1:] >= 0)
    scores = np.where(repeated, -np.inf, scores)
    best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    scores = np.take_along_axis(scores, best, 1)
    return np.where(np.isfinite(scores), np.take_along_axis(both, best, 1), -1), scores


def symmetrise(indices: np.ndarray, similarities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest rows (n x k, best first, -1 / -inf where none) -> the same arrays, changed
    in place, where each row b also holds every row a that found b and is more similar to b than b's
    k-th neighbour (then still the k best, best first). An approximate search finds pair (a, b) from
    one end and not the other more often than from neither: at 100,000 documents 45,600 such rows
    entered 41,700 lists, and one planted group more made its mutual pairs (8 of 10 against 7 on the
    same lists). The lists are read a block of rows at a time: all 8.7 million links at once held
    some 300 MB of copies, the clustering's peak at 100,000 documents."""
    n, k = indices.shape
    if n == 0 or k == 0:
        return indices, similarities
    kth = np.where(indices[:, -1] >= 0, similarities[:, -1], -np.inf)
    finders, founds, scores = [], [], []
    for start in range(0, n, SYMMETRISE_BLOCK):
        found = indices[start:start + SYMMETRISE_BLOCK]
        score = similarities[start:start + SYMMETRISE_BLOCK]
        at, slot = np.nonzero((found >= 0) & (score > kth[np.maximum(found, 0)]))
        finder, found, score = at + start, found[at, slot].astype(np.int64), score[at, slot]
        new = ~(indices[found] == finder[:, None]).any(axis=1)  # not in the list already
        finders.append(finder[new])
        founds.append(found[new])
        scores.append(score[new])
    finder, found, score = np.concatenate(finders), np.concatenate(founds), np.concatenate(scores)
    if not len(found):
        return indices, similarities
    touched = np.unique(found)
    owner = np.concatenate([np.repeat(touched, k), found])
    partner = np.concatenate([indices[touched].ravel().astype(np.int64), finder])
    score = np.concatenate([similarities[touched].ravel(), score])
    order = np.lexsort((-score, owner))  # by owner, best first
    owner, partner, score = owner[order], partner[order], score[order]
    starts = np.searchsorted(owner, touched)
    rank = np.arange(len(owner)) - np.repeat(starts, np.diff(np.append(starts, len(owner))))
    keep = rank < k
    indices[owner[keep], rank[keep]] = partner[keep]
    similarities[owner[keep], rank[keep]] = score[keep]
    return indices, similarities


def nearest(
    vectors: np.ndarray, k: int, groups: np.ndarray | None = None, *, exact: bool | None = None,
    rescore: bool = True, projection: Projection | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (n x d; or grouping.CentredRows, which makes them on demand) -> (indices,
    similarities), both n x k, each row's k most similar other rows best first, skipping rows of the
    same group (groups: one code per row, e.g. its document). Missing neighbours (fewer candidates
    than k) are index -1 with similarity -inf.

    exact None picks exact search up to EXACT_LIMIT rows and the HNSW graph above (whose lists are
    then `symmetrise`d: a pair found from one end only is in both lists when it ranks). rescore=False:
    above EXACT_LIMIT the similarities are the graph's (reduced rows: they rank, but do not mean
    what a threshold means); the caller computes the exact ones of the pairs it keeps. projection:
    the graph's space (learnt from the rows when None)."""
    n = len(vectors)
    if n == 0 or k <= 0:
        return np.empty((n, 0), np.int64), np.empty((n, 0), np.float32)
    # Rows of one's own group also come back as neighbours: ask for enough extra to skip them all.
    wanted = min(n, k + largest_group(groups))
    use_exact = n <= EXACT_LIMIT if exact is None else exact
    if use_exact and not isinstance(vectors, np.ndarray):
        vectors = vectors.all()
    if use_exact:
        return best_others(*_exact(vectors, wanted), np.arange(n), groups, k)
    return symmetrise(*best_others(*_approximate(vectors, wanted, rescore, projection), np.arange(n), groups, k))


def largest_group(groups: np.ndarray | None) -> int:
    """Rows in the largest group (1 without groups): the neighbours to ask for beyond k, so that
    skipping a row's own group still leaves k."""
    return int(np.bincount(groups).max()) if groups is not None and len(groups) else 1


def best_others(indices: np.ndarray, similarities: np.ndarray, own: np.ndarray, groups: np.ndarray | None,
                k: int) -> tuple[np.ndarray, np.ndarray]:
    """Found neighbours (q x found, -1 where none) of the rows at positions `own` -> their k best
    that are neither the row itself nor of its group (as `nearest` returns them: best first, -1 and
    -inf where fewer)."""
    own = np.asarray(own)[:, None]
    drop = (indices < 0) | (indices == own)
    if groups is not None:
        groups = np.asarray(groups)
        drop |= groups[np.maximum(indices, 0)] == groups[own]
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


class Matcher:
    """Unit vectors (float16, as stored) made searchable by one query at a time: a faiss flat index
    over half-precision codes, which it decodes with SIMD. For 100,000 x 512 document vectors a query
    took 6 ms, where widening the float16 rows to float32 block by block (`top_matches`) took 112 ms:
    most of a search answer at 100,000 documents. The index holds its own copy of the codes."""

    def __init__(self, vectors: np.ndarray) -> None:
        import faiss

        self.index = faiss.IndexScalarQuantizer(vectors.shape[1], faiss.ScalarQuantizer.QT_fp16,
                                                faiss.METRIC_INNER_PRODUCT)
        for start in range(0, len(vectors), 65_536):
            self.index.add(_as32(vectors[start:start + 65_536]))

    def top(self, query: np.ndarray, k: int, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """A unit query vector -> (positions, similarities) of the k most similar rows, best first;
        within: only these positions are candidates."""
        import faiss

        params = None
        if within is not None:
            if not len(within):
                return np.empty(0, np.int64), np.empty(0, np.float32)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(within, dtype=np.int64)))
        similarities, positions = self.index.search(_as32(query).reshape(1, -1), min(k, self.index.ntotal),
                                                    params=params)
        found = positions[0] >= 0
        return positions[0][found], similarities[0][found]


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
