"""Compiled helpers of the kernel's tables: grow, compact, sum by faction, split, new units.

Units and cells are rows of a float table (`kernel_inputs`), the live ones at the front.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from kernel_inputs import (
    FACTION,
    FIGHTERS,
    GRIEVANCE,
    IDEOLOGY,
    IDEOLOGY_A,
    IDEOLOGY_B,
    TIES,
    TIES_A,
    TIES_B,
)


@numba.njit(cache=True)
def logistic(x: float) -> float:
    """1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + math.exp(-x))


@numba.njit(cache=True)
def logit(p: float) -> float:
    """The log-odds of p, held inside [1e-9, 1 - 1e-9] so that it stays finite."""
    p = min(1.0 - 1e-9, max(1e-9, p))
    return math.log(p / (1.0 - p))


@numba.njit(cache=True)
def room(table: np.ndarray, n: int, extra: int) -> np.ndarray:
    """`table`, or a copy twice as long, so that rows n..n+extra-1 fit."""
    if n + extra <= table.shape[0]:
        return table
    grown = np.zeros((2 * (n + extra), table.shape[1]))
    grown[:n] = table[:n]
    return grown


@numba.njit(cache=True)
def keep_alive(table: np.ndarray, n: int) -> int:
    """Move the rows with fighters to the front, in order; return how many there are."""
    kept = 0
    for i in range(n):
        if table[i, FIGHTERS] > 0:
            if kept != i:
                table[kept] = table[i]
            kept += 1
    return kept


@numba.njit(cache=True)
def by_faction(units: np.ndarray, n: int, column: int, factions: int) -> np.ndarray:
    """Per faction, the sum over its units of fighters x `column` (fighters if FIGHTERS)."""
    sums = np.zeros(factions)
    for i in range(n):
        weight = units[i, FIGHTERS]
        sums[int(units[i, FACTION])] += weight if column == FIGHTERS else weight * units[i, column]
    return sums


@numba.njit(cache=True)
def new_unit(units: np.ndarray, i: int, k: int, factions: np.ndarray) -> None:
    """Row i becomes a unit of faction k: traits drawn from the faction's Betas, no grievance."""
    units[i, FACTION] = k
    units[i, IDEOLOGY] = np.random.beta(factions[k, IDEOLOGY_A], factions[k, IDEOLOGY_B])
    units[i, TIES] = np.random.beta(factions[k, TIES_A], factions[k, TIES_B])
    units[i, GRIEVANCE] = 0.0


@numba.njit(cache=True)
def split_above(table: np.ndarray, n: int, limit: float) -> tuple[np.ndarray, int]:
    """Rows above `limit` fighters split: a new row takes half, with the same traits."""
    for i in range(n):
        if table[i, FIGHTERS] > limit:
            table = room(table, n, 1)
            half = table[i, FIGHTERS] // 2
            table[n] = table[i]
            table[n, FIGHTERS], table[i, FIGHTERS] = half, table[i, FIGHTERS] - half
            n += 1
    return table, n
