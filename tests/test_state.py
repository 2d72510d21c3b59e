"""Unit tests of the struct-of-arrays tables of units and cells (`sim.engine.state`)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.state import Cells, Units, beta_draws, split_evenly


def units_rows(fighters, faction=None):
    n = len(fighters)
    return dict(
        fighters=np.asarray(fighters),
        faction=np.zeros(n, int) if faction is None else np.asarray(faction),
        ideology=np.linspace(0.1, 0.9, n),
        ties=np.full(n, 0.2),
        grievance=np.zeros(n),
    )


def test_table_append_in_order_and_grow():
    units = Units(rows=3, capacity=2, factions=4)  # raised to the minimum capacity of 8
    assert units.width == 0 and units.fighters.shape == (3, 0)
    units.append(0, **units_rows([10, 20, 30]))
    units.append(2, **units_rows([40, 50, 60, 70, 80], faction=[1, 1, 2, 2, 3]))
    units.append(0, **units_rows([90, 100]))
    units.append(2, **units_rows([110, 120, 130, 140]))  # 9 in row 2: past the capacity
    np.testing.assert_array_equal(units.n, [5, 0, 9])
    assert units.width == 9
    assert units.fighters.shape == units.ideology.shape == (3, 9)
    assert units.fighters.dtype == units.faction.dtype == np.int64
    np.testing.assert_array_equal(units.fighters[0, :5], [10, 20, 30, 90, 100])
    np.testing.assert_array_equal(units.fighters[2], [40, 50, 60, 70, 80, 110, 120, 130, 140])
    np.testing.assert_array_equal(units.faction[2], [1, 1, 2, 2, 3, 0, 0, 0, 0])
    np.testing.assert_allclose(units.ideology[0, :3], [0.1, 0.5, 0.9])
    # the rest of each row is zero, and `live` marks the front
    np.testing.assert_array_equal(units.live.sum(axis=1), units.n)
    for column in ("fighters", "faction", "ideology", "ties", "grievance"):
        assert not getattr(units, column)[~units.live].any(), column


def test_table_keep_drops_entries_row_by_row_and_keeps_order():
    units = Units(rows=2, capacity=16, factions=5)
    units.append(0, **units_rows([5, 0, 7, 0, 9], faction=[0, 1, 2, 3, 4]))
    units.append(1, **units_rows([1, 2, 3], faction=[4, 3, 2]))
    units.keep(units.fighters > 1)
    np.testing.assert_array_equal(units.n, [3, 2])
    assert units.width == 3
    np.testing.assert_array_equal(units.fighters, [[5, 7, 9], [2, 3, 0]])
    np.testing.assert_array_equal(units.faction, [[0, 2, 4], [3, 2, 0]])
    np.testing.assert_allclose(units.ideology[1], [0.5, 0.9, 0.0])  # the freed slot is zeroed
    units.keep(np.ones((2, 3), bool))  # nothing to drop
    np.testing.assert_array_equal(units.fighters, [[5, 7, 9], [2, 3, 0]])
    units.append(1, **units_rows([11], faction=[1]))  # appends after the kept entries
    np.testing.assert_array_equal(units.faction[1], [3, 2, 1])
    units.keep([[False] * 3, [True] * 3])  # any mask numpy reads as booleans
    np.testing.assert_array_equal(units.n, [0, 3])
    np.testing.assert_array_equal(units.fighters, [[0, 0, 0], [2, 3, 11]])
    units.keep(np.zeros((2, 3), bool))
    np.testing.assert_array_equal(units.n, [0, 0])
    assert units.fighters.shape == (2, 0)


def test_table_keep_ignores_the_mask_beyond_live_entries():
    cells = Cells(rows=2, capacity=4)
    cells.append(
        0,
        fighters=np.array([3, 4, 5]),
        capability=np.ones(3),
        exposure=np.zeros(3),
        skill=np.ones(3),
    )
    cells.append(
        1, fighters=np.array([6]), capability=np.ones(1), exposure=np.zeros(1), skill=np.ones(1)
    )
    cells.keep(np.ones((2, 3), bool))  # True on row 1's padding: nothing comes alive
    np.testing.assert_array_equal(cells.n, [3, 1])
    np.testing.assert_array_equal(cells.fighters[1], [6, 0, 0])


def test_table_views_write_through():
    cells = Cells(rows=2, capacity=4)
    cells.append(
        1,
        fighters=np.array([10, 20]),
        capability=np.ones(2),
        exposure=np.full(2, 0.3),
        skill=np.ones(2),
    )
    cells.fighters[1, :2] -= np.array([1, 2])
    cells.exposure[1, 0] = 0.9
    np.testing.assert_array_equal(cells.fighters, [[0, 0], [9, 18]])
    np.testing.assert_allclose(cells.exposure[1], [0.9, 0.3])
    for _ in range(8):  # growing keeps what was written
        cells.append(
            1, fighters=np.array([1]), capability=np.ones(1), exposure=np.zeros(1), skill=np.ones(1)
        )
    np.testing.assert_array_equal(cells.fighters[1], [9, 18, 1, 1, 1, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(cells.exposure[1, :2], [0.9, 0.3])
    assert not cells.fighters[0].any()
    with pytest.raises(AttributeError):
        _ = cells.no_such_column


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_table_views_its_own_data(how):
    """A copy's columns write through to the copy's rows, never to the original's."""
    import copy
    import pickle

    cells = Cells(rows=1, capacity=4)
    cells.append(
        0, fighters=np.array([10, 20]), capability=np.ones(2), exposure=np.ones(2), skill=np.ones(2)
    )
    twin = copy.deepcopy(cells) if how == "deepcopy" else pickle.loads(pickle.dumps(cells))
    twin.fighters[0, 0] = 0
    twin.keep(twin.fighters > 0)  # packs the copy's own rows, as its columns show them
    np.testing.assert_array_equal(twin.fighters, [[20]])
    np.testing.assert_array_equal(cells.fighters, [[10, 20]])


def test_units_by_faction_sums_each_row():
    units = Units(rows=2, capacity=8, factions=3)
    units.append(0, **units_rows([10, 20, 30], faction=[0, 2, 2]))
    units.append(1, **units_rows([5], faction=[1]))
    np.testing.assert_array_equal(units.by_faction(units.fighters), [[10, 0, 50], [0, 5, 0]])
    np.testing.assert_array_equal(units.by_faction(units.live), [[1, 0, 2], [0, 1, 0]])
    units.append(1, **units_rows([7], faction=[0]))  # the faction keys follow appends...
    np.testing.assert_array_equal(units.by_faction(units.fighters), [[10, 0, 50], [7, 5, 0]])
    units.keep(units.fighters != 20)  # ... and keeps
    np.testing.assert_array_equal(units.by_faction(units.fighters), [[10, 0, 30], [7, 5, 0]])


def test_units_by_faction_adds_as_bincount_does_bit_for_bit():
    """Sums of fractions, factions interleaved: the same floats as numpy's bincount gives."""
    rng = np.random.default_rng(8)
    units = Units(rows=3, capacity=64, factions=4)
    for row, size in enumerate((50, 0, 37)):
        kinds = rng.integers(0, 4, size)
        kinds[: size // 2] = 2  # a long run of one faction, then a mix
        units.append(row, **units_rows(rng.integers(1, 200, size), faction=kinds))
    values = units.fighters * rng.random(units.fighters.shape) / 3.0 * units.live
    values[0, :5] = [1e16, 5.0, 1.0, 1.0, 1.0]  # added one by one to 1e16, each 1 is lost
    units.faction[0, :5] = [0, 1, 0, 0, 0]
    keys = (units.faction + 4 * np.arange(3)[:, None]).ravel()
    expected = np.bincount(keys, weights=values.ravel(), minlength=12).reshape(3, 4)
    assert units.by_faction(values).tobytes() == expected.tobytes()


def test_fighters_by_faction_is_by_faction_of_the_products_bit_for_bit():
    """Fighters x a trait summed per faction in one pass: the floats of `by_faction(products)`."""
    rng = np.random.default_rng(10)
    units = Units(rows=3, capacity=64, factions=4)
    for row, size in enumerate((50, 0, 37)):
        units.append(
            row, **units_rows(rng.integers(1, 200, size), faction=rng.integers(0, 4, size))
        )
    trait = rng.random(units.fighters.shape) * units.live
    expected = units.by_faction(units.fighters * trait)
    assert units.fighters_by_faction(trait).tobytes() == expected.tobytes()
    with pytest.raises(ValueError, match="different shapes"):
        units.fighters_by_faction(trait[:, :-1])


def test_row_sums_add_as_bincount_does_bit_for_bit():
    """Sums of each row's live fractions: the same floats as numpy's bincount gives."""
    rng = np.random.default_rng(9)
    cells = Cells(rows=3, capacity=64)
    for row, size in enumerate((50, 0, 37)):
        cells.append(
            row,
            fighters=rng.integers(1, 200, size),
            capability=rng.random(size),
            exposure=rng.random(size),
            skill=rng.random(size),
        )
    values = cells.fighters * cells.exposure / 3.0
    values[0, :4] = [1e16, 1.0, 1.0, 1.0]  # added one by one to 1e16, each 1 is lost
    rows = np.broadcast_to(np.arange(3)[:, None], values.shape)
    expected = np.bincount(rows[cells.live], weights=values[cells.live], minlength=3)
    assert cells.row_sums(values).tobytes() == expected.tobytes()
    assert cells.row_sums(values)[1] == 0.0


@settings(max_examples=50, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(st.integers(-1, 2), st.lists(st.integers(0, 99), max_size=12)), max_size=16)
)
def test_table_matches_python_lists(operations):
    """Any sequence of appends (to a row) and keeps (of all rows) gives what lists would."""
    table, model = Cells(rows=3, capacity=1), [[], [], []]
    for row, numbers in operations:
        if row < 0:  # keep, dropping multiples of 3
            table.keep(table.fighters % 3 != 0)
            model = [[x for x in m if x % 3 != 0] for m in model]
        elif numbers:
            n = len(numbers)
            table.append(
                row,
                fighters=np.array(numbers),
                capability=np.array(numbers, float),
                exposure=np.zeros(n),
                skill=np.ones(n),
            )
            model[row] += numbers
        np.testing.assert_array_equal(table.n, [len(m) for m in model])
        assert table.width == max(len(m) for m in model)
        for r, m in enumerate(model):
            np.testing.assert_array_equal(table.fighters[r, : len(m)], m)
            np.testing.assert_array_equal(table.capability[r, : len(m)], m)
            assert not table.fighters[r, len(m) :].any()


def test_split_evenly_and_beta_draws():
    rng = np.random.default_rng(7)
    parts = split_evenly(rng, 1001, 7)
    assert parts.shape == (7,)
    assert parts.sum() == 1001
    assert np.all(parts >= 0)
    draws = beta_draws(rng, 0.75, 0.12, 20_000)
    assert np.all((draws > 0) & (draws < 1))
    assert draws.mean() == pytest.approx(0.75, abs=0.01)
    assert draws.std() == pytest.approx(0.12, abs=0.01)
    # one draw per row of means and sds (the traits of new units)
    means = np.tile([[0.75, 0.1]], (20_000, 1))
    sds = np.tile([[0.12, 0.06]], (20_000, 1))
    traits = beta_draws(rng, means, sds)
    assert traits.shape == (20_000, 2)
    np.testing.assert_allclose(traits.mean(axis=0), [0.75, 0.1], atol=0.01)
    np.testing.assert_allclose(traits.std(axis=0), [0.12, 0.06], atol=0.01)
