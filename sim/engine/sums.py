"""Compiled sums per replicate: `Units.by_faction`, `fighters_by_faction`, `Ragged.row_sums`.

Imported at the first sum, so processes that build worlds but never step them (the
workers' forkserver) do not load numba. Each replicate's sums are added slot by slot
in order, as `numpy.bincount` adds them (by faction over the whole width of the table,
whose spare slots hold zeros; by row over the live slots), so they are the same floats
in a batch of any size. `add_by_faction` declares one signature per column type (flags,
counts, amounts), `add_weighted_by_faction` and `add_by_row` one each, compiled once, at
import.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types

FACTIONS = types.Array(types.int64, 2, "A", readonly=True)
SUMS = types.float64[:, ::1]


@numba.njit(inline="always")
def _enter_run(faction: int, f: int, total: float, sums: np.ndarray) -> tuple[int, float]:
    """The run of faction `faction` and its sum so far, storing the run it ends (`f`'s).

    A run of slots of one faction adds up in a register, from the sum so far: the same
    additions in the same order as adding each to `sums` (one row), without a store
    between them.
    """
    if faction == f:
        return f, total
    if f >= 0:
        sums[f] = total
    if faction < 0 or faction >= sums.size:
        raise ValueError("a unit of a faction beyond the sums' columns")
    return faction, sums[faction]


@numba.njit(
    [
        types.void(types.Array(kind, 2, "A", readonly=True), FACTIONS, SUMS)
        for kind in (types.boolean, types.int64, types.float64)
    ],
    cache=True,
)
def add_by_faction(values: np.ndarray, faction: np.ndarray, sums: np.ndarray) -> None:
    """Add each slot's value to its row's entry of its faction in `sums`, (replicates, factions)."""
    for r in range(values.shape[0]):
        f, total = -1, 0.0  # the faction of the run being added up (none yet), its sum
        for j in range(values.shape[1]):
            f, total = _enter_run(faction[r, j], f, total, sums[r])
            total += values[r, j]
        if f >= 0:
            sums[r, f] = total


@numba.njit(
    types.void(
        types.Array(types.int64, 2, "A", readonly=True),
        types.Array(types.float64, 2, "A", readonly=True),
        FACTIONS,
        SUMS,
    ),
    cache=True,
)
def add_weighted_by_faction(
    weights: np.ndarray, values: np.ndarray, faction: np.ndarray, sums: np.ndarray
) -> None:
    """`add_by_faction` of `weights` x `values`, without the array of products.

    Each product is the float numpy's `weights * values` gives, added in the same order.
    """
    if weights.shape != values.shape or faction.shape != values.shape:
        raise ValueError("weights, values and factions of different shapes")
    for r in range(values.shape[0]):
        f, total = -1, 0.0
        for j in range(values.shape[1]):
            f, total = _enter_run(faction[r, j], f, total, sums[r])
            total += weights[r, j] * values[r, j]
        if f >= 0:
            sums[r, f] = total


@numba.njit(
    types.void(
        types.Array(types.float64, 2, "A", readonly=True),
        types.Array(types.int64, 1, "C", readonly=True),
        types.float64[::1],
    ),
    cache=True,
)
def add_by_row(values: np.ndarray, n: np.ndarray, sums: np.ndarray) -> None:
    """Set `sums[r]` to the sum of row r's first `n[r]` values, added in order."""
    for r in range(values.shape[0]):
        if n[r] > values.shape[1]:
            raise ValueError("a row's live entries beyond the table's width")
        total = 0.0
        for j in range(n[r]):
            total += values[r, j]
        sums[r] = total
