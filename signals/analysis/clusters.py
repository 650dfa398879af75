"""The same signal seen across articles: near-duplicate table rows of one section, grouped across documents.

How rows are compared (see docs/insights.md for the measurements behind these choices):

method="meaning" (the default): by what the rows say, whatever words they use
  text        a row's name and description ("label" when it has neither), as signals.semantic embeds it
  vectors     offline sentence embeddings (signals.semantic.model), cached per text on disk
  similarity  cosine of the vectors once the section's mean vector is removed
              (signals.semantic.grouping.centred): about 0 for unrelated rows (99th percentile 0.30
              at 10,000 synthetic documents), 0.35-0.55 for paraphrases, in English or French
  candidates  each row's K_NEIGHBOURS nearest rows from other documents (signals.semantic.neighbours:
              exact, or an HNSW graph above 20,000 rows), kept when mutual (each among the other's
              nearest: `mutual_pairs`): at most n x K pairs, whatever the vocabulary

method="tfidf" / "rapidfuzz": by shared words (the former method, kept for comparison)
  text        as above, lower-cased, English stop words dropped, plurals folded
  similarity  cosine of sublinear TF-IDF vectors, or rapidfuzz's token_set_ratio / 100
  candidates  rows of different documents sharing at least one *distinctive* word (used by at most
              max(25, 1% of the rows)). Its cost grows with the words rows share: on a flat
              vocabulary it is quadratic (21.7 GB at 100,000 documents, issue 13).

clusters: rows linked by a similarity >= threshold, strongest links first, with a guard against
            chaining: two groups join only when their mean pairwise similarity is at least the guard,
            so long chains of rows that each resemble the next do not glue thousands of unrelated
            rows together.
    meaning  average linkage over the nearest-neighbour graph (`link_by_vectors`): the mean over
             *all* pairs of the two groups, exact, from each group's vector sum; guard = threshold,
             moved by how crowded the rows' neighbourhood is (DENSITY_WEIGHT) and rising by
             GUARD_GROWTH for each doubling of the merged group above GUARD_BASE_SIZE rows
    words    `link`: the mean over candidate pairs, the others counting 0; guard = GUARD x threshold

Each cluster spans at least `min_documents` documents (2 by default: a row alone is not a cluster).
Its representative is the member most similar to the others (ties: higher relevancy, then first
row); strength = documents x mean relevancy (unrated clusters count the scale's midpoint, 3).
"""

from __future__ import annotations

import functools
import itertools
import math
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer

from signals import schema
from signals.analysis.copies import copy_ids
from signals.analysis.parameters import CLUSTER_METHODS as METHODS
from signals.analysis.parameters import CLUSTER_NEEDED_ABOVE as NEEDED_ABOVE
from signals.analysis.parameters import CLUSTER_NEEDED_BELOW as NEEDED_BELOW
from signals.analysis.parameters import CLUSTER_THRESHOLD as DEFAULT_THRESHOLD
from signals.analysis.parameters import CLUSTER_THRESHOLDS as DEFAULT_THRESHOLDS
from signals.corpus_type import Corpus
from signals.dates import in_the_future
from signals.schema import fold_plural
from signals.semantic.grouping import SLICE, CentredRows
from signals.semantic.model import FULL, for_corpus

#: Nearest rows from other documents that each row is compared with (method="meaning"); a pair
#: links only when each row is among the other's (`mutual_pairs`). 10 kept too few of the planted
#: groups' mutual pairs at 100,000 documents (2 of 10 groups recovered with 10, 3 with 20, same index).
K_NEIGHBOURS = 20
#: By words, two groups join only when their mean candidate-pair similarity reaches GUARD x threshold.
GUARD = 0.8
#: By meaning, a group larger than GUARD_BASE_SIZE rows needs a higher mean: GUARD_GROWTH more for
#: each doubling of its size (12 rows: threshold + 0.05, 24: + 0.10, 96: + 0.20). One report told six
#: ways is a development; dozens of rows that only share a subject are a topic. At the default 0.35
#: the largest "same signal" cluster of the 160 real documents held 20 rows of 17 documents on AI
#: at large ("AI Autopilot Risks", "Outsourcing AI Work to AI", ...), and at 10,000 synthetic
#: documents 556 rows; with the growth, 13 and 40 (docs/insights.md), and the planted groups
#: recovered stayed the same or rose on every set measured.
GUARD_BASE_SIZE = 6
GUARD_GROWTH = 0.05
#: By meaning, what a pair or a merge needs also follows how crowded its rows' neighbourhood is. A
#: row's *density* is the mean similarity of its nearest rows of other documents ranked
#: DENSITY_RANKS (the 9th to the 16th: past the handful that may tell the same development); the
#: threshold needed is threshold + DENSITY_WEIGHT x (the rows' mean density - the section's median
#: density), held within threshold - NEEDED_BELOW and threshold + NEEDED_ABOVE. A report with no
#: look-alikes in the corpus is close to its few paraphrases and far from everything else: 0.30
#: with a paraphrase says more there than 0.38 among rows that all share a subject. Measured on three
#: planted sets (one written before anything was measured with it) on the real documents, 300 and
#: 10,000 synthetic documents: 78 of 90 groups recovered against 65 (docs/insights.md).
DENSITY_RANKS = (8, 16)
DENSITY_WEIGHT = 1.0
#: By meaning, a merge also needs the mean cosine across its two groups to reach COHESION_RATIO x the
#: mean within the looser of them (of those of two rows or more). Then a report told three ways at
#: 0.60 with each other does not take in "Seven Mountains Mandate" at 0.30 (the fourth planted set's
#: Alpine glaciers on the real documents), nor does a pair on automation slowing take in "Cellular
#: Automata in Historical Context".
#: Measured on three planted sets on the real documents, 300 documents (three plantings) and 10,000
#: synthetic documents: 134 of 150 groups recovered against 133, none lost (docs/insights.md).
COHESION_RATIO = 0.6
#: A word is distinctive when at most max(DISTINCTIVE_MIN_ROWS, DISTINCTIVE_SHARE x rows) rows use it.
DISTINCTIVE_MIN_ROWS = 25
DISTINCTIVE_SHARE = 0.01
#: Unrated clusters are weighed as if their mean relevancy were the middle of the scale.
NEUTRAL_RELEVANCY = 3.0
#: Candidate pairs made Python lists at a time by the linkage (`link_by_vectors`).
LINK_CHUNK = 65_536
#: Rows multiplied per block when building the similarity graph (bounds memory, not the result).
BLOCK_ROWS = 2_000
#: doc_ids in one text cell are joined by this.
DOC_ID_SEPARATOR = " "

SUMMARY_COLUMNS = (
    "cluster_id", "section", "label", "description", "size", "documents", "domains", "mean_relevancy",
    "max_relevancy", "strength", "first_seen", "last_seen", "doc_ids", "close_to", "close_similarity",
)
#: By meaning, a cluster names its nearest other cluster (`close_to`): among those with a row in the
#: mutual nearest rows of one of its rows, the one with the highest mean cosine over all their pairs
#: of rows (`close_similarity`), when that is at least this. They stayed apart because the mean is
#: below what a merge needs; a development told in two registers often comes out as two such
#: clusters (the fourth planted set's post-quantum and loneliness groups: halves at 0.28-0.30 on the
#: real corpus, where the median nearest cluster is at 0.33: a pointer to read, not a verdict).
CLOSE_SIMILARITY = 0.25
MEMBER_COLUMNS = (
    "cluster_id", "doc_id", "title", "date", "row", "label", "description", "relevancy", "similarity",
)


@dataclass(frozen=True)
class Clusters:
    """What `find_clusters` returns.

    summary   one row per cluster, strongest first (columns SUMMARY_COLUMNS); cluster_id 1, 2, ...
              in that order; doc_ids is the distinct documents, by date, joined by spaces; close_to
              and close_similarity: its nearest other cluster by meaning (CLOSE_SIMILARITY), else NA
    members   one row per clustered table row (MEMBER_COLUMNS): similarity = to the representative
              (1 for the representative itself); by cluster, then similarity descending
    rows      how many rows of the section(s) were compared
    """

    summary: pd.DataFrame
    members: pd.DataFrame
    rows: int


# ---------------------------------------------------------------------------------------------
# Text -> vectors
# ---------------------------------------------------------------------------------------------


def row_text(rows: pd.DataFrame) -> pd.Series:
    """Table rows -> the text compared: name and description (label alone when there is no name)."""
    name = rows[schema.NAME].astype("str").fillna("") if schema.NAME in rows.columns else ""
    description = (
        rows[schema.DESCRIPTION].astype("str").fillna("") if schema.DESCRIPTION in rows.columns else ""
    )
    text = (name + " . " + description).str.strip(" .")
    if "label" in rows.columns:
        text = text.where(text != "", rows["label"].astype("str").fillna(""))
    return text


def tfidf_vectors(texts: list[str] | pd.Series) -> sparse.csr_matrix:
    """Texts -> L2-normalised sublinear TF-IDF rows (float32), words with plurals folded.

    Plurals are folded on the vocabulary, not per token: the count matrix's columns are summed by
    folded word with one sparse product, so the cost is per distinct word.
    """
    vectorizer = CountVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS), token_pattern=r"(?u)\b\w+\b",
                                 dtype=np.float32)
    try:
        counts = vectorizer.fit_transform(list(texts))
    except ValueError:  # every text empty or stop words only
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
    vocabulary = vectorizer.get_feature_names_out()
    folded, column = np.unique([fold_plural(w) for w in vocabulary], return_inverse=True)
    merge = sparse.csr_matrix(
        (np.ones(len(vocabulary), dtype=np.float32), (np.arange(len(vocabulary)), column)),
        shape=(len(vocabulary), len(folded)),
    )
    counts = (counts @ merge).tocsr()
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32).tocsr()


def _distinctive(vectors: sparse.csr_matrix) -> np.ndarray:
    """Columns used by at least 2 rows and at most the distinctive limit (see module docstring)."""
    rows_per_word = np.diff(vectors.tocsc().indptr)
    limit = max(DISTINCTIVE_MIN_ROWS, DISTINCTIVE_SHARE * vectors.shape[0])
    return (rows_per_word >= 2) & (rows_per_word <= limit)


def candidate_pairs(vectors: sparse.csr_matrix, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) with i < j: rows of different documents sharing a distinctive word (module docstring)."""
    keep = _distinctive(vectors)
    marks = vectors[:, keep].tocsr()
    marks.data[:] = 1
    transposed = marks.T.tocsr()
    firsts, seconds = [], []
    for start in range(0, marks.shape[0], BLOCK_ROWS):
        block = (marks[start:start + BLOCK_ROWS] @ transposed).tocoo()
        i, j = block.row.astype(np.int64) + start, block.col.astype(np.int64)
        keep_pair = (j > i) & (docs[i] != docs[j])
        firsts.append(i[keep_pair])
        seconds.append(j[keep_pair])
    if not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def similar_pairs(
    texts: list[str] | pd.Series, docs: np.ndarray, floor: float, method: str = "tfidf"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texts + each text's document code -> (i, j, similarity) of candidate pairs with similarity >= floor.

    Candidates come from `candidate_pairs` whatever the method; only the similarity differs.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    vectors = tfidf_vectors(texts)
    if vectors.shape[1] == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, np.float32)
    first, second = candidate_pairs(vectors, np.asarray(docs))
    if method == "tfidf":
        similarity = np.empty(len(first), dtype=np.float32)
        step = 500_000
        for start in range(0, len(first), step):
            a, b = first[start:start + step], second[start:start + step]
            similarity[start:start + step] = np.asarray(vectors[a].multiply(vectors[b]).sum(1)).ravel()
    else:
        from rapidfuzz import fuzz, process
        from rapidfuzz.utils import default_process

        processed = np.asarray([default_process(t) for t in texts], dtype=object)
        similarity = np.empty(len(first), dtype=np.float32)
        step = 500_000
        for start in range(0, len(first), step):
            a, b = first[start:start + step], second[start:start + step]
            # cpdist: element-wise scores of two aligned lists, in C++ on every core.
            similarity[start:start + step] = process.cpdist(
                processed[a].tolist(), processed[b].tolist(), scorer=fuzz.token_set_ratio, workers=-1
            ) / 100.0
    keep = similarity >= floor
    return first[keep], second[keep], similarity[keep]


def meaning_pairs(
    rows: pd.DataFrame, docs: np.ndarray, floor: float, progress=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, CentredRows, np.ndarray]:
    """One section's rows + each row's document code -> (i, j, similarity) with i < j: each row and
    its K_NEIGHBOURS nearest rows of other documents, centred cosine >= floor; the rows' centred
    vectors on demand (grouping.CentredRows: the linkage's group means, each member's similarity to
    its representative); and each row's density (`densities`).

    The neighbour lists are cached beside the embeddings (signals.semantic.store.stored_arrays),
    keyed by the rows' texts and documents: a second run on the same rows skips the search. When
    the rows changed a little since (new documents, an edited file), the stored lists are carried
    over and only the new rows and those that lost a neighbour are searched (signals.semantic.growing)."""
    from signals.semantic import grouping, growing, store
    from signals.semantic.neighbours import search_settings

    texts = store.row_texts(rows).tolist()
    section = str(rows["section"].iloc[0]) if len(rows) else "rows"
    cache_dir = store.corpus_cache_dir(rows.attrs.get("root", ""))
    model = rows.attrs.get("model", FULL)
    vectors = store.embeddings(texts, cache_dir, f"rows.{section}", progress, model)
    centred = grouping.CentredRows(vectors)
    name = f"rows.{section}.neighbours"
    key = store.rows_key(texts, docs, K_NEIGHBOURS, "one mean", search_settings())
    stored = store.stored_arrays(cache_dir, name, model)  # read once: this key's lists, or lists to carry over
    cached = stored if stored is not None and str(stored.get("key", "")) == key else None
    if cached is None:
        identities = growing.identities(texts, rows["doc_id"].astype("str"))
        del texts  # 437,000 Python strings at 100,000 documents: not held through the search
        lists = growing.carried_over(growing.Lists.from_arrays(stored), vectors, identities, docs, K_NEIGHBOURS)
        del stored
        if lists is None:
            # Ranked by the graph's own similarities; only the mutual pairs are scored exactly below
            # (scoring every found pair was 20 s of the search's 139 s at 100,000 documents).
            lists = growing.searched(centred, identities, docs, K_NEIGHBOURS)  # no centred copy of every row
        store.keep_arrays(cache_dir, name, key, model, **lists.arrays())
        indices, similarities = lists.indices, lists.similarities
    else:
        del texts, stored
        indices, similarities = cached["indices"].astype(np.int64), cached["similarities"]
    first, second, _ = mutual_pairs(indices, similarities)
    similarity = centred.cosines(first, second)
    keep = similarity >= floor
    return first[keep], second[keep], similarity[keep], centred, densities(_window_cosines(indices, centred))


def _window_cosines(indices: np.ndarray, centred: CentredRows) -> np.ndarray:
    """Each row's neighbours ranked DENSITY_RANKS -> their exact centred cosines with it (n x width,
    -inf where missing). Above neighbours.EXACT_LIMIT rows the lists' own similarities are the
    graph's (reduced rows), on another scale than the thresholds the density shifts: 3.5 million
    pairs at 100,000 documents, about 2 s."""
    low, high = DENSITY_RANKS
    window = indices[:, low:high]
    n, width = window.shape
    partners = window.ravel()
    found = np.flatnonzero(partners >= 0)
    out = np.full(n * width, -np.inf, dtype=np.float32)
    if len(found):
        out[found] = centred.cosines(found // width, partners[found])
    return out.reshape(n, width)


def densities(window: np.ndarray) -> np.ndarray:
    """Each row's similarities with its neighbours ranked DENSITY_RANKS (n x width, -inf where
    missing; `_window_cosines`) -> its density: their mean (NaN where it has none)."""
    window = np.asarray(window, dtype=np.float32)
    with warnings.catch_warnings():  # a row with no neighbour there: "mean of empty slice", NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.where(np.isfinite(window), window, np.nan), axis=1).astype(np.float32)


#: Rows whose neighbour lists are paired at a time (mutual_pairs).
MUTUAL_BLOCK = 16_384


def mutual_pairs(indices: np.ndarray, similarities: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's nearest rows (n x k, -1 where there are fewer) -> the pairs (i, j, similarity),
    i < j, each among the other's k nearest: mutual nearest neighbours, each pair once.

    Why mutual: in a large corpus a row's nearest rows include rows that merely share its topic
    words, and those rows have nearer rows of their own. At 100,000 synthetic documents (437,273
    signals rows, the whole network's vectors), a planted paraphrase's 10 nearest rows held 180
    links to its group-mates and 420 to other rows; 160 of the 180 were mutual, 1 of the 420 was.
    Linking on one-sided pairs, the strongest of those other rows (0.5-0.6, as close as the
    paraphrases) pulled the planted groups into topic clusters (3 of 10 groups recovered)."""
    n = indices.shape[0]
    firsts, seconds, found_similarities = [], [], []
    # A block of rows at a time, each pair from its smaller end, kept when that end is in its
    # partner's list. Pairing all n x k links by sorting their codes (np.unique) held some 0.6 GB of
    # copies at 100,000 documents, the run's peak; blocks of 16,384 rows hold 30 MB.
    for start in range(0, n, MUTUAL_BLOCK):
        partners = indices[start:start + MUTUAL_BLOCK].astype(np.int64)
        own = np.arange(start, start + len(partners))[:, None]
        upward = (partners >= 0) & (partners > own)
        back = indices[np.where(upward, partners, 0)]  # the partners' own lists: block x k x k
        mutual = upward & (back == own[:, :, None]).any(axis=2)
        at, slot = np.nonzero(mutual)
        firsts.append(at + start)
        seconds.append(partners[at, slot])
        found_similarities.append(similarities[start:start + MUTUAL_BLOCK][at, slot])
    if not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, similarities.dtype)
    first, second, similarity = np.concatenate(firsts), np.concatenate(seconds), np.concatenate(found_similarities)
    order = np.lexsort((second, first))  # by (i, j), as before
    return first[order], second[order], similarity[order]


# ---------------------------------------------------------------------------------------------
# Pairs -> clusters
# ---------------------------------------------------------------------------------------------
def link(n: int, first: np.ndarray, second: np.ndarray, similarity: np.ndarray, threshold: float) -> np.ndarray:
    """Guarded single linkage (module docstring) over n rows -> a group code per row (0..k-1).

    Pairs below threshold may be passed (down to threshold / 2): they count in the groups' mean
    similarity but never link on their own. The pairs at or above threshold are visited strongest
    first; each may merge two groups. A sequential loop over those links, not over rows.

    Each group keeps the summed similarity of its pairs to every neighbouring group (a dict), merged
    into the survivor when two groups join (the smaller dict into the larger), so the guard is one
    lookup. Recomputing the sum from the rows' pairs at each check took 21 s (sparse row slices) or
    7 s (Python lists) for the 290,000 candidate pairs of the 10k synthetic corpus's signals.
    """
    guard = GUARD * threshold
    n = int(n)
    size = [1] * n
    owner = list(range(n))
    members: dict[int, list[int]] = {}
    between: list[dict[int, float] | None] = [{} for _ in range(n)]
    for i, j, weight in zip(first.tolist(), second.tolist(), similarity.tolist()):
        if i != j:
            between[i][j] = between[i].get(j, 0.0) + weight
            between[j][i] = between[j].get(i, 0.0) + weight

    strong = np.flatnonzero(similarity >= threshold)
    strong = strong[np.argsort(-similarity[strong], kind="stable")]
    for i, j in zip(first[strong].tolist(), second[strong].tolist()):
        a, b = owner[i], owner[j]
        if a == b:
            continue
        # Two single rows linked by this pair always pass (its similarity is >= threshold > guard).
        if size[a] + size[b] > 2 and between[a].get(b, 0.0) / (size[a] * size[b]) < guard:
            continue
        if len(between[a]) < len(between[b]):
            a, b = b, a  # the survivor keeps the larger dict
        survivor, merged = between[a], between[b]
        for other, weight in merged.items():
            if other == a:
                continue
            survivor[other] = survivor.get(other, 0.0) + weight
            theirs = between[other]
            theirs[a] = theirs.get(a, 0.0) + theirs.pop(b)
        survivor.pop(b, None)
        between[b] = None
        a_rows = members.setdefault(a, [a])
        b_rows = members.pop(b, [b])
        a_rows.extend(b_rows)
        for row in b_rows:
            owner[row] = a
        size[a] += size[b]
    return pd.factorize(np.asarray(owner, dtype=np.int64))[0] if n else np.empty(0, np.int64)


def link_by_vectors(
    vectors: CentredRows, first: np.ndarray, second: np.ndarray, similarity: np.ndarray, threshold: float,
    guard: float, growth: float = 0.0, base_size: int = GUARD_BASE_SIZE, density: np.ndarray | None = None,
    cohesion: float = 0.0,
) -> np.ndarray:
    """Average linkage over the nearest-neighbour graph of unit vectors -> a group code per row.

    The candidate pairs at or above `threshold` are visited strongest first; each merges its two
    groups when their mean pairwise cosine, over *all* their pairs, is at least `guard`, plus
    `growth` for each doubling of the merged size above `base_size` (GUARD_GROWTH). That mean
    is exact and costs one dot product: with unit vectors, sum over a in A, b in B of a.b equals
    (sum of A) . (sum of B), so each group of two rows or more carries its vector sum (a single row's
    sum is its own vector, read when needed: no n x d copy). The word-based `link` counts the
    pairs that are not candidates as 0, which splits a group whose members are not all among each
    other's nearest rows: at 10,000 synthetic documents, a planted member had on average 3.4 of its
    5 group-mates among its 10 nearest rows (template rows crowd the rest), and groups fell apart.

    density (one per row, `densities`; None: no adjustment): a pair needs the threshold, and a merge
    the guard, plus DENSITY_WEIGHT x (the rows' mean density - the median density), held within
    NEEDED_BELOW under and NEEDED_ABOVE over at the default threshold (in proportion to another);
    pairs are then visited by how far they clear what they need. A group carries the sum of its
    rows' density shifts beside its vector sum.

    cohesion (COHESION_RATIO; 0: none): a merge also needs its mean cosine across the two groups to
    be at least `cohesion` x the mean within the looser of them (of those of two rows or more), so a
    tight group does not take in a row half as close to it as its members are to each other. Each
    group carries the sum of its pairs' cosines: the sum of a merge is the two sums plus the pairs
    across, which the check has just computed (no extra product).
    """
    n = len(vectors)
    if density is None:
        shift = np.zeros(n)
    else:
        density = np.asarray(density, dtype=np.float64)
        known = np.isfinite(density)
        middle = float(np.median(density[known])) if known.any() else 0.0
        shift = DENSITY_WEIGHT * (np.where(known, density, middle) - middle)
    # The bounds are the default threshold's, scaled with the one asked for: at the slider's 0.1 a
    # pair may not go 0.10 lower (to the candidates' floor), only 0.03.
    scale = threshold / DEFAULT_THRESHOLD
    low_pair, high_pair = threshold - NEEDED_BELOW * scale, threshold + NEEDED_ABOVE * scale
    low_guard, high_guard = guard - NEEDED_BELOW * scale, guard + NEEDED_ABOVE * scale
    margin = similarity - np.clip(threshold + (shift[first] + shift[second]) / 2, low_pair, high_pair)
    strong = np.flatnonzero(margin >= 0)
    strong = strong[np.argsort(-margin[strong], kind="stable")]
    # The rows that can link, centred once and kept as float16 (a dict of float64 rows took 1.5 GB
    # for the 300,000 linkable signals rows of 100,000 documents); a single row's sum is its own vector.
    # Rows already centred in place (CentredRows.centre_in_place) are read where they are.
    if vectors.centred_in_place:
        own, slot = vectors.vectors, np.arange(n, dtype=np.int64)
    else:
        linked = np.unique(np.concatenate([first[strong], second[strong]]))
        own = vectors.half(linked)
        slot = np.full(n, -1, dtype=np.int64)
        slot[linked] = np.arange(len(linked))
        del linked
    # Plain Python lists and in-place sums: the loop visits 2.7 million pairs at 100,000 documents,
    # and numpy scalars as indices and keys, a new array per merge and a float16 -> float64 copy per
    # check made it 16.1 s where this takes 10.5 s (the same groups). The pairs become Python lists
    # LINK_CHUNK at a time, and the sums are float32 (75,000 groups at once there): all the pairs'
    # lists and float64 sums held some 450 MB more, the peak of `signals clusters` at 100,000
    # documents from scratch (3.5 GB).
    slot = slot.tolist()
    owner = list(range(n))
    size = [1] * n
    shifts = shift.tolist()  # per group (its first row's slot): the sum of its rows' shifts
    sums: dict[int, np.ndarray] = {}  # float32 sums of the groups of two rows or more
    within = [0.0] * n  # per group: the sum of the cosines of its pairs of rows
    members: dict[int, list[int]] = {}
    for begin in range(0, len(strong), LINK_CHUNK):  # Python lists of a chunk of pairs at a time
        chunk = strong[begin:begin + LINK_CHUNK]
        for i, j, pair in zip(first[chunk].tolist(), second[chunk].tolist(), similarity[chunk].tolist()):
            a, b = owner[i], owner[j]
            if a == b:
                continue
            size_a, size_b = size[a], size[b]
            a_sum, b_sum = sums.get(a), sums.get(b)
            across = pair  # two single rows: the pair itself
            if size_a + size_b > 2:
                left = a_sum if a_sum is not None else own[slot[a]].astype(np.float32)
                right = b_sum if b_sum is not None else own[slot[b]]
                needed = min(high_guard, max(low_guard, guard + (shifts[a] + shifts[b]) / (size_a + size_b)))
                if size_a + size_b > base_size:
                    needed += growth * math.log2((size_a + size_b) / base_size)
                across = float(left @ right)
                mean = across / (size_a * size_b)
                if mean < needed:
                    continue
                if cohesion and mean < cohesion * min(
                        2 * within[g] / (s * (s - 1)) for g, s in ((a, size_a), (b, size_b)) if s > 1):
                    continue
            if size_a < size_b:
                a, b, a_sum, b_sum = b, a, b_sum, a_sum
            within[a] += within[b] + across
            if a_sum is None:
                a_sum = sums[a] = own[slot[a]].astype(np.float32)
            if b_sum is None:
                a_sum += own[slot[b]]
            else:
                a_sum += b_sum
                del sums[b]
            size[a] = size_a + size_b
            shifts[a] += shifts[b]
            b_rows = members.pop(b, None) or [b]
            members.setdefault(a, [a]).extend(b_rows)
            for row in b_rows:
                owner[row] = a
    return pd.factorize(np.asarray(owner, dtype=np.int64))[0] if n else np.empty(0, np.int64)


def _empty_clusters(rows: int = 0) -> Clusters:
    summary = pd.DataFrame({
        "cluster_id": pd.Series(dtype="int64"), "section": pd.Series(dtype="str"),
        "label": pd.Series(dtype="str"), "description": pd.Series(dtype="str"),
        "size": pd.Series(dtype="int64"), "documents": pd.Series(dtype="int64"),
        "domains": pd.Series(dtype="int64"), "mean_relevancy": pd.Series(dtype="float64"),
        "max_relevancy": pd.Series(dtype="Int8"),
        "strength": pd.Series(dtype="float64"), "first_seen": pd.Series(dtype="datetime64[ns]"),
        "last_seen": pd.Series(dtype="datetime64[ns]"), "doc_ids": pd.Series(dtype="str"),
        "close_to": pd.Series(dtype="Int64"), "close_similarity": pd.Series(dtype="float64"),
    })
    members = pd.DataFrame({
        "cluster_id": pd.Series(dtype="int64"), "doc_id": pd.Series(dtype="str"),
        "title": pd.Series(dtype="str"), "date": pd.Series(dtype="datetime64[ns]"),
        "row": pd.Series(dtype="int32"), "label": pd.Series(dtype="str"),
        "description": pd.Series(dtype="str"), "relevancy": pd.Series(dtype="Int8"),
        "similarity": pd.Series(dtype="float64"),
    })
    return Clusters(summary, members, rows)


def _section_groups(
    rows: pd.DataFrame, threshold: float, method: str, progress=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, CentredRows | None]:
    """One section's rows -> (group per row; the pairs (i, j, similarity) at or above threshold / 2;
    each row's document code; the centred vectors for method="meaning", else None)."""
    docs = pd.factorize(rows["doc_id"].astype("str"))[0]
    vectors = None
    if method == "meaning":
        first, second, similarity, vectors, density = meaning_pairs(rows, docs, threshold / 2, progress)
    else:
        first, second, similarity = similar_pairs(row_text(rows), docs, threshold / 2, method)
    if method == "meaning":
        # The linkage is a sequential loop (seconds at 100,000 documents): kept for the same rows
        # and threshold, so the second run of a view is a read.
        from signals.semantic import store

        cache_dir = store.corpus_cache_dir(rows.attrs.get("root", ""))
        key = store.rows_key(store.row_texts(rows).tolist(), docs, K_NEIGHBOURS, threshold, "average", "mutual",
                             "growth", GUARD_GROWTH, GUARD_BASE_SIZE, "density", DENSITY_RANKS, DENSITY_WEIGHT,
                             NEEDED_BELOW, NEEDED_ABOVE, "cohesion", COHESION_RATIO,
                             _code_digest().hex())  # an edit to the linkage too
        name = f"rows.{rows['section'].iloc[0]}.groups"
        model = rows.attrs.get("model", FULL)
        cached = store.cached_arrays(cache_dir, name, key, model)
        if cached is not None:  # described from rows centred the same way as after a linkage
            return cached["groups"], first, second, similarity, docs, vectors.centre_in_place()
        # The pairs are scored: from here on the rows are only read centred, so they are centred
        # over the stored copy rather than copied (CentredRows.centre_in_place).
        vectors = vectors.centre_in_place()
        groups = link_by_vectors(vectors, first, second, similarity, threshold, guard=threshold, growth=GUARD_GROWTH,
                                 density=density, cohesion=COHESION_RATIO)
        store.keep_arrays(cache_dir, name, key, model, groups=groups)
        return groups, first, second, similarity, docs, vectors
    groups = link(len(rows), first, second, similarity, threshold)
    return groups, first, second, similarity, docs, vectors


def find_clusters(
    corpus: Corpus,
    sections: tuple[str, ...] | list[str] | str = ("signals",),
    threshold: float | None = None,
    *,
    method: str = "meaning",
    min_documents: int = 2,
    progress=None,
) -> Clusters:
    """Corpus -> Clusters of near-duplicate rows of each given section, across documents.

    Sections are clustered separately (a signal and a concern are never one cluster). threshold is
    the similarity (0-1) two rows need to link (None: the method's DEFAULT_THRESHOLDS); higher =
    fewer, tighter clusters. A cluster must span at least min_documents documents. progress(done,
    total) is called while embeddings are computed (method="meaning"). See the module docstring.
    """
    threshold, wanted = _settings(method, threshold, sections)
    rows = _rows_to_cluster(corpus, wanted)
    if rows is None:
        return _empty_clusters()
    stored = _Stored.of(rows, corpus, wanted, threshold, min_documents) if method == "meaning" else None
    if stored is not None and (found := stored.read()) is not None:
        return found
    found = _find(rows, corpus, threshold, method, min_documents, progress)
    if stored is not None:
        stored.keep(found)
    return found


def stored_clusters(
    corpus: Corpus, sections: tuple[str, ...] | list[str] | str = ("signals",), threshold: float | None = None,
    *, min_documents: int = 2,
) -> Clusters | None:
    """What find_clusters by meaning stored for exactly these rows and settings (by `signals clusters`
    or an earlier page), read without computing anything; None when it was never computed."""
    threshold, wanted = _settings("meaning", threshold, sections)
    rows = _rows_to_cluster(corpus, wanted)
    if rows is None:
        return _empty_clusters()
    return _Stored.of(rows, corpus, wanted, threshold, min_documents).read()


def stored_clusters_file(corpus: Corpus, sections: tuple[str, ...] | list[str] | str = ("signals",)) -> Path | None:
    """The file holding the last answer stored for these sections (any rows, any settings), None
    without a cache folder: its modification time tells a page that the answer may have changed."""
    from signals.semantic import store

    cache_dir = store.corpus_cache_dir(corpus.root)
    wanted = _settings("meaning", None, sections)[1]
    return None if cache_dir is None else store.frame_path(cache_dir, f"clusters.{'+'.join(wanted)}", "summary",
                                                           for_corpus(corpus))


def _settings(method: str, threshold: float | None, sections) -> tuple[float, list[str]]:
    """(the threshold, None meaning the method's default; the section slugs), checked."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    threshold = DEFAULT_THRESHOLDS.get(method, DEFAULT_THRESHOLD) if threshold is None else threshold
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    sections = (sections,) if isinstance(sections, str) else tuple(sections)
    return threshold, [schema.section_slug(s) for s in sections]


def _rows_to_cluster(corpus: Corpus, wanted: list[str]) -> pd.DataFrame | None:
    """The rows of the wanted sections that say something, numbered from 0 (None: there are none).
    A flagged copy's rows are left out while its original is in the view (signals.analysis.copies):
    the same article loaded twice is not two documents telling the same development."""
    items = corpus.items
    # Only the columns clustering reads and shows: the other texts of 437,000 signals rows (change,
    # 10-year, driving force, ...) held some 150 MB through the whole run at 100,000 documents.
    used = [c for c in ("doc_id", "section", "row", "line", schema.NAME, schema.DESCRIPTION, "label",
                        schema.RELEVANCY) if c in items.columns]
    chosen = items["section"].astype("str").isin(wanted).to_numpy()
    copies = copy_ids(corpus.document_facts)
    if copies:
        chosen = chosen & ~items["doc_id"].isin(copies).to_numpy()  # categorical: compared by category
    if not chosen.any():
        return None
    rows = items.loc[chosen, used]
    return rows[(row_text(rows) != "").to_numpy()].reset_index(drop=True)


@dataclass(frozen=True)
class _Stored:
    """Where the whole answer for some rows is kept (beside the model's vectors), and under which key:
    describing 300,000 members took 5 s of a cached run at 100,000 documents, reading them back a
    fraction of a second."""

    cache_dir: Path | None
    name: str
    key: str
    model: str
    rows: int

    @classmethod
    def of(cls, rows: pd.DataFrame, corpus: Corpus, wanted: list[str], threshold: float,
           min_documents: int) -> _Stored:
        from signals.semantic import store

        return cls(store.corpus_cache_dir(corpus.root), f"clusters.{'+'.join(wanted)}",
                   _result_key(rows, corpus, wanted, threshold, min_documents), for_corpus(corpus), len(rows))

    def read(self) -> Clusters | None:
        from signals.semantic import store

        frames = store.cached_frames(self.cache_dir, self.name, self.key, ("summary", "members"), self.model)
        return None if frames is None else Clusters(frames["summary"], frames["members"], self.rows)

    def keep(self, found: Clusters) -> None:
        from signals.semantic import store

        store.keep_frames(self.cache_dir, self.name, self.key, self.model, summary=found.summary,
                          members=found.members)


def _result_key(rows: pd.DataFrame, corpus: Corpus, *settings: object) -> str:
    """What a stored answer of find_clusters answers: the rows (document, position, texts, relevancy),
    the documents' title, date and domain (its members show them), the settings and the code that
    clusters (an edit to it must not serve an answer the former code gave)."""
    import xxhash

    hasher = xxhash.xxh3_128()
    columns = [c for c in ("doc_id", "section", "row", schema.NAME, schema.DESCRIPTION, "label", schema.RELEVANCY)
               if c in rows.columns]
    hasher.update(pd.util.hash_pandas_object(rows[columns], index=False).to_numpy().tobytes())
    shown = [c for c in ("doc_id", "title", "date", "domain") if c in corpus.documents.columns]
    hasher.update(pd.util.hash_pandas_object(corpus.documents[shown], index=False).to_numpy().tobytes())
    hasher.update(repr((settings, for_corpus(corpus))).encode())
    hasher.update(_code_digest())
    return hasher.hexdigest()


@functools.cache
def _code_digest() -> bytes:
    import xxhash

    from signals.semantic import grouping, model, neighbours, store

    hasher = xxhash.xxh3_64()
    for module in (sys.modules[__name__], sys.modules["signals.analysis.parameters"], grouping, model, neighbours,
                   store):
        hasher.update(Path(module.__file__).read_bytes())
    return hasher.digest()


def _find(rows: pd.DataFrame, corpus: Corpus, threshold: float, method: str, min_documents: int,
          progress) -> Clusters:
    """find_clusters once its rows are chosen, without the stored answer."""
    summaries, member_frames = [], []
    for section, section_rows in rows.groupby(rows["section"].astype("str"), sort=False):
        section_rows = section_rows.reset_index(drop=True)
        section_rows["position"] = np.arange(len(section_rows))
        section_rows.attrs["root"] = corpus.root
        section_rows.attrs["model"] = for_corpus(corpus)
        if len(section_rows) < 2:
            continue
        groups, first, second, similarity, docs, vectors = _section_groups(section_rows, threshold, method,
                                                                           progress)
        documents_per_group = pd.Series(docs).groupby(groups).nunique()
        kept = documents_per_group.index[documents_per_group >= max(min_documents, 2)].to_numpy()
        in_cluster = np.isin(groups, kept)
        if not in_cluster.any():
            continue
        # Each member's total similarity to the other members of its group: picks the representative.
        same = groups[first] == groups[second]
        total = np.bincount(first[same], weights=similarity[same], minlength=len(section_rows))
        total += np.bincount(second[same], weights=similarity[same], minlength=len(section_rows))
        members = section_rows.loc[in_cluster].copy()
        members["group"] = groups[in_cluster]
        members["centrality"] = total[in_cluster]
        members["section"] = section
        summaries_part, members_part = _describe(members, first, second, similarity, groups, corpus, vectors)
        summaries.append(summaries_part)
        member_frames.append(members_part)
    if not summaries:
        return _empty_clusters(len(rows))
    summary = pd.concat(summaries, ignore_index=True)
    members = pd.concat(member_frames, ignore_index=True)
    return _number(summary, members, len(rows))


def _describe(
    members: pd.DataFrame, first: np.ndarray, second: np.ndarray, similarity: np.ndarray,
    groups: np.ndarray, corpus: Corpus, vectors: CentredRows | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clustered rows of one section -> (one summary row per group, the member rows).

    With vectors (method="meaning"), a member's similarity to its representative is their centred
    cosine, computed directly; otherwise it is read from the candidate pairs (0 when not one)."""
    wanted = ["doc_id", "title", "date"] + (["domain"] if "domain" in corpus.documents.columns else [])
    documents = corpus.documents[wanted].astype({"doc_id": "str"}).drop_duplicates("doc_id")
    members = members.astype({"doc_id": "str"}).merge(documents, on="doc_id", how="left")
    members["relevancy_rank"] = members[schema.RELEVANCY].astype("float64").fillna(0)
    members = members.sort_values(["group", "centrality", "relevancy_rank", "position"],
                                  ascending=[True, False, False, True], kind="stable")
    representative = members.drop_duplicates("group").set_index("group")
    own = members["position"].to_numpy(dtype=np.int64)
    rep = representative["position"].reindex(members["group"]).to_numpy(dtype=np.int64)
    if vectors is None:
        # Similarity of each member to its representative (1 for itself, 0 when not a candidate
        # pair): pairs are encoded as one integer (smaller position * n + larger) and looked up by
        # binary search.
        n = int(max(members["position"].max(), first.max(initial=0), second.max(initial=0))) + 1
        pair_codes = np.minimum(first, second) * n + np.maximum(first, second)
        order = np.argsort(pair_codes)
        pair_codes, pair_similarity = pair_codes[order], similarity[order]
        wanted = np.minimum(own, rep) * n + np.maximum(own, rep)
        at = np.clip(np.searchsorted(pair_codes, wanted), 0, max(len(pair_codes) - 1, 0))
        found = (pair_codes[at] == wanted) if len(pair_codes) else np.zeros(len(wanted), dtype=bool)
        to_rep = np.where(found, pair_similarity[at] if len(pair_codes) else 0.0, 0.0)
    else:
        # A slice at a time: all 300,000 members of the 100k signals at once took 2.5 GB of float32,
        # and slices of 65,536 rows still made this the run's peak (2.83 GB); 8,192 cost no time.
        step = SLICE // 8
        to_rep = np.concatenate([
            np.einsum("ij,ij->i", vectors.rows(own[start:start + step]), vectors.rows(rep[start:start + step]))
            for start in range(0, len(own), step)]) if len(own) else np.empty(0)
    members["similarity"] = np.where(own == rep, 1.0, np.clip(to_rep, 0.0, 1.0)).astype("float64")

    by_group = members.groupby("group", sort=False)
    relevancy = members[schema.RELEVANCY].astype("Float64")
    seen = members["date"].where(~in_the_future(members["date"]))
    summary = pd.DataFrame({
        "section": representative["section"].astype("str"),
        "label": representative["label"].astype("str"),
        "description": representative[schema.DESCRIPTION].astype("str") if schema.DESCRIPTION in representative
        else pd.Series(pd.NA, index=representative.index, dtype="str"),
        "size": by_group.size(),
        "documents": by_group["doc_id"].nunique(),
        # Corroboration: distinct source domains (one outlet republishing a story is one voice).
        "domains": by_group["domain"].nunique() if "domain" in members else by_group["doc_id"].nunique(),
        "mean_relevancy": relevancy.groupby(members["group"]).mean().astype("float64"),
        "max_relevancy": members[schema.RELEVANCY].groupby(members["group"]).max().astype("Int8"),
        # A date in the future (a wrong page id: signals.dates) is not when a cluster was last seen.
        "first_seen": seen.groupby(members["group"]).min(),
        "last_seen": seen.groupby(members["group"]).max(),
    })
    ordered_docs = members.sort_values(["group", "date", "doc_id"], kind="stable").drop_duplicates(["group", "doc_id"])
    # Joined in one pass over the sorted rows (pandas' per-group Python join took 0.5 s for 7,000 groups).
    joined = {group: DOC_ID_SEPARATOR.join(doc for _, doc in pairs) for group, pairs in
              itertools.groupby(zip(ordered_docs["group"].tolist(), ordered_docs["doc_id"].tolist()),
                                key=lambda pair: pair[0])}
    summary["doc_ids"] = pd.Series(joined)
    summary["strength"] = summary["documents"] * summary["mean_relevancy"].fillna(NEUTRAL_RELEVANCY)
    summary = summary.rename_axis("group").reset_index()
    close_group, close_similarity = (_closest_groups(members, first, second, groups, vectors) if vectors is not None
                                     else (pd.Series(dtype="float64"), pd.Series(dtype="float64")))
    summary["close_group"] = summary["group"].map(close_group)
    summary["close_similarity"] = summary["group"].map(close_similarity).astype("float64")
    return summary, members


def _closest_groups(members: pd.DataFrame, first: np.ndarray, second: np.ndarray, groups: np.ndarray,
                    vectors: CentredRows) -> tuple[pd.Series, pd.Series]:
    """The kept groups (members' `group`) -> (its closest other kept group, their mean cosine), both
    indexed by group, for the groups whose best such mean is at least CLOSE_SIMILARITY. Candidates are
    the groups joined by a mutual pair (first, second): no group x group matrix. The mean over all
    pairs of rows is the dot product of the two groups' vector sums over the product of their sizes."""
    span = int(groups.max()) + 1 if len(groups) else 1
    kept_group = np.zeros(span, dtype=bool)
    kept_group[members["group"].to_numpy()] = True
    is_kept = kept_group[groups]
    across = (groups[first] != groups[second]) & is_kept[first] & is_kept[second]
    if not across.any():
        return pd.Series(dtype="float64"), pd.Series(dtype="float64")
    a, b = groups[first[across]].astype(np.int64), groups[second[across]].astype(np.int64)
    del across
    codes = np.unique(np.minimum(a, b) * span + np.maximum(a, b))  # one integer a pair: a fast unique
    del a, b
    linked = np.stack([codes // span, codes % span], axis=1)
    del codes
    # Vector sums of the groups that have a candidate, by contiguous runs of their sorted members.
    wanted = np.unique(linked)
    positions = members["position"].to_numpy(dtype=np.int64)
    member_groups = members["group"].to_numpy()
    wanted_group = np.zeros(span, dtype=bool)
    wanted_group[wanted] = True
    chosen = wanted_group[member_groups]
    positions, member_groups = positions[chosen], member_groups[chosen]
    order = np.argsort(member_groups, kind="stable")
    positions, member_groups = positions[order], member_groups[order]
    slot = np.searchsorted(wanted, member_groups)
    # float32 sums: a group holds a few rows, and gathering the sums of two million linked pairs reads
    # half the memory of float64. With the lookups by array instead of np.isin and one integer a pair,
    # this function took 6.9 s at 100,000 documents instead of 10.3 s (41,000 clusters).
    sums = np.zeros((len(wanted), vectors.shape[1]), dtype=np.float32)
    block = SLICE // 8
    for start in range(0, len(positions), block):
        part = slot[start:start + block]
        starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
        sums[part[starts]] += np.add.reduceat(vectors.rows(positions[start:start + block]), starts)
    sizes = np.bincount(slot, minlength=len(wanted)).astype(np.float64)
    left, right = np.searchsorted(wanted, linked[:, 0]), np.searchsorted(wanted, linked[:, 1])
    # The linked pairs of groups a block at a time: at 100,000 documents some 2 million of them, whose
    # gathered sums at once took 11 GB.
    mean = np.empty(len(linked))
    for start in range(0, len(linked), block):
        at_left, at_right = left[start:start + block], right[start:start + block]
        mean[start:start + block] = (np.einsum("ij,ij->i", sums[at_left], sums[at_right])
                                     / (sizes[at_left] * sizes[at_right]))
    del left, right, sums
    # Each group's best: both ends of every pair, by group, highest mean first (then the lower other
    # group), the first of each group kept. In numpy with 32-bit groups: a DataFrame of the 4 million
    # ends, sorted, copied and de-duplicated, held some 150 MB more at 100,000 documents, at the peak
    # of `signals clusters` from scratch there.
    ends = np.r_[linked[:, 0], linked[:, 1]].astype(np.int32)  # the group at each end of a pair
    other = np.r_[linked[:, 1], linked[:, 0]].astype(np.int32)
    del linked
    means = np.r_[mean, mean]
    order = np.lexsort((other, -means, ends))
    sorted_ends = ends[order]
    best = order[np.r_[True, sorted_ends[1:] != sorted_ends[:-1]]]
    del order, sorted_ends
    best = best[means[best] >= CLOSE_SIMILARITY]
    index = pd.Index(ends[best].astype(np.int64), name="group")
    return (pd.Series(other[best].astype(np.int64), index=index, name="other"),
            pd.Series(means[best], index=index, name="mean"))


def _number(summary: pd.DataFrame, members: pd.DataFrame, rows: int) -> Clusters:
    """Number clusters 1..k, strongest first (then most documents, then label), and shape the frames."""
    summary["key"] = summary["section"] + "\0" + summary["group"].astype("str")
    members["key"] = members["section"].astype("str") + "\0" + members["group"].astype("str")
    summary = summary.sort_values(["strength", "documents", "label"], ascending=[False, False, True],
                                  kind="stable", ignore_index=True)
    summary["cluster_id"] = np.arange(1, len(summary) + 1, dtype=np.int64)
    members["cluster_id"] = members["key"].map(summary.set_index("key")["cluster_id"]).astype("int64")
    close = summary["close_group"]  # _describe's group ids, made cluster ids like the clusters' own
    close_key = summary["section"] + "\0" + close.astype("Int64").astype("str")
    summary["close_to"] = close_key.where(close.notna()).map(summary.set_index("key")["cluster_id"]).astype("Int64")
    members = members.sort_values(["cluster_id", "similarity", "date"], ascending=[True, False, True],
                                  kind="stable", ignore_index=True)
    summary = summary[list(SUMMARY_COLUMNS)].astype({"section": "str", "label": "str", "doc_ids": "str"})
    members = members[list(MEMBER_COLUMNS)].astype({"doc_id": "str", "title": "str", "label": "str"})
    return Clusters(summary, members, rows)


# ---------------------------------------------------------------------------------------------
# Evaluation against known groups (synth's planted corpora; see docs/insights.md)
# ---------------------------------------------------------------------------------------------
def pairwise_scores(found: Clusters, groups: list[list[dict]]) -> dict[str, float]:
    """Clusters + known groups of rows ([[{"doc_id", "row"}, ...], ...], as synth's ground_truth.json
    lists signal_groups) -> pairwise scores:

    truth pairs       pairs of known rows in the same known group
    found pairs       truth pairs whose two rows are in the same cluster
    precision         found pairs / pairs of rows sharing a cluster that holds at least one known row
    recall            found pairs / truth pairs
    precision_all     found pairs / pairs of rows sharing any cluster (unknown rows included: every
                      cluster without a known row counts against it)
    """
    members = found.members
    cluster_of = pd.Series(members["cluster_id"].to_numpy(),
                           index=pd.MultiIndex.from_arrays([members["doc_id"].astype("str"),
                                                            members["row"].astype("int64")]))
    known = pd.DataFrame([(g, str(m["doc_id"]), int(m["row"])) for g, group in enumerate(groups) for m in group],
                         columns=["group", "doc_id", "row"])
    known["cluster"] = cluster_of.reindex(pd.MultiIndex.from_frame(known[["doc_id", "row"]])).to_numpy()

    def pairs(counts: pd.Series) -> int:
        return int((counts * (counts - 1) // 2).sum())

    truth_pairs = pairs(known.groupby("group").size())
    found_pairs = pairs(known.dropna(subset=["cluster"]).groupby(["group", "cluster"]).size())
    sizes = members["cluster_id"].value_counts()
    touched = sizes[sizes.index.isin(known["cluster"].dropna())]
    return {
        "precision": found_pairs / max(pairs(touched), 1),
        "recall": found_pairs / max(truth_pairs, 1),
        "precision_all": found_pairs / max(pairs(sizes), 1),
    }
