"""International pressure (`sim.rules.pressure`): states press, climb the ladder, release.

Pure functions against hand-computed values and properties; `update_pressure` on the
tiny world (`tests/tiny.py`); exact runs of the baseline (frozen funds, conduct, its own
parameters inert while it is off); and its claims over replicates (`tests/mechanism.py`).
"""

import copy

import numpy as np
import pytest
from conftest import greater, less, world
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    ATTACKS_OFF,
    EXACT,
    GROUPS,
    LONG,
    NOT_SECTARIAN,
    PROPERTY,
    SECTARIAN,
    N,
    check_claim,
    check_own_parameters,
    claim,
    every_state,
    switch_claims,
    unit,
    updated,
)
from tiny import EAST, TINY, WEST, apply, begin_month, tiny_world

from sim import rules
from sim.inputs.schema import TARGETS
from sim.rules import update_pressure
from sim.rules.maths import logistic, logit
from sim.rules.pressure import (
    compliance,
    demands_met,
    isisk_action,
    misconduct,
    pressure_after,
    pressure_change,
    release_chance,
    share_ahead,
    step_chance,
    step_threshold,
    trade_and_transit,
    west_distance,
)

# --- pure functions ---------------------------------------------------------------------

STATE = TINY.international["west"].model_copy(
    update=dict(
        demand=0.5,
        responsiveness=0.1,
        sectarian_sensitivity=0.01,
        attack_sensitivity=0.02,
        conduct_sensitivity=0.2,
        baseline_pressure=0.3,
        pressure_decay=0.1,
        engage_below=0.6,
        recognize_below=0.3,
        step_rate=0.1,
        min_credibility=0.5,
    )
)
RULE = TINY.rules.pressure.model_copy(update=dict(release_rate=0.01, release_engagement=2.0))


def test_compliance_values():
    """pressure.compliance: the weighted mean of the action on what a state cares about."""
    assert compliance([1.0], [0.8]) == 0.8
    assert compliance([1.0, 1.0], [0.8, 0.2]) == pytest.approx(0.5, **EXACT)
    assert compliance([3.0, 1.0], [0.8, 0.2]) == pytest.approx(0.65, **EXACT)
    assert compliance([], []) == 1.0
    assert compliance([0.0], [0.8]) == 1.0
    per_replicate = [np.array([0.0, 0.5, 1.0]), np.array([1.0, 0.5, 0.0])]
    np.testing.assert_allclose(compliance([3.0, 1.0], per_replicate), [0.25, 0.5, 0.75])


def test_trade_and_transit_values():
    """pressure.trade_and_transit: credibility x (1 - hardship) x (1 - ISIS-K's safe areas)
    x (1 - crime / (crime + crime_half)).
    """
    rule = TINY.rules.pressure.model_copy(update=dict(crime_half=1000.0))
    assert trade_and_transit(0.8, 0.5, 0.25, 0.0, rule) == pytest.approx(0.3, **EXACT)
    assert trade_and_transit(1.0, 0.0, 0.0, 0.0, rule) == 1.0  # secure, a working economy
    assert trade_and_transit(1.0, 0.0, 1.0, 0.0, rule) == 0.0  # ISIS-K holds the mountains
    assert trade_and_transit(1.0, 0.0, 0.0, 1000.0, rule) == pytest.approx(0.5, **EXACT)
    np.testing.assert_allclose(
        trade_and_transit(
            np.array([1.0, 0.5]), np.array([0.5, 0.0]), 0.5, np.array([0.0, 3000.0]), rule
        ),
        [0.25, 0.0625],
    )


def test_west_distance_values():
    """pressure.west_distance: the holders' mean pressure x (1 - joint); 0 with no holder."""
    assert west_distance(np.array([0.8, 0.6]), 0.0) == pytest.approx(0.7, **EXACT)
    assert west_distance(np.array([0.8, 0.6]), 0.3) == pytest.approx(0.7 * 0.7, **EXACT)
    assert west_distance([0.2], 0.5) == pytest.approx(0.1, **EXACT)
    assert west_distance([], 0.2) == 0.0


def test_demands_met_values():
    """pressure.demands_met: isisk, joint, concessions, stability, trade, rivalry, by hand."""
    rule = TINY.rules.pressure.model_copy(update=dict(amnesty_risk=0.5, crime_half=1000.0))
    met = demands_met(0.6, 1.0, 0.4, 0.3, 0.8, 0.5, 0.25, 0.0, [0.8, 0.6], rule)
    by_hand = (0.6 * (1 - 0.5 * 0.4), 0.6, 0.3, 0.8, 0.8 * 0.5 * 0.75, 0.7 * (1 - 0.6))
    np.testing.assert_allclose(met, by_hand, rtol=1e-12)
    alone = demands_met(0.6, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, [], rule)
    assert alone[1] == 0.0 and alone[5] == 0.0  # not joint; no holder, no distance


def test_misconduct_values():
    """pressure.misconduct: indiscriminate force plus `punishment_conduct` x punishment."""
    rule = TINY.rules.pressure.model_copy(update=dict(punishment_conduct=0.5))
    assert misconduct(0.2, 0.6, rule) == pytest.approx(0.5, **EXACT)
    assert misconduct(0.0, 0.0, rule) == 0.0


def test_pressure_change_values():
    """pressure.pressure_change: responsiveness x shortfall + sensitivities x what it watches."""
    change = pressure_change(0.2, 10.0, 5.0, 0.5, STATE)
    assert change == pytest.approx(0.1 * 0.3 + 0.01 * 10 + 0.02 * 5 + 0.2 * 0.5, **EXACT)
    assert pressure_change(0.5, 0.0, 0.0, 0.0, STATE) == 0.0  # exactly what it demands
    assert pressure_change(1.0, 0.0, 0.0, 0.0, STATE) == pytest.approx(-0.05, **EXACT)


def test_pressure_after_values():
    """pressure.pressure_after: the latent (log-odds) score drifts to the baseline, is pushed."""
    latent = logit(0.5) + 0.1 * (logit(0.3) - logit(0.5)) + 0.12
    assert pressure_after(0.5, 0.1, 0.02, STATE, 1.0) == pytest.approx(logistic(latent), **EXACT)
    half = logit(0.5) + 0.1 * (logit(0.3) - logit(0.5)) + 0.06
    assert pressure_after(0.5, 0.1, 0.02, STATE, 0.5) == pytest.approx(logistic(half), **EXACT)
    assert pressure_after(0.3, 0.0, 0.0, STATE, 1.0) == pytest.approx(0.3, **EXACT)  # at rest
    decay = logistic(0.9 * logit(0.5) + 0.1 * logit(0.3))
    assert pressure_after(0.5, 0.5, 0.5, STATE, 0.0) == pytest.approx(decay, **EXACT)
    assert 0.99 < pressure_after(0.99, 5.0, 0.0, STATE, 1.0) < 1.0  # near a bound, not at it
    assert 0.0 < pressure_after(0.01, -5.0, 0.0, STATE, 1.0) < 0.01


@PROPERTY
@given(
    pressure=st.floats(0.001, 0.999),
    change=st.floats(-5.0, 5.0),
    shock=st.floats(-1.0, 1.0),
    baseline=st.floats(0.001, 0.999),
    decay=unit,
    scale=st.floats(0.0, 2.0),
)
def test_pressure_after_inside_the_unit_interval(pressure, change, shock, baseline, decay, scale):
    """pressure.pressure_after: strictly inside (0, 1) for any bounded push."""
    spec = updated(STATE, baseline_pressure=baseline, pressure_decay=decay)
    assert 0.0 < pressure_after(pressure, change, shock, spec, scale) < 1.0


def test_step_threshold_values():
    """pressure.step_threshold: from `engage_below` (step 0) evenly to `recognize_below` (3)."""
    np.testing.assert_allclose(step_threshold(np.arange(5), STATE), [0.6, 0.5, 0.4, 0.3, 0.3])


def test_step_chance_values():
    """pressure.step_chance: rate x (1 + contagion x others ahead); the top step x credibility."""
    assert step_chance(0, 0.5, 1.0, STATE, 0.5) == pytest.approx(0.125, **EXACT)
    assert step_chance(1, 0.0, 0.2, STATE, 0.5) == pytest.approx(0.1, **EXACT)  # not the top
    assert step_chance(3, 0.0, 0.8, STATE, 0.5) == pytest.approx(0.08, **EXACT)
    assert step_chance(3, 1.0, 0.4, STATE, 0.5) == 0.0  # below min_credibility
    assert step_chance(0, 1.0, 1.0, updated(STATE, step_rate=0.9), 1.0) == 1.0
    np.testing.assert_allclose(
        step_chance(np.array([0, 3]), np.array([1.0, 0.0]), np.array([1.0, 0.5]), STATE, 1.0),
        [0.2, 0.05],
    )


def test_release_chance_values():
    """pressure.release_chance: rate x compliance x (1 - conduct) x (1 + gain x holders' step)."""
    assert release_chance(0.5, 0.2, 1.5, RULE) == pytest.approx(0.016, **EXACT)
    assert release_chance(1.0, 0.0, 0.0, RULE) == pytest.approx(0.01, **EXACT)
    assert release_chance(1.0, 1.5, 3.0, RULE) == 0.0  # misconduct holds it shut
    assert release_chance(0.0, 0.0, 3.0, RULE) == 0.0  # so does doing nothing asked
    rule = updated(RULE, release_rate=1.0)
    assert release_chance(1.0, 0.0, 3.0, rule) == 1.0


def test_share_ahead_values():
    """pressure.share_ahead: the share of the other states past a state's step."""
    steps = np.array([0, 1, 2])
    assert [share_ahead(step, steps) for step in steps] == [1.0, 0.5, 0.0]
    assert share_ahead(1, [1, 1, 1]) == 0.0
    assert share_ahead(0, [0]) == 0.0  # a lone state has no others


# --- the tiny world ---------------------------------------------------------------------

PUSHED = {
    "international.west.responsiveness": 0.2,
    "international.west.sectarian_sensitivity": 0.01,
    "international.west.attack_sensitivity": 0.02,
    "international.west.conduct_sensitivity": 0.1,
    "international.west.baseline_pressure": 0.3,
    "international.west.pressure_decay": 0.5,
    "international.east.responsiveness": 0.1,
    "policy.concessions": 0.2,
    "policy.punishment": 0.5,
    "policy.purge.allied": 0.5,
    "rules.pressure.punishment_conduct": 0.4,
}


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_update_pressure_by_hand(scale):
    """pressure.update_pressure: the latent score drifts to the baseline, pushed by what it watches.

    West (isisk, concessions): complied (0.6 + 0.2) / 2; push 0.2 x 0.1 + 0.01 x 3 sectarian
    + 0.02 x 3 on foreigners (2 here, 1 abroad) + 0.1 x conduct (anger 0.1 + 0.4 x 0.5).
    East (allied): complied 0.5 against a demand of 0.4; it does not decay.
    """
    world = tiny_world(**PUSHED)
    begin_month(world)
    world.crackdown_intensity[:] = 0.6
    attacks = world.signals.attacks[0]
    attacks[TARGETS.index("sectarian")], attacks[TARGETS.index("foreign")] = 3, 2
    attacks[TARGETS.index("abroad")], attacks[TARGETS.index("taliban")] = 1, 9
    world.signals.anger[:] = 0.1
    apply(world, update_pressure, scale)
    west = logit(0.4) + 0.5 * (logit(0.3) - logit(0.4)) + scale * (0.02 + 0.03 + 0.06 + 0.03)
    east = logit(0.2) + scale * 0.1 * (0.4 - 0.5)
    np.testing.assert_allclose(world.pressure[0], logistic(np.array([west, east])), rtol=1e-12)


def test_update_pressure_reads_trade_and_the_wests_distance():
    """pressure.update_pressure: east weighs the routes' security and the West's distance.

    East cares about trade and rivalry equally: trade = credibility 0.8 x (1 - hardship 0.5)
    x (1 - safe areas 0.5) = 0.2; rivalry = west's pressure at the start of the month, 0.9
    (west's own update this month does not count). Complied 0.55 against a demand of 0.4,
    responsiveness 0.1, no decay.
    """
    world = tiny_world(
        **{
            "international.east.cares_about": {"trade": 1.0, "rivalry": 1.0},
            "international.east.responsiveness": 0.1,
            "international.west.responsiveness": 1.0,
            "international.west.pressure": 0.9,
        }
    )
    world.credibility[:], world.hardship[:], world.safe_areas[:] = 0.8, 0.5, 0.5
    begin_month(world)
    apply(world, update_pressure)
    east = logit(0.2) + 0.1 * (0.4 - (0.2 + 0.9) / 2)
    np.testing.assert_allclose(world.pressure[:, EAST], logistic(east), rtol=1e-12)
    assert world.pressure[0, WEST] != 0.9  # west moved, after east read it


LADDER = {
    "international.west.engage_below": 0.5,
    "international.west.recognize_below": 0.5,
    "international.west.step_after": 2,
    "international.west.step_rate": 1.0,
    "international.west.min_credibility": 0.5,
    "international.east.engage_below": 0.1,
    "international.east.step_after": 1,
    "international.east.step_rate": 1.0,
}


def test_update_pressure_climbs_the_ladder_a_step_at_a_time():
    """pressure.update_pressure: two months under the threshold, then a step; step 4 recognises.

    West (pressure 0.4 under 0.5) climbs in months 2, 4, 6 and 8, where replicate 0 recognises;
    replicate 1's credibility is below min_credibility, so it stops at sanctions relief. East
    (0.2, over its threshold 0.1) never counts a month.
    """
    world = tiny_world(2, **LADDER)
    world.credibility[:] = [1.0, 0.4]
    for month, step, count in [(1, 0, 1), (2, 1, 0), (3, 1, 1), (4, 2, 0), (6, 3, 0)]:
        while world.month < month:
            begin_month(world, world.month + 1)
            apply(world, update_pressure)
        np.testing.assert_array_equal(world.engagement, [[step, 0]] * 2)
        np.testing.assert_array_equal(world.months_satisfied, [[count, 0]] * 2)
    for month in (7, 8, 9):
        begin_month(world, month)
        apply(world, update_pressure)
    np.testing.assert_array_equal(world.engagement, [[4, 0], [3, 0]])
    np.testing.assert_array_equal(world.recognized_month, [[8, -1], [-1, -1]])
    assert not world.unfrozen.any()  # release_rate 0: never


def test_update_pressure_steps_are_likelier_behind_others():
    """pressure.update_pressure: contagion: a state behind others climbs at a higher rate.

    West at step 0, east at step 2; west's chance is 0.3 alone and 0.3 x (1 + 2 x 1) = 0.9
    behind east: over 400 replicates the shares climbing differ accordingly.
    """
    climbed = []
    for contagion in (0.0, 2.0):
        world = tiny_world(
            400,
            **LADDER
            | {"international.west.step_after": 1, "international.west.step_rate": 0.3}
            | {"international.east.engagement": 2, "rules.pressure.contagion": contagion},
        )
        begin_month(world)
        apply(world, update_pressure)
        climbed.append(world.engagement[:, WEST].mean())
    assert 0.2 < climbed[0] < 0.4 and 0.8 < climbed[1] < 0.97, climbed


@pytest.mark.parametrize(
    ("policy", "released"),
    [
        ({"policy.concessions": 1.0}, True),  # complied 0.5 (no crackdown), chance 1
        ({"policy.concessions": 0.0}, False),  # nothing done that the holder asks for
        ({"policy.concessions": 1.0, "policy.punishment": 1.0}, False),  # misconduct 1
        ({"international.west.holds_frozen_funds": False, "policy.concessions": 1.0}, False),
    ],
)
def test_update_pressure_releases_reserves_through_the_process(policy, released):
    """pressure.update_pressure: release by the holders' compliance and conduct, not pressure.

    West at pressure 0.99 (far above any threshold), release_rate 1, gain 1 at step 0.
    """
    world = tiny_world(
        3,
        **{"rules.pressure.release_rate": 1.0, "rules.pressure.punishment_conduct": 1.0},
        **{"international.west.cares_about": {"concessions": 1.0}},
        **policy,
    )
    world.pressure[:, WEST] = 0.99
    begin_month(world)
    apply(world, update_pressure)
    np.testing.assert_array_equal(world.unfrozen, released)


def test_update_pressure_noise_moves_pressure_inside_bounds():
    """pressure.update_pressure: the normal shock differs by replicate and stays inside (0, 1)."""
    world = tiny_world(3, **{"rules.pressure.noise": 1.0})
    begin_month(world)
    apply(world, update_pressure)
    assert len(np.unique(world.pressure[:, WEST])) == 3
    assert ((world.pressure > 0) & (world.pressure < 1)).all()


# --- runs of the baseline ---------------------------------------------------------------


def test_release_ignores_pressure():
    """The reserves' release reads compliance, conduct and engagement, never pressure: the
    same month of the baseline after six months, with the holders' pressure at 0.99 or as it
    was, releases the reserves in the same replicates."""
    calm = world("baseline", range(40), **{"rules__pressure__release_rate": 1.0}, **COMPLY)
    for _ in range(6):
        calm.step()
    calm.unfrozen[:] = False  # count this month's releases only
    angry = copy.deepcopy(calm)
    holders = [calm.state_names.index(s) for s in ("us", "donors")]
    angry.pressure[:, holders] = 0.99
    for w in (calm, angry):
        w.month += 1
        w.signals.start_month()
        rules.crack_down(w, 1.0)  # sets this month's anger
        rules.update_pressure(w, 1.0)
    assert (angry.pressure[:, holders] > calm.pressure[:, holders]).all()
    assert 0 < calm.unfrozen.sum() < 40
    np.testing.assert_array_equal(calm.unfrozen, angry.unfrozen)


@pytest.mark.parametrize("policy", [{"policy__punishment": 1.0}, {"policy__accuracy": 0.0}])
def test_conduct_moves_only_the_states_that_watch_it(policy):
    """One pressure update on the same state: punishment or inaccuracy press the US and
    donors (conduct_sensitivity > 0), never China (0). ISIS-K holds no safe areas here:
    accuracy's reach would move their erosion, and so the routes' security China watches."""
    rest = {
        "policy__punishment": 0.0,
        "policy__accuracy": 1.0,
        "policy__crackdown": 0.7,
        "isisk__safe_areas": 0.0,
    }
    worlds = [world("baseline", range(3), **rest), world("baseline", range(3), **rest | policy)]
    for w in worlds:
        w.month = 1
        w.signals.start_month()
        rules.crack_down(w, 1.0)  # sets this month's anger
        rules.update_pressure(w, 1.0)
    calm, harsh = (w.pressure for w in worlds)
    names = worlds[0].state_names
    for state in ("us", "donors"):
        assert np.all(harsh[:, names.index(state)] > calm[:, names.index(state)]), state
    np.testing.assert_array_equal(harsh[:, names.index("china")], calm[:, names.index("china")])


COMPLY = {"policy__crackdown": 0.9, "policy__concessions": 0.9}

# Parameters read only by the pressure rule, pushed far from the baseline.
OWN_PARAMETERS = {
    "international__us__responsiveness": 0.5,
    "international__us__demand": 1.0,
    "international__china__sectarian_sensitivity": 0.2,
    "international__us__conduct_sensitivity": 0.5,
    "international__donors__step_after": 1,
    "international__russia__step_rate": 1.0,
    "international__russia__min_credibility": 0.0,
    "rules__pressure__release_rate": 1.0,
    "rules__pressure__contagion": 2.0,
    "international__pakistan__cares_about": {"concessions": 1.0},
    "rules__pressure__noise": 0.3,
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("pressure", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

NO_SECTARIAN_SENSITIVITY = every_state(sectarian_sensitivity=0.0)
FULL_COMPLIANCE = {
    "policy__crackdown": 0.9,
    "policy__joint_with_us": True,
    "policy__concessions": 0.9,
    "policy__purge": dict.fromkeys(GROUPS, 0.9),
}
# every state satisfied from month 1, so recognition is up to `step_rate`
SATISFIED = every_state(engage_below=1.0, recognize_below=1.0, step_after=1, min_credibility=0.0)
RECOGNITION_LIKELY = {**SATISFIED, **every_state(step_rate=1.0)}
RECOGNITION_IMPOSSIBLE = {**SATISFIED, **every_state(step_rate=0.0)}
TOTAL_COMPLIANCE = FULL_COMPLIANCE | {"policy__accuracy": 0.9, "steps": 60}
# Pakistan weighing trade and transit alone, attacks on foreigners unread: the routes' channel
TRADER = {
    "international__pakistan__cares_about": {"trade": 1.0},
    "international__pakistan__attack_sensitivity": 0.0,
}
# many deserters (full punishment), and routes that a few hundred armed men make unsafe
CRIME = {"policy__punishment": 1.0, "rules__pressure__crime_half": 300.0}
# China weighing only its rivalry with the West; the West near or far from the Taliban
RIVAL = {"international__china__cares_about": {"rivalry": 1.0}}
WEST_FAR = {f"international__{s}__baseline_pressure": 0.7 for s in ("us", "donors")}
WEST_NEAR = {f"international__{s}__baseline_pressure": 0.2 for s in ("us", "donors")}

CLAIMS = [
    claim("sectarian attacks raise pressure", "pressure_mean", greater, SECTARIAN, NOT_SECTARIAN),
    claim("sectarian sensitivity raises pressure", "pressure_mean", greater,
          SECTARIAN, SECTARIAN | NO_SECTARIAN_SENSITIVITY),
    claim("compliance lowers pressure", "pressure_final", less,
          FULL_COMPLIANCE | NO_SECTARIAN_SENSITIVITY, NO_SECTARIAN_SENSITIVITY),
    # reserves are not revenue: within 24 months compliance lifts revenue only through
    # sanctions' damage (+0.6%, p = 0.04 at 40 replicates); sustained, through unfreezing
    claim("sustained compliance raises revenue", "revenue_mean", greater,
          FULL_COMPLIANCE | ATTACKS_OFF | LONG, ATTACKS_OFF | LONG),
    claim("sustained compliance moves states up the ladder", "engagement_final", greater,
          FULL_COMPLIANCE | ATTACKS_OFF | LONG, ATTACKS_OFF | LONG),
    claim("punishment raises US pressure", "us_pressure_mean", greater,
          {"policy__punishment": 1.0}, {"policy__punishment": 0.0}),
    claim("punishment raises donors' pressure", "donors_pressure_mean", greater,
          {"policy__punishment": 1.0}, {"policy__punishment": 0.0}),
    claim("inaccuracy raises US pressure", "us_pressure_mean", greater,
          {"policy__accuracy": 0.0}, {"policy__accuracy": 1.0}, scenario="crackdown"),
    claim("inaccuracy raises donors' pressure", "donors_pressure_mean", greater,
          {"policy__accuracy": 0.0}, {"policy__accuracy": 1.0}, scenario="crackdown"),
    claim("concessions lower donors' pressure", "donors_pressure_mean", less,
          {"policy__concessions": 0.9}, {"policy__concessions": 0.0}),
    claim("recognition raises revenue", "revenue_mean", greater,
          RECOGNITION_LIKELY, RECOGNITION_IMPOSSIBLE),
    claim("recognition raises ISIS-K recruitment", "isisk_recruits", greater,
          RECOGNITION_LIKELY, RECOGNITION_IMPOSSIBLE),
    claim("punishment costs engagement with the US", "us_engagement_final", less,
          TOTAL_COMPLIANCE | {"policy__punishment": 0.9},
          TOTAL_COMPLIANCE | {"policy__punishment": 0.1}),
    claim("punishment holds the reserves frozen longer", "unfrozen_final", less,
          TOTAL_COMPLIANCE | {"policy__punishment": 0.9},
          TOTAL_COMPLIANCE | {"policy__punishment": 0.1}, n=120),
    claim("a crackdown that erodes ISIS-K's safe areas eases a state that trades",
          "pakistan_pressure_mean", less,
          TRADER | {"rules__crackdown__sanctuary_erosion": 0.6},
          TRADER | {"rules__crackdown__sanctuary_erosion": 0.0}, n=3 * N),
    claim("sectarian attacks, eroding the Taliban's credibility, press a state that trades",
          "pakistan_pressure_mean", greater, TRADER | SECTARIAN, TRADER | NOT_SECTARIAN),
    claim("deserters in armed crime, making the routes unsafe, press a state that trades",
          "pakistan_pressure_mean", greater,
          TRADER | CRIME | {"rules__recruitment__deserter_crime_share": 0.4},
          TRADER | CRIME | {"rules__recruitment__deserter_crime_share": 0.0}),
    claim("a rival of the West eases its pressure while the West keeps away",
          "china_pressure_mean", less, RIVAL | WEST_FAR, RIVAL | WEST_NEAR),
    claim("joint operations with the US raise a rival's pressure", "china_pressure_mean",
          greater, RIVAL | {"policy__joint_with_us": True},
          RIVAL | {"policy__joint_with_us": False}, scenario="crackdown"),
    claim("a state that reads attacks as a reason to engage eases its pressure",
          "china_pressure_mean", less,
          {"international__china__attack_sensitivity": -0.05},
          {"international__china__attack_sensitivity": 0.05}),
    *switch_claims("pressure", "baseline", "us_pressure_mean", +1, +1, n=3 * N),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)


def test_isisk_action_discounts_an_unvetted_amnesty():
    """pressure.isisk_action: crackdown x (1 - amnesty_risk x amnesty); no amnesty, no cost."""
    rule = TINY.rules.pressure.model_copy(update=dict(amnesty_risk=0.4))
    assert isisk_action(0.5, 0.0, rule) == pytest.approx(0.5, **EXACT)
    assert isisk_action(0.5, 1.0, rule) == pytest.approx(0.3, **EXACT)
