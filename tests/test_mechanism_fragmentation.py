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
        amnesty_strain=0.03,
        rivalry_strain=0.5,
        defection_strain=1.0,
        desertion_strain=0.5,
        pay_strain=0.04,
        base_hazard=0.5,
        isisk_share=1.0,
        independent_share=2.0,
        rival_share=1.0,
        w_stay_cohesion=2.0,
        w_stay_posts=1.0,
        w_stay_pay=0.5,
        w_isisk_ideology=4.0,
        w_isisk_ties=3.0,
        w_isisk_pull=0.5,
        w_independent_autonomy=2.0,
        w_independent_exclusion=1.0,
        w_rival_strength=2.0,
        w_rival_grievance=1.0,
    )
)
MONTHLY = 1 - 0.5 ** (1 / 12)  # the monthly chance of a base hazard of 0.5 a year


def test_strain_values():
    """fragmentation.strain: crackdown, concessions x ideology; amnesty, rivalry, leavers, pay."""
    by_hand = (
        0.1 * 0.4 * 2 * 0.5
        + 0.2 * 0.2 * 0.5
        + 0.03 * 0.5
        + 0.5 * 0.1
        + 1.0 * 0.05
        + 0.5 * 0.02
        + 0.04 * 0.5
    )
    assert strain(0.5, 0.4, True, 0.2, 0.5, 0.1, 0.05, 0.02, 0.5, FRAGMENTATION) == pytest.approx(
        by_hand, **EXACT
    )
    assert strain(0.5, 0.0, True, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, FRAGMENTATION) == 0.0
    assert (
        strain(0.0, 1.0, True, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, FRAGMENTATION) == 0.0
    )  # no believers
    deserting = strain(0.0, 0.0, False, 0.0, 0.0, 0.0, 0.0, 0.1, 1.0, FRAGMENTATION)
    assert deserting == pytest.approx(0.05, **EXACT)  # desertion strains on its own
    sparing = strain(0.0, 0.0, False, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, FRAGMENTATION)
    assert sparing == pytest.approx(0.03, **EXACT)  # the amnesty strains even non-believers
    vector = strain(
        np.array([0.2, 0.9]),
        0.6,
        False,
        0.0,
        0.0,
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        np.ones(2),
        FRAGMENTATION,
    )
    np.testing.assert_allclose(vector, [0.012, 0.054])


def test_rivalry_gaps_values():
    """fragmentation.rivalry_gaps: the weaker side of each pair gets the gap, summed over pairs."""
    shares = np.array([0.4, 0.1, 0.5, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, []), 0.0)
    np.testing.assert_allclose(rivalry_gaps(shares, [(0, 1)]), [0.0, 0.3, 0.0, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, [(1, 0)]), [0.0, 0.3, 0.0, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, [(0, 1), (2, 1), (0, 2)]), [0.1, 0.7, 0, 0])
    pairs = np.array([[0, 1], [2, 1], [0, 2]])  # as the compiled loop passes them
    np.testing.assert_allclose(rivalry_gaps(shares, pairs), [0.1, 0.7, 0, 0])


def test_choice_values_values():
    """fragmentation.choice_values: log hazard ratios of stay and of each way out, by hand."""
    drivers = (0.5, 0.5, 0.8, 0.6, 0.5, 0.2, 0.4, 0.3, 0.25, 0.4)
    values = choice_values(*drivers, FRAGMENTATION)
    by_hand = [-1.6, 2.0, 1.1 + np.log(2.0), 0.9]
    np.testing.assert_allclose(values, by_hand, rtol=1e-12, atol=1e-15)
    # posts count for staying up to twice an equal share; exclusion only below an equal share
    many_posts = choice_values(drivers[0], 3.0, *drivers[2:], FRAGMENTATION)
    np.testing.assert_allclose(many_posts, [-0.1, 2.0, 0.6 + np.log(2.0), 0.9], rtol=1e-12)
    at_reference = choice_values(1.0, 1.0, 1.0, 0, 0, 0, 0, 0, 0, 0, FRAGMENTATION)
    np.testing.assert_allclose(at_reference, [0.0, 0.0, np.log(2.0), 0.0], atol=1e-15)
    closed = updated(FRAGMENTATION, rival_share=0.0)
    assert choice_values(1.0, 1.0, 1.0, 0, 0, 0, 0, 0, 0, 0, closed)[3] == -np.inf  # no share


def test_leaving_chances_stay_chances_under_extreme_utilities():
    """Utilities far beyond exp's range (extreme sampled weights) give chances, never NaN."""
    extreme = [(-900.0, 800.0, 0.0, -5.0), (900.0, 800.0, 750.0, 0.0)]
    chances = np.array([leaving_chances(values, FRAGMENTATION) for values in extreme])
    assert np.isfinite(chances).all() and (chances >= 0).all()
    np.testing.assert_allclose(chances[0], [1.0, 0.0, 0.0], atol=1e-12)  # ISIS-K pulls all
    assert chances[1].sum() < 1e-12  # staying outweighs every way out
    never = updated(FRAGMENTATION, base_hazard=0.0)
    closed = [leaving_chances(values, never) for values in extreme]
    np.testing.assert_array_equal(closed, 0.0)  # no base hazard: no one leaves, never NaN


def test_leaving_chances_values():
    """fragmentation.leaving_chances: the base hazard at reference, x exp(values), by share."""
    at_reference = np.log(np.array([1.0, 1.0, 2.0, 1.0]))
    np.testing.assert_allclose(
        leaving_chances(at_reference, FRAGMENTATION), MONTHLY * np.array([1, 2, 1]) / 4
    )
    held = at_reference + np.array(
        [np.log(2.0), 0, 0, 0]
    )  # staying twice as strong halves the hazard
    halved = 1 - 0.5 ** (1 / 24)
    np.testing.assert_allclose(
        leaving_chances(held, FRAGMENTATION), halved * np.array([1, 2, 1]) / 4
    )
    pulled = at_reference + np.array([0, np.log(5.0), 0, 0])  # ISIS-K five times as attractive
    chances = leaving_chances(pulled, FRAGMENTATION)
    np.testing.assert_allclose(sum(chances), 1 - 0.5 ** (8 / 4 / 12))
    np.testing.assert_allclose(np.array(chances) / sum(chances), np.array([5, 2, 1]) / 8)
    even = leaving_chances((0.0, 0.0, 0.0, 0.0), FRAGMENTATION)  # weights 3 against 4 at reference
    np.testing.assert_allclose(even, (1 - 0.5 ** (3 / 4 / 12)) / 3)
    assert not any(leaving_chances(at_reference, updated(FRAGMENTATION, base_hazard=0.0)))
    assert sum(leaving_chances(at_reference, updated(FRAGMENTATION, base_hazard=1.0))) == 1.0
    closed = updated(FRAGMENTATION, isisk_share=0.0, independent_share=0.0, rival_share=0.0)
    values = choice_values(1.0, 1.0, 1.0, 0, 0, 0, 0, 0, 0, 0, closed)
    np.testing.assert_array_equal(leaving_chances(values, closed), 0.0)  # no way out is open


@PROPERTY
@given(values=st.lists(st.floats(-30.0, 30.0), min_size=4, max_size=4), base=unit, bump=unit)
def test_leaving_chances_bounded_and_monotone(values, base, bump):
    """fragmentation.leaving_chances: each in [0, 1], summing to at most 1.

    Raising the value of going to ISIS-K never lowers its chance; raising that of
    staying never raises the chance of leaving.
    """
    rule = updated(FRAGMENTATION, base_hazard=base)
    chances = leaving_chances(values, rule)
    assert min(chances) >= 0.0 and sum(chances) <= 1.0 + 1e-12
    raised = list(values)
    raised[1] += bump
    assert leaving_chances(raised, rule)[0] >= chances[0] - 1e-15
    held = list(values)
    held[0] += bump
    assert sum(leaving_chances(held, rule)) <= sum(chances) + 1e-15


@PROPERTY
@given(base=st.floats(0.0, 0.999), shares=st.lists(st.floats(0.01, 10.0), min_size=3, max_size=3))
def test_leaving_chances_give_the_base_hazard_at_reference(base, shares):
    """fragmentation.leaving_chances: every driver at reference, a year's chance is the base."""
    rule = updated(
        FRAGMENTATION,
        base_hazard=base,
        isisk_share=shares[0],
        independent_share=shares[1],
        rival_share=shares[2],
    )
    values = choice_values(1.0, 1.0, 1.0, 0, 0, 0, 0, 0, 0, 0, rule)
    chances = np.array(leaving_chances(values, rule))
    assert 1 - (1 - chances.sum()) ** 12 == pytest.approx(base, rel=1e-9, abs=1e-12)
    if chances.sum() > 1e-12:  # the split among the ways: by their shares
        np.testing.assert_allclose(chances / chances.sum(), np.array(shares) / sum(shares))


# --- the tiny world ---------------------------------------------------------------------


def only_way(way: str) -> dict[str, float]:
    """Overrides closing every way out but `way` (their shares at 0)."""
    return {f"rules.fragmentation.{w}_share": 0.0 for w in BREAKAWAYS if w != way}


STRAINED = {
    "rules.fragmentation.recovery": 0.1,
    "rules.fragmentation.legitimacy_cohesion": 0.2,
    "rules.fragmentation.crackdown_strain": 0.1,
    "rules.fragmentation.joint_strain": 1.0,
    "rules.fragmentation.concession_strain": 0.2,
    "rules.fragmentation.amnesty_strain": 0.05,
    "rules.fragmentation.rivalry_strain": 0.5,
    "rules.fragmentation.defection_strain": 1.0,
    "rules.fragmentation.desertion_strain": 0.5,
    "rules.fragmentation.pay_strain": 0.04,
    "policy.joint_with_us": True,
    "policy.concessions": 0.2,
    "policy.amnesty": 0.4,
}


def test_fragment_cohesion_by_hand():
    """fragmentation.fragment: cohesion recovers toward start + legitimacy, less the strain.

    Ideology 0.6 / 0.8 / 0.2; doha trails haqqani in posts by 0.1; haqqani lost 50 of 250
    to defection, doha 25 of 125 to desertion; pay 1 / 0.5 / 0.75; crackdown 0.5 joint;
    half the states recognise; an amnesty of 0.4 strains every faction by 0.05 x 0.4.
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
    flow(world, "factions", "deserted")[:, DOHA] = 25
    apply(world, fragment)
    strain = 0.05 * 0.4 + np.array(
        [
            0.1 * 0.5 * 2 * 0.6 + 0.2 * 0.2 * 0.6,
            0.1 * 0.5 * 2 * 0.8 + 0.2 * 0.2 * 0.8 + 50 / 250 + 0.04 * 0.5,
            0.1 * 0.5 * 2 * 0.2 + 0.2 * 0.2 * 0.2 + 0.5 * 0.1 + 0.5 * 25 / 125 + 0.04 * 0.25,
        ]
    )
    target = np.array([0.8, 0.7, 0.6]) + 0.2 * 0.5
    np.testing.assert_allclose(world.cohesion[0], 0.5 + 0.1 * (target - 0.5) - strain, rtol=1e-12)
    assert (world.broken_month < 0).all()  # base hazard 0: nobody leaves


def test_fragment_broken_faction_keeps_its_cohesion_and_its_break():
    """fragmentation.fragment: a faction that broke away is neither strained nor decides again."""
    world = tiny_world(
        **STRAINED,
        **{"rules.fragmentation.base_hazard": 1.0, **only_way("rival")},
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
            "rules.fragmentation.base_hazard": 1.0,
            **only_way("isisk"),
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
    world = tiny_world(**{"rules.fragmentation.base_hazard": 1.0, **only_way(way)})
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"], ideology=1.0)
    begin_month(world)
    apply(world, fragment)
    went = BREAKAWAYS.index(way)
    np.testing.assert_array_equal(world.breakaway_to, [[-1, went, went]])
    np.testing.assert_array_equal(world.units.fighters, [[100, 100, 100]])


def test_fragment_without_a_base_hazard_nobody_leaves():
    """fragmentation.fragment: with base hazard 0 no faction leaves, however tempted."""
    world = tiny_world(**{"rules.fragmentation.w_isisk_ideology": 100.0})
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"], ideology=1.0)
    begin_month(world)
    apply(world, fragment)
    assert (world.broken_month < 0).all() and (world.breakaway_to < 0).all()


# --- runs of the baseline ---------------------------------------------------------------


@pytest.mark.parametrize(
    "extreme",
    [
        BREAK_EVERYONE,
        {**BREAK_EVERYONE, "rules__fragmentation__w_isisk_ties": 100.0, "policy__crackdown": 1.0},
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
    "rules__fragmentation__base_hazard": 0.5,
    "rules__fragmentation__isisk_share": 10.0,
    "rules__fragmentation__recovery": 0.0,
    "rules__fragmentation__crackdown_strain": 1.0,
    "rules__fragmentation__rivalry_strain": 1.0,
    "rules__fragmentation__pay_strain": 1.0,
    "rules__fragmentation__desertion_strain": 10.0,
    "taliban__rivalries": [["doha", "northern"]],
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("fragmentation", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

DESERTING = {"rules__defection__desertion_base": -4.0}  # units desert often
DECIDING = {"rules__fragmentation__base_hazard": 0.1, **LONG}  # leaders leave more readily
STRONG_JOINT = {"policy__crackdown": 1.0, "policy__joint_with_us": True, **LONG}  # strongest
NO_CRACKDOWN_LONG = {"policy__crackdown": 0.0, **LONG}

CLAIMS = [
    claim("a higher base hazard fragments the Taliban", "fragmented", more_often,
          {"rules__fragmentation__base_hazard": 0.1, **LONG},
          {"rules__fragmentation__base_hazard": 0.001, **LONG}),
    claim("desertion strains cohesion", "cohesion_mean", less,
          {"rules__fragmentation__desertion_strain": 2.0, **DESERTING},
          {"rules__fragmentation__desertion_strain": 0.0, **DESERTING}),
    claim("the amnesty to ISIS-K strains the Taliban's cohesion", "cohesion_mean", less,
          {"rules__fragmentation__amnesty_strain": 0.03, "policy__amnesty": 1.0},
          {"rules__fragmentation__amnesty_strain": 0.0, "policy__amnesty": 1.0}),
    claim("a low-cohesion faction breaks away", "northern_broken", more_often,
          {"taliban__factions__northern__cohesion": 0.0, **DECIDING},
          {"taliban__factions__northern__cohesion": 1.0, **DECIDING}),
    claim("joint crackdown strains cohesion more than unilateral", "cohesion_mean", less,
          JOINT, UNILATERAL),
    claim("rivalry over posts strains the weaker faction", "doha_cohesion_mean", less,
          {"taliban__factions__haqqani__posts": 0.6, "taliban__factions__doha__posts": 0.02},
          {"taliban__factions__haqqani__posts": 0.2, "taliban__factions__doha__posts": 0.2}),
    # 100 replicates: with the carrots now earned by compliance, 0.15 vs 0.01 (0.125 vs 0 at 40)
    claim("a strong crackdown makes the Haqqanis break away", "haqqani_broken", more_often,
          STRONG_JOINT, NO_CRACKDOWN_LONG, n=120),  # a rare event: 13% vs 0.5% in 200
    *switch_claims("fragmentation", "baseline", "cohesion_mean", -1, -1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)
