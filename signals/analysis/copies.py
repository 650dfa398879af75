"""Flagged copies: documents the loader marked `duplicate_of` another (the same bytes, or the same
article by its link, tracking parameters aside). Both are kept and counted as documents; what a
copy says is what its original says, so analyses that count corroboration (the Brief's signals, the
Network's links, Same signal's clusters) leave a copy out while its original is in the same view. A copy whose original is
outside the view stands for it and is kept.

Limit: a copy is left out as a whole document. A copy flagged by its link alone may come from
another run of the pipeline, with other rows; when a row filter keeps a row of the copy that its
original lacks, while some row of the original passes too, that row is left out with the copy."""

from __future__ import annotations

import numpy as np
import pandas as pd


def copies_in_view(facts: pd.DataFrame) -> np.ndarray:
    """A view's document facts -> one bool per document: a flagged copy whose original is in the view."""
    if "duplicate_of" not in facts.columns or not len(facts):
        return np.zeros(len(facts), dtype=bool)
    flagged = facts["duplicate_of"].notna().to_numpy()
    if not flagged.any():
        return flagged
    # Only the flagged few are looked up (the whole column as Python strings took 0.6 s at 100,000
    # documents, with 4 copies).
    originals = facts["duplicate_of"].to_numpy()[flagged].astype("str")
    in_view = pd.Index(facts["doc_id"].astype("str")).get_indexer(originals) >= 0
    result = np.zeros(len(facts), dtype=bool)
    result[np.flatnonzero(flagged)[in_view]] = True
    return result


def copy_ids(facts: pd.DataFrame) -> set[str]:
    """The doc ids of the view's flagged copies whose original is in the view (`copies_in_view`)."""
    return set(facts["doc_id"].astype("str").to_numpy()[copies_in_view(facts)])
