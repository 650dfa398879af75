"""Small significance tests shared by compare, distinctive terms and change markers (numpy/scipy only).

two_proportion_z  is a share different in two groups of documents? (pooled two-proportion z-test)
poisson_surprise  how unlikely is a count this high given its expected value? (Poisson upper tail)
"""

from __future__ import annotations

import numpy as np

from signals.analysis.parameters import Z_SIGNIFICANT

__all__ = ["Z_SIGNIFICANT", "poisson_surprise", "two_proportion_z"]


def two_proportion_z(hits_a: np.ndarray, total_a: np.ndarray | float, hits_b: np.ndarray,
                     total_b: np.ndarray | float) -> np.ndarray:
    """Pooled two-proportion z-score of hits_b / total_b against hits_a / total_a (positive: b higher).

    0 where either total is 0 or the pooled share is 0 or 1 (nothing to tell apart).
    """
    hits_a, hits_b = np.asarray(hits_a, dtype="float64"), np.asarray(hits_b, dtype="float64")
    total_a = np.broadcast_to(np.asarray(total_a, dtype="float64"), hits_a.shape)
    total_b = np.broadcast_to(np.asarray(total_b, dtype="float64"), hits_b.shape)
    usable = (total_a > 0) & (total_b > 0)
    safe_a, safe_b = np.where(usable, total_a, 1.0), np.where(usable, total_b, 1.0)
    pooled = (hits_a + hits_b) / (safe_a + safe_b)
    variance = pooled * (1.0 - pooled) * (1.0 / safe_a + 1.0 / safe_b)
    usable &= variance > 0
    z = (hits_b / safe_b - hits_a / safe_a) / np.sqrt(np.where(usable, variance, 1.0))
    return np.where(usable, z, 0.0)


def poisson_surprise(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """-log10 P(X >= observed) for X ~ Poisson(expected): 2 = a 1-in-100 month, 3 = 1-in-1000.

    0 where nothing was observed or nothing was expected (no baseline to be surprised against).
    """
    observed = np.asarray(observed, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    usable = (observed > 0) & (expected > 0)
    # sf(k - 1) = P(X >= k); logsf keeps tiny tails finite.
    from scipy import stats  # here: importing scipy.stats was 0.36 s of the app's first run

    tail = stats.poisson.logsf(observed - 1.0, np.where(usable, expected, 1.0)) / -np.log(10.0)
    return np.where(usable, tail, 0.0)
