"""Unit tests of the pure functions of `sim.rules`: hand-computed values, edges, directions.

Parameters come from the tiny scenario (`tests/tiny.py`) with the values a test needs
set by `model_copy`, so the expected numbers below are worked out by hand from the
formulas and do not move with `scenarios/baseline.yaml`.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from tiny import DEFECTION_WEIGHTS, TINY

from sim.rules.attacks import (
    attack_rate,
    capability_after,
    momentum_after,
    severities,
    suppression,
    target_odds,
)
from sim.rules.crackdown import (
    adaptive_intensity,
    effectiveness,
    leadership_loss,
    precision,
    removal_probability,
)
from sim.rules.defection import abandonment, defection_probability, desertion_probability
from sim.rules.economy import (
    aid_received,
    arrears_after,
    fiscal_revenue,
    grievance_after_pay,
    hardship_target,
    pay_ratio,
    policy_costs,
)
from sim.rules.fragmentation import choice_values, leaving_chances, rivalry_gaps, strain
from sim.rules.maths import clamp, logistic
from sim.rules.pressure import compliance, pressure_after, pressure_change
from sim.rules.purge import switch_probability
from sim.rules.recruitment import local_recruits_rate, prisoners_released

EXACT = dict(rel=1e-12, abs=1e-15)
CRACKDOWN = TINY.rules.crackdown.model_copy(
    update=dict(removal_rate=0.8, accuracy_floor=0.25, leader_hit=0.5, joint_bonus=1.0, leak=0.5)
)
ATTACKS = TINY.rules.attacks.model_copy(
    update=dict(
        base_rate=2.0,
        reference_size=10.0,
        size_exponent=0.5,
        lie_low=2.0,
        success=0.6,
        severity_min=1.5,
        severity_exponent=3.0,
        momentum_decay=0.8,
        momentum_saturation=10.0,
        capability_recovery=0.1,
        learning=0.01,
        min_capability=0.2,
        max_capability=2.0,
    )
)
DEFECTION = TINY.rules.defection.model_copy(
    update=dict(
        base=-1.0,
        w_abandonment=4.0,
        w_grievance=3.0,
        w_ties=2.0,
        w_momentum=1.0,
        w_pay=1.5,
        w_cohesion=2.5,
        w_fear=0.5,
        abandonment_crackdown=0.5,
        abandonment_joint=1.0,
        abandonment_concessions=0.5,
        abandonment_purge=0.5,
        abandonment_recognition=0.3,
        desertion_base=-2.0,
        w_desertion_grievance=4.0,
    )
)
ECONOMY = TINY.economy  # the values are listed in tests/tiny.py (ECONOMY)
STATE = TINY.international["west"].model_copy(
    update=dict(
        demand=0.5,
        responsiveness=0.1,
        sectarian_sensitivity=0.01,
        attack_sensitivity=0.02,
        conduct_sensitivity=0.2,
        baseline_pressure=0.3,
        pressure_decay=0.1,
    )
)
PURGE = TINY.rules.purge.model_copy(
    update=dict(switch_base=-1.0, w_switch_purge=2.0, w_switch_pull=1.0, w_switch_loyalty=4.0)
)
RECRUITMENT = TINY.rules.recruitment.model_copy(
    update=dict(
        isisk_local_per_month=10.0,
        momentum_boost=1.0,
        hardship_boost=0.5,
        recognition_boost=2.0,
        anger_recruits=50.0,
    )
)
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

unit = st.floats(0.0, 1.0)
weight = st.floats(0.0, 100.0)
logit_base = st.floats(-100.0, 100.0)
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)


def updated(block, **values):
    """A parameter block with some values changed (unvalidated, like an override)."""
    return block.model_copy(update=values)


# --- maths ------------------------------------------------------------------------------


def test_logistic_values_and_symmetry():
    """maths.logistic: 1/2 at 0, 3/4 at ln 3, exactly 1 far right, symmetric, vectorised."""
    assert logistic(0.0) == 0.5
    assert logistic(math.log(3.0)) == pytest.approx(0.75, **EXACT)
    assert logistic(100.0) == 1.0  # the tiny world's ALWAYS
    assert 0.0 < logistic(-100.0) < 1e-43  # ... and NEVER
    x = np.array([-2.0, -0.5, 0.0, 3.0])
    np.testing.assert_allclose(logistic(x) + logistic(-x), 1.0, rtol=1e-15)
    assert np.all(np.diff(logistic(x)) > 0)


def test_clamp():
    """maths.clamp: limits to [low, high], passes values inside, edges included."""
    assert clamp(-0.2) == 0.0
    assert clamp(1.3) == 1.0
    assert clamp(0.4) == 0.4
    assert clamp(0.0) == 0.0 and clamp(1.0) == 1.0
    assert clamp(5.0, 0.0, 3.0) == 3.0
    assert clamp(-5.0, -1.0, 3.0) == -1.0


# --- crackdown --------------------------------------------------------------------------


def test_adaptive_intensity_values():
    """crackdown.adaptive_intensity: base + gain x (attacks - tolerance) / tolerance, in [0, 1]."""
    assert adaptive_intensity(0.3, 0.5, 10.0, 10.0) == pytest.approx(0.3, **EXACT)
    assert adaptive_intensity(0.3, 0.5, 20.0, 10.0) == pytest.approx(0.8, **EXACT)
    assert adaptive_intensity(0.3, 0.5, 5.0, 10.0) == pytest.approx(0.05, **EXACT)
    assert adaptive_intensity(0.3, 0.5, 0.0, 10.0) == 0.0  # -0.2, clipped
    assert adaptive_intensity(0.9, 5.0, 500.0, 10.0) == 1.0
    assert adaptive_intensity(0.3, 0.0, 500.0, 10.0) == pytest.approx(0.3, **EXACT)  # no gain
    np.testing.assert_allclose(
        adaptive_intensity(0.3, 0.5, np.array([0.0, 10.0, 20.0, 500.0]), 10.0),
        [0.0, 0.3, 0.8, 1.0],
        rtol=1e-12,
    )


@PROPERTY
@given(base=unit, gain=st.floats(0.0, 1e3), a=st.floats(0.0, 1e4), b=st.floats(0.0, 1e4))
def test_adaptive_intensity_bounded_and_rising_with_attacks(base, gain, a, b):
    """crackdown.adaptive_intensity: in [0, 1], never lower after more attacks."""
    low, high = sorted([a, b])
    lo, hi = adaptive_intensity(base, gain, low, 30.0), adaptive_intensity(base, gain, high, 30.0)
    assert 0.0 <= lo <= hi <= 1.0


def test_effectiveness_values():
    """crackdown.effectiveness: (1 + joint_bonus x joint)(1 - leak x ties)(1 - tempo x accuracy)."""
    assert effectiveness(False, 0.0, 0.0, CRACKDOWN) == 1.0
    assert effectiveness(True, 0.0, 0.0, CRACKDOWN) == 2.0
    assert effectiveness(False, 0.4, 0.0, CRACKDOWN) == pytest.approx(0.8, **EXACT)
    assert effectiveness(True, 0.4, 0.0, CRACKDOWN) == pytest.approx(1.6, **EXACT)
    assert effectiveness(False, 1.0, 0.0, CRACKDOWN) == 0.5
    np.testing.assert_allclose(
        effectiveness(False, np.array([0.0, 0.2, 1.0]), 0.0, CRACKDOWN), [1.0, 0.9, 0.5], rtol=1e-12
    )
    tempo = 0.5
    assert effectiveness(False, 0.0, 1.0, updated(CRACKDOWN, accuracy_tempo=0.0)) == 1.0
    with_tempo = updated(CRACKDOWN, accuracy_tempo=tempo)
    assert effectiveness(False, 0.0, 1.0, with_tempo) == pytest.approx(1.0 - tempo, **EXACT)
    assert effectiveness(True, 0.4, 0.5, with_tempo) == pytest.approx(1.6 * 0.75, **EXACT)
    sealed = updated(CRACKDOWN, leak=0.0)
    assert effectiveness(False, 0.9, 0.0, sealed) == 1.0


def test_precision_values():
    """crackdown.precision: the floor at accuracy 0, 1 at full accuracy, linear between."""
    assert precision(0.0, CRACKDOWN) == 0.25
    assert precision(1.0, CRACKDOWN) == 1.0
    assert precision(0.5, CRACKDOWN) == pytest.approx(0.625, **EXACT)
    assert precision(0.5, updated(CRACKDOWN, accuracy_floor=1.0)) == 1.0


def test_removal_probability_values():
    """crackdown.removal_probability: removal_rate x force x precision x exposure, capped at 1."""
    assert removal_probability(0.5, 0.5, 0.5, CRACKDOWN) == pytest.approx(
        0.8 * 0.5 * 0.625 * 0.5, **EXACT
    )
    assert removal_probability(0.0, 1.0, 1.0, CRACKDOWN) == 0.0
    assert removal_probability(1.0, 0.0, 1.0, CRACKDOWN) == 0.0
    assert removal_probability(1.0, 1.0, 0.0, CRACKDOWN) == pytest.approx(0.8 * 0.25, **EXACT)
    assert removal_probability(2.0, 1.0, 1.0, CRACKDOWN) == 1.0  # 1.6, capped
    # per-replicate force against per-cell exposure
    p = removal_probability(np.array([[0.0], [0.5]]), np.array([[0.0, 0.5, 1.0]]), 1.0, CRACKDOWN)
    np.testing.assert_allclose(p, [[0.0, 0.0, 0.0], [0.0, 0.2, 0.4]], rtol=1e-12)


def test_leadership_loss_values():
    """crackdown.leadership_loss: leader_hit x force x accuracy x exposure; none when blind."""
    assert leadership_loss(0.5, 0.5, 0.5, CRACKDOWN) == pytest.approx(0.0625, **EXACT)
    assert leadership_loss(1.0, 1.0, 0.0, CRACKDOWN) == 0.0  # arrests need intelligence
    assert leadership_loss(4.0, 1.0, 1.0, CRACKDOWN) == 1.0  # 2, capped
    np.testing.assert_allclose(
        leadership_loss(np.array([[1.0]]), np.array([[0.0, 0.4]]), 0.5, CRACKDOWN),
        [[0.0, 0.1]],
        rtol=1e-12,
    )


@PROPERTY
@given(
    force=st.floats(0.0, 10.0),
    more=st.floats(0.0, 10.0),
    exposure=unit,
    accuracy=unit,
    rate=unit,
    floor=unit,
    hit=unit,
)
def test_crackdown_chances_bounded_and_rising_with_force(
    force, more, exposure, accuracy, rate, floor, hit
):
    """crackdown.removal_probability and leadership_loss: in [0, 1], rising with force."""
    rule = updated(CRACKDOWN, removal_rate=rate, accuracy_floor=floor, leader_hit=hit)
    for chance in (removal_probability, leadership_loss):
        p, q = (
            chance(force, exposure, accuracy, rule),
            chance(force + more, exposure, accuracy, rule),
        )
        assert 0.0 <= p <= q <= 1.0


# --- attacks ----------------------------------------------------------------------------


def test_attack_rate_values():
    """attacks.attack_rate: base x (size / reference)^exponent x capability; 0 for no fighters."""
    assert attack_rate(40, 1.5, ATTACKS) == pytest.approx(2.0 * 2.0 * 1.5, **EXACT)
    assert attack_rate(10, 1.0, ATTACKS) == pytest.approx(2.0, **EXACT)
    assert attack_rate(0, 2.0, ATTACKS) == 0.0
    flat = updated(ATTACKS, size_exponent=0.0)  # 0 ** 0 is 1: an empty cell must still be quiet
    np.testing.assert_array_equal(attack_rate(np.array([[0, 5, 300]]), 1.5, flat), [[0, 3, 3]])
    rates = attack_rate(np.array([0, 1, 10, 40, 1000]), 1.0, ATTACKS)
    assert np.all(np.diff(rates) > 0)  # tempo grows with size


def test_suppression_values():
    """attacks.suppression: 1 - exp(-lie_low x force x exposure); none without pressure."""
    assert suppression(0.0, 1.0, ATTACKS) == 0.0
    assert suppression(1.0, 0.0, ATTACKS) == 0.0
    assert suppression(0.5, 1.0, ATTACKS) == pytest.approx(1.0 - math.exp(-1.0), **EXACT)
    assert suppression(1.0, 1.0, updated(ATTACKS, lie_low=100.0)) == 1.0
    held = suppression(np.array([[0.25], [1.0]]), np.array([[0.5, 1.0]]), ATTACKS)
    np.testing.assert_allclose(held, 1.0 - np.exp(-2.0 * np.array([[0.125, 0.25], [0.5, 1.0]])))
    assert np.all(np.diff(held, axis=1) > 0) and np.all(np.diff(held, axis=0) > 0)


def test_target_odds_values():
    """attacks.target_odds: shares (less the shifted share) plus shifted abroad, x success."""
    shares = np.array([0.5, 0.3, 0.2, 0.0])
    odds = target_odds(shares, np.array([0.0, 0.5, 1.0]), ATTACKS)
    assert odds.shape == (3, 8)
    np.testing.assert_allclose(
        odds,
        [
            [0.3, 0.18, 0.12, 0.0, 0.2, 0.12, 0.08, 0.0],
            [0.15, 0.09, 0.06, 0.3, 0.1, 0.06, 0.04, 0.2],
            [0.0, 0.0, 0.0, 0.6, 0.0, 0.0, 0.0, 0.4],
        ],
        rtol=1e-12,
        atol=1e-15,
    )


@PROPERTY
@given(
    shares=st.lists(st.floats(0.0, 1e3), min_size=4, max_size=4).filter(lambda s: sum(s) > 0),
    shifted=st.lists(unit, min_size=1, max_size=3),
    success=unit,
)
def test_target_odds_are_a_distribution(shares, shifted, success):
    """attacks.target_odds: each row non-negative and summing to 1."""
    shares = np.array(shares) / sum(shares)
    odds = target_odds(shares, np.array(shifted), updated(ATTACKS, success=success))
    assert np.all(odds >= 0.0)
    np.testing.assert_allclose(odds.sum(axis=1), 1.0, rtol=1e-12)


def test_severities_values():
    """attacks.severities: the Pareto quantile, severity_min at u = 0, rising with u."""
    u = np.array([0.0, 0.75, 0.96])
    np.testing.assert_allclose(severities(u, ATTACKS), [1.5, 3.0, 7.5], rtol=1e-12)
    assert severities(np.array([]), ATTACKS).shape == (0,)
    far = severities(np.array([np.nextafter(1.0, 0.0)]), ATTACKS)
    assert np.isfinite(far).all() and far[0] > 1e7


def test_severities_have_the_pareto_tail():
    """attacks.severities: P(S > s) = (s / min)^-(exponent - 1) for uniform u (KS test)."""
    sizes = severities(np.random.default_rng(12345).random(20_000), ATTACKS)
    tail = ATTACKS.severity_exponent - 1.0
    assert stats.kstest(sizes, stats.pareto(b=tail, scale=ATTACKS.severity_min).cdf).pvalue > 0.01


def test_momentum_after_values():
    """attacks.momentum_after: decay x momentum + (1 - decay) x min(1, successes / saturation)."""
    assert momentum_after(0.5, 5.0, ATTACKS) == pytest.approx(0.5, **EXACT)
    assert momentum_after(0.5, 0.0, ATTACKS) == pytest.approx(0.4, **EXACT)
    assert momentum_after(0.5, 20.0, ATTACKS) == pytest.approx(0.6, **EXACT)  # saturated
    assert momentum_after(0.0, 0.0, ATTACKS) == 0.0
    np.testing.assert_allclose(
        momentum_after(np.array([0.0, 1.0]), np.array([10.0, 0.0]), ATTACKS), [0.2, 0.8]
    )


@PROPERTY
@given(momentum=unit, successes=st.floats(0.0, 1e5), decay=unit, saturation=st.floats(0.1, 1e3))
def test_momentum_after_in_unit_interval(momentum, successes, decay, saturation):
    """attacks.momentum_after: stays in [0, 1]."""
    rule = updated(ATTACKS, momentum_decay=decay, momentum_saturation=saturation)
    assert 0.0 <= momentum_after(momentum, successes, rule) <= 1.0


def test_capability_after_values():
    """attacks.capability_after: recovery toward the start plus learning, clipped."""
    assert capability_after(0.5, 10, 1.0, ATTACKS) == pytest.approx(0.65, **EXACT)
    assert capability_after(1.0, 0, 1.0, ATTACKS) == 1.0  # at the start, no attacks: stays
    assert capability_after(1.5, 0, 1.0, ATTACKS) == pytest.approx(1.45, **EXACT)  # heals down
    assert capability_after(1.95, 100, 1.0, ATTACKS) == 2.0  # max_capability
    assert capability_after(0.0, 0, 0.0, ATTACKS) == 0.2  # min_capability
    np.testing.assert_allclose(
        capability_after(np.array([0.5, 0.5]), np.array([0, 20]), 1.0, ATTACKS), [0.55, 0.75]
    )


# --- defection --------------------------------------------------------------------------


def test_abandonment_values():
    """defection.abandonment: crackdown (x (1 + joint)), concessions, purge, recognition."""
    assert abandonment(0.4, True, 0.2, 0.5, 0.5, DEFECTION) == pytest.approx(0.9, **EXACT)
    assert abandonment(0.4, False, 0.2, 0.5, 0.5, DEFECTION) == pytest.approx(0.7, **EXACT)
    assert abandonment(0.0, True, 0.0, 0.0, 0.0, DEFECTION) == 0.0
    assert abandonment(0.0, False, 0.0, 0.0, 1.0, DEFECTION) == pytest.approx(0.3, **EXACT)


@pytest.mark.parametrize("position", [0, 2, 3, 4])
def test_abandonment_rises_with_each_driver(position):
    """defection.abandonment: rises with crackdown, concessions, purge and recognition."""
    args = [0.2, False, 0.2, 0.2, 0.2, DEFECTION]
    more = list(args)
    more[position] = 0.9
    assert abandonment(*more) > abandonment(*args)


def p_defect(**changes):
    """Defection chance of one unit at the inputs of `test_defection_probability_value`."""
    args = dict(
        ideology=0.5,
        grievance=0.6,
        ties=0.2,
        pay=0.5,
        cohesion=0.3,
        abandon=0.4,
        momentum=0.5,
        fear=0.1,
        rule=DEFECTION,
    )
    return float(defection_probability(**(args | changes)))


def test_defection_probability_value():
    """defection.defection_probability: the logistic of the weighted drivers, by hand."""
    x = -1.0 + 4 * 0.5 * 0.4 + 3 * 0.5 * 0.6 + 2 * 0.2 + 1 * 0.5 - 1.5 * 0.5 - 2.5 * 0.3 - 0.5 * 0.1
    assert x == pytest.approx(0.05, **EXACT)
    assert p_defect() == pytest.approx(1.0 / (1.0 + math.exp(-0.05)), **EXACT)


@pytest.mark.parametrize(
    ("driver", "direction"),
    [
        ("abandon", +1),
        ("grievance", +1),
        ("ties", +1),
        ("momentum", +1),
        ("pay", -1),
        ("cohesion", -1),
        ("fear", -1),
    ],
)
def test_defection_probability_direction_of_each_driver(driver, direction):
    """defection.defection_probability: the sign of each driver's effect."""
    assert np.sign(p_defect(**{driver: 0.9}) - p_defect(**{driver: 0.1})) == direction


def test_defection_motives_depend_on_ideology():
    """defection.defection_probability: abandonment moves believers, grievance economic joiners."""

    def gain(ideology, driver):
        return p_defect(ideology=ideology, **{driver: 1.0}) - p_defect(
            ideology=ideology, **{driver: 0.0}
        )

    assert gain(0.9, "abandon") > gain(0.1, "abandon") > 0
    assert gain(0.1, "grievance") > gain(0.9, "grievance") > 0
    assert gain(0.0, "abandon") == 0.0 and gain(1.0, "grievance") == 0.0


def test_desertion_probability_value_and_directions():
    """defection.desertion_probability: economic joiners with grievance leave, pay holds them."""
    assert desertion_probability(0.2, 0.5, 0.4, DEFECTION) == pytest.approx(
        1.0 / (1.0 + math.e), **EXACT
    )
    assert desertion_probability(0.2, 0.9, 0.5, DEFECTION) > desertion_probability(
        0.2, 0.1, 0.5, DEFECTION
    )
    assert desertion_probability(0.2, 0.5, 1.0, DEFECTION) < desertion_probability(
        0.2, 0.5, 0.0, DEFECTION
    )
    assert desertion_probability(0.1, 0.8, 0.5, DEFECTION) > desertion_probability(
        0.9, 0.8, 0.5, DEFECTION
    )


@PROPERTY
@given(
    inputs=st.lists(unit, min_size=7, max_size=7),
    abandon=st.floats(0.0, 5.0),
    base=logit_base,
    w=st.lists(weight, min_size=len(DEFECTION_WEIGHTS), max_size=len(DEFECTION_WEIGHTS)),
)
def test_defection_and_desertion_chances_in_unit_interval(inputs, abandon, base, w):
    """defection.defection_probability and desertion_probability: in [0, 1]."""
    weights = dict(zip(DEFECTION_WEIGHTS, w, strict=True))
    rule = updated(DEFECTION, base=base, desertion_base=base, **weights)
    ideology, grievance, ties, pay, cohesion, momentum, fear = inputs
    p = defection_probability(
        ideology, grievance, ties, pay, cohesion, abandon, momentum, fear, rule
    )
    assert 0.0 <= p <= 1.0
    assert 0.0 <= desertion_probability(ideology, grievance, pay, rule) <= 1.0


# --- economy ----------------------------------------------------------------------------


def test_hardship_target_values():
    """economy.hardship_target: floor + frozen_hardship x frozen share - aid_relief x aid / 100."""
    assert hardship_target(1.0, 88.0, ECONOMY) == pytest.approx(0.2 + 0.4 - 0.44, **EXACT)
    assert hardship_target(0.0, 0.0, ECONOMY) == pytest.approx(0.2, **EXACT)
    assert hardship_target(0.5, 0.0, ECONOMY) == pytest.approx(0.4, **EXACT)
    assert hardship_target(1.0, 1000.0, ECONOMY) == 0.0  # clipped
    assert hardship_target(1.0, 0.0, updated(ECONOMY, hardship_floor=0.8, frozen_hardship=0.5)) == 1
    frozen = hardship_target(np.array([0.0, 0.5, 1.0]), 0.0, ECONOMY)
    aided = hardship_target(1.0, np.array([0.0, 20.0, 40.0]), ECONOMY)
    assert np.all(np.diff(frozen) > 0) and np.all(np.diff(aided) < 0)


def test_fiscal_revenue_values():
    """economy.fiscal_revenue: capacity cut by hardship and sanctions, raised by trade, x shock."""
    by_hand = 100.0 * (1 - 0.2 * 0.33) * (1 - 0.1 * 0.3)
    assert fiscal_revenue(0.33, 0.3, 0.0, 1.0, ECONOMY) == pytest.approx(by_hand, **EXACT)
    assert fiscal_revenue(0.33, 0.3, 1.0, 1.2, ECONOMY) == pytest.approx(by_hand * 1.5 * 1.2)
    assert fiscal_revenue(0.0, 0.0, 0.0, 1.0, ECONOMY) == 100.0
    assert fiscal_revenue(0.5, 0.5, 0.5, 0.0, ECONOMY) == 0.0
    hardship = fiscal_revenue(np.array([0.0, 0.5, 1.0]), 0.0, 0.0, 1.0, ECONOMY)
    pressure = fiscal_revenue(0.0, np.array([0.0, 0.5, 1.0]), 0.0, 1.0, ECONOMY)
    trade = fiscal_revenue(0.0, 0.0, np.array([0.0, 0.5, 1.0]), 1.0, ECONOMY)
    assert np.all(np.diff(hardship) < 0) and np.all(np.diff(pressure) < 0)
    assert np.all(np.diff(trade) > 0)


def test_aid_received_values():
    """economy.aid_received: each offer x (1 - conditionality x pressure), summed over states."""
    offers, conditions = np.array([60.0, 40.0]), np.array([0.5, 0.0])
    assert aid_received(offers, conditions, np.array([0.4, 0.2])) == pytest.approx(88.0, **EXACT)
    per_replicate = aid_received(offers, conditions, np.array([[0.0, 1.0], [1.0, 1.0]]))
    np.testing.assert_allclose(per_replicate, [100.0, 70.0])
    assert aid_received(offers, np.ones(2), np.ones(2)) == 0.0
    assert aid_received(np.zeros(0), np.zeros(0), np.zeros(0)) == 0.0


def test_policy_costs_values():
    """economy.policy_costs: intensity x (operations + accuracy x intelligence)."""
    assert policy_costs(0.5, 0.5, ECONOMY) == pytest.approx(2.0, **EXACT)
    assert policy_costs(1.0, 1.0, ECONOMY) == 6.0
    assert policy_costs(1.0, 0.0, ECONOMY) == 2.0
    assert policy_costs(0.0, 1.0, ECONOMY) == 0.0
    np.testing.assert_allclose(policy_costs(np.array([0.0, 0.25]), 1.0, ECONOMY), [0.0, 1.5])


def test_pay_ratio_values():
    """economy.pay_ratio: budget over the wage bill, at most 1; no fighters owe one wage at most."""
    wage = ECONOMY.wage_usd  # 0.1 USD million a fighter-month
    assert pay_ratio(15.0, 300, wage) == pytest.approx(0.5, **EXACT)
    assert pay_ratio(30.0, 300, wage) == 1.0
    assert pay_ratio(300.0, 300, wage) == 1.0
    assert pay_ratio(0.0, 300, wage) == 0.0
    assert pay_ratio(0.05, 0, wage) == pytest.approx(0.5, **EXACT)  # the bill of one fighter
    np.testing.assert_allclose(
        pay_ratio(np.array([[3.0, 30.0]]), np.array([[60, 600]]), wage), [[0.5, 0.5]]
    )


def test_arrears_after_values():
    """economy.arrears_after: a month owed, less the months the budget covers, never below 0."""
    wage = ECONOMY.wage_usd
    assert arrears_after(1.0, 15.0, 300, wage) == pytest.approx(1.5, **EXACT)
    assert arrears_after(1.0, 30.0, 300, wage) == pytest.approx(1.0, **EXACT)  # paid in full
    assert arrears_after(1.0, 60.0, 300, wage) == pytest.approx(0.0, abs=1e-15)  # paid back
    assert arrears_after(1.0, 90.0, 300, wage) == 0.0
    assert arrears_after(0.0, 0.0, 300, wage) == 1.0


@PROPERTY
@given(
    budget=st.floats(0.0, 1e4),
    fighters=st.integers(0, 10**6),
    wage=st.floats(1.0, 1e6),
    arrears=st.floats(0.0, 600.0),
)
def test_pay_ratio_in_unit_interval_and_arrears_non_negative(budget, fighters, wage, arrears):
    """economy.pay_ratio in [0, 1]; economy.arrears_after >= 0 and at most one month more."""
    assert 0.0 <= pay_ratio(budget, fighters, wage) <= 1.0
    assert 0.0 <= arrears_after(arrears, budget, fighters, wage) <= arrears + 1.0


def test_grievance_after_pay_values():
    """economy.grievance_after_pay: + rate x shortfall - relief x pay x grievance, in [0, 1]."""
    g = np.array([0.4, 0.4, 0.4, 0.0, 0.98])
    pay = np.array([0.5, 0.0, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(
        grievance_after_pay(g, pay, 0.1, 0.5), [0.35, 0.5, 0.2, 0.0, 1.0], rtol=1e-12
    )
    assert grievance_after_pay(np.array([]), np.array([]), 0.1, 0.5).shape == (0,)


@PROPERTY
@given(grievance=st.lists(unit, min_size=1, max_size=5), pay=unit, rate=unit, relief=unit)
def test_grievance_after_pay_in_unit_interval(grievance, pay, rate, relief):
    """economy.grievance_after_pay: stays in [0, 1]."""
    after = grievance_after_pay(np.array(grievance), np.full(len(grievance), pay), rate, relief)
    assert np.all((after >= 0.0) & (after <= 1.0))


# --- pressure ---------------------------------------------------------------------------


def test_compliance_values():
    """pressure.compliance: the weighted mean of the action on what a state cares about."""
    action = {"isisk": 0.8, "ttp": 0.2, "concessions": 0.0}
    assert compliance({"isisk": 1.0}, action) == 0.8
    assert compliance({"isisk": 1.0, "ttp": 1.0}, action) == pytest.approx(0.5, **EXACT)
    assert compliance({"isisk": 3.0, "ttp": 1.0}, action) == pytest.approx(0.65, **EXACT)
    assert compliance({}, action) == 1.0
    assert compliance({"isisk": 0.0}, action) == 1.0
    per_replicate = {"isisk": np.array([0.0, 0.5, 1.0]), "ttp": np.array([1.0, 0.5, 0.0])}
    np.testing.assert_allclose(
        compliance({"isisk": 3.0, "ttp": 1.0}, per_replicate), [0.25, 0.5, 0.75]
    )


def test_pressure_change_values():
    """pressure.pressure_change: responsiveness x shortfall + sensitivities x what it watches."""
    change = pressure_change(0.2, 10.0, 5.0, 0.5, STATE)
    assert change == pytest.approx(0.1 * 0.3 + 0.01 * 10 + 0.02 * 5 + 0.2 * 0.5, **EXACT)
    assert pressure_change(0.5, 0.0, 0.0, 0.0, STATE) == 0.0  # exactly what it demands
    assert pressure_change(1.0, 0.0, 0.0, 0.0, STATE) == pytest.approx(-0.05, **EXACT)


def test_pressure_after_values():
    """pressure.pressure_after: decay toward the baseline + scale x (push + shock), in [0, 1]."""
    assert pressure_after(0.5, 0.1, 0.02, STATE, 1.0) == pytest.approx(0.6, **EXACT)
    assert pressure_after(0.5, 0.1, 0.02, STATE, 0.5) == pytest.approx(0.54, **EXACT)
    assert pressure_after(0.3, 0.0, 0.0, STATE, 1.0) == pytest.approx(0.3, **EXACT)  # at rest
    assert pressure_after(0.5, 0.5, 0.5, STATE, 0.0) == pytest.approx(0.48, **EXACT)  # decay only
    assert pressure_after(0.99, 5.0, 0.0, STATE, 1.0) == 1.0
    assert pressure_after(0.01, -5.0, 0.0, STATE, 1.0) == 0.0
    np.testing.assert_allclose(
        pressure_after(np.array([0.0, 1.0]), np.array([0.0, 0.0]), 0.0, STATE, 1.0), [0.03, 0.93]
    )


@PROPERTY
@given(
    pressure=unit,
    change=st.floats(-100.0, 100.0),
    shock=st.floats(-1.0, 1.0),
    baseline=unit,
    decay=unit,
    scale=st.floats(0.0, 10.0),
)
def test_pressure_after_in_unit_interval(pressure, change, shock, baseline, decay, scale):
    """pressure.pressure_after: stays in [0, 1]."""
    spec = updated(STATE, baseline_pressure=baseline, pressure_decay=decay)
    assert 0.0 <= pressure_after(pressure, change, shock, spec, scale) <= 1.0


# --- purge ------------------------------------------------------------------------------


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


# --- recruitment ------------------------------------------------------------------------


def test_local_recruits_rate_values():
    """recruitment.local_recruits_rate: base x (1 + boosts x drivers) + anger_recruits x anger."""
    assert local_recruits_rate(0.5, 0.4, 0.5, 0.2, RECRUITMENT) == pytest.approx(
        10 * 1.5 * 1.2 * 2.0 + 50 * 0.2, **EXACT
    )
    assert local_recruits_rate(0.0, 0.0, 0.0, 0.0, RECRUITMENT) == 10.0
    assert local_recruits_rate(0.0, 0.0, 0.0, 1.0, RECRUITMENT) == 60.0
    for position in range(4):
        low, high = [0.2] * 4, [0.2] * 4
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


# --- fragmentation ----------------------------------------------------------------------


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
