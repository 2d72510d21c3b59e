"""The random draws: exact quantiles, the distributions they give, and per-replicate streams.

`sim.engine.draws` inverts distribution functions; `sim.engine.streams` feeds it each
replicate's own uniforms. A replicate's draws must not depend on the batch it is in.
"""

import numpy as np
import pytest
from scipy import stats

from sim.engine.draws import (
    binomial_chance,
    binomial_draw,
    binomial_draw_floored,
    binomial_quantile,
    categorical_counts,
    poisson_quantile,
    sure_zero_below,
)
from sim.engine.state import beta_shape
from sim.engine.streams import Streams

U = np.random.default_rng(2024).random(20_000)
ALPHA = 1e-3


def binomial_ppf(u, n, p):
    """The quantile the engine uses: scipy's, or n - quantile(1 - p) for p > 1/2."""
    return stats.binom.ppf(u, n, p) if p <= 0.5 else n - stats.binom.ppf(u, n, 1 - p)


@pytest.mark.parametrize("lam", [0.0, 0.01, 0.7, 5.0, 11.9, 12.1, 40.0, 150.0, 5000.0])
def test_poisson_quantile_is_scipys(lam):
    """Small means (summed from 0) and large (from the mode) give scipy's ppf exactly."""
    k = poisson_quantile(U.reshape(100, 200), lam)
    assert k.dtype == np.int64 and k.shape == (100, 200)
    np.testing.assert_array_equal(k.ravel(), stats.poisson.ppf(U, lam))


@pytest.mark.parametrize(
    ("n", "p"),
    [(0, 0.3), (5, 0.0), (5, 1.0), (90, 0.02), (150, 0.005), (10, 0.7), (30, 0.99),
     (200, 0.5), (1000, 0.3), (4500, 0.01), (100, 0.9)],
)  # fmt: skip
def test_binomial_quantile_is_scipys(n, p):
    k = binomial_quantile(U.reshape(100, 200), n, p)
    assert k.dtype == np.int64 and k.shape == (100, 200)
    np.testing.assert_array_equal(k.ravel(), binomial_ppf(U, n, p))


def test_quantiles_elementwise_with_mixed_parameters():
    """Arrays of parameters mixing small and large means, zeros and p > 1/2."""
    rng = np.random.default_rng(5)
    lam = rng.choice([0.0, 0.3, 8.0, 13.0, 400.0], U.size)
    np.testing.assert_array_equal(poisson_quantile(U, lam), stats.poisson.ppf(U, lam))
    n = rng.choice([0, 1, 7, 150, 3000], U.size)
    p = rng.choice([0.0, 0.004, 0.2, 0.5, 0.8, 1.0], U.size)
    expected = np.where(p <= 0.5, stats.binom.ppf(U, n, p), n - stats.binom.ppf(U, n, 1 - p))
    np.testing.assert_array_equal(binomial_quantile(U, n, p), expected)


@pytest.mark.parametrize("p", [0.0, 0.0002, 0.003, 0.05, 0.2, 0.6, 0.999, 1.0])
@pytest.mark.parametrize("most", [0, 1, 40, 233, 5000])
def test_a_floored_draw_is_the_plain_draw(p, most):
    """Below the row's floor the skipped search would have answered 0: the same numbers."""
    rng = np.random.default_rng(11)
    chance = binomial_chance(p)
    floor = sure_zero_below(chance, most)
    n = rng.integers(0, most + 1, 400)
    u = np.concatenate([rng.random(200), floor + np.array([-1e-12, 0.0, 1e-12]), [0.0]])
    for n_j in n:
        for u_j in u:
            assert binomial_draw_floored(u_j, n_j, chance, floor) == binomial_draw(u_j, n_j, chance)


@pytest.mark.parametrize(("entries", "trailing"), [(6, 0), (10, 0), (40, 0), (5, 1), (40, 3)])
def test_categorical_counts_at_the_guide_tables_edges(entries, trailing):
    """Uniforms on, and a hair either side of, keys that fall on the guide's bucket edges.

    Equal weights put key j at (j + 1) / entries, on an edge of the guide's buckets; all
    the uniforms at once take the guide table, one at a time (beyond 8 entries) the
    binary search. Both give numpy's searchsorted, capped at the last weighted entry.
    """
    weights = np.ones((1, entries))
    weights[0, entries - trailing :] = 0.0  # trailing entries without weight
    keys = np.cumsum(weights[0]) / weights[0].sum()
    points = np.concatenate([np.arange(entries) / entries, keys])
    u = np.concatenate([points, np.nextafter(points, 0), np.nextafter(points, 1), [0.999]])
    u = u[(u >= 0) & (u < 1)]
    last = entries - 1 - trailing

    def expected(xs):
        out = np.zeros(weights.shape, dtype=np.int64)
        for x in xs:
            out[0, min(np.searchsorted(keys, x, side="right"), last)] += 1
        return out

    got = categorical_counts(weights, u[None, :], np.array([u.size]))
    np.testing.assert_array_equal(got, expected(u))
    for x in u:
        got = categorical_counts(weights, np.array([[x]]), np.array([1]))
        np.testing.assert_array_equal(got, expected([x]))


@pytest.mark.parametrize("total", [1, 30])
def test_categorical_counts_of_a_row_without_weight_or_of_u_not_below_1(total):
    """Neither reads nor writes beyond the row: all to the first entry, or all to the last."""
    u = np.full((1, total), 0.5)
    got = categorical_counts(np.zeros((1, 12)), u, np.array([total]))
    assert got[0, 0] == total and got.sum() == total
    for bad in (1.25, np.nan):
        got = categorical_counts(np.ones((1, 4)), np.full((1, total), bad), np.array([total]))
        assert got[0, 3] == total and got.sum() == total


def test_quantiles_at_the_extreme_uniforms():
    """u = 0 is the smallest value; u just below 1 is a far but finite tail value."""
    top = np.nextafter(1.0, 0.0)
    assert poisson_quantile(np.array([0.0, top]), 5.0).tolist()[0] == 0
    assert 15 < poisson_quantile(np.array([top]), 5.0)[0] < 40
    assert binomial_quantile(np.array([0.0]), 50, 0.3)[0] == 0
    assert binomial_quantile(np.array([top]), 50, 0.3)[0] <= 50
    assert binomial_quantile(np.array([top, 0.0]), 50, 1.0).tolist() == [50, 50]


def test_categorical_counts_follow_the_weights():
    weights = np.array([[1.0, 0.0, 3.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 0, 0, 4]])
    totals = np.array([40_000, 0, 40_000])
    u = np.random.default_rng(9).random((3, 40_000))
    counts = categorical_counts(weights, u, totals)
    np.testing.assert_array_equal(counts.sum(axis=1), totals)
    assert not counts[weights == 0].any()  # entries without weight are never picked
    for r in (0, 2):
        live = weights[r] > 0
        expected = totals[r] * weights[r, live] / weights[r].sum()
        assert stats.chisquare(counts[r, live], expected).pvalue > ALPHA


@pytest.mark.parametrize("kind", [np.int64, np.float64])
def test_categorical_counts_search_numpys_cumulative_weights(kind):
    """Keys summed in the loop: each item lands where numpy's cumsum and searchsorted put it."""
    rng = np.random.default_rng(11)
    weights = (rng.random((6, 40)) * 200).astype(kind) * (rng.random((6, 40)) < 0.6)
    weights[:, -5:] = 0  # trailing entries without weight
    totals = np.array([30, 0, 1, 200, 7, 55])
    u = rng.random((6, 200))
    cumulative = np.cumsum(weights, axis=1)
    keys = cumulative / np.maximum(cumulative[:, -1:], 1e-300)
    expected = np.zeros(weights.shape, dtype=np.int64)
    for r in range(6):
        last = np.flatnonzero(weights[r])[-1]
        for x in u[r, : totals[r]]:
            expected[r, min(np.searchsorted(keys[r], x, side="right"), last)] += 1
    np.testing.assert_array_equal(categorical_counts(weights, u, totals), expected)


def chi_square_p(draws, pmf):
    """Goodness of fit of integer draws to a pmf over 0..len(pmf)-1, sparse tails pooled."""
    observed = np.bincount(draws, minlength=len(pmf))[: len(pmf)]
    expected = pmf * len(draws)
    keep = expected >= 5
    obs = np.append(observed[keep], len(draws) - observed[keep].sum())
    exp = np.append(expected[keep], len(draws) - expected[keep].sum())
    return stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue


@pytest.mark.parametrize(("n", "p"), [(150, 0.005), (90, 0.03), (4500, 0.01), (20, 0.8)])
def test_stream_binomial_draws_fit_the_binomial(n, p):
    streams = Streams([np.random.default_rng(s) for s in range(4)])
    draws = streams.binomial(np.full((4, 5000), n), p, np.full(4, 5000))
    assert chi_square_p(draws.ravel(), stats.binom.pmf(np.arange(n + 1), n, p)) > ALPHA


@pytest.mark.parametrize("lam", [0.4, 6.0, 40.0, 150.0])
def test_stream_poisson_draws_fit_the_poisson(lam):
    streams = Streams([np.random.default_rng(s) for s in range(4)])
    draws = streams.poisson(np.full((4, 5000), lam), np.full(4, 5000))
    support = np.arange(int(lam + 10 * np.sqrt(lam) + 10))
    assert chi_square_p(draws.ravel(), stats.poisson.pmf(support, lam)) > ALPHA


def test_stream_beta_draws_fit_the_beta():
    streams = Streams([np.random.default_rng(1), np.random.default_rng(2)])
    draws = streams.beta(np.full(16_000, 0.75), 0.12, [10_000, 6000])
    assert draws.shape == (16_000,)
    common = 0.75 * 0.25 / 0.12**2 - 1
    beta = stats.beta(0.75 * common, 0.25 * common)
    assert stats.kstest(draws, beta.cdf).pvalue > ALPHA


def test_stream_beta_draws_are_the_beta_quantiles_of_each_rows_uniforms_in_order():
    seeds = (7, 8, 9)
    streams, twin = (Streams([np.random.default_rng(s) for s in seeds], 8) for _ in "ab")
    counts = np.array([3, 0, 5])
    mean, sd = np.linspace(0.2, 0.8, 8), np.linspace(0.05, 0.15, 8)
    u = twin.uniform(counts)
    expected = stats.beta.ppf(u[np.arange(5) < counts[:, None]], *beta_shape(mean, sd))
    np.testing.assert_allclose(streams.beta(mean, sd, counts), expected, rtol=1e-12)
    np.testing.assert_array_equal(streams.uniform(np.full(3, 9)), twin.uniform(np.full(3, 9)))


def test_uniform_is_each_generators_sequence_in_order():
    seeds = (11, 12, 13)
    streams = Streams([np.random.default_rng(s) for s in seeds], block=16)
    calls = [np.array([3, 0, 20]), np.array([40, 1, 0]), np.array([2, 2, 2])]
    got = [streams.uniform(c, fill=-1.0, width=30) for c in calls]
    for r, seed in enumerate(seeds):
        expected = np.random.default_rng(seed).random(sum(int(c[r]) for c in calls))
        taken = np.concatenate([g[r, : c[r]] for g, c in zip(got, calls, strict=True)])
        np.testing.assert_array_equal(taken, expected)
    for g, c in zip(got, calls, strict=True):
        assert g.shape[1] == max(30, c.max())
        assert np.all(g[np.arange(g.shape[1]) >= c[:, None]] == -1.0)  # the padding is `fill`
    assert streams.uniform(np.zeros(3, int), width=4).tolist() == [[1.0] * 4] * 3


@pytest.mark.parametrize("block", [8, 64])
def test_a_compiled_loop_reads_from_reserve_what_uniform_hands_out(block):
    """Uniforms read through `reserve` (advancing the positions) continue each row's sequence."""
    seeds = (21, 22, 23)
    streams = Streams([np.random.default_rng(s) for s in seeds], block=block)
    calls = [np.array([30, 0, 20]), np.array([40, 1, 50]), np.array([2, 5, 2])]
    calls += [np.array([30, 30, 30]), np.array([1, 0, 3]), np.array([200, 0, 1])]
    taken = [[] for _ in seeds]
    for i, counts in enumerate(calls):
        if i % 2:  # a compiled loop's way: reserve, read in order, advance
            buffer, start = streams.reserve(counts)
            for r, count in enumerate(counts):
                taken[r] += buffer[r, start[r] : start[r] + count].tolist()
                start[r] += count
        else:
            got = streams.uniform(counts)
            for r, count in enumerate(counts):
                taken[r] += got[r, :count].tolist()
    for r, seed in enumerate(seeds):
        expected = np.random.default_rng(seed).random(sum(int(c[r]) for c in calls))
        np.testing.assert_array_equal(taken[r], expected)


@pytest.mark.parametrize("block", [8, 4096])
def test_a_multinomial_reads_the_uniforms_uniform_would_hand_out(block):
    """Read straight from the buffer, it places the items as on a copy of the uniforms."""
    seeds, weights = (31, 32, 33), np.array([[1.0, 2.0, 0.5], [0.0, 3.0, 1.0], [4.0, 0.0, 0.0]])
    streams, twin = (Streams([np.random.default_rng(s) for s in seeds], block) for _ in "ab")
    for totals in (np.array([5, 0, 300]), np.array([40, 9000, 1]), np.array([0, 0, 0])):
        expected = categorical_counts(weights, twin.uniform(totals), totals)
        np.testing.assert_array_equal(streams.multinomial(totals, weights), expected)
    np.testing.assert_array_equal(streams.uniform(np.full(3, 4)), twin.uniform(np.full(3, 4)))


PARAMETER_SHAPES = [(), (1,), (4,), (3, 1), (3, 4), (1, 4)]


@pytest.mark.parametrize("block", [8, 4096])
@pytest.mark.parametrize("shape", PARAMETER_SHAPES)
def test_poisson_and_binomial_read_the_uniforms_uniform_would_hand_out(block, shape):
    """Read straight from the buffer, they are the quantiles of a copy of the uniforms.

    Entries beyond a row's count take u = 0, whatever the parameters' shape: 0 draws,
    or n for a binomial chance above 1/2.
    """
    seeds = (41, 42, 43)
    streams, twin = (Streams([np.random.default_rng(s) for s in seeds], block) for _ in "ab")
    lam = np.linspace(0.5, 40.0, int(np.prod(shape))).reshape(shape) if shape else 7.0
    n = (np.asarray(lam) * 10).astype(np.int64)
    for p in (0.2, 0.8, np.where(np.asarray(lam) > 20.0, 0.7, 0.1)):
        for counts in (np.array([4, 0, 2]), np.array([1, 1, 1]), np.zeros(3, dtype=np.int64)):
            if len(shape) and shape[-1] == 4 and counts.max() != 4:
                counts = np.array([4, 0, 4])  # parameters 4 wide: as many draws or fewer
            u = twin.uniform(counts, fill=0.0, width=np.shape(lam)[-1] if shape else 0)
            np.testing.assert_array_equal(streams.poisson(lam, counts), poisson_quantile(u, lam))
            u = twin.uniform(counts, fill=0.0, width=np.shape(n)[-1] if shape else 0)
            expected = binomial_quantile(u, n, p)
            np.testing.assert_array_equal(streams.binomial(n, p, counts), expected)
    np.testing.assert_array_equal(streams.uniform(np.full(3, 4)), twin.uniform(np.full(3, 4)))


def test_parameters_that_do_not_broadcast_over_the_draws_are_refused():
    streams = Streams([np.random.default_rng(s) for s in (1, 2)])
    with pytest.raises(ValueError, match="broadcast"):
        streams.poisson(np.ones((2, 3)), np.array([5, 0]))  # 3 means, 5 draws
    with pytest.raises(ValueError, match="broadcast"):
        streams.binomial(np.full((3, 1), 10), 0.5, np.array([1, 1]))  # 3 rows of n, 2 rows


def test_joining_units_is_the_multinomial_over_the_units_that_take_newcomers_in():
    """`compiled_units.join_units` places newcomers as `multinomial` over fighters x faction mask.

    Rows without newcomers, or without a unit of the factions taking them in, draw nothing.
    """
    from sim.engine.state import Units
    from sim.rules.compiled_units import join_units

    rng = np.random.default_rng(4)
    units = Units(4, 8, factions=3)
    counts = np.array([40, 0, 25, 30])
    units.extend(
        counts,
        fighters=rng.integers(1, 300, counts.sum()),
        faction=rng.integers(0, 3, counts.sum()),
        ideology=rng.random(counts.sum()),
        ties=rng.random(counts.sum()),
        grievance=np.zeros(counts.sum()),
    )
    into = np.array([[True, False, True], [True, True, True], [False] * 3, [False, True, False]])
    newcomers = np.array([500, 7, 9, 3])
    before = units.fighters.copy()
    twin = Streams([np.random.default_rng(s) for s in range(4)], block=64)
    streams = Streams([np.random.default_rng(s) for s in range(4)], block=64)
    weights = before * np.take_along_axis(into, units.faction, axis=1) * units.live
    expected = twin.multinomial(np.where(weights.sum(axis=1) > 0, newcomers, 0), weights)
    added, joined = join_units(streams, units, newcomers, into)
    np.testing.assert_array_equal(added, expected)
    np.testing.assert_array_equal(units.fighters, before + expected)
    assert added[[1, 2]].sum() == 0 and added.sum() == 500 + 3
    for f in range(3):
        np.testing.assert_array_equal(joined[:, f], (expected * (units.faction == f)).sum(axis=1))
    np.testing.assert_array_equal(streams.uniform(np.ones(4, int)), twin.uniform(np.ones(4, int)))
    with pytest.raises(ValueError, match="fewer than no"):  # would rewind the stream
        join_units(streams, units, np.array([0, 0, 0, -3]), into)
    with pytest.raises(ValueError, match="different rows"):
        join_units(streams, units, newcomers, into[:3].copy())
    units.faction[0, 0] = 3  # beyond the factions: refused, not written elsewhere
    with pytest.raises(ValueError, match="beyond the sums"):
        join_units(streams, units, newcomers, into)


@pytest.mark.parametrize("many", [False, True])  # binary searches, and the guide table
def test_joining_cells_is_the_multinomial_over_the_cells_by_size_plus_one(many):
    """`compiled_cells.join_cells` places newcomers as `multinomial` over (fighters + 1) x live.

    Rows without newcomers or without cells draw nothing.
    """
    from sim.engine.state import Cells
    from sim.rules.compiled_cells import join_cells

    rng = np.random.default_rng(5)
    cells = Cells(4, 8)
    counts = np.array([40, 0, 25, 3])
    total = counts.sum()
    cells.extend(
        counts,
        fighters=rng.integers(0, 30, total),
        capability=rng.random(total),
        exposure=rng.random(total),
        skill=rng.random(total),
    )
    newcomers = np.array([500, 7, 0, 2]) if many else np.array([3, 7, 0, 2])
    before = cells.fighters.copy()
    twin = Streams([np.random.default_rng(s) for s in range(4)], block=64)
    streams = Streams([np.random.default_rng(s) for s in range(4)], block=64)
    weights = (before + 1.0) * cells.live
    expected = twin.multinomial(np.where(counts > 0, newcomers, 0), weights)
    join_cells(streams, cells, newcomers)
    np.testing.assert_array_equal(cells.fighters, before + expected)
    assert (cells.fighters - before)[1:3].sum() == 0
    np.testing.assert_array_equal(streams.uniform(np.ones(4, int)), twin.uniform(np.ones(4, int)))
    with pytest.raises(ValueError, match="fewer than no"):  # would rewind the stream
        join_cells(streams, cells, np.array([0, 0, 0, -3]))
    with pytest.raises(ValueError, match="different rows"):
        join_cells(streams, cells, newcomers[:3])


@pytest.mark.parametrize("block", [8, 64, 4096])
def test_a_rows_draws_do_not_depend_on_its_batch_or_the_block(block):
    """Row r drawn in a batch of 5 (with rows that draw nothing) equals row r drawn alone."""
    seeds = (3, 4, 5, 6, 7)
    counts = np.array([6, 0, 30, 1, 0])
    n = np.tile(np.arange(1, 31) * 40, (5, 1))
    p = np.tile(np.linspace(0.001, 0.9, 30), (5, 1))
    weights = np.tile(np.arange(30.0), (5, 1))

    def draws(rows, size):
        streams = Streams([np.random.default_rng(seeds[r]) for r in rows], block=size)
        rows = list(rows)
        out = [
            streams.binomial(n[rows], p[rows], counts[rows]),
            streams.poisson(p[rows] * 300, counts[rows]),
            streams.uniform(counts[rows]),
            streams.multinomial(counts[rows] * 7, weights[rows]),
        ]
        means = np.repeat(p[rows, 0] * 0.5 + 0.2, counts[rows])  # one per draw, row after row
        flat = streams.beta(means, 0.1, counts[rows])
        return out, np.split(flat, np.cumsum(counts[rows])[:-1]), streams

    together, together_beta, streams = draws(range(5), block)
    for r in range(5):
        alone, alone_beta, _ = draws((r,), 4096)
        for a, t in zip(alone, together, strict=True):
            width = a.shape[1]  # a uniform draw alone is only as wide as the row's count
            np.testing.assert_array_equal(a[0], t[r, :width])
        np.testing.assert_array_equal(alone_beta[0], together_beta[r])
    # rows that drew nothing took nothing from their generators
    for r in (1, 4):
        assert (
            streams.uniform(np.eye(5, dtype=int)[r])[r, 0]
            == np.random.default_rng(seeds[r]).random()
        )


@pytest.mark.parametrize("lam", [np.inf, np.nan, 1e12, -np.inf])
def test_poisson_refuses_a_non_finite_or_absurd_mean(lam):
    if lam == -np.inf:  # below zero draws 0, as a zero mean does
        assert (poisson_quantile(U[:10], lam) == 0).all()
        return
    with pytest.raises(ValueError, match="Poisson mean"):
        poisson_quantile(U[:10], lam)
    with pytest.raises(ValueError, match="Poisson mean"):
        poisson_quantile(U[:10], np.r_[np.ones(9), lam])


def test_binomial_refuses_a_nan_chance():
    with pytest.raises(ValueError, match="NaN"):
        binomial_quantile(U[:10], 10, np.nan)
    with pytest.raises(ValueError, match="NaN"):
        binomial_quantile(U[:10], 10, np.r_[np.full(9, 0.5), np.nan])


def test_a_refused_draw_moves_no_rows_read_position():
    """Bad parameters or counts are refused before any row advances, drawn or not."""
    streams = Streams([np.random.default_rng(s) for s in (1, 2, 3)])
    twin = Streams([np.random.default_rng(s) for s in (1, 2, 3)])
    calls = [
        lambda: streams.poisson(np.array([[1.0], [np.nan], [2.0]]), np.array([2, 0, 2])),
        lambda: streams.poisson(np.nan, np.zeros(3, dtype=np.int64)),  # nothing drawn
        lambda: streams.binomial(10, np.array([[0.1], [0.2], [np.nan]]), np.ones(3, int)),
        lambda: streams.uniform(np.array([1, -1, 1])),
        lambda: streams.poisson(1.0, np.array([1, -1, 1])),
        lambda: streams.beta(0.5, 0.1, np.array([1, -1, 1])),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()
    np.testing.assert_array_equal(streams.uniform(np.full(3, 5)), twin.uniform(np.full(3, 5)))


def test_uniforms_beyond_the_buffer_are_refused():
    from sim.engine.draws import take_uniforms

    buffer = np.zeros((2, 8))
    start = np.array([0, 6])
    with pytest.raises(ValueError, match="beyond"):
        take_uniforms(buffer, start, np.array([1, 4]), 4, 0.0)  # row 1 would read 6..9
    with pytest.raises(ValueError, match="beyond"):
        take_uniforms(buffer, np.zeros(2, dtype=np.int64), np.array([5, 0]), 4, 0.0)


def test_a_multinomial_beyond_the_buffer_or_of_mismatched_rows_is_refused():
    weights, buffer = np.ones((2, 3)), np.zeros((2, 8))
    with pytest.raises(ValueError, match="beyond"):  # row 1 would read 6..9
        categorical_counts(weights, buffer, np.array([1, 4]), np.array([0, 6]))
    with pytest.raises(ValueError, match="different rows"):
        categorical_counts(weights, buffer, np.array([1, 4, 2]), np.array([0, 0, 0]))
