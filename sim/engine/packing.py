"""The compiled loop that packs a ragged table's rows after entries leave it.

Imported at the first `Ragged.keep`, so processes that build worlds but never step
them (the workers' forkserver) do not load numba. It declares one signature per
column type (counts, amounts), compiled once, at import.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types

ALIVE = types.Array(types.boolean, 2, "C", readonly=True)  # writable masks match it too


@numba.njit(
    [types.void(types.int64[:, :], ALIVE), types.void(types.float64[:, :], ALIVE)], cache=True
)
def pack_rows(column: np.ndarray, alive: np.ndarray) -> None:
    """In each row, move the entries where `alive` to the front, in order; zero the rest.

    Works in place: an entry only ever moves left, onto a slot already read.
    """
    for r in range(column.shape[0]):
        k = 0
        for j in range(column.shape[1]):
            if alive[r, j]:
                column[r, k] = column[r, j]
                k += 1
        for j in range(k, column.shape[1]):
            column[r, j] = 0
