"""Struct-of-arrays state for the many: Taliban units and ISIS-K cells.

Each table keeps its columns in preallocated numpy arrays with spare capacity, so
births append in place and deaths compact in place; rules see `[:n]` views.
"""

from __future__ import annotations

import numpy as np


class Table:
    """Columns of equal length with spare capacity; subclasses name the columns."""

    columns: dict[str, type] = {}

    def __init__(self, capacity: int) -> None:
        self.n = 0
        self._capacity = max(capacity, 8)
        for name, dtype in self.columns.items():
            setattr(self, f"_{name}", np.zeros(self._capacity, dtype=dtype))

    def __len__(self) -> int:
        return self.n

    def col(self, name: str) -> np.ndarray:
        """The live rows of one column (a view: writes go to the table)."""
        return getattr(self, f"_{name}")[: self.n]

    def append(self, **values: np.ndarray) -> None:
        """Add rows; every column must be given, all of the same length."""
        k = len(next(iter(values.values())))
        if self.n + k > self._capacity:
            self._grow(self.n + k)
        for name in self.columns:
            getattr(self, f"_{name}")[self.n : self.n + k] = values[name]
        self.n += k

    def keep(self, mask: np.ndarray) -> None:
        """Drop the rows where `mask` is False, keeping order."""
        kept = int(mask.sum())
        if kept == self.n:
            return
        for name in self.columns:
            arr = getattr(self, f"_{name}")
            arr[:kept] = arr[: self.n][mask]
        self.n = kept

    def _grow(self, needed: int) -> None:
        self._capacity = max(needed, 2 * self._capacity)
        for name in self.columns:
            old = getattr(self, f"_{name}")
            new = np.zeros(self._capacity, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, f"_{name}", new)


class Units(Table):
    """Taliban units (a commander and band): the fighters are held here."""

    columns = {
        "fighters": np.int64,
        "faction": np.int64,
        "ideology": np.float64,
        "ties": np.float64,
        "grievance": np.float64,
    }

    @property
    def fighters(self) -> np.ndarray:
        """Fighters per unit."""
        return self._fighters[: self.n]

    @property
    def faction(self) -> np.ndarray:
        """Index of the unit's faction."""
        return self._faction[: self.n]

    @property
    def ideology(self) -> np.ndarray:
        """Jihad commitment in [0, 1]; 1 - ideology is the economic motive."""
        return self._ideology[: self.n]

    @property
    def ties(self) -> np.ndarray:
        """Strength of the unit's ties to ISIS-K in [0, 1]."""
        return self._ties[: self.n]

    @property
    def grievance(self) -> np.ndarray:
        """Grievance in [0, 1], raised by unpaid months."""
        return self._grievance[: self.n]


class Cells(Table):
    """ISIS-K cells."""

    columns = {"fighters": np.int64, "capability": np.float64, "exposure": np.float64}

    @property
    def fighters(self) -> np.ndarray:
        """Fighters per cell."""
        return self._fighters[: self.n]

    @property
    def capability(self) -> np.ndarray:
        """Attack capability, growing with experience."""
        return self._capability[: self.n]

    @property
    def exposure(self) -> np.ndarray:
        """How visible the cell is to Taliban intelligence, in [0, 1]."""
        return self._exposure[: self.n]


def beta_draws(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    """Draw `size` values in (0, 1) from the Beta with this mean and sd."""
    common = mean * (1.0 - mean) / sd**2 - 1.0
    return rng.beta(mean * common, (1.0 - mean) * common, size)


def split_evenly(rng: np.random.Generator, total: int, parts: int) -> np.ndarray:
    """Split `total` fighters among `parts` groups, multinomially with equal odds."""
    return rng.multinomial(total, np.full(parts, 1.0 / parts))
