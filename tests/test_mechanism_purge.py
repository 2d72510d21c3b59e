"""Foreign-fighter purge (`sim.rules.purge`): groups purged, splintering or merging.

Pure functions against hand-computed values and properties; `purge_foreign_fighters`
on the tiny world (`tests/tiny.py`); exact runs of the baseline (a group no longer
allied, the scale, its own parameters inert while it is off); and its claims over
replicates (`tests/mechanism.py`).
"""

import math

import numpy as np
import pytest
from conftest import batch, greater, scenario, world
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    ATTACKS_OFF,
    EXACT,
    GROUPS,
    PROPERTY,
    QUIET_PRESSURE,
    check_claim,
    check_own_parameters,
    check_scale_acts_once,
    claim,
    logit_base,
    switch_claims,
    unit,
    updated,
    weight,
)
from tiny import (
    ALLIED,
    ALWAYS,
    SWORN,
    TINY,
    apply,
    begin_month,
    cells_of,
    flow,
    set_cells,
    tiny_world,
)

from sim.engine.record import COL
from sim.rules import purge_foreign_fighters
from sim.rules.maths import logistic, logit
from sim.rules.purge import switch_probability

# --- pure functions ---------------------------------------------------------------------

PURGE = TINY.rules.purge.model_copy(
    update=dict(switch_base=-1.0, w_switch_purge=2.0, w_switch_pull=1.0, w_switch_loyalty=4.0)
)


def test_switch_probability_value_and_directions():
    """purge.switch_probability: logistic(base + w x purge + w x pull - w x loyalty)."""
    assert switch_probability(0.5, 0.5, 0.5, PURGE) == pytest.approx(
        1.0 / (1.0 + math.exp(1.5)), **EXACT
    )
    assert switch_probability(0.9, 0.5, 0.5, PURGE) > switch_probability(0.1, 0.5, 0.5, PURGE)
    assert switch_probability(0.5, 0.9, 0.5, PURGE) > switch_probability(0.5, 0.1, 0.5, PURGE)
    assert switch_probability(0.5, 0.5, 0.9, PURGE) < switch_probability(0.5, 0.5, 0.1, PURGE)
    chances = switch_probability(np.array([[0.0, 1.0]]), np.array([[0.5]]), np.ones(2), PURGE)
    assert chances.shape == (1, 2) and chances[0, 0] < chances[0, 1]


@PROPERTY
@given(
    inputs=st.lists(unit, min_size=3, max_size=3),
    base=logit_base,
    w=st.lists(weight, min_size=3, max_size=3),
)
def test_switch_probability_in_unit_interval(inputs, base, w):
    """purge.switch_probability: in [0, 1]."""
    rule = updated(
        PURGE, switch_base=base, w_switch_purge=w[0], w_switch_pull=w[1], w_switch_loyalty=w[2]
    )
    assert 0.0 <= switch_probability(*inputs, rule) <= 1.0


# --- the tiny world ---------------------------------------------------------------------


def test_purge_removes_allied_fighters_and_merges_isisk_allies():
    """purge.purge_foreign_fighters: removal_rate 1 at purge 1 removes the allied group;

    merge_rate 1 hands the group sworn to ISIS-K over to its cells.
    """
    world = tiny_world(
        **{
            "policy.purge.allied": 1.0,
            "rules.purge.removal_rate": 1.0,
            "rules.purge.merge_rate": 1.0,
        }
    )
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, purge_foreign_fighters)
    np.testing.assert_array_equal(world.group_fighters, [[0, 0]])
    np.testing.assert_array_equal(flow(world, "groups", "losses"), [[100, 0]])
    np.testing.assert_array_equal(flow(world, "groups", "defected_out"), [[0, 40]])
    np.testing.assert_array_equal(flow(world, "isisk", "defected_in"), [40])
    assert world.cells.fighters.sum() == 70


@pytest.mark.parametrize(
    "change",
    [
        {"rules.purge.switch_base": ALWAYS, "rules.purge.splinter_share": 1.0},
        {"rules.purge.leak_rate": 1.0, "policy.purge.allied": 1.0},
    ],
    ids=["splinter", "leak"],
)
def test_purge_hands_the_allied_group_to_isisk(change):
    """purge.purge_foreign_fighters: a sure splinter of share 1, or a leak of 1, hands all over.

    The group sworn to ISIS-K is neither purged nor splintered; a replicate without
    cells founds one at ISIS-K's starting capability and exposure.
    """
    world = tiny_world(2, **change)
    set_cells(world, [10, 20], rows=[0])
    set_cells(world, [], rows=[1])
    begin_month(world)
    apply(world, purge_foreign_fighters)
    np.testing.assert_array_equal(world.group_fighters, [[0, 40]] * 2)
    np.testing.assert_array_equal(flow(world, "isisk", "defected_in"), [100, 100])
    assert cells_of(world, 0)["fighters"].sum() == 130
    new = cells_of(world, 1)
    np.testing.assert_array_equal(new["fighters"], [100])
    assert new["capability"][0] == TINY.isisk.capability
    assert new["exposure"][0] == TINY.isisk.exposure


def test_purge_splinter_takes_a_share():
    """purge.purge_foreign_fighters: a splinter takes part of the group, never all of it here."""
    world = tiny_world(3, **{"rules.purge.switch_base": ALWAYS, "rules.purge.splinter_share": 0.3})
    begin_month(world)
    apply(world, purge_foreign_fighters)
    left = world.group_fighters[:, ALLIED]
    assert ((left > 0) & (left < 100)).all()
    np.testing.assert_array_equal(world.group_fighters[:, SWORN], 40)


def test_purge_without_switches_does_nothing():
    """purge.purge_foreign_fighters: no purge, no switch, no merge: the groups stay whole."""
    world = tiny_world(2)
    begin_month(world)
    apply(world, purge_foreign_fighters)
    np.testing.assert_array_equal(world.group_fighters, [[100, 40]] * 2)
    assert not world.signals.groups.any()


# --- runs of the baseline ---------------------------------------------------------------


def test_purge_of_a_group_no_longer_allied_has_no_effect_and_earns_no_credit():
    """A purge order against an independent TTP neither removes fighters nor pleases Pakistan."""
    cares = {"ttp": 1.0, "stability": 0.5}  # not trade: the routes' security moves each month
    quiet = {
        **QUIET_PRESSURE,
        "mechanisms__recruitment__enabled": False,  # no arrivals or attrition
        "policy__purge": {"ttp": 0.9},
        "international__pakistan__cares_about": cares,
    }
    independent = world("baseline", range(3), **quiet, foreign_groups__ttp__patron="independent")
    ttp = independent.group_names.index("ttp")
    np.testing.assert_array_equal(independent.purge_effect()[:, ttp], 0.0)
    rec = independent.run()
    row, pakistan_row = rec.actors.index("ttp"), rec.actors.index("pakistan")
    np.testing.assert_array_equal(rec.values[:, :, row, COL["fighters"]], 4500)
    np.testing.assert_array_equal(rec.values[:, 1:, row, COL["losses"]], 0)
    # Pakistan sees no action on the TTP, only stability (credibility 1, no attacks), and
    # its latent pressure moves toward its demand's shortfall
    pakistan = scenario("baseline").international["pakistan"]
    complied = cares["stability"] / sum(cares.values())
    push = pakistan.responsiveness * (pakistan.demand - complied)
    expected = [pakistan.pressure]
    for _ in range(12):
        latent = logit(expected[-1])
        drift = pakistan.pressure_decay * (logit(pakistan.baseline_pressure) - latent)
        expected.append(logistic(latent + drift + push))
    np.testing.assert_allclose(
        rec.values[:, :, pakistan_row, COL["pressure"]], np.broadcast_to(expected, (3, 13))
    )
    # the same order against an allied TTP removes fighters and eases Pakistan's pressure
    allied = batch("baseline", range(3), **quiet)
    assert np.all(allied.values[:, -1, row, COL["fighters"]] < 4500)
    assert np.all(allied.values[:, -1, pakistan_row, COL["pressure"]] < expected[-1])


def disloyal_purge(x: float) -> dict:
    """A purge of intensity x of every group, all disloyal.

    They splinter often (about 0.12 a group-month at purge 0.5), so a splinter chance
    scaled twice would show at once.
    """
    return {
        "policy__purge": dict.fromkeys(GROUPS, x),
        **{f"foreign_groups__{g}__loyalty": 0.0 for g in GROUPS},
    }


def test_scale_multiplies_the_intensity_once():
    """Scale 2 with intensity 0.25 is the same run, draw for draw, as scale 1 with 0.5."""
    raised = check_scale_acts_once("purge", disloyal_purge)
    # fighters go over: the comparison has teeth
    assert (raised.values[:, 1:, raised.groups, COL["defected_out"]] > 0).any(axis=(1, 2)).all()


# Parameters read only by the purge, pushed far from the baseline.
OWN_PARAMETERS = {
    "policy__purge": dict.fromkeys(GROUPS, 1.0),
    "rules__purge__removal_rate": 1.0,
    "rules__purge__switch_base": 5.0,
    "rules__purge__leak_rate": 1.0,
    "rules__purge__merge_rate": 1.0,
    "foreign_groups__ttp__loyalty": 0.0,
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("purge", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

PURGE_HALF = {"policy__purge": dict.fromkeys(GROUPS, 0.5)}

CLAIMS = [
    claim("purge sends foreign fighters to ISIS-K", "defections_foreign", greater,
          {}, scenario="foreign_fighter_purge", versus="baseline"),
    claim("purge removes TTP fighters", "ttp_losses", greater,
          {}, scenario="foreign_fighter_purge", versus="baseline"),
    claim("ISIS-K pull raises foreign splinters", "defections_foreign", greater,
          {"isisk__momentum": 1.0, **ATTACKS_OFF, **PURGE_HALF},
          {"isisk__momentum": 0.0, **ATTACKS_OFF, **PURGE_HALF}),
    *switch_claims("purge", "foreign_fighter_purge", "defections_foreign", +1, +1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)
