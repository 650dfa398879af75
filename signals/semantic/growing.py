"""Neighbour lists that follow a growing corpus: when a section's rows change a little (a day's new
articles, an edited file), the stored lists are carried over and only the rows that need it are
searched, instead of searching every row again (about two minutes at 100,000 documents).

What is stored (`Lists`): each row's K nearest rows of other documents, each row's identity (its
document and text, `identities`), and the space the rows were compared in: the mean removed from
every vector and, above neighbours.EXACT_LIMIT rows, the graph's projection (neighbours.Projection).

Carrying over (`carried_over`), with n rows now:
  1. each stored row is found again by its identity; its list is renumbered to the new positions;
  2. the rows to search are the new rows and the rows that lost a neighbour (its document was
     removed or its text edited); each is compared with every row, exactly, in the stored space
     (`_search`), so its list is what a full search in that space would give;
  3. every other row o is compared with the searched rows (its K nearest among them, exactly), and
     its list becomes the best K of its stored list and those.

Why the lists are then those of a full search in the stored space: o lost no neighbour, so its
stored list is its best K among the rows that stayed; its best K now are among those and the
searched rows, and step 3 ranks both. That holds exactly for lists made by exact search (up to
neighbours.EXACT_LIMIT rows). Above, the stored lists are the graph's (0.91 of a row's exact
nearest found, neighbours._approximate) and ranked by its half-precision similarities; what is
carried over keeps them as they are, the searched rows' lists are exact, and scores 0.002 apart
may rank either way. A searched row must enter o's list whenever it ranks there,
not only when o is in the searched row's own list: entering, it pushes o's weakest row out, and
that can undo another pair (clusters.mutual_pairs keeps a pair when each row is among the other's
K nearest). tests/semantic/test_growing.py checks the pairs against a brute-force search.

What it does not keep: the space itself. The mean of the rows moves as rows come and go, and the
projection was learnt on the rows of the first search. Lists are carried over only while the rows to
search are at most SEARCH_SHARE of the rows and the rows added or removed since the space was learnt
at most DRIFT_SHARE of the rows it was learnt on; past either, the caller searches every row again (a new
space). Similarities between the kept pairs are always computed afresh with the rows' current mean
(clusters.meaning_pairs), so a threshold means the same whichever way the lists were made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from signals import memory
from signals.semantic.grouping import CentredRows
from signals.semantic.neighbours import (
    EXACT_LIMIT,
    Projection,
    best_others,
    largest_group,
    nearest,
    search_settings,
)

#: Lists are carried over while the rows to search again are at most this share of the rows. Each
#: searched row is compared with every row: at 5% of 437,000 rows that is about as long as the graph.
SEARCH_SHARE = 0.05
#: ... and while the rows added or removed since the space was learnt are at most this share of the
#: rows it was learnt on (the mean and the projection of a corpus a fifth larger are no longer its own).
DRIFT_SHARE = 0.2
#: Rows compared with the searched rows at a time (65,536 x 256 float32: 64 MB).
BASE_SLICE = 65_536
#: Added to a row's identity per earlier row with the same document and text (odd: a bijection mod 2^64).
_OCCURRENCE = np.uint64(0x9E3779B97F4A7C15)


def identities(texts, doc_ids) -> np.ndarray:
    """Rows' texts and documents -> one 64-bit identity per row (uint64): a row keeps it while its
    document and text stay; the second row of a document with the same text gets another one."""
    from signals.semantic.store import digests

    keys = digests([f"{doc}\x00{text}" for doc, text in zip(doc_ids, texts)])
    occurrence = pd.Series(keys).groupby(keys, sort=False).cumcount().to_numpy().astype(np.uint64)
    with np.errstate(over="ignore"):
        return keys + occurrence * _OCCURRENCE


@dataclass
class Lists:
    """Each row's k nearest rows of other documents (indices n x k, -1 where fewer; similarities in
    the lists' space, for ranking), the rows' identities, and the space: the mean removed, the
    projection (None: the full vectors), the rows it was learnt on (base) and the rows added or
    removed since (changed); and the search that made them (neighbours.search_settings)."""

    indices: np.ndarray
    similarities: np.ndarray
    identities: np.ndarray
    mean: np.ndarray
    projection: Projection | None
    base: int
    changed: int = 0
    search: str = ""

    def arrays(self) -> dict[str, np.ndarray]:
        """What signals.semantic.store.keep_arrays stores."""
        dimensions = len(self.mean)
        components = self.projection.components if self.projection else np.empty((0, dimensions), np.float32)
        offset = self.projection.offset if self.projection else np.empty(0, np.float32)
        return {"indices": self.indices.astype(np.int32), "similarities": self.similarities.astype(np.float32),
                "identities": self.identities, "mean": self.mean, "components": components, "offset": offset,
                "base": np.asarray(self.base), "changed": np.asarray(self.changed), "search": np.asarray(self.search)}

    @classmethod
    def from_arrays(cls, stored: dict[str, np.ndarray] | None) -> Lists | None:
        """Lists from stored arrays; None when they lack a field (stored by an earlier version) or
        were made by another search than today's (they are searched again, not carried over)."""
        fields = ("indices", "similarities", "identities", "mean", "components", "offset", "base", "changed", "search")
        if stored is None or any(name not in stored for name in fields):
            return None
        if str(stored["search"]) != search_settings():
            return None
        rows = len(stored["identities"])
        if stored["indices"].shape[0] != rows or stored["similarities"].shape != stored["indices"].shape:
            return None  # a damaged file: searched afresh
        projection = Projection(stored["components"], stored["offset"]) if len(stored["offset"]) else None
        return cls(stored["indices"].astype(np.int64), stored["similarities"].astype(np.float32),
                   stored["identities"].astype(np.uint64), stored["mean"].astype(np.float32), projection,
                   int(stored["base"]), int(stored["changed"]), str(stored["search"]))

    def rows_in_space(self, vectors: np.ndarray):
        """vectors (float16 unit vectors, as stored) -> a function of positions giving those rows in
        the lists' space (float32, unit length)."""
        centred = CentredRows(vectors, mean=self.mean)
        if self.projection is None:
            return centred.rows
        return lambda positions: self.projection.apply(centred.rows(positions))


def searched(centred: CentredRows, row_identities: np.ndarray, groups: np.ndarray, k: int) -> Lists:
    """Every row searched (neighbours.nearest: exact up to EXACT_LIMIT rows, else the graph, ranked
    by its own similarities) -> Lists in a space learnt from these rows."""
    if len(centred) > EXACT_LIMIT:
        projection = Projection.learn(centred)
        indices, similarities = nearest(centred, k, groups, rescore=False, projection=projection)
        memory.give_back_now()  # what the graph's threads freed in their own arenas
    else:  # float32 rows, as `_search` compares rows added later (40 MB at EXACT_LIMIT rows)
        projection = None
        indices, similarities = nearest(centred.rows(slice(None)), k, groups, exact=True)
    return Lists(indices, similarities, np.asarray(row_identities, dtype=np.uint64), centred.mean, projection,
                 base=len(centred), search=search_settings())


def carried_over(lists: Lists | None, vectors: np.ndarray, row_identities: np.ndarray, groups: np.ndarray,
                 k: int) -> Lists | None:
    """Stored lists made the lists of the rows now (module docstring); None when they cannot be:
    nothing stored, another k, or more to search than SEARCH_SHARE / DRIFT_SHARE allow."""
    n = len(row_identities)
    if lists is None or n == 0 or lists.indices.shape[1] != k or len(lists.mean) != vectors.shape[1]:
        return None
    row_identities = np.asarray(row_identities, dtype=np.uint64)
    order = np.argsort(row_identities, kind="stable")
    at = np.minimum(np.searchsorted(row_identities[order], lists.identities), n - 1)
    kept = row_identities[order][at] == lists.identities
    now = np.where(kept, order[at], -1)  # each stored row's position now, -1 when gone
    stored = lists.indices
    renumbered = np.where(stored >= 0, now[np.maximum(stored, 0)], -1)
    lost = ((stored >= 0) & (renumbered < 0)).any(axis=1)

    new = np.ones(n, dtype=bool)
    new[now[kept]] = False
    redo = new.copy()
    redo[now[kept & lost]] = True
    queries = np.flatnonzero(redo)
    changed = lists.changed + int(new.sum()) + int((~kept).sum())
    if len(queries) > SEARCH_SHARE * n or changed > DRIFT_SHARE * lists.base:
        return None

    indices = np.full((n, k), -1, dtype=np.int64)
    similarities = np.full((n, k), -np.inf, dtype=np.float32)
    indices[now[kept]] = renumbered[kept]
    similarities[now[kept]] = lists.similarities[kept]
    if len(queries):
        _search(indices, similarities, lists.rows_in_space(vectors), queries, groups)
    return Lists(indices, similarities, row_identities, lists.mean, lists.projection, lists.base, changed,
                 lists.search)


def _search(indices: np.ndarray, similarities: np.ndarray, rows_of, queries: np.ndarray,
            groups: np.ndarray | None) -> None:
    """Steps 2 and 3 of the module docstring, in place, exactly, in one pass over the rows
    (rows_of(positions): rows in the lists' space, unit float32), BASE_SLICE rows at a time:
    - each searched row (`queries`) gets its k nearest rows of other groups among all rows;
    - each other row's list becomes the best k of its list and its k nearest searched rows of other
      groups (a searched row it already lists counts once). A searched row enters a list whenever it
      ranks there, whether or not that row is in the searched row's own list: entering, it pushes
      the list's weakest row out, and with it a pair.
    Both are faiss flat searches (BLAS products and heaps); each slice of rows is made once for both
    (making them, centred and projected, is a third of the work)."""
    import faiss

    n, k = indices.shape
    is_query = np.zeros(n, dtype=bool)
    is_query[queries] = True
    wanted = k + largest_group(groups)
    wanted_rows = rows_of(queries)
    among_searched = faiss.IndexFlatIP(wanted_rows.shape[1])
    among_searched.add(wanted_rows)
    found = np.empty((len(queries), 0), dtype=np.int64)
    scores = np.empty((len(queries), 0), dtype=np.float32)
    for start in range(0, n, BASE_SLICE):
        slice_rows = rows_of(slice(start, min(n, start + BASE_SLICE)))
        # The searched rows' nearest in this slice, merged with the slices before.
        index = faiss.IndexFlatIP(slice_rows.shape[1])
        index.add(slice_rows)
        part_scores, part = index.search(wanted_rows, min(wanted, len(slice_rows)))
        found = np.concatenate([found, np.where(part >= 0, part + start, -1)], axis=1)
        scores = np.concatenate([scores, np.where(part >= 0, part_scores, -np.inf).astype(np.float32)], axis=1)
        if found.shape[1] > wanted:
            best = np.argpartition(-scores, wanted - 1, axis=1)[:, :wanted]
            found, scores = np.take_along_axis(found, best, axis=1), np.take_along_axis(scores, best, axis=1)
        # This slice's other rows: their nearest searched rows, taken into their lists.
        others = np.flatnonzero(~is_query[start:start + len(slice_rows)])
        if len(others):
            _take_in(indices, similarities, others + start, slice_rows[others], among_searched, queries, groups,
                     min(len(queries), wanted))
    indices[queries], similarities[queries] = best_others(found, scores, queries, groups, k)


def _take_in(indices: np.ndarray, similarities: np.ndarray, own: np.ndarray, own_rows: np.ndarray,
             among_searched, queries: np.ndarray, groups: np.ndarray | None, wanted: int) -> None:
    """Rows at positions `own` (their vectors own_rows): each list, in place, becomes the best k of
    itself and the row's k nearest searched rows of other groups (found in `among_searched`)."""
    k = indices.shape[1]
    scores, found = among_searched.search(own_rows, wanted)
    found = np.where(found >= 0, queries[np.maximum(found, 0)], -1)
    found, scores = best_others(found, scores, own, groups, k)
    listed = indices[own]
    again = (found[:, :, None] == listed[:, None, :]).any(axis=2)
    both = np.concatenate([listed, np.where(again, -1, found)], axis=1)
    both_scores = np.concatenate([similarities[own], np.where(again, -np.inf, scores)], axis=1)
    best = np.argsort(-both_scores, axis=1, kind="stable")[:, :k]
    indices[own] = np.take_along_axis(both, best, axis=1)
    similarities[own] = np.take_along_axis(both_scores, best, axis=1)
