"""Each replicate's random stream, and samplers that draw for every replicate of a batch at once.

A replicate's draws are uniforms taken in order from its own generator, buffered in
blocks (numpy's `Generator.random` gives the same numbers in one call or in many), so
its history never depends on which replicates share its batch. Samplers turn those
uniforms into Poisson, binomial, multinomial and Beta draws by inverting distribution
functions (`sim.engine.draws`) over whole (replicates, entries) arrays: one call per draw
of the batch instead of a generator call per replicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from types import ModuleType

import numpy as np
from scipy import special

from sim.engine.state import beta_shape

BLOCK = 4096  # uniforms buffered per replicate


class Streams:
    """Buffered uniform streams, one row per replicate, and the samplers built on them."""

    def __init__(self, gens: Sequence[np.random.Generator], block: int = BLOCK) -> None:
        self.gens = list(gens)
        self._buffer = np.empty((len(self.gens), block))
        self._next = np.full(len(self.gens), block, dtype=np.int64)  # empty: fill on first use

    def uniform(self, counts: np.ndarray, fill: float = 1.0, width: int = 0) -> np.ndarray:
        """The next `counts[r]` uniforms in [0, 1) of each row r, padded with `fill`.

        The result has `width` columns, or as many as the largest count if that is more.
        """
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        width = max(width, int(counts.max(initial=0)))
        buffer, start = self.reserve(counts)
        return _draws().take_uniforms(buffer, start, counts, width, fill)

    def reserve(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Make sure each row r has its next `counts[r]` uniforms buffered, for a compiled loop.

        Returns the buffer and each row's read position; the loop reads row r's uniforms
        from `buffer[r, position[r]:]`, in order, and advances `position[r]` past those it
        took (the same numbers `uniform` would have handed out).
        """
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        if _draws().buffered(self._next, counts, self._buffer.shape[1]):
            return self._buffer, self._next  # most calls: one compiled check
        most = int(counts.max(initial=0))
        if most > self._buffer.shape[1]:
            self._refill(np.arange(len(self.gens)), 2 * most)
        short = (self._next + counts > self._buffer.shape[1]).nonzero()[0]
        if short.size:
            self._refill(short, self._buffer.shape[1])
        return self._buffer, self._next

    def _refill(self, rows: np.ndarray, size: int) -> None:
        """Move the unused tail of these rows to the front and top them up from their generators."""
        same = size == self._buffer.shape[1]
        buffer = self._buffer if same else np.empty((len(self.gens), size))
        for r in rows:
            rest = self._buffer[r, self._next[r] :].copy()
            buffer[r, : len(rest)] = rest
            self.gens[r].random(out=buffer[r, len(rest) :])  # in place: no array to copy
            self._next[r] = 0
        self._buffer = buffer

    def poisson(self, lam: np.ndarray | float, counts: np.ndarray) -> np.ndarray:
        """Poisson(lam) for the first `counts[r]` entries of each row; 0 elsewhere.

        Drawn in one compiled loop straight from the rows' buffers, as `binomial` is.
        """
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        buffer, start = self.reserve(counts)
        return _draws().poisson_rows(buffer, start, counts, lam, _width(lam))

    def normals(self, k: int) -> np.ndarray:
        """`k` standard normal draws per row (the inverse normal CDF of uniforms), (rows, k)."""
        u = self.uniform(np.full(len(self.gens), k, dtype=np.int64), width=k)[:, :k]
        return special.ndtri(np.minimum(np.maximum(u, 1e-16), 1.0 - 1e-16))  # clip, faster

    def binomial(self, n: np.ndarray, p: np.ndarray | float, counts: np.ndarray) -> np.ndarray:
        """Binomial(n, p) for the first `counts[r]` entries of each row; elsewhere 0.

        Or n, where p > 1/2 (`draws.binomial_rows`).
        """
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        buffer, start = self.reserve(counts)
        return _draws().binomial_rows(buffer, start, counts, n, p, _width(n))

    def beta(self, mean: np.ndarray, sd: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """`counts[r]` Beta draws of each row r, flat, row after row: one per mean and sd.

        `mean` and `sd` hold one number each, or one per draw in that order.
        """
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        buffer, start = self.reserve(counts)
        u = _draws().take_flat(buffer, start, counts)
        return special.betaincinv(*beta_shape(mean, sd), u)

    def multinomial(self, totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Row r's `totals[r]` items spread over its entries with chances in proportion to weights.

        One uniform per item, read in the compiled search straight from the row's
        buffer, picks its entry from the row's cumulative weights; rows with items need
        a positive weight.
        """
        buffer, start = self.reserve(totals)
        return _draws().categorical_counts(weights, buffer, totals, start)


def _width(values: np.ndarray | float) -> int:
    """Entries per row of a parameter array (0 for a scalar, which fits any width)."""
    return np.shape(values)[-1] if np.ndim(values) else 0


@cache
def _draws() -> ModuleType:
    """The compiled loops of the draws (`sim.engine.draws`), imported at the first draw.

    numba and its compiled code hold about 95 MB per process; processes that build
    worlds but never step them (the workers' forkserver) skip it.
    """
    from sim.engine import draws

    return draws
