"""Struct-of-arrays state for the many, with one row per replicate.

Units and cells are ragged tables: columns of shape (replicates, capacity) whose row
r holds `n[r]` live entries at its front (the rest is zero). Rules compute on whole
arrays, or loop over each row's live entries in compiled loops, and draw through
`sim.engine.streams`, one stream per replicate.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np


class Ragged:
    """Columns of shape (replicates, capacity); subclasses name the columns.

    Each column (`table.fighters`) is a view of the first `width` slots, where `width`
    is the longest row, so rules never touch the spare capacity.
    """

    columns: ClassVar[dict[str, type]] = {}

    def __init__(self, rows: int, capacity: int) -> None:
        self.n = np.zeros(rows, dtype=np.int64)
        self.width = 0
        self._live: np.ndarray | None = None
        self._data = {
            name: np.zeros((rows, max(capacity, 8)), dtype) for name, dtype in self.columns.items()
        }
        self._changed()

    def __getstate__(self) -> dict:
        """The table without its column views: a copy (pickle, deepcopy) views its own data."""
        return {k: v for k, v in self.__dict__.items() if k not in self.columns}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._changed()

    @property
    def live(self) -> np.ndarray:
        """Mask of live entries, (replicates, width); read-only, rebuilt when the rows change."""
        if self._live is None:
            self._live = np.arange(self.width) < self.n[:, None]
            self._live.flags.writeable = False
        return self._live

    def append(self, row: int, **values: np.ndarray) -> None:
        """Add entries to the end of one replicate's row; every column must be given."""
        counts = np.zeros_like(self.n)
        counts[row] = len(values["fighters"])
        self.extend(counts, **values)

    def extend(self, counts: np.ndarray, **values: np.ndarray) -> None:
        """Add `counts[r]` entries to the end of each row r; `values` lists them row after row."""
        total = int(counts.sum())
        if total == 0:
            return
        rows = np.repeat(np.arange(len(self.n)), counts)
        first = np.cumsum(counts) - counts
        slots = self.n[rows] + np.arange(total) - first[rows]
        self.n = self.n + counts
        needed = int(self.n.max())
        if needed > self._data["fighters"].shape[1]:
            self._grow(needed)
        for name in self.columns:
            self._data[name][rows, slots] = values[name]
        self.width = needed
        self._changed()

    def keep(self, mask: np.ndarray) -> None:
        """Drop live entries where `mask` is False, keeping order; free slots are zeroed.

        `mask` is (replicates, width), or broadcasts to it; only live entries are read.
        """
        from sim.engine.packing import count_kept, pack_rows  # numba loads with the first step

        shape, alive = (len(self.n), self.width), np.asarray(mask, dtype=bool)
        if alive.shape != shape:
            alive = np.broadcast_to(alive, shape)
        kept = np.empty_like(self.n)
        if not count_kept(alive, self.n, kept):
            return
        for name in self.columns:
            pack_rows(getattr(self, name), alive, self.n, kept)
        self.n = kept
        self.width = int(kept.max(initial=0))
        self._changed()

    def row_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of `values` over each row's live entries, added in order.

        Unlike `sum(axis=1)`, the result does not depend on the table's width, so a
        replicate's floats are the same in a batch of any size.
        """
        from sim.engine.sums import add_by_row  # numba loads with the first step

        sums = np.empty(len(self.n))
        add_by_row(np.asarray(values, dtype=np.float64), self.n, sums)
        return sums

    def split_above(self, limit: float) -> None:
        """Entries above `limit` fighters split: half leave as a new entry with the same traits."""
        big = self.fighters > limit
        if not big.any():
            return
        copies = {name: getattr(self, name)[big] for name in self.columns}
        half = copies["fighters"] // 2
        self.fighters[big] -= half
        self.extend(big.sum(axis=1), **(copies | {"fighters": half}))

    def _changed(self) -> None:
        """Forget what was derived from the rows (the live mask); view each column to `width`.

        The views are plain attributes, so reading a column costs an attribute lookup.
        """
        self._live = None
        for name, data in self._data.items():
            setattr(self, name, data[:, : self.width])

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * self._data["fighters"].shape[1])
        for name, old in self._data.items():
            new = np.zeros((old.shape[0], capacity), old.dtype)
            new[:, : old.shape[1]] = old
            self._data[name] = new
        self._changed()


class Units(Ragged):
    """Taliban units (commander and band): fighters, faction, ideology, ties, grievance."""

    columns: ClassVar[dict[str, type]] = {
        "fighters": np.int64,
        "faction": np.int64,
        "ideology": np.float64,  # jihad commitment in [0, 1]; 1 - ideology is the economic motive
        "ties": np.float64,  # ties to ISIS-K in [0, 1]
        "grievance": np.float64,  # in [0, 1], raised by unpaid months
    }

    def __init__(self, rows: int, capacity: int, factions: int) -> None:
        super().__init__(rows, capacity)
        self.factions = factions

    def by_faction(self, values: np.ndarray) -> np.ndarray:
        """Per replicate, the sum of per-unit `values` over each faction's units."""
        from sim.engine.sums import add_by_faction  # numba loads with the first step

        sums = np.zeros((len(self.n), self.factions))
        add_by_faction(values, self.faction, sums)
        return sums

    def fighters_by_faction(self, values: np.ndarray) -> np.ndarray:
        """Per replicate, the sum of fighters x per-unit `values` over each faction's units.

        `by_faction(fighters * values)` in one pass, without the products' array.
        """
        from sim.engine.sums import add_weighted_by_faction  # numba loads with the first step

        sums = np.zeros((len(self.n), self.factions))
        add_weighted_by_faction(self.fighters, values, self.faction, sums)
        return sums


class Cells(Ragged):
    """ISIS-K cells: fighters, attack capability, exposure to Taliban intelligence, skill.

    Skill is what capability recovers to after arrests of leaders; it falls with them.
    """

    columns: ClassVar[dict[str, type]] = {
        "fighters": np.int64,
        "capability": np.float64,
        "exposure": np.float64,
        "skill": np.float64,
    }


def beta_shape(mean, sd) -> tuple[np.ndarray, np.ndarray]:
    """The Beta distribution's (a, b) from its mean and sd (method of moments)."""
    common = mean * (1.0 - mean) / sd**2 - 1.0
    return mean * common, (1.0 - mean) * common


def beta_draws(rng: np.random.Generator, mean, sd, size: int | None = None) -> np.ndarray:
    """Draws in (0, 1) from Betas with these means and sds (scalars or arrays)."""
    return rng.beta(*beta_shape(mean, sd), size)


def split_evenly(rng: np.random.Generator, total: int, parts: int) -> np.ndarray:
    """Split `total` fighters among `parts` groups, multinomially with equal odds."""
    return rng.multinomial(total, np.full(parts, 1.0 / parts))
