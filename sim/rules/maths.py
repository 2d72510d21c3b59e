"""Small functions shared by the rules; each works on floats and numpy arrays alike."""

from __future__ import annotations

import numpy as np


def logistic(x):
    """The logistic function 1 / (1 + e^-x)."""
    return 1.0 / (1.0 + np.exp(-x))


def clamp(x: float, low: float = 0.0, high: float = 1.0) -> float:
    """`x` limited to [low, high] (a float; numpy's clip is slow on scalars)."""
    return low if x < low else high if x > high else x


def logit(p, edge: float = 1e-9):
    """The log-odds of `p`, kept finite by holding `p` inside [edge, 1 - edge]."""
    p = np.clip(p, edge, 1.0 - edge)
    return np.log(p / (1.0 - p))
