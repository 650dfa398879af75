"""Documents' dates that lie in the future, and the span of the others: one rule for every place.

A date after today comes from a wrong page id (the loader flags it, "date ... is in the future";
six of the real corpus's documents are dated 2029). Such documents are kept and counted, but they
do not end a span of dates, the windows of Emerging, or pick the document opened by default.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def in_the_future(dates: pd.Series, today: dt.date | None = None) -> np.ndarray:
    """Dates -> whether each is after today (from tomorrow, 00:00 on); missing dates are not."""
    tomorrow = pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1)
    return (pd.to_datetime(dates, errors="coerce") >= tomorrow).to_numpy(dtype=bool)


def span(dates: pd.Series, today: dt.date | None = None) -> tuple[pd.Timestamp | None, pd.Timestamp | None, int]:
    """Dates -> (first, last, how many are in the future): first and last of the dates not in the
    future, or of all of them when every date is; None when no date is known."""
    known = pd.to_datetime(dates, errors="coerce").dropna()
    future = in_the_future(known, today)
    spanned = known[~future] if not future.all() else known
    if spanned.empty:
        return None, None, 0
    return spanned.min(), spanned.max(), int(future.sum())
