"""The compiled loops behind every draw: taking uniforms, and inverting distribution functions.

Each replicate's uniforms are read in place from its buffer (or copied out, for a
caller that wants them), and the quantile of u (the smallest k with P(X <= k) >= u) of
Poisson and binomial distributions is computed, element by element in loops compiled
by numba, so a draw costs nanoseconds and a call a few microseconds whatever the batch.
Small means sum the probability mass from 0; larger ones start at the mode, so the work
per draw grows with the standard deviation, not the mean. A multinomial places each
item where its uniform falls among the row's cumulative weights: by binary search for a
few items, from a guide table when there are many. Each element is computed alone, so a
replicate's draws never depend on the other replicates of its batch.

Each loop declares its one signature, so numba compiles it once, at import, instead of
once per combination of the arrays it meets (a read-only broadcast view and a writable
array are different types to numba). Inputs are declared read-only, which writable
arrays match too; the compiled loops are cached in `sim/engine/__pycache__`.

The loops refuse (ValueError) what no scenario within the schema's bounds produces: a
Poisson mean that is not finite or above `MAX_MEAN`, a chance that is NaN (any of the
parameters given, whether or not an entry is drawn with it), uniforms beyond the end of
a buffer, a parameter that does not broadcast over the draws. A bug upstream then stops
the run, before any row's read position moves, instead of reading memory out of bounds
or returning nonsense counts.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import types

SEARCH_MEAN = 12.0  # up to this mean, sum the mass from 0; above it, from the mode
GUIDE_ITEMS = 8  # a multinomial row with an item per this many entries or more builds a guide table
NEGLIGIBLE = 1e-17  # mass terms below this share of the sum no longer change it
MAX_MEAN = 1e8  # over twice Afghanistan's population: no count in the model comes near it

# The loops' array types: inputs read-only (writable arrays match them too), outputs writable.
COUNTS = types.Array(types.int64, 1, "C", readonly=True)
FLOAT_ROWS = types.Array(types.float64, 2, "C", readonly=True)
POSITIONS = types.int64[::1]  # a stream buffer's read positions, advanced by the loops
READ_GRID = types.Array(types.float64, 2, "A", readonly=True)  # a parameter (`_grid`)
READ_COUNT_GRID = types.Array(types.int64, 2, "A", readonly=True)
COUNT_GRID = types.int64[:, ::1]


@numba.njit(inline="always")  # inlined into the loops below, which hoist what is loop-invariant
def poisson_draw(u: float, lam: float) -> int:
    """Poisson(lam) quantile of u: summed from 0 for small means, from the mode above.

    Here and in the rules' compiled loops; the caller checks that lam is at most `MAX_MEAN`.
    """
    if lam <= 0.0 or u <= 0.0:
        return 0
    if lam <= SEARCH_MEAN:
        pmf = math.exp(-lam)
        return _poisson_up(u, 0, pmf, pmf, lam)
    mode = math.floor(lam)
    pmf = math.exp(mode * math.log(lam) - lam - math.lgamma(mode + 1.0))
    term, cdf = pmf, pmf
    for k in range(mode, 0, -1):  # P(X <= mode): the terms below it, from the largest
        term *= k / lam
        cdf += term
        if term < cdf * NEGLIGIBLE:
            break
    if u > cdf:
        return _poisson_up(u, mode, pmf, cdf, lam)
    k = mode
    while k > 0 and cdf - pmf >= u:  # P(X <= k - 1) still reaches u: step down
        cdf -= pmf
        pmf *= k / lam
        k -= 1
    return k


@numba.njit(inline="always")
def _binomial(u: float, n: int, q: float, log_stay: float, odds: float) -> int:
    """Binomial(n, q) quantile for 0 <= q <= 1/2, given log(1 - q) and q / (1 - q)."""
    if n <= 0 or u <= 0.0:
        return 0
    if n * q <= SEARCH_MEAN:
        pmf = math.exp(n * log_stay)  # P(X = 0); 1 when q is 0
        return _binomial_up(u, 0, pmf, pmf, odds, n)
    return _binomial_from_mode(u, n, q, odds)


@numba.njit(inline="always")
def binomial_chance(p: float) -> tuple[float, float, float, bool]:
    """For Binomial(n, p): q = min(p, 1 - p), log(1 - q), q / (1 - q), and whether q is 1 - p.

    Computed once for many draws of the same chance (`binomial_draw`), here and in the
    rules' compiled loops.

    A draw with p > 1/2 is n - Binomial(n, 1 - p): the same distribution, a shorter search.
    """
    if p != p:
        raise ValueError("binomial chance is NaN")
    p = min(max(p, 0.0), 1.0)
    flip = p > 0.5
    q = 1.0 - p if flip else p
    return q, math.log1p(-q), q / (1.0 - q), flip


@numba.njit(cache=True)  # called only from the compiled loops below, with their types
def _binomial_from_mode(u: float, n: int, q: float, odds: float) -> int:
    """Binomial(n, q) quantile for a large mean: P(X <= mode) first, then step up or down."""
    mode = min(n, math.floor((n + 1) * q))
    pmf = math.exp(
        math.lgamma(n + 1.0)
        - math.lgamma(mode + 1.0)
        - math.lgamma(n - mode + 1.0)
        + mode * math.log(q)
        + (n - mode) * math.log1p(-q)
    )
    term, cdf = pmf, pmf
    for k in range(mode, 0, -1):  # P(X <= mode): the terms below it, from the largest
        term *= k / ((n - k + 1) * odds)
        cdf += term
        if term < cdf * NEGLIGIBLE:
            break
    if u > cdf:
        return _binomial_up(u, mode, pmf, cdf, odds, n)
    k = mode
    while k > 0 and cdf - pmf >= u:  # P(X <= k - 1) still reaches u: step down
        cdf -= pmf
        pmf *= k / ((n - k + 1) * odds)
        k -= 1
    return k


@numba.njit(inline="always")
def _poisson_up(u: float, k: int, pmf: float, cdf: float, lam: float) -> int:
    """Step k up from a point where P(X <= k) = cdf < u until the cdf reaches u.

    The next mass term is the last times lam / (k + 1). Where rounding keeps the cdf
    below u (u within about 1e-15 of 1), the search ends where the remaining terms
    are too small to count.
    """
    while cdf < u:
        pmf *= lam / (k + 1)
        if pmf <= cdf * NEGLIGIBLE:
            return k
        k += 1
        cdf += pmf
    return k


@numba.njit(inline="always")
def _binomial_up(u: float, k: int, pmf: float, cdf: float, odds: float, n: int) -> int:
    """`_poisson_up` for a binomial: the next term is the last times odds (n - k) / (k + 1)."""
    while cdf < u:
        pmf *= odds * (n - k) / (k + 1)
        if pmf <= cdf * NEGLIGIBLE:
            return k
        k += 1
        cdf += pmf
    return k


@numba.njit(inline="always")
def binomial_draw(u: float, n: int, chance: tuple[float, float, float, bool]) -> int:
    """Binomial(n, p) quantile of u, given `binomial_chance(p)`."""
    q, log_stay, odds, flip = chance
    k = _binomial(u, n, q, log_stay, odds)
    return n - k if flip else k


@numba.njit(inline="always")
def sure_zero_below(chance: tuple[float, float, float, bool], most: int) -> float:
    """A u at or below this draws 0 from `_binomial` for every n up to `most`; -1 if none does.

    The search from 0 answers 0 when u <= exp(n log(1 - q)), which only grows as n
    falls: one exp for a row of draws with the same chance spares most small-chance
    draws theirs (`binomial_draw_floored`). Above `SEARCH_MEAN` the search from the
    mode decides alone.
    """
    q, log_stay, _, _ = chance
    if most * q > SEARCH_MEAN:
        return -1.0
    return math.exp(most * log_stay)


@numba.njit(inline="always")
def binomial_draw_floored(
    u: float, n: int, chance: tuple[float, float, float, bool], floor: float
) -> int:
    """`binomial_draw` for n up to the `most` of `floor = sure_zero_below(chance, most)`.

    The same number: below the floor the search it skips would have answered 0.
    """
    q, log_stay, odds, flip = chance
    k = 0 if u <= floor else _binomial(u, n, q, log_stay, odds)
    return n - k if flip else k


@numba.njit(inline="always")
def checked_poisson(u: float, lam: float) -> int:
    """`poisson_draw`, refusing a mean not finite or above `MAX_MEAN`, as the rows' draws do."""
    if not lam <= MAX_MEAN:  # NaN fails it too
        raise ValueError("Poisson mean not finite or above MAX_MEAN")
    return poisson_draw(u, lam)


@numba.njit(inline="always")
def checked_binomial(u: float, n: int, p: float) -> int:
    """`binomial_draw` of Binomial(n, p), refusing a NaN chance, as the rows' draws do."""
    if p != p:
        raise ValueError("binomial chance is NaN")
    return binomial_draw(u, n, binomial_chance(p))


@numba.njit(inline="always")
def _draws_out(counts: np.ndarray, width: int) -> np.ndarray:
    """The draws' array: a row per count, `width` wide or as wide as the largest count."""
    for count in counts:
        width = max(width, count)
    return np.empty((counts.size, width), dtype=np.int64)


@numba.njit(inline="always")
def _check_rows(
    buffer: np.ndarray, start: np.ndarray, counts: np.ndarray, values: np.ndarray, out: np.ndarray
) -> None:
    """Refuse reads beyond a row's buffer or `out`, and a parameter that does not broadcast."""
    rows, width = out.shape
    if start.size != rows or counts.size != rows or buffer.shape[0] != rows:
        raise ValueError("uniforms, read positions and counts of different rows")
    if values.shape[0] not in (1, rows) or values.shape[1] not in (1, width):
        raise ValueError("a parameter that does not broadcast over the draws")
    for r in range(rows):
        if counts[r] < 0 or counts[r] > width or start[r] + counts[r] > buffer.shape[1]:
            raise ValueError("uniforms asked for beyond the buffer or the requested width")


@numba.njit(COUNT_GRID(FLOAT_ROWS, POSITIONS, COUNTS, READ_GRID, types.int64), cache=True)
def _poisson_rows(
    buffer: np.ndarray, start: np.ndarray, counts: np.ndarray, lam: np.ndarray, width: int
) -> np.ndarray:
    """Poisson draws, row r's first `counts[r]` from `buffer[r, start[r]:]`, u = 0 beyond.

    The draws are `width` wide, or as wide as the largest count; `lam` holds one mean, or
    one per row or per entry of the draws (an axis of length 1 broadcasts).
    """
    out = _draws_out(counts, width)
    _check_rows(buffer, start, counts, lam, out)
    for mean in lam.ravel():  # every mean, drawn or not, before any row advances
        if not mean <= MAX_MEAN:  # NaN fails it too
            raise ValueError("Poisson mean not finite or above MAX_MEAN")
    each_row, each_entry = lam.shape[0] > 1, lam.shape[1] > 1
    for r in range(out.shape[0]):
        for j in range(out.shape[1]):
            u = buffer[r, start[r] + j] if j < counts[r] else 0.0
            out[r, j] = poisson_draw(u, lam[r * each_row, j * each_entry])
        start[r] += counts[r]
    return out


@numba.njit(
    COUNT_GRID(FLOAT_ROWS, POSITIONS, COUNTS, READ_COUNT_GRID, READ_GRID, types.int64), cache=True
)
def _binomial_rows(
    buffer: np.ndarray,
    start: np.ndarray,
    counts: np.ndarray,
    n: np.ndarray,
    p: np.ndarray,
    width: int,
) -> np.ndarray:
    """Binomial draws as `_poisson_rows` draws Poisson ones; n and p broadcast as its means.

    With p > 1/2 a u of 0 draws n (n - Binomial(n, 1 - p), `binomial_chance`).
    """
    out = _draws_out(counts, width)
    _check_rows(buffer, start, counts, n, out)
    _check_rows(buffer, start, counts, p, out)
    n_row, n_entry = n.shape[0] > 1, n.shape[1] > 1
    p_row, p_entry = p.shape[0] > 1, p.shape[1] > 1
    for chance in p.ravel():  # every chance, drawn or not, before any row advances
        if chance != chance:
            raise ValueError("binomial chance is NaN")
    one = p.size == 1  # one chance for all: its logarithm and odds computed once
    chance = binomial_chance(p[0, 0]) if one else (0.0, 0.0, 0.0, False)
    for r in range(out.shape[0]):
        for j in range(out.shape[1]):
            if not one:
                chance = binomial_chance(p[r * p_row, j * p_entry])
            u = buffer[r, start[r] + j] if j < counts[r] else 0.0
            out[r, j] = binomial_draw(u, n[r * n_row, j * n_entry], chance)
        start[r] += counts[r]
    return out


@numba.njit(inline="always")
def _guided_counts(
    keys: np.ndarray, last: int, u: np.ndarray, guide: np.ndarray, out: np.ndarray
) -> None:
    """Count each u at the first entry whose key is above it, at most `last`.

    The same entry as numpy's `searchsorted(keys, u, side="right")`, found from a guide
    table (Chen and Asau): `guide[b]` is where the keys pass b / size, and a uniform
    starts one bucket below its own, so rounding in u x size never starts it too far.
    """
    size = keys.size
    j = 0
    for b in range(size):
        while j < size and keys[j] <= b / size:
            j += 1
        guide[b] = min(j, last)
    for x in u:
        if not x < 1.0:  # u >= 1 or NaN, which no stream hands out: where searchsorted puts it
            out[last] += 1
            continue
        j = guide[max(int(x * size), 1) - 1]
        while j < last and keys[j] <= x:
            j += 1
        out[j] += 1


@numba.njit(inline="always")
def place_items(keys: np.ndarray, u: np.ndarray, guide: np.ndarray, out: np.ndarray) -> None:
    """Add to `out[j]` the items of the uniforms `u` that fall on entry j of a row.

    `keys` holds the row's cumulative weights, which this normalises to end at 1; entry
    j takes the uniforms between its keys before and after it. Here and in the rules'
    compiled loops (`compiled_units.place_in_units`), which give the keys of their own rows.
    """
    whole = max(keys[keys.size - 1], 1e-300)
    for j in range(keys.size):
        keys[j] /= whole  # exactly 1 at the last weight
    last = keys.size - 1
    while last > 0 and keys[last - 1] == keys[last]:  # trailing entries without weight
        last -= 1
    if u.size * GUIDE_ITEMS < keys.size:  # a few items: binary searches
        for x in u:
            out[min(np.searchsorted(keys, x, side="right"), last)] += 1
    else:
        _guided_counts(keys, last, u, guide, out)


@numba.njit(
    types.void(
        types.Array(types.float64, 2, "A", readonly=True),
        FLOAT_ROWS,
        types.int64[::1],
        COUNTS,
        types.int64[:, ::1],
    ),
    cache=True,
)
def _categorical_all(
    weights: np.ndarray, u: np.ndarray, start: np.ndarray, totals: np.ndarray, out: np.ndarray
) -> None:
    rows = weights.shape[0]
    if totals.size != rows or start.size != rows or u.shape[0] != rows:
        raise ValueError("weights, uniforms, read positions and totals of different rows")
    keys = np.empty(weights.shape[1])  # a row's cumulative weights, normalised to end at 1
    guide = np.empty(weights.shape[1], dtype=np.int64)  # where a uniform's search starts
    for r in range(rows):
        if totals[r] == 0:
            continue
        if weights.shape[1] == 0:
            raise ValueError("items to place in a row without entries")
        if totals[r] < 0 or start[r] + totals[r] > u.shape[1]:
            raise ValueError("uniforms asked for beyond the buffer")
        cumulative = 0.0
        for j in range(keys.size):  # added in order, as numpy's cumsum adds them
            cumulative += weights[r, j]
            keys[j] = cumulative
        place_items(keys, u[r, start[r] : start[r] + totals[r]], guide, out[r])
        start[r] += totals[r]


@numba.njit(types.boolean(COUNTS, COUNTS, types.int64), cache=True)
def buffered(start: np.ndarray, counts: np.ndarray, block: int) -> bool:
    """Whether each row r's next `counts[r]` uniforms, from `start[r]`, lie within its block."""
    if counts.size != start.size:
        raise ValueError("read positions and counts of different rows")
    return (start + counts <= block).all()


@numba.njit(
    types.void(FLOAT_ROWS, POSITIONS, COUNTS, types.float64, types.float64[:, ::1]), cache=True
)
def _take_all(
    buffer: np.ndarray, start: np.ndarray, counts: np.ndarray, fill: float, out: np.ndarray
) -> None:
    for r in range(out.shape[0]):  # every row checked before any advances
        if counts[r] < 0 or counts[r] > out.shape[1] or start[r] + counts[r] > buffer.shape[1]:
            raise ValueError("uniforms asked for beyond the buffer or the requested width")
    for r in range(out.shape[0]):
        for j in range(counts[r]):
            out[r, j] = buffer[r, start[r] + j]
        for j in range(counts[r], out.shape[1]):
            out[r, j] = fill
        start[r] += counts[r]


@numba.njit(types.float64[::1](FLOAT_ROWS, POSITIONS, COUNTS), cache=True)
def take_flat(buffer: np.ndarray, start: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Row r's next `counts[r]` uniforms from `buffer[r, start[r]:]`, rows one after another.

    `start` advances past the uniforms taken, once every row is checked.
    """
    if start.size != buffer.shape[0] or counts.size != buffer.shape[0]:
        raise ValueError("uniforms, read positions and counts of different rows")
    for r in range(counts.size):
        if counts[r] < 0 or start[r] + counts[r] > buffer.shape[1]:
            raise ValueError("uniforms asked for beyond the buffer, or fewer than none")
    out = np.empty(counts.sum())
    k = 0
    for r in range(counts.size):
        out[k : k + counts[r]] = buffer[r, start[r] : start[r] + counts[r]]
        k += counts[r]
        start[r] += counts[r]
    return out


def take_uniforms(
    buffer: np.ndarray, start: np.ndarray, counts: np.ndarray, width: int, fill: float
) -> np.ndarray:
    """Row r's `counts[r]` uniforms from `buffer[r, start[r]:]`, padded with `fill` to `width`.

    `start` advances past the uniforms taken.
    """
    out = np.empty((len(counts), width))
    _take_all(buffer, start, counts, fill, out)
    return out


def poisson_quantile(u: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """Smallest k with P(X <= k) >= u for X ~ Poisson(lam), elementwise."""
    u = np.asarray(u, dtype=np.float64)
    return _poisson_rows(*_one_row(u), _flat(lam, u.shape, np.float64), 0).reshape(u.shape)


def binomial_quantile(u: np.ndarray, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Smallest k with P(X <= k) >= u for X ~ Binomial(n, p), elementwise.

    For p > 1/2 it draws n - Binomial(n, 1 - p), which has the same distribution.
    """
    u = np.asarray(u, dtype=np.float64)
    n, p = _flat(n, u.shape, np.int64), _flat(p, u.shape, np.float64)
    return _binomial_rows(*_one_row(u), n, p, 0).reshape(u.shape)


def poisson_rows(
    buffer: np.ndarray, start: np.ndarray, counts: np.ndarray, lam: np.ndarray | float, width: int
) -> np.ndarray:
    """Poisson(lam) for row r's first `counts[r]` uniforms from its buffer; 0 beyond.

    The draws are `width` wide, or as wide as the largest count; `start` advances past
    the uniforms taken (`Streams.reserve`).
    """
    return _poisson_rows(buffer, start, counts, _grid(lam, np.float64), width)


def binomial_rows(
    buffer: np.ndarray,
    start: np.ndarray,
    counts: np.ndarray,
    n: np.ndarray,
    p: np.ndarray | float,
    width: int,
) -> np.ndarray:
    """Binomial(n, p) as `poisson_rows` draws Poisson(lam); with p > 1/2 a u of 0 draws n."""
    return _binomial_rows(buffer, start, counts, _grid(n, np.int64), _grid(p, np.float64), width)


def _grid(values: np.ndarray | float, dtype: type) -> np.ndarray:
    """A parameter of the draws as a 2-d array: one number (1, 1), a row of entries (1, k)."""
    values = np.asarray(values, dtype=dtype)
    if values.ndim == 2:
        return values
    return values.reshape((1,) * (2 - values.ndim) + values.shape)


def _one_row(u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uniforms of any shape as one buffer row read from 0: buffer, read position, count."""
    return (
        np.ascontiguousarray(u).reshape(1, -1),
        np.zeros(1, dtype=np.int64),
        np.array([u.size], dtype=np.int64),
    )


def categorical_counts(
    weights: np.ndarray, u: np.ndarray, totals: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray:
    """Per row r, how many of its `totals[r]` uniforms (`u[r]` from `start[r]`) fall on each entry.

    Entry j of row r takes the uniforms between its row's cumulative weights before and
    after it, normalised to [0, 1]: a multinomial of `totals[r]` items over the row.
    The cumulative weights are summed in order in a compiled loop, and only for rows
    with items to place. `start` (0 when not given) is a stream buffer's read positions
    (`Streams.reserve`), advanced past the uniforms taken.
    """
    totals = np.asarray(totals, dtype=np.int64)
    out = np.zeros(np.shape(weights), dtype=np.int64)
    _categorical_all(
        np.asarray(weights, dtype=np.float64),
        np.ascontiguousarray(u),
        np.zeros(len(totals), dtype=np.int64) if start is None else start,
        totals,
        out,
    )
    return out


def _flat(values: np.ndarray | float, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """A parameter of elementwise draws over `shape`: one number (1, 1), or one each (1, size)."""
    values = np.asarray(values, dtype=dtype)
    if values.size == 1:
        return values.reshape(1, 1)
    return np.ascontiguousarray(np.broadcast_to(values, shape)).reshape(1, -1)
