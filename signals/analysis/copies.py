"""Flagged copies: documents the loader marked `duplicate_of` another (the same bytes, or the same
article by its link, tracking parameters aside). Both are kept and counted as documents; what a
copy says is what its original says, so analyses that count corroboration (the Brief's signals, the
Network's links, Same signal's clusters) leave a copy out while its original is in the same view. A copy whose original is
outside the view stands for it and is kept."""

from __future__ import annotations

import numpy as np
import pandas as pd


def copies_in_view(facts: pd.DataFrame) -> np.ndarray:
    """A view's document facts -> one bool per document: a flagged copy whose original is in the view."""
    if "duplicate_of" not in facts.columns or not len(facts):
        return np.zeros(len(facts), dtype=bool)
    originals = facts["duplicate_of"].astype("object")
    flagged = originals.notna().to_numpy()
    if not flagged.any():
        return flagged
    ids = set(facts["doc_id"].astype("str"))
    return flagged & originals.astype("str").isin(ids).to_numpy()


def copy_ids(facts: pd.DataFrame) -> set[str]:
    """The doc ids of the view's flagged copies whose original is in the view (`copies_in_view`)."""
    return set(facts["doc_id"].astype("str").to_numpy()[copies_in_view(facts)])
