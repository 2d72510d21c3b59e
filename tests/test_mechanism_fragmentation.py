"""Fragmentation (`sim.rules.fragmentation`): cohesion, and factions that break away.

Pure functions against hand-computed values and properties; `fragment` on the tiny
world (`tests/tiny.py`); exact runs of the baseline (the core never leaves, its own
parameters inert while it is off); and its claims over replicates (`tests/mechanism.py`).
"""

import numpy as np
import pytest
from conftest import batch, less, more_often, scenario
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    BREAK_EVERYONE,
    EXACT,
    JOINT,
    LONG,
    PROPERTY,
    UNILATERAL,
    check_claim,
    check_own_parameters,
    claim,
    switch_claims,
    unit,
    updated,
)
from tiny import (
    ALWAYS,
    DOHA,
    HAQQANI,
    TINY,
    apply,
    begin_month,
    flow,
    set_cells,
    set_units,
    tiny_world,
)

from sim.engine.record import COL
from sim.inputs.schema import BREAKAWAYS
from sim.rules import fragment
from sim.rules.fragmentation import choice_values, leaving_chances, rivalry_gaps, strain

# --- pure functions ---------------------------------------------------------------------

FRAGMENTATION = TINY.rules.fragmentation.model_copy(
    update=dict(
        crackdown_strain=0.1,
        joint_strain=1.0,
        concession_strain=0.2,
        rivalry_strain=0.5,
        defection_strain=1.0,
        pay_strain=0.04,
        stay_base=1.0,
        w_stay_cohesion=2.0,
        w_stay_posts=1.0,
        w_stay_pay=0.5,
        to_isisk_base=-2.0,
        w_isisk_ideology=4.0,
        w_isisk_ties=3.0,
        w_isisk_pull=0.5,
        independent_base=-1.0,
        w_independent_autonomy=2.0,
        w_independent_exclusion=1.0,
        rival_base=-3.0,
        w_rival_strength=2.0,
        w_rival_grievance=1.0,
        decision_rate=0.5,
        sensitivity=1.0,
    )
)


def test_strain_values():
    """fragmentation.strain: crackdown and concessions x ideology, rivalry, defection, pay."""
    by_hand = 0.1 * 0.4 * 2 * 0.5 + 0.2 * 0.2 * 0.5 + 0.5 * 0.1 + 1.0 * 0.05 + 0.04 * 0.5
    assert strain(0.5, 0.4, True, 0.2, 0.1, 0.05, 0.5, FRAGMENTATION) == pytest.approx(
        by_hand, **EXACT
    )
    assert strain(0.5, 0.0, True, 0.0, 0.0, 0.0, 1.0, FRAGMENTATION) == 0.0
    assert strain(0.0, 1.0, True, 1.0, 0.0, 0.0, 1.0, FRAGMENTATION) == 0.0  # no believers
    vector = strain(
        np.array([0.2, 0.9]), 0.6, False, 0.0, np.zeros(2), np.zeros(2), np.ones(2), FRAGMENTATION
    )
    np.testing.assert_allclose(vector, [0.012, 0.054])


def test_rivalry_gaps_values():
    """fragmentation.rivalry_gaps: the weaker side of each pair gets the gap, summed over pairs."""
    shares = np.array([0.4, 0.1, 0.5, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, []), 0.0)
    np.testing.assert_allclose(rivalry_gaps(shares, [(0, 1)]), [0.0, 0.3, 0.0, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, [(1, 0)]), [0.0, 0.3, 0.0, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, [(0, 1), (2, 1), (0, 2)]), [0.1, 0.7, 0, 0])
    rows = np.array([[0.4, 0.1, 0.5, 0.0], [0.1, 0.4, 0.5, 0.0]])
    np.testing.assert_allclose(rivalry_gaps(rows, [(0, 1)]), [[0, 0.3, 0, 0], [0.3, 0, 0, 0]])


def test_choice_values_values():
    """fragmentation.choice_values: stay, to ISIS-K, independent, rival, each by hand."""
    values = choice_values(0.5, 0.5, 0.8, 0.6, 0.5, 0.2, 0.4, 0.3, 0.25, 0.4, FRAGMENTATION)
    np.testing.assert_allclose(values, [2.9, 0.0, 0.1, -2.1], rtol=1e-12, atol=1e-15)
    # posts count for staying up to twice an equal share; exclusion only below an equal share
    many_posts = choice_values(0.5, 3.0, 0.8, 0.6, 0.5, 0.2, 0.4, 0.3, 0.25, 0.4, FRAGMENTATION)
    np.testing.assert_allclose(many_posts, [4.4, 0.0, -0.4, -2.1], rtol=1e-12, atol=1e-15)
    cohesion, abandon = np.full((2, 3), 0.5), np.zeros((2, 1))
    shaped = choice_values(cohesion, 1, 1, 0.5, abandon, 0, 0, 0, 0, 0, FRAGMENTATION)
    assert shaped.shape == (2, 3, 4)


def test_leaving_chances_values():
    """fragmentation.leaving_chances: decision_rate x the logit shares of the three ways out."""
    values = np.log(np.array([4.0, 2.0, 1.0, 1.0]))
    np.testing.assert_allclose(
        leaving_chances(values, FRAGMENTATION), [0.125, 0.0625, 0.0625], rtol=1e-12
    )
    sharp = updated(FRAGMENTATION, sensitivity=2.0)
    np.testing.assert_allclose(leaving_chances(values, sharp), 0.5 * np.array([4, 1, 1]) / 22)
    np.testing.assert_allclose(leaving_chances(np.zeros((2, 3, 4)), FRAGMENTATION), 0.125)
    assert not leaving_chances(values, updated(FRAGMENTATION, decision_rate=0.0)).any()


@PROPERTY
@given(values=st.lists(st.floats(-1e3, 1e3), min_size=4, max_size=4), rate=unit, bump=unit)
def test_leaving_chances_bounded_and_rising_with_value(values, rate, bump):
    """fragmentation.leaving_chances: each in [0, 1], summing to at most decision_rate.

    Raising the value of going to ISIS-K never lowers its chance.
    """
    rule = updated(FRAGMENTATION, decision_rate=rate)
    chances = leaving_chances(np.array(values), rule)
    assert np.all(chances >= 0.0) and chances.sum() <= rate * (1 + 1e-12)
    raised = np.array(values)
    raised[1] += bump
    assert leaving_chances(raised, rule)[0] >= chances[0]


# --- the tiny world ---------------------------------------------------------------------

STRAINED = {
    "rules.fragmentation.recovery": 0.1,
    "rules.fragmentation.legitimacy_cohesion": 0.2,
    "rules.fragmentation.crackdown_strain": 0.1,
    "rules.fragmentation.joint_strain": 1.0,
    "rules.fragmentation.concession_strain": 0.2,
    "rules.fragmentation.rivalry_strain": 0.5,
    "rules.fragmentation.defection_strain": 1.0,
    "rules.fragmentation.pay_strain": 0.04,
    "policy.joint_with_us": True,
    "policy.concessions": 0.2,
}


def test_fragment_cohesion_by_hand():
    """fragmentation.fragment: cohesion recovers toward start + legitimacy, less the strain.

    Ideology 0.6 / 0.8 / 0.2; doha trails haqqani in posts by 0.1; haqqani lost 50 of 250
    to defection; pay 1 / 0.5 / 0.75; crackdown 0.5 joint; half the states recognise.
    """
    world = tiny_world(**STRAINED)
    set_units(
        world,
        [100, 100, 200, 100],
        ["amir", "amir", "haqqani", "doha"],
        ideology=[0.5, 0.7, 0.8, 0.2],
    )
    begin_month(world)
    world.crackdown_intensity[:] = 0.5
    world.recognized_month[:, 0] = 1
    world.pay_ratio[:] = [1.0, 0.5, 0.75]
    world.cohesion[:] = 0.5
    flow(world, "factions", "defected_out")[:, HAQQANI] = 50
    apply(world, fragment)
    strain = [
        0.1 * 0.5 * 2 * 0.6 + 0.2 * 0.2 * 0.6,
        0.1 * 0.5 * 2 * 0.8 + 0.2 * 0.2 * 0.8 + 50 / 250 + 0.04 * 0.5,
        0.1 * 0.5 * 2 * 0.2 + 0.2 * 0.2 * 0.2 + 0.5 * 0.1 + 0.04 * 0.25,
    ]
    target = np.array([0.8, 0.7, 0.6]) + 0.2 * 0.5
    np.testing.assert_allclose(world.cohesion[0], 0.5 + 0.1 * (target - 0.5) - strain, rtol=1e-12)
    assert (world.broken_month < 0).all()  # decision_rate 0: nobody weighs leaving


def test_fragment_broken_faction_keeps_its_cohesion_and_its_break():
    """fragmentation.fragment: a faction that broke away is neither strained nor decides again."""
    world = tiny_world(
        **STRAINED,
        **{"rules.fragmentation.decision_rate": 1.0, "rules.fragmentation.rival_base": ALWAYS},
    )
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"])
    begin_month(world, 2)
    world.broken_month[:, DOHA], world.breakaway_to[:, DOHA] = 1, BREAKAWAYS.index("independent")
    world.cohesion[:] = 0.3
    world.pay_ratio[:] = 0.0
    apply(world, fragment)
    assert world.cohesion[0, DOHA] == 0.3 and world.cohesion[0, HAQQANI] != 0.3
    np.testing.assert_array_equal(world.broken_month, [[-1, 2, 1]])
    np.testing.assert_array_equal(world.breakaway_to, [[-1, BREAKAWAYS.index("rival"), 1]])


def test_fragment_to_isisk_takes_the_ideological_units():
    """fragmentation.fragment: a sure choice of ISIS-K takes every non-core faction out.

    Units go with chance = ideology (1 goes, 0 stays); the core never leaves.
    """
    world = tiny_world(
        2,
        **{
            "rules.fragmentation.decision_rate": 1.0,
            "rules.fragmentation.to_isisk_base": ALWAYS,
            "rules.defection.found_cell": 0.0,
        },
    )
    set_units(
        world, [200, 100, 50, 80], ["amir", "haqqani", "haqqani", "doha"], ideology=[1, 1, 0, 1]
    )
    set_cells(world, [10, 20])
    begin_month(world, 3)
    apply(world, fragment)
    np.testing.assert_array_equal(world.broken_month, [[-1, 3, 3]] * 2)
    isisk = BREAKAWAYS.index("isisk")
    np.testing.assert_array_equal(world.breakaway_to, [[-1, isisk, isisk]] * 2)
    np.testing.assert_array_equal(world.units.fighters, [[200, 50]] * 2)
    np.testing.assert_array_equal(flow(world, "factions", "defected_out"), [[0, 100, 80]] * 2)
    np.testing.assert_array_equal(world.cells.fighters.sum(axis=1), [210, 210])


@pytest.mark.parametrize("way", ["independent", "rival"])
def test_fragment_other_ways_out_take_no_units(way):
    """fragmentation.fragment: leaving to go one's own way or to rival rule moves no fighter."""
    world = tiny_world(
        **{"rules.fragmentation.decision_rate": 1.0, f"rules.fragmentation.{way}_base": ALWAYS}
    )
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"], ideology=1.0)
    begin_month(world)
    apply(world, fragment)
    went = BREAKAWAYS.index(way)
    np.testing.assert_array_equal(world.breakaway_to, [[-1, went, went]])
    np.testing.assert_array_equal(world.units.fighters, [[100, 100, 100]])


def test_fragment_without_decisions_nobody_leaves():
    """fragmentation.fragment: with decision_rate 0 no faction leaves, however tempted."""
    world = tiny_world(**{"rules.fragmentation.to_isisk_base": ALWAYS})
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"], ideology=1.0)
    begin_month(world)
    apply(world, fragment)
    assert (world.broken_month < 0).all() and (world.breakaway_to < 0).all()


# --- runs of the baseline ---------------------------------------------------------------


@pytest.mark.parametrize(
    "extreme",
    [
        BREAK_EVERYONE,
        {**BREAK_EVERYONE, "rules__fragmentation__sensitivity": 100.0, "policy__crackdown": 1.0},
        {**BREAK_EVERYONE, "taliban__core": "doha", "mechanisms__fragmentation__scale": 10.0},
    ],
    ids=["every_way_out_open", "saturated_choice", "another_core_rescaled"],
)
def test_the_leadership_core_never_breaks_away(extreme):
    """With every way out wide open the other factions all leave at once; the core never."""
    rec = batch("baseline", range(100), steps=12, **extreme)
    core = rec.actors.index(extreme.get("taliban__core", scenario("baseline").taliban.core))
    broken = rec.values[:, 1:, rec.factions, COL["broken_away"]] > 0
    core_column = core - rec.factions.start
    assert not broken[..., core_column].any()
    others = np.delete(broken, core_column, axis=2)
    assert others[:, 0].all()  # every other faction left in month 1, in every replicate
    went = rec.values[:, -1, rec.factions, COL["breakaway_to"]]
    assert np.isnan(went[:, core_column]).all()
    assert set(np.unique(np.delete(went, core_column, axis=1))) <= set(range(len(BREAKAWAYS)))


# Parameters read only by fragmentation, pushed far from the baseline.
OWN_PARAMETERS = {
    "rules__fragmentation__decision_rate": 1.0,
    "rules__fragmentation__to_isisk_base": 10.0,
    "rules__fragmentation__recovery": 0.0,
    "rules__fragmentation__crackdown_strain": 1.0,
    "rules__fragmentation__rivalry_strain": 1.0,
    "rules__fragmentation__pay_strain": 1.0,
    "taliban__rivalries": [["doha", "northern"]],
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("fragmentation", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

DECIDING = {"rules__fragmentation__decision_rate": 0.2, **LONG}  # leaders weigh leaving often
STRONG_JOINT = {"policy__crackdown": 1.0, "policy__joint_with_us": True, **LONG}  # strongest
NO_CRACKDOWN_LONG = {"policy__crackdown": 0.0, **LONG}

CLAIMS = [
    claim("a higher decision rate fragments the Taliban", "fragmented", more_often,
          {"rules__fragmentation__decision_rate": 0.3, **LONG},
          {"rules__fragmentation__decision_rate": 0.01, **LONG}),
    claim("a low-cohesion faction breaks away", "northern_broken", more_often,
          {"taliban__factions__northern__cohesion": 0.0, **DECIDING},
          {"taliban__factions__northern__cohesion": 1.0, **DECIDING}),
    claim("joint crackdown strains cohesion more than unilateral", "cohesion_mean", less,
          JOINT, UNILATERAL),
    claim("rivalry over posts strains the weaker faction", "doha_cohesion_mean", less,
          {"taliban__factions__haqqani__posts": 0.6, "taliban__factions__doha__posts": 0.02},
          {"taliban__factions__haqqani__posts": 0.2, "taliban__factions__doha__posts": 0.2}),
    # the same replicates, two factions: Fisher's test treats them as independent samples
    claim("under a strong crackdown the Haqqanis break away more often than Doha",
          "haqqani_broken", more_often, STRONG_JOINT, STRONG_JOINT, versus_outcome="doha_broken"),
    claim("a strong crackdown makes the Haqqanis break away", "haqqani_broken", more_often,
          STRONG_JOINT, NO_CRACKDOWN_LONG),
    *switch_claims("fragmentation", "baseline", "cohesion_mean", -1, -1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)
