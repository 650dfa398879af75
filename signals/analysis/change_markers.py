"""Change markers on time series of documents per period: spikes, sustained growth, sustained decline.

Input: one series per theme (or keyword) of documents per period, every period present (zeros
included), and the corpus's documents per period; the theme's *share* of a period is its documents
over the corpus's, so a month with twice the documents is not a spike by itself.

  spike    a period far above the theme's baseline around it. Baseline rate = (the theme's documents
           in the SPIKE_CONTEXT periods on each side + 0.5) / (the corpus's documents in them): the
           half document keeps a theme never seen before from having a zero baseline. Expected =
           rate x the period's corpus documents. Neighbours on both sides, not the whole series: a
           theme that grows month after month is above its whole-series mean in every late month,
           and those are growth, not spikes; a spike is a month above the months around it. It must
           also be at least SPIKE_RATIO x the period just before (its share, plus the half document):
           at the end of a series there are no months after it to tell a burst from a climb. Marked when the period holds at least MIN_DOCUMENTS of the theme's documents,
           at least SPIKE_RATIO x expected, and P(X >= observed) <= 10^-SPIKE_SURPRISE for X ~ Poisson(expected)
           (a Poisson burst score of 3: a 1-in-1000 month).
  growth   the last WINDOW periods (ending at the marked one) against the WINDOW before: the theme's
           share at least RATIO times higher, a two-proportion z >= TREND_Z (3), at least MIN_DOCUMENTS in the
           recent window, and *sustained*: its share above the earlier window's in at least
           WINDOW - 1 of the recent periods, the marked one included (a single busy month is a
           spike, not growth). Spikes count at their baseline here, so a burst makes neither growth
           nor, once it has left the window, a decline.
  decline  the mirror: share at most 1 / RATIO, z <= -TREND_Z, at least MIN_DOCUMENTS in the earlier
           window, below the earlier share in at least WINDOW - 1 of the recent periods, the marked one
           included.
A period marked as a spike is not also marked growth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from signals.analysis.significance import poisson_surprise, two_proportion_z

MIN_DOCUMENTS = 3
SPIKE_RATIO = 2.0
SPIKE_CONTEXT = 3
SPIKE_SURPRISE = 3.0
WINDOW = 3
RATIO = 1.5
#: |z| a trend needs. Not 1.96: every cell of a 20-theme x 48-month heatmap is tested, and at 1.96
#: about one in twenty is marked on a corpus without trends (51 of 960 cells on a 3,000-document
#: synthetic corpus whose top themes are steady; 5 at 3.0, none at 3.0 on the 160 real documents).
TREND_Z = 3.0
MARKERS = ("spike", "growth", "decline")


def rule(unit: str = "period") -> tuple[str, str]:
    """The rule in words for captions and legends, periods called `unit` ("month"): (what makes a
    spike, what makes growth / decline)."""
    spike = (f"a {unit} with at least {MIN_DOCUMENTS} of its documents, {SPIKE_RATIO:g}× its baseline "
             f"and a Poisson chance below 1 in {10 ** SPIKE_SURPRISE:,.0f}")
    trend = (f"its share over the last {WINDOW} {unit}s {RATIO:g}× above / below the {WINDOW} before, "
             f"two-proportion z beyond {TREND_Z:g}, at least {MIN_DOCUMENTS} documents, and in at least "
             f"{WINDOW - 1} of the {WINDOW} {unit}s")
    return spike, trend


def _window_sums(values: np.ndarray, window: int) -> np.ndarray:
    """Per column t, the sum of values over t - window + 1 .. t (NaN until a whole window exists)."""
    cumulative = np.cumsum(np.pad(values, ((0, 0), (1, 0))), axis=1, dtype="float64")
    sums = np.full(values.shape, np.nan)
    if values.shape[1] >= window:
        sums[:, window - 1:] = cumulative[:, window:] - cumulative[:, :-window]
    return sums


def _around(values: np.ndarray, reach: int) -> np.ndarray:
    """Per column t, the sum of values over t - reach .. t + reach without t itself (cut at the ends)."""
    cumulative = np.cumsum(np.pad(values, ((0, 0), (1, 0))), axis=1, dtype="float64")
    columns = np.arange(values.shape[1])
    low = np.clip(columns - reach, 0, values.shape[1])
    high = np.clip(columns + reach + 1, 0, values.shape[1])
    return cumulative[:, high] - cumulative[:, low] - values


def markers_for(counts: np.ndarray, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """counts (series x periods, documents) and totals (periods, the corpus's documents) ->
    (marker per cell: "spike" / "growth" / "decline" / "", score per cell: the Poisson surprise for
    spikes, the z for growth and decline, 0 elsewhere). See the module docstring."""
    counts = np.asarray(counts, dtype="float64")
    totals = np.broadcast_to(np.asarray(totals, dtype="float64"), counts.shape)
    marker = np.full(counts.shape, "", dtype=object)
    score = np.zeros(counts.shape)

    other_counts = _around(counts, SPIKE_CONTEXT)
    other_totals = _around(totals, SPIKE_CONTEXT)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(other_totals > 0, (other_counts + 0.5) / other_totals, 0.0) * totals
    surprise = poisson_surprise(counts, expected)
    previous = np.full(counts.shape, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        previous[:, 1:] = np.where(totals[:, :-1] > 0, (counts[:, :-1] + 0.5) / totals[:, :-1], 0.0) * totals[:, 1:]
    spike = ((counts >= MIN_DOCUMENTS) & (counts >= SPIKE_RATIO * expected) & (counts >= SPIKE_RATIO * previous)
             & (surprise >= SPIKE_SURPRISE))

    # A spike counts at its baseline for the trends: one burst month makes neither growth nor,
    # once it leaves the window, a decline.
    trend_counts = np.where(spike, np.minimum(counts, expected), counts)
    recent, recent_total = _window_sums(trend_counts, WINDOW), _window_sums(totals, WINDOW)
    earlier = np.full(counts.shape, np.nan)
    earlier_total = np.full(counts.shape, np.nan)
    earlier[:, WINDOW:] = recent[:, :-WINDOW]
    earlier_total[:, WINDOW:] = recent_total[:, :-WINDOW]
    known = ~np.isnan(earlier) & ~np.isnan(recent)
    # Zeros where no whole earlier window exists, so the arithmetic below needs no NaN guards.
    recent, recent_total = np.where(known, recent, 0.0), np.where(known, recent_total, 0.0)
    earlier, earlier_total = np.where(known, earlier, 0.0), np.where(known, earlier_total, 0.0)
    z = two_proportion_z(earlier, earlier_total, recent, recent_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        recent_share = np.where(recent_total > 0, recent / recent_total, np.nan)
        earlier_share = np.where(earlier_total > 0, earlier / earlier_total, np.nan)
        period_share = np.where(totals > 0, trend_counts / np.where(totals > 0, totals, 1), 0.0)
    above = np.zeros(counts.shape)
    below = np.zeros(counts.shape)
    for lag in range(WINDOW):
        shifted = np.full(counts.shape, np.nan)
        shifted[:, lag:] = period_share[:, : counts.shape[1] - lag]
        with np.errstate(invalid="ignore"):
            above += shifted > earlier_share
            below += shifted < earlier_share
    with np.errstate(invalid="ignore"):
        growth = (known & (recent >= MIN_DOCUMENTS) & (recent_share >= RATIO * earlier_share)
                  & (z >= TREND_Z) & (above >= WINDOW - 1)
                  & (period_share > earlier_share))
        decline = (known & (earlier >= MIN_DOCUMENTS) & (recent_share * RATIO <= earlier_share)
                   & (z <= -TREND_Z) & (below >= WINDOW - 1)
                   & (period_share < earlier_share))
    marker[decline], score[decline] = "decline", z[decline]
    marker[growth], score[growth] = "growth", z[growth]
    marker[spike], score[spike] = "spike", surprise[spike]
    return marker, score


def change_markers(series: pd.DataFrame, totals: pd.Series, *, by: str = "theme") -> pd.DataFrame:
    """A long frame [<by>, period, documents] (every period of every series) and the corpus's
    documents per period (indexed by period start) -> DataFrame[<by>, period, documents, marker, score]:
    the marked cells only, in the series' order then by period."""
    empty = pd.DataFrame({by: pd.Series(dtype="str"), "period": pd.Series(dtype="datetime64[ns]"),
                          "documents": pd.Series(dtype="int64"), "marker": pd.Series(dtype="str"),
                          "score": pd.Series(dtype="float64")})
    if series.empty:
        return empty
    wide = series.pivot_table(index=by, columns="period", values="documents", aggfunc="sum", fill_value=0,
                              sort=False)
    wide = wide.reindex(columns=sorted(wide.columns))
    period_totals = totals.reindex(wide.columns, fill_value=0).to_numpy(dtype="float64")
    marker, score = markers_for(wide.to_numpy(dtype="float64"), period_totals)
    rows, columns = np.nonzero(marker != "")
    if not len(rows):
        return empty
    found = pd.DataFrame({
        by: wide.index.to_numpy()[rows].astype("str"),
        "period": pd.to_datetime(wide.columns.to_numpy()[columns]),
        "documents": wide.to_numpy()[rows, columns].astype("int64"),
        "marker": marker[rows, columns].astype("str"),
        "score": score[rows, columns],
    })
    return found.sort_values(["period"], kind="stable").sort_values(by, key=lambda s: s.map(
        {name: i for i, name in enumerate(wide.index)}), kind="stable", ignore_index=True)


def documents_per_period(documents: pd.DataFrame, period: str = "M") -> pd.Series:
    """The corpus's dated documents per period, indexed by period start (what shares are taken of)."""
    from signals.analysis.incidence import period_alias

    dates = pd.to_datetime(documents["date"], errors="coerce").dropna()
    counts = dates.dt.to_period(period_alias(period)).value_counts()
    return pd.Series(counts.to_numpy(), index=counts.index.to_timestamp(), dtype="int64").sort_index()
