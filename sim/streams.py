"""Each replicate's random stream, and samplers that draw for every replicate of a batch at once.

A replicate's draws are uniforms taken in order from its own generator, buffered in
blocks (numpy's `Generator.random` gives the same numbers in one call or in many), so
its history never depends on which replicates share its batch. Samplers turn those
uniforms into Poisson, binomial, multinomial and Beta draws by inverting distribution
functions over whole (replicates, entries) arrays: a few numpy calls per draw of the
batch instead of a generator call per replicate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import special

BLOCK = 4096  # uniforms buffered per replicate
SEARCH_MEAN = 12.0  # above this mean, quantiles come from scipy's special functions

Ratio = Callable[[int, np.ndarray], np.ndarray]  # pmf(j) / pmf(j - 1) at some positions
Cdf = Callable[[np.ndarray, np.ndarray], np.ndarray]  # P(X <= x) at some positions


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
        counts = np.asarray(counts, dtype=np.int64)
        rows, most = len(counts), int(counts.max(initial=0))
        width = max(width, most)
        if most == 0:
            return np.full((rows, width), fill)
        if width > self._buffer.shape[1]:
            self._refill(np.arange(rows), 2 * width)
        block = self._buffer.shape[1]
        short = (self._next + width > block).nonzero()[0]  # each row reads `width` ahead
        if short.size:
            self._refill(short, block)
        slots = np.arange(width)
        start = self._next + np.arange(rows) * block
        taken = self._buffer.ravel()[start[:, None] + slots]
        self._next += counts
        return np.where(slots < counts[:, None], taken, fill)

    def _refill(self, rows: np.ndarray, size: int) -> None:
        """Move the unused tail of these rows to the front and top them up from their generators."""
        same = size == self._buffer.shape[1]
        buffer = self._buffer if same else np.empty((len(self.gens), size))
        for r in rows:
            rest = self._buffer[r, self._next[r] :].copy()
            buffer[r, : len(rest)] = rest
            buffer[r, len(rest) :] = self.gens[r].random(size - len(rest))
            self._next[r] = 0
        self._buffer = buffer

    def poisson(self, lam: np.ndarray | float, counts: np.ndarray) -> np.ndarray:
        """Poisson(lam) for the first `counts[r]` entries of each row; 0 elsewhere."""
        return poisson_quantile(self.uniform(counts, fill=0.0, width=_width(lam)), lam)

    def binomial(self, n: np.ndarray, p: np.ndarray | float, counts: np.ndarray) -> np.ndarray:
        """Binomial(n, p) for the first `counts[r]` entries of each row; 0 elsewhere."""
        return binomial_quantile(self.uniform(counts, fill=0.0, width=_width(n)), n, p)

    def beta(self, mean: np.ndarray, sd: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Beta draws with these means and sds for the first `counts[r]` entries of each row."""
        u = self.uniform(counts, width=_width(mean))
        drawn = np.arange(u.shape[1]) < np.asarray(counts)[:, None]
        mean, sd = np.broadcast_to(mean, u.shape)[drawn], np.broadcast_to(sd, u.shape)[drawn]
        common = mean * (1.0 - mean) / sd**2 - 1.0
        out = np.zeros(u.shape)
        out[drawn] = special.betaincinv(mean * common, (1.0 - mean) * common, u[drawn])
        return out

    def multinomial(self, totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Row r's `totals[r]` items spread over its entries with chances in proportion to weights.

        One uniform per item picks its entry from the row's cumulative weights; rows
        with items need a positive weight.
        """
        u = self.uniform(totals)
        rows, width = weights.shape
        if u.shape[1] == 0 or width == 0:
            return np.zeros((rows, width), dtype=np.int64)
        cumulative = np.cumsum(weights, axis=1)
        keys = cumulative / np.maximum(cumulative[:, -1:], 1e-300)  # 1.0 at the last weight
        item = np.arange(u.shape[1]) < np.asarray(totals)[:, None]
        row = np.broadcast_to(np.arange(rows)[:, None], u.shape)[item]
        last = width - 1 - np.argmax(weights[:, ::-1] > 0, axis=1)  # last entry with weight
        slot = _first_above(keys, row, u[item], last[row])
        return np.bincount(row * width + slot, minlength=rows * width).reshape(rows, width)


def _first_above(keys: np.ndarray, row: np.ndarray, u: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Per item, the first entry of its row of `keys` (non-decreasing) above u, at most `last`.

    A binary search on all items at once; it compares u with its own row's keys only,
    so the pick does not depend on the other rows of the batch.
    """
    flat, base = keys.ravel(), row * keys.shape[1]
    low, high = np.zeros_like(last), last
    while (searching := low < high).any():
        middle = (low + high) // 2
        above = flat[base + middle] > u
        high = np.where(searching & above, middle, high)
        low = np.where(searching & ~above, middle + 1, low)
    return low


def poisson_quantile(u: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """Smallest k with P(X <= k) >= u for X ~ Poisson(lam), elementwise."""
    shape, u = np.shape(u), np.ravel(u)
    lam = _flat(lam, shape)
    k = np.zeros(u.size, dtype=np.int64)
    if lam.max(initial=0.0) > SEARCH_MEAN:
        u = _invert_large(
            k,
            u,
            lam > SEARCH_MEAN,
            lambda x, at: special.pdtr(x, _at(lam, at)),
            lambda y, at: special.pdtrik(y, _at(lam, at)),
        )
    _search_up(k, u, np.exp(-lam), lambda j, at: _at(lam, at) / j)
    return k.reshape(shape)


def binomial_quantile(u: np.ndarray, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Smallest k with P(X <= k) >= u for X ~ Binomial(n, p), elementwise.

    For p > 1/2 it draws n - Binomial(n, 1 - p), which has the same distribution and
    keeps the search short.
    """
    shape, u = np.shape(u), np.ravel(u)
    n, p = _flat(n, shape), _flat(p, shape).clip(0.0, 1.0)
    flip = p > 0.5
    flipped = bool(flip.any())
    q = np.where(flip, 1.0 - p, p) if flipped else p
    k = np.zeros(u.size, dtype=np.int64)
    if n.max(initial=0) * q.max(initial=0.0) > SEARCH_MEAN:
        u = _invert_large(
            k,
            u,
            n * q > SEARCH_MEAN,
            lambda x, at: special.bdtr(x, _at(n, at), _at(q, at)),
            lambda y, at: special.bdtrik(y, _at(n, at), _at(q, at)),
        )
    odds = q / (1.0 - q)
    first = np.exp(n * np.log1p(-q))  # P(X = 0); 1 where n or q is 0
    _search_up(k, u, first, lambda j, at: (_at(n, at) - j + 1) * _at(odds, at) / j)
    if flipped:
        k = np.where(flip, n - k, k)
    return k.reshape(shape)


def _search_up(k: np.ndarray, u: np.ndarray, first: np.ndarray, ratio: Ratio) -> None:
    """Inverse-CDF search from 0 into `k`: add pmf terms until the cdf reaches u.

    `ratio(j, at)` is pmf(j) / pmf(j - 1) at positions `at`. All entries still
    searching stand at the same j, so each pass is one vectorised step over a
    shrinking set; entries with u <= P(X = 0) cost one comparison.
    """
    at = (u > first).nonzero()[0]
    pmf = cdf = first[at] if first.ndim else np.full(at.size, first)
    target = u[at]
    j = 0
    while at.size:
        j += 1
        pmf = pmf * ratio(j, at)
        cdf = cdf + pmf
        possible = pmf > 0  # j is out of the support (or underflows): stop below it
        k[at[possible]] = j
        going = possible & (target > cdf)
        at, pmf, cdf, target = at[going], pmf[going], cdf[going], target[going]


def _invert_large(
    k: np.ndarray, u: np.ndarray, large: np.ndarray, cdf: Cdf, inverse: Cdf
) -> np.ndarray:
    """Quantiles of the `large`-mean entries into `k` through scipy's inverse cdf.

    The continuous inverse, rounded up, lands on the quantile or one above it; the
    search steps up from one below. Returns u with those entries zeroed (done).
    """
    at = np.broadcast_to(large, u.shape).nonzero()[0]
    target = u[at]
    x = np.fmax(np.ceil(inverse(target, at)) - 1, 0).astype(np.int64)  # fmax drops a NaN
    low = (cdf(x, at) < target).nonzero()[0]
    while low.size:
        x[low] += 1
        low = low[cdf(x[low], at[low]) < target[low]]
    k[at] = x
    u = u.copy()
    u[at] = 0.0
    return u


def _flat(values: np.ndarray | float, shape: tuple[int, ...]) -> np.ndarray:
    """A parameter as a flat array over `shape`, or as a 0-d array if it is one number."""
    values = np.asarray(values)
    if values.size == 1:
        return values.reshape(())
    return np.broadcast_to(values, shape).ravel()


def _at(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A flat parameter at positions `at` (a 0-d one is the same everywhere)."""
    return values if values.ndim == 0 else values[at]


def _width(values: np.ndarray | float) -> int:
    """Entries per row of a parameter array (0 for a scalar, which fits any width)."""
    return np.shape(values)[-1] if np.ndim(values) else 0
