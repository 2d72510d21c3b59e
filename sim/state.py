"""Struct-of-arrays state for the many, with one row per replicate.

Units and cells are ragged tables: columns of shape (replicates, capacity) whose row
r holds `n[r]` live entries at its front (the rest is zero). Rules compute on whole
arrays; random draws go row by row through each replicate's own generator, so a
replicate's results never depend on which other replicates share its batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

Generators = Sequence[np.random.Generator]


class Ragged:
    """Columns of shape (replicates, capacity); subclasses name the columns.

    Attribute access (`table.fighters`) returns a view of the first `width` slots,
    where `width` is the longest row, so rules never touch the spare capacity.
    """

    columns: ClassVar[dict[str, type]] = {}

    def __init__(self, rows: int, capacity: int) -> None:
        self.n = np.zeros(rows, dtype=np.int64)
        self.width = 0
        self._data = {
            name: np.zeros((rows, max(capacity, 8)), dtype) for name, dtype in self.columns.items()
        }

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["_data"][name][:, : self.__dict__["width"]]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def live(self) -> np.ndarray:
        """Mask of live entries, (replicates, width)."""
        return np.arange(self.width) < self.n[:, None]

    def append(self, row: int, **values: np.ndarray) -> None:
        """Add entries to the end of one replicate's row; every column must be given."""
        k = len(values["fighters"])
        start = self.n[row]
        if start + k > self._data["fighters"].shape[1]:
            self._grow(start + k)
        for name in self.columns:
            self._data[name][row, start : start + k] = values[name]
        self.n[row] += k
        self.width = max(self.width, int(self.n[row]))
        self._changed()

    def keep(self, mask: np.ndarray) -> None:
        """Drop live entries where `mask` is False, keeping order; free slots are zeroed."""
        alive = mask & self.live
        kept = alive.sum(axis=1)
        if np.array_equal(kept, self.n):
            return
        order = np.argsort(~alive, axis=1, kind="stable")
        free = np.arange(self.width) >= kept[:, None]
        for name in self.columns:
            column = getattr(self, name)
            column[:] = np.take_along_axis(column, order, axis=1)
            column[free] = 0
        self.n = kept
        self.width = int(kept.max(initial=0))
        self._changed()

    def split_above(self, limit: float) -> None:
        """Entries above `limit` fighters split: half leave as a new entry with the same traits."""
        for r in np.flatnonzero((self.fighters > limit).any(axis=1)):
            n = self.n[r]
            big = self.fighters[r, :n] > limit
            copies = {name: getattr(self, name)[r, :n][big] for name in self.columns}
            half = copies["fighters"] // 2
            self.fighters[r, :n][big] -= half
            self.append(r, **(copies | {"fighters": half}))

    def _changed(self) -> None:
        """Hook for subclasses that cache something derived from the rows."""

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * self._data["fighters"].shape[1])
        for name, old in self._data.items():
            new = np.zeros((old.shape[0], capacity), old.dtype)
            new[:, : old.shape[1]] = old
            self._data[name] = new


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
        self._keys: np.ndarray | None = None

    def by_faction(self, values: np.ndarray) -> np.ndarray:
        """Per replicate, the sum of per-unit `values` over each faction's units."""
        if self._keys is None:
            self._keys = (self.faction + self.factions * np.arange(len(self.n))[:, None]).ravel()
        rows = len(self.n)
        sums = np.bincount(self._keys, weights=values.ravel(), minlength=rows * self.factions)
        return sums.reshape(rows, self.factions)

    def _changed(self) -> None:
        self._keys = None


class Cells(Ragged):
    """ISIS-K cells: fighters, attack capability, exposure to Taliban intelligence."""

    columns: ClassVar[dict[str, type]] = {
        "fighters": np.int64,
        "capability": np.float64,
        "exposure": np.float64,
    }


def beta_draws(rng: np.random.Generator, mean, sd, size: int | None = None) -> np.ndarray:
    """Draws in (0, 1) from Betas with these means and sds (scalars or arrays)."""
    common = mean * (1.0 - mean) / sd**2 - 1.0
    return rng.beta(mean * common, (1.0 - mean) * common, size)


def split_evenly(rng: np.random.Generator, total: int, parts: int) -> np.ndarray:
    """Split `total` fighters among `parts` groups, multinomially with equal odds."""
    return rng.multinomial(total, np.full(parts, 1.0 / parts))


def binomial_rows(gens: Generators, n: np.ndarray, p, counts: np.ndarray) -> np.ndarray:
    """Binomial draws for the first `counts[r]` entries of each row, from row r's generator."""
    p = np.broadcast_to(p, n.shape)
    out = np.zeros_like(n)
    for r, gen in enumerate(gens):
        c = counts[r]
        if c:
            out[r, :c] = gen.binomial(n[r, :c], p[r, :c])
    return out


def bernoulli_losses(gen: np.random.Generator, fighters: np.ndarray, p: float) -> np.ndarray:
    """Fighters lost per group when each fighter is lost independently with chance `p`.

    Exactly `binomial(fighters, p)` in distribution, but drawn as the geometric gaps
    between losses along all fighters in a row, so a small `p` costs a few draws,
    not one per group.
    """
    total = int(fighters.sum())
    if total == 0 or p <= 0.0:
        return np.zeros_like(fighters)
    if p >= 1.0:
        return fighters.copy()
    if p < 1e-9:  # geometric gaps would overflow int64; the plain draw is cheap here
        return gen.binomial(fighters, p)
    expected = total * p
    positions = np.cumsum(gen.geometric(p, int(expected + 6 * expected**0.5 + 8))) - 1
    while positions[-1] < total:
        more = np.cumsum(gen.geometric(p, int(expected + 8))) + positions[-1]
        positions = np.concatenate([positions, more])
    positions = positions[positions < total]
    owners = np.searchsorted(np.cumsum(fighters), positions, side="right")
    return np.bincount(owners, minlength=len(fighters)).astype(fighters.dtype)


def losses_rows(
    gens: Generators, fighters: np.ndarray, p: np.ndarray | float, counts: np.ndarray
) -> np.ndarray:
    """`bernoulli_losses` for the live entries of each row, with one chance per row."""
    p = np.broadcast_to(p, counts.shape)
    out = np.zeros_like(fighters)
    for r, gen in enumerate(gens):
        c = counts[r]
        if c:
            out[r, :c] = bernoulli_losses(gen, fighters[r, :c], float(p[r]))
    return out


def poisson_rows(gens: Generators, lam: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Poisson draws for the first `counts[r]` entries of each row."""
    out = np.zeros(lam.shape, dtype=np.int64)
    for r, gen in enumerate(gens):
        c = counts[r]
        if c:
            out[r, :c] = gen.poisson(lam[r, :c])
    return out


def uniform_rows(gens: Generators, shape: tuple[int, int], counts: np.ndarray) -> np.ndarray:
    """Uniform draws in [0, 1) for the live entries of each row; 1.0 elsewhere."""
    out = np.ones(shape)
    for r, gen in enumerate(gens):
        c = counts[r]
        if c:
            out[r, :c] = gen.random(c)
    return out
