"""The compiled loops that count and pack a ragged table's rows after entries leave it.

Imported at the first `Ragged.keep`, so processes that build worlds but never step
them (the workers' forkserver) do not load numba. It declares one signature per
column type (counts, amounts), compiled once, at import.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types

ALIVE = types.Array(types.boolean, 2, "A", readonly=True)  # any mask: writable, broadcast
COUNTS = types.Array(types.int64, 1, "C", readonly=True)


@numba.njit(types.boolean(ALIVE, COUNTS, types.int64[::1]), cache=True)
def count_kept(alive: np.ndarray, n: np.ndarray, kept: np.ndarray) -> bool:
    """Each row's live entries (its first `n[r]`) where `alive`, into `kept`; whether any left."""
    if alive.shape[0] != n.size or kept.size != n.size:
        raise ValueError("a mask or counts of different rows")
    left = False
    for r in range(n.size):
        if n[r] > alive.shape[1]:
            raise ValueError("a row's live entries beyond the mask's width")
        k = 0
        for j in range(n[r]):
            k += alive[r, j]
        kept[r] = k
        left |= k < n[r]
    return left


@numba.njit(
    [
        types.void(types.int64[:, :], ALIVE, COUNTS, COUNTS),
        types.void(types.float64[:, :], ALIVE, COUNTS, COUNTS),
    ],
    cache=True,
)
def pack_rows(column: np.ndarray, alive: np.ndarray, n: np.ndarray, kept: np.ndarray) -> None:
    """In each row, move the entries where `alive` to the front, in order; zero the rest.

    Row r's live entries are its first `n[r]`, of which `kept[r]` stay (`count_kept`);
    the slots past them already hold zeros, and a row that keeps all is left alone. Works
    in place: an entry only ever moves left, onto a slot already read.
    """
    for r in range(column.shape[0]):
        if n[r] > column.shape[1] or n[r] > alive.shape[1]:
            raise ValueError("a row's live entries beyond the table's width")
        if kept[r] == n[r]:
            continue
        k = 0
        for j in range(n[r]):
            if alive[r, j]:
                column[r, k] = column[r, j]
                k += 1
        for j in range(k, n[r]):
            column[r, j] = 0
