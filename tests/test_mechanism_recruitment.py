"""Recruitment and attrition (`sim.rules.recruitment`): recruits, new units, cells, losses.

Pure functions against hand-computed values and properties; `recruit` and
`suffer_attrition` on the tiny world (`tests/tiny.py`); exact runs of the baseline
(splitting cells, negligible attrition, its own parameters inert while it is off); and
its claims over replicates (`tests/mechanism.py`).
"""

import numpy as np
import pytest
from conftest import batch, greater, less, world
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    EXACT,
    GROUPS,
    PROPERTY,
    SEEDS,
    check_claim,
    check_own_parameters,
    claim,
    switch_claims,
)
from tiny import (
    ALLIED,
    AMIR,
    DOHA,
    HAQQANI,
    SWORN,
    TINY,
    apply,
    begin_month,
    cells_of,
    flow,
    set_cells,
    set_units,
    tiny_world,
    units_of,
)

from sim import rules
from sim.engine.record import COL
from sim.rules import recruit, suffer_attrition
from sim.rules.recruitment import armed_crime_after, local_recruits_rate, prisoners_released

# --- pure functions ---------------------------------------------------------------------

RECRUITMENT = TINY.rules.recruitment.model_copy(
    update=dict(
        isisk_local_per_month=10.0,
        momentum_boost=1.0,
        consolidation_boost=1.5,
        hardship_boost=0.5,
        recognition_boost=2.0,
        anger_recruits=50.0,
        deserter_share=0.1,
    )
)


def test_local_recruits_rate_values():
    """recruitment.local_recruits_rate: base x (1 + boosts x drivers) + anger + deserters' share."""
    assert local_recruits_rate(0.5, 0.4, 0.5, 0.2, 30, 0.4, RECRUITMENT) == pytest.approx(
        10 * 1.5 * 1.6 * 1.2 * 2.0 + 50 * 0.2 + 0.1 * 30, **EXACT
    )
    assert local_recruits_rate(0.0, 0.0, 0.0, 0.0, 0, 0.0, RECRUITMENT) == 10.0
    assert local_recruits_rate(0.0, 0.0, 0.0, 1.0, 0, 0.0, RECRUITMENT) == 60.0
    assert local_recruits_rate(0.0, 0.0, 0.0, 0.0, 200, 0.0, RECRUITMENT) == 30.0
    assert local_recruits_rate(0.0, 0.0, 0.0, 0.0, 0, 1.0, RECRUITMENT) == 25.0
    for position in range(6):
        low, high = [0.2] * 6, [0.2] * 6
        high[position] = 0.8
        assert local_recruits_rate(*high, RECRUITMENT) > local_recruits_rate(*low, RECRUITMENT)


def test_prisoners_released_values():
    """recruitment.prisoners_released: spread evenly, the remainder first, nothing after."""
    assert [prisoners_released(m, 10, 3) for m in range(1, 6)] == [4, 3, 3, 0, 0]
    assert [prisoners_released(m, 2, 4) for m in range(1, 6)] == [1, 1, 0, 0, 0]
    assert prisoners_released(1, 7, 1) == 7
    assert prisoners_released(1, 0, 4) == 0


@PROPERTY
@given(released=st.integers(0, 10**6), months=st.integers(1, 600))
def test_prisoners_released_add_up(released, months):
    """recruitment.prisoners_released: over the months they add up to all the released."""
    per_month = [prisoners_released(m, released, months) for m in range(1, months + 2)]
    assert sum(per_month) == released
    assert max(per_month) - min(per_month[:months]) <= 1 and per_month[-1] == 0


# --- the tiny world ---------------------------------------------------------------------


@pytest.mark.parametrize(("month", "joining"), [(1, 4), (3, 3), (4, 0)])
def test_recruit_released_prisoners_join_cells(month, joining):
    """recruitment.recruit: released prisoners join over release_months (10 over 3: 4, 3, 3)."""
    world = tiny_world(**{"isisk.released_prisoners": 10, "isisk.release_months": 3})
    set_cells(world, [10, 20])
    begin_month(world, month)
    apply(world, recruit)
    assert world.cells.fighters.sum() == 30 + joining
    np.testing.assert_array_equal(flow(world, "isisk", "recruits"), [joining])


def test_recruit_into_no_cells_founds_one():
    """recruitment.join_cells: newcomers to a replicate without cells found one cell."""
    world = tiny_world(**{"isisk.released_prisoners": 7, "isisk.release_months": 1})
    set_cells(world, [])
    begin_month(world)
    apply(world, recruit)
    np.testing.assert_array_equal(cells_of(world)["fighters"], [7])


def test_recruit_reshapes_cells_and_splits_units():
    """recruitment.recruit: cells above cell_split_size split in half, below cell_floor fold.

    200 splits into 100 + 100; the cell of 5 folds into the largest; a unit above
    unit_split_factor x unit_size (2 x 100) splits, one at the limit does not.
    """
    world = tiny_world(
        **{
            "rules.recruitment.cell_split_size": 150,
            "rules.recruitment.cell_floor": 10,
            "rules.recruitment.unit_split_factor": 2.0,
        }
    )
    set_cells(world, [5, 40, 200])
    set_units(world, [300, 200], ["doha", "amir"], ideology=[0.3, 0.6])
    begin_month(world)
    apply(world, recruit)
    np.testing.assert_array_equal(cells_of(world)["fighters"], [40, 105, 100])
    units = units_of(world)
    np.testing.assert_array_equal(units["fighters"], [150, 200, 150])
    np.testing.assert_array_equal(units["faction"], [DOHA, AMIR, DOHA])
    np.testing.assert_allclose(units["ideology"], [0.3, 0.6, 0.3])


def test_recruit_small_cells_all_small_stay():
    """recruitment.recruit: when every cell is below the floor none folds."""
    world = tiny_world(**{"rules.recruitment.cell_floor": 10})
    set_cells(world, [3, 4])
    begin_month(world)
    apply(world, recruit)
    np.testing.assert_array_equal(cells_of(world)["fighters"], [3, 4])


def test_recruit_units_born_only_where_paid_and_in():
    """recruitment.recruit: new units only in factions with pay and still in the Taliban.

    Their traits come from the faction's Betas; they start without grievance.
    """
    world = tiny_world(2, **{"rules.recruitment.unit_birth_rate": 0.1})
    set_units(world, [100] * 6, ["amir", "haqqani", "haqqani", "haqqani", "haqqani", "doha"])
    begin_month(world)
    world.pay_ratio[:] = [0.0, 1.0, 1.0]
    world.broken_month[:, DOHA] = 0
    apply(world, recruit, scale=10.0)  # 10 x 0.1 x 4 units: four births expected in haqqani
    new = world.units.faction[:, 6:][world.units.live[:, 6:]]
    assert len(new) > 0 and (new == HAQQANI).all()
    born = world.units.fighters[:, 6:].sum(axis=1)
    np.testing.assert_array_equal(flow(world, "factions", "recruits")[:, HAQQANI], born)
    assert not flow(world, "factions", "recruits")[:, [AMIR, DOHA]].any()
    grown = world.units.live[:, 6:]
    assert (world.units.fighters[:, 6:][grown] >= 1).all()
    assert not world.units.grievance[:, 6:].any()
    ideology = world.units.ideology[:, 6:][grown]
    assert ((ideology > 0) & (ideology < 1)).all()


def test_recruit_local_recruits_and_arrivals():
    """recruitment.recruit: local recruits join cells; foreign arrivals join their group."""
    world = tiny_world(
        2,
        **{
            "rules.recruitment.isisk_local_per_month": 20.0,
            "foreign_groups.allied.arrivals_per_month": 10.0,
        },
    )
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, recruit)
    assert (flow(world, "isisk", "recruits") > 0).all()
    assert (flow(world, "groups", "recruits")[:, ALLIED] > 0).all()
    assert not flow(world, "groups", "recruits")[:, SWORN].any()


def test_armed_crime_after_values():
    """recruitment.armed_crime_after: crime x (1 - exit) + share x deserters."""
    rule = TINY.rules.recruitment.model_copy(update=dict(deserter_crime_share=0.25, crime_exit=0.1))
    assert armed_crime_after(100.0, 40.0, rule) == pytest.approx(90.0 + 10.0, rel=1e-12)
    np.testing.assert_allclose(
        armed_crime_after(np.array([0.0, 50.0]), np.array([8.0, 0.0]), rule), [2.0, 45.0]
    )


def test_recruit_sends_a_share_of_the_months_deserters_into_armed_crime():
    """recruitment.recruit: crime = crime x (1 - exit) + scale x share x the month's deserters."""
    world = tiny_world(
        2,
        **{"rules.recruitment.deserter_crime_share": 0.5, "rules.recruitment.crime_exit": 0.2},
    )
    world.crime[:] = [10.0, 0.0]
    begin_month(world)
    flow(world, "factions", "deserted")[:] = [[4, 0, 2], [0, 0, 0]]
    apply(world, recruit, scale=0.5)
    np.testing.assert_allclose(world.crime, [8.0 + 0.5 * 0.5 * 6, 0.0], rtol=1e-12)


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_suffer_attrition_at_the_extremes(rate):
    """recruitment.suffer_attrition: at rate 0 nothing is lost, at rate 1 everyone.

    Emptied units and cells are dropped.
    """
    world = tiny_world(
        **{f"rules.recruitment.{side}_attrition": rate for side in ("taliban", "isisk", "foreign")}
    )
    set_units(world, [100, 50, 0], ["amir", "doha", "doha"])
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, suffer_attrition)
    kept = 1.0 - rate
    np.testing.assert_array_equal(world.units.n, [2 * kept])
    np.testing.assert_array_equal(world.cells.n, [2 * kept])
    np.testing.assert_array_equal(world.group_fighters, [[100 * kept, 40 * kept]])
    np.testing.assert_array_equal(flow(world, "factions", "losses"), [[100 * rate, 0, 50 * rate]])
    np.testing.assert_array_equal(flow(world, "isisk", "losses"), [30 * rate])


# --- runs of the baseline ---------------------------------------------------------------


def test_a_splitting_cell_keeps_its_exposure_and_capability_in_both_halves():
    still = {
        "rules__recruitment__isisk_local_per_month": 0.0,
        "rules__recruitment__unit_birth_rate": 0.0,
        "rules__recruitment__ex_ansf_rate": 0.0,
        "rules__recruitment__central_asian_per_month": 0.0,
        "isisk__released_prisoners": 0,
        **{f"foreign_groups__{g}__arrivals_per_month": 0.0 for g in GROUPS},
    }
    w = world("baseline", range(3), **still)
    cells, n = w.cells, w.cells.n.copy()
    cells.fighters[:, 0] = 500  # above cell_split_size
    cells.exposure[:, 0] = 0.7
    cells.capability[:, 0] = 1.6
    w.month = 1  # a month that is stepped: no released prisoner joins in month 1 of none
    w.signals.start_month()
    rules.recruit(w, 1.0)
    np.testing.assert_array_equal(cells.n, n + 1)
    for r in range(3):
        last = n[r]  # the split-off half is appended after the live cells
        assert cells.fighters[r, 0] == cells.fighters[r, last] == 250
        assert cells.exposure[r, 0] == cells.exposure[r, last] == 0.7
        assert cells.capability[r, 0] == cells.capability[r, last] == 1.6


def test_negligible_attrition_costs_no_fighters():
    quiet = {"mechanisms__attacks__enabled": False, "mechanisms__defection__enabled": False}
    rec = batch("baseline", SEEDS, steps=3, rules__recruitment__taliban_attrition=1e-20, **quiet)
    np.testing.assert_array_equal(rec.values[:, 1:, rec.factions, COL["losses"]], 0)


# Parameters read only by recruitment and attrition, pushed far from the baseline.
OWN_PARAMETERS = {
    "rules__recruitment__isisk_local_per_month": 500,
    "rules__recruitment__anger_recruits": 500,
    "rules__recruitment__cell_split_size": 20,
    "rules__recruitment__cell_floor": 50,
    "rules__recruitment__isisk_attrition": 0.2,
    "rules__recruitment__unit_birth_rate": 0.1,
    "rules__recruitment__taliban_attrition": 0.1,
    "isisk__released_prisoners": 10_000,
    "foreign_groups__ttp__arrivals_per_month": 300,
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("recruitment", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

CLAIMS = [
    claim("local recruitment grows ISIS-K", "isisk_final", greater,
          {"rules__recruitment__isisk_local_per_month": 120}),
    claim("momentum boosts recruitment", "isisk_recruits", greater,
          {"rules__recruitment__momentum_boost": 3.0}, {"rules__recruitment__momentum_boost": 0.0}),
    claim("consolidation raises ISIS-K's recruitment", "isisk_recruits", greater,
          {"rules__recruitment__consolidation_boost": 2.0},
          {"rules__recruitment__consolidation_boost": 0.0}, scenario="crackdown"),
    claim("hardship boosts recruitment", "isisk_recruits", greater,
          {"rules__recruitment__hardship_boost": 3.0}, {"rules__recruitment__hardship_boost": 0.0}),
    claim("deserters feed ISIS-K's recruits", "isisk_recruits", greater,
          {"rules__recruitment__deserter_share": 0.15, "rules__defection__desertion_base": -4.0},
          {"rules__recruitment__deserter_share": 0.0, "rules__defection__desertion_base": -4.0}),
    claim("released prisoners grow ISIS-K early", "isisk_final", greater,
          {"isisk__released_prisoners": 1500, "steps": 6},
          {"isisk__released_prisoners": 0, "steps": 6}),
    claim("cells split above their size", "isisk_cells_final", greater,
          {"rules__recruitment__cell_split_size": 60}),
    claim("attrition wears ISIS-K down", "isisk_final", less,
          {"rules__recruitment__isisk_attrition": 0.05},
          {"rules__recruitment__isisk_attrition": 0.0}),
    claim("foreign arrivals feed groups", "ttp_recruits", greater,
          {"foreign_groups__ttp__arrivals_per_month": 200}),
    *switch_claims("recruitment", "baseline", "isisk_recruits", +1, +1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)
