"""Related by meaning: the documents most like one document, and the rows of other documents most
like one table row (cosine of their embeddings; exact, one query against all, no n x n matrix)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from signals.semantic.neighbours import top_matches

#: Below this cosine two texts are not shown as related (unrelated real texts score 0.1-0.2).
RELATED_FLOOR = 0.3


def _positions_of(ids: pd.Series, wanted: str) -> np.ndarray:
    return np.flatnonzero(ids.astype("str").to_numpy() == wanted)


def similar_documents(documents: pd.DataFrame, vectors: np.ndarray, doc_id: str, n: int = 8) -> pd.DataFrame:
    """Documents (doc_id, title, date) + their embeddings in the same order + a doc_id -> the n other
    documents most similar in meaning: DataFrame[doc_id, title, date, similarity], best first, at
    least RELATED_FLOOR."""
    own = _positions_of(documents["doc_id"], doc_id)
    empty = pd.DataFrame({"doc_id": pd.Series(dtype="str"), "title": pd.Series(dtype="str"),
                          "date": pd.Series(dtype="datetime64[ns]"), "similarity": pd.Series(dtype="float64")})
    if len(own) == 0 or not np.any(vectors[own[0]]):
        return empty
    positions, similarities = top_matches(vectors, vectors[own[0]].astype(np.float32), n + len(own))
    keep = ~np.isin(positions, own) & (similarities >= RELATED_FLOOR)
    positions, similarities = positions[keep][:n], similarities[keep][:n]
    found = documents.iloc[positions][["doc_id", "title", "date"]].astype({"doc_id": "str"}).reset_index(drop=True)
    found["similarity"] = similarities.astype("float64")
    return found


def rows_like(rows: pd.DataFrame, vectors: np.ndarray, position: int, n: int = 5) -> pd.DataFrame:
    """One section's rows (doc_id, row, label, ...) + their embeddings in the same order + the
    position of one row -> the n rows of *other* documents most similar in meaning, best first, with
    a `similarity` column, at least RELATED_FLOOR."""
    own_doc = str(rows["doc_id"].iloc[position])
    same_document = _positions_of(rows["doc_id"], own_doc)
    if not np.any(vectors[position]):
        return rows.iloc[:0].assign(similarity=pd.Series(dtype="float64"))
    positions, similarities = top_matches(vectors, vectors[position].astype(np.float32), n + len(same_document))
    keep = ~np.isin(positions, same_document) & (similarities >= RELATED_FLOOR)
    found = rows.iloc[positions[keep][:n]].reset_index(drop=True)
    return found.assign(similarity=similarities[keep][:n].astype("float64"))
