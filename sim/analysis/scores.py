"""Scores of an ensemble forecast against an observation: band coverage, CRPS and PIT.

An observation is a range [low, high] (a point when low == high). A band covers it when
the two meet. CRPS and PIT compare the ensemble with the range's midpoint.
"""

from __future__ import annotations

import numpy as np

LEVELS = (0.5, 0.9)  # the central bands whose coverage is reported


def band(samples: np.ndarray, level: float) -> tuple[float, float]:
    """The central `level` band of the samples (their quantiles)."""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(samples, [tail, 1.0 - tail])
    return float(low), float(high)


def covers(samples: np.ndarray, low: float, high: float, level: float) -> bool:
    """Whether the central `level` band of the samples meets the observed range."""
    band_low, band_high = band(samples, level)
    return bool(band_low <= high and low <= band_high)


def crps(samples: np.ndarray, observed: float) -> float:
    """Continuous ranked probability score, energy form: E|X - y| - E|X - X'| / 2 (lower is better).

    Computed from the sorted ensemble in O(n log n): the mean of |X - X'| over all
    ordered pairs is 2 / n^2 * sum_i (2i - n + 1) x_(i) with 0-based ranks i.
    """
    x = np.sort(np.asarray(samples, float))
    n = len(x)
    spread = 2.0 * np.sum((2.0 * np.arange(n) - n + 1.0) * x) / n**2
    return float(np.mean(np.abs(x - observed)) - spread / 2.0)


def pit(samples: np.ndarray, observed: float, gen: np.random.Generator) -> float:
    """Randomised probability integral transform: F(y-) + U (F(y) - F(y-)), ties split evenly.

    Uniform on [0, 1] when the observation is a draw from the ensemble's distribution,
    counts with ties included.
    """
    x = np.asarray(samples, float)
    below, at = np.mean(x < observed), np.mean(x == observed)
    return float(below + gen.uniform() * at)
