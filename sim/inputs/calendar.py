"""Months of a run as calendar dates: month 0 is the scenario's `start` ("YYYY-MM")."""

from __future__ import annotations

import numpy as np


def month_dates(start: str, steps: int) -> np.ndarray:
    """First day of each month from `start` for months 0..steps, as datetime64[ms]."""
    first = np.datetime64(start, "M")
    return (first + np.arange(steps + 1)).astype("datetime64[ms]")
