"""signals.dates: which documents' dates lie in the future, and the span of the others."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from signals.dates import in_the_future, span

TODAY = dt.date(2026, 12, 5)


def test_a_date_is_in_the_future_from_tomorrow_on():
    dates = pd.Series(pd.to_datetime(["2026-12-04", "2026-12-05", "2026-12-05 23:00", "2026-12-06", None, "2029-09-11"],
                                     format="ISO8601"))
    assert in_the_future(dates, TODAY).tolist() == [False, False, False, True, False, True]


def test_the_span_leaves_the_future_out_and_counts_it():
    dates = pd.Series(pd.to_datetime(["2004-07-14", "2029-09-11", None, "2025-03-09", "2029-08-30"]))
    assert span(dates, TODAY) == (pd.Timestamp("2004-07-14"), pd.Timestamp("2025-03-09"), 2)
    only_future = pd.Series(pd.to_datetime(["2029-09-11", "2029-08-30"]))
    assert span(only_future, TODAY) == (pd.Timestamp("2029-08-30"), pd.Timestamp("2029-09-11"), 2)
    assert span(pd.Series([None, None], dtype="datetime64[ns]"), TODAY) == (None, None, 0)
