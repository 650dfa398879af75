"""signals.analysis.change_markers: a planted spike is marked, and nothing else on that series;
growth and decline on hand-made series whose windows are counted here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import planted
import pytest

from signals import load_corpus
from signals.analysis.change_markers import change_markers, documents_per_period, markers_for
from signals.analysis.heatmaps import themes_by_period


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return load_corpus(planted.write(tmp_path_factory.mktemp("spike"), planted.spike_docs()))


def test_the_planted_spike_is_marked_and_nothing_else(corpus):
    markers = change_markers(themes_by_period(corpus, top_n=5), documents_per_period(corpus.documents))
    assert markers[["theme", "period", "documents", "marker"]].values.tolist() == [
        [planted.SPIKE_THEME, pd.Timestamp(planted.SPIKE_MONTH), 9, "spike"]]


def test_the_spike_score_is_the_poisson_tail(corpus):
    markers = change_markers(themes_by_period(corpus, top_n=5), documents_per_period(corpus.documents))
    # Baseline: 6 documents in the 3 months on each side (20 documents each), plus half a document.
    expected = (6 + 0.5) / 120 * 20
    tail = 1 - sum(math.exp(-expected) * expected ** k / math.factorial(k) for k in range(9))
    assert markers.iloc[0]["score"] == pytest.approx(-math.log10(tail), rel=1e-6)


def test_a_busy_month_in_a_busier_corpus_is_no_spike():
    # Twice the theme's documents in a month when the corpus also doubled: the same share.
    counts = np.array([[2, 2, 2, 4, 2, 2]])
    totals = np.array([20, 20, 20, 40, 20, 20])
    marker, _ = markers_for(counts, totals)
    assert set(marker.ravel()) == {""}


def test_sustained_growth_and_decline_are_marked_where_the_window_ends():
    totals = np.full(6, 20)
    rising = [1, 1, 1, 4, 5, 6]  # shares 5% -> 25%: every recent month above the earlier window
    falling = [6, 5, 4, 1, 0, 1]
    marker, score = markers_for(np.array([rising, falling]), totals)
    assert marker[0].tolist() == ["", "", "", "", "", "growth"]
    assert marker[1].tolist() == ["", "", "", "", "", "decline"]
    pooled = (3 + 15) / 120
    z = (15 / 60 - 3 / 60) / math.sqrt(pooled * (1 - pooled) * (2 / 60))
    assert score[0, 5] == pytest.approx(z)


def test_a_theme_growing_month_after_month_is_growth_not_a_string_of_spikes():
    counts = np.array([[0, 0, 0, 0, 0, 0, 2, 5, 9, 14, 20, 27]])
    marker, _ = markers_for(counts, np.full(12, 60))
    assert "spike" not in set(marker.ravel())
    assert "growth" in set(marker.ravel()[8:])


def test_a_burst_in_the_last_month_is_a_spike():
    marker, _ = markers_for(np.array([[1, 1, 1, 1, 1, 1, 9]]), np.full(7, 20))
    assert marker[0].tolist() == [""] * 6 + ["spike"]


def test_one_document_a_window_is_never_growth():
    marker, _ = markers_for(np.array([[0, 0, 0, 0, 1, 1]]), np.full(6, 5))
    assert set(marker.ravel()) == {""}
