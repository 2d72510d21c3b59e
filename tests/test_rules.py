"""Unit tests of the pure rule functions and the struct-of-arrays tables, on tiny inputs.

Rule parameters come from `scenarios/baseline.yaml`, changed with `model_copy` where a
test needs a particular value.
"""

import numpy as np
import pytest
from conftest import scenario
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.engine.state import Cells, Units, beta_draws, split_evenly
from sim.rules.attacks import attack_rate, momentum_after, severities
from sim.rules.crackdown import adaptive_intensity, effectiveness, removal_probability
from sim.rules.defection import abandonment, defection_probability, desertion_probability
from sim.rules.economy import grievance_after_pay, monthly_revenue, pay_ratio
from sim.rules.fragmentation import rivalry_gaps, strain
from sim.rules.maths import clamp, logistic
from sim.rules.pressure import compliance, pressure_after
from sim.rules.purge import switch_probability
from sim.rules.recruitment import local_recruits_rate

BASE = scenario("baseline")
DEFECTION = BASE.rules.defection
CRACKDOWN = BASE.rules.crackdown
PURGE = BASE.rules.purge
ATTACKS = BASE.rules.attacks
FRAGMENTATION = BASE.rules.fragmentation
US = BASE.international["us"]

unit = st.floats(0.0, 1.0, allow_nan=False)
weight = st.floats(0.0, 10.0, allow_nan=False)
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True)


def p_defect(**changes):
    """Defection chance of one unit; keyword arguments change the middling defaults."""
    args = dict(
        ideology=0.5,
        grievance=0.2,
        ties=0.2,
        pay=0.8,
        cohesion=0.7,
        abandon=0.3,
        momentum=0.5,
        fear=0.5,
        rule=DEFECTION,
    )
    args.update(changes)
    return float(defection_probability(**args))


# --- maths ------------------------------------------------------------------------------


def test_logistic_and_clamp():
    assert logistic(0.0) == 0.5
    assert logistic(50.0) == pytest.approx(1.0)
    assert logistic(-50.0) == pytest.approx(0.0)
    np.testing.assert_allclose(logistic(np.array([-1.0, 1.0])).sum(), 1.0)
    assert clamp(-0.2) == 0.0
    assert clamp(1.3) == 1.0
    assert clamp(0.4) == 0.4
    assert clamp(5.0, 0.0, 3.0) == 3.0


# --- mechanism 1: defection -------------------------------------------------------------


def test_defection_rises_with_ideology_times_abandonment():
    # the ideological trigger: abandonment matters, and more for true believers
    assert p_defect(abandon=0.8) > p_defect(abandon=0.2) > p_defect(abandon=0.0)
    gain_believer = p_defect(ideology=0.9, abandon=0.8) - p_defect(ideology=0.9, abandon=0.0)
    gain_economic = p_defect(ideology=0.1, abandon=0.8) - p_defect(ideology=0.1, abandon=0.0)
    assert gain_believer > gain_economic > 0


def test_defection_grievance_moves_economic_joiners_more():
    gain_economic = p_defect(ideology=0.1, grievance=1.0) - p_defect(ideology=0.1, grievance=0.0)
    gain_believer = p_defect(ideology=0.9, grievance=1.0) - p_defect(ideology=0.9, grievance=0.0)
    assert gain_economic > gain_believer > 0


@pytest.mark.parametrize(
    ("driver", "low", "high", "direction"),
    [
        ("pay", 0.0, 1.0, -1),
        ("cohesion", 0.2, 0.9, -1),
        ("fear", 0.0, 1.0, -1),
        ("ties", 0.0, 0.8, +1),
        ("momentum", 0.0, 1.0, +1),
    ],
)
def test_defection_direction_of_each_driver(driver, low, high, direction):
    change = p_defect(**{driver: high}) - p_defect(**{driver: low})
    assert np.sign(change) == direction


def test_defection_is_vectorised_over_units():
    ideology = np.array([0.1, 0.5, 0.9])
    p = defection_probability(
        ideology, np.zeros(3), np.zeros(3), np.ones(3), np.ones(3), 0.5, 0.5, 0.5, DEFECTION
    )
    assert p.shape == (3,)
    assert np.all(np.diff(p) > 0)


def test_abandonment_larger_when_joint():
    unilateral = abandonment(0.6, False, 0.1, 0.2, DEFECTION)
    joint = abandonment(0.6, True, 0.1, 0.2, DEFECTION)
    assert joint > unilateral
    expected_extra = DEFECTION.abandonment_crackdown * 0.6 * DEFECTION.abandonment_joint
    assert joint - unilateral == pytest.approx(expected_extra)
    # without a crackdown, joint operations add nothing
    assert abandonment(0.0, True, 0.1, 0.2, DEFECTION) == abandonment(
        0.0, False, 0.1, 0.2, DEFECTION
    )
    assert abandonment(0.0, False, 0.0, 0.0, DEFECTION) == 0.0


@pytest.mark.parametrize("position", [0, 2, 3])
def test_abandonment_rises_with_crackdown_concessions_purge(position):
    args = [0.2, False, 0.2, 0.2, DEFECTION]
    more = list(args)
    more[position] = 0.9
    assert abandonment(*more) > abandonment(*args)


def test_desertion_rises_with_grievance_falls_with_pay():
    assert desertion_probability(0.2, 0.9, 0.5, DEFECTION) > desertion_probability(
        0.2, 0.1, 0.5, DEFECTION
    )
    assert desertion_probability(0.2, 0.5, 1.0, DEFECTION) < desertion_probability(
        0.2, 0.5, 0.0, DEFECTION
    )
    # economic joiners (low ideology) go home more readily than believers
    assert desertion_probability(0.1, 0.8, 0.5, DEFECTION) > desertion_probability(
        0.9, 0.8, 0.5, DEFECTION
    )


@PROPERTY
@given(
    ideology=unit,
    grievance=unit,
    ties=unit,
    pay=unit,
    cohesion=unit,
    abandon=st.floats(0.0, 5.0),
    momentum=unit,
    fear=unit,
    base=st.floats(-20.0, 20.0),
    w=st.lists(weight, min_size=8, max_size=8),
)
def test_defection_and_desertion_probabilities_in_unit_interval(
    ideology, grievance, ties, pay, cohesion, abandon, momentum, fear, base, w
):
    names = [
        "w_abandonment",
        "w_grievance",
        "w_ties",
        "w_momentum",
        "w_pay",
        "w_cohesion",
        "w_fear",
        "w_desertion_grievance",
    ]
    rule = DEFECTION.model_copy(
        update={"base": base, "desertion_base": base, **dict(zip(names, w, strict=True))}
    )
    p = defection_probability(
        ideology, grievance, ties, pay, cohesion, abandon, momentum, fear, rule
    )
    q = desertion_probability(ideology, grievance, pay, rule)
    assert 0.0 <= p <= 1.0
    assert 0.0 <= q <= 1.0


# --- mechanism 2: crackdown -------------------------------------------------------------


def test_effectiveness_falls_with_security_ties():
    values = [effectiveness(False, ties, CRACKDOWN) for ties in (0.0, 0.3, 0.6, 1.0)]
    assert values[0] == 1.0
    assert all(np.diff(values) < 0)
    assert values[-1] == pytest.approx(1.0 - CRACKDOWN.leak)


def test_effectiveness_joint_bonus_and_no_leak():
    assert effectiveness(True, 0.3, CRACKDOWN) == pytest.approx(
        (1.0 + CRACKDOWN.joint_bonus) * effectiveness(False, 0.3, CRACKDOWN)
    )
    sealed = CRACKDOWN.model_copy(update={"leak": 0.0})
    assert effectiveness(False, 0.0, sealed) == effectiveness(False, 0.9, sealed) == 1.0


def test_removal_probability_capped_at_one():
    assert removal_probability(1.0, 50.0, 1.0, CRACKDOWN) == 1.0
    p = removal_probability(1.0, 50.0, np.array([0.0, 0.01, 0.5, 1.0]), CRACKDOWN)
    assert p[0] == 0.0
    assert np.all(p <= 1.0)
    assert p[-1] == 1.0


def test_removal_probability_proportional_to_intensity_and_exposure():
    assert removal_probability(0.0, 1.0, 0.5, CRACKDOWN) == 0.0
    base = removal_probability(0.4, 1.0, 0.3, CRACKDOWN)
    assert base == pytest.approx(CRACKDOWN.removal_rate * 0.4 * 0.3)
    assert removal_probability(0.8, 1.0, 0.3, CRACKDOWN) == pytest.approx(2 * base)
    assert removal_probability(0.4, 1.0, 0.6, CRACKDOWN) == pytest.approx(2 * base)


@PROPERTY
@given(intensity=unit, effect=st.floats(0.0, 100.0), exposure=unit, rate=unit)
def test_removal_probability_in_unit_interval(intensity, effect, exposure, rate):
    rule = CRACKDOWN.model_copy(update={"removal_rate": rate})
    assert 0.0 <= removal_probability(intensity, effect, exposure, rule) <= 1.0


def test_adaptive_intensity():
    assert adaptive_intensity(0.3, 0.5, 30.0, 30.0) == 0.3
    assert adaptive_intensity(0.3, 0.5, 60.0, 30.0) > 0.3
    assert adaptive_intensity(0.3, 0.5, 0.0, 30.0) < 0.3
    assert adaptive_intensity(0.9, 5.0, 500.0, 30.0) == 1.0
    assert adaptive_intensity(0.1, 5.0, 0.0, 30.0) == 0.0


# --- mechanism 3: international pressure ------------------------------------------------


def test_compliance_weighted_mean():
    action = {"isisk": 0.8, "ttp": 0.2, "concessions": 0.0}
    assert compliance({"isisk": 1.0}, action) == 0.8
    assert compliance({"isisk": 1.0, "ttp": 1.0}, action) == pytest.approx(0.5)
    assert compliance({"isisk": 3.0, "ttp": 1.0}, action) == pytest.approx(0.65)
    assert compliance({}, action) == 1.0


def test_pressure_after_moves_with_compliance_and_sectarian_attacks():
    p = 0.5
    assert pressure_after(p, US.demand, 0.0, US, 1.0) == pytest.approx(p)
    assert pressure_after(p, 0.0, 0.0, US, 1.0) > p  # falls short of the demand
    assert pressure_after(p, 1.0, 0.0, US, 1.0) < p  # more than demanded
    assert pressure_after(p, US.demand, 10.0, US, 1.0) > p  # sectarian attacks
    assert pressure_after(p, 0.0, 10.0, US, 0.0) == p  # scale 0: no change


def test_pressure_after_clipped():
    assert pressure_after(0.99, 0.0, 1000.0, US, 1.0) == 1.0
    assert pressure_after(0.01, 1.0, 0.0, US.model_copy(update={"responsiveness": 5.0}), 1.0) == 0.0


@PROPERTY
@given(
    pressure=unit,
    complied=unit,
    sectarian=st.floats(0.0, 1e4),
    demand=unit,
    responsiveness=weight,
    sensitivity=weight,
    scale=st.floats(0.0, 5.0),
)
def test_pressure_after_in_unit_interval(
    pressure, complied, sectarian, demand, responsiveness, sensitivity, scale
):
    spec = US.model_copy(
        update={
            "demand": demand,
            "responsiveness": responsiveness,
            "sectarian_sensitivity": sensitivity,
        }
    )
    assert 0.0 <= pressure_after(pressure, complied, sectarian, spec, scale) <= 1.0


# --- mechanism 4: economy and pay -------------------------------------------------------


def test_monthly_revenue():
    assert monthly_revenue(100.0, 0.4, 0.0, 0.0, 0.0) == 100.0
    assert monthly_revenue(100.0, 0.4, 1.0, 0.0, 0.0) == pytest.approx(60.0)
    assert monthly_revenue(100.0, 0.4, 0.5, 5.0, 20.0) == pytest.approx(80.0 + 25.0)


def test_pay_ratio():
    # 1000 fighters at $300 need $0.3M a month
    assert pay_ratio(0.3, 1000, 300.0) == pytest.approx(1.0)
    assert pay_ratio(3.0, 1000, 300.0) == 1.0
    assert pay_ratio(0.15, 1000, 300.0) == pytest.approx(0.5)
    assert pay_ratio(0.0, 1000, 300.0) == 0.0
    assert pay_ratio(1.0, 0, 300.0) == 1.0  # no fighters: nothing owed
    np.testing.assert_allclose(
        pay_ratio(np.array([0.15, 0.6]), np.array([1000, 1000]), 300.0), [0.5, 1.0]
    )


def test_grievance_rises_when_unpaid_falls_when_paid():
    g = np.array([0.0, 0.3, 0.9])
    unpaid = grievance_after_pay(g, np.zeros(3), 0.1, 0.2)
    paid = grievance_after_pay(g, np.ones(3), 0.1, 0.2)
    assert np.all(unpaid > g)
    assert np.all(paid[1:] < g[1:])
    assert paid[0] == 0.0
    np.testing.assert_allclose(unpaid, [0.1, 0.4, 1.0])


@PROPERTY
@given(grievance=st.lists(unit, min_size=1, max_size=5), pay=unit, rate=unit, relief=unit)
def test_grievance_after_pay_stays_in_unit_interval(grievance, pay, rate, relief):
    g = np.array(grievance)
    after = grievance_after_pay(g, np.full(len(g), pay), rate, relief)
    assert np.all((after >= 0.0) & (after <= 1.0))


@PROPERTY
@given(budget=st.floats(0.0, 1e4), fighters=st.integers(0, 10**6), wage=st.floats(1.0, 1e4))
def test_pay_ratio_in_unit_interval(budget, fighters, wage):
    assert 0.0 <= pay_ratio(budget, fighters, wage) <= 1.0


# --- mechanism 5: foreign-fighter purge -------------------------------------------------


def test_switch_probability_rises_with_purge_and_pull_falls_with_loyalty():
    assert switch_probability(0.9, 0.5, 0.5, PURGE) > switch_probability(0.1, 0.5, 0.5, PURGE)
    assert switch_probability(0.5, 0.9, 0.5, PURGE) > switch_probability(0.5, 0.1, 0.5, PURGE)
    assert switch_probability(0.5, 0.5, 0.9, PURGE) < switch_probability(0.5, 0.5, 0.1, PURGE)
    p = switch_probability(np.array([0.0, 0.5, 1.0]), 0.5, np.array([0.5, 0.5, 0.5]), PURGE)
    assert np.all(np.diff(p) > 0)


@PROPERTY
@given(
    purge=unit,
    pull=unit,
    loyalty=unit,
    base=st.floats(-20.0, 20.0),
    w=st.lists(weight, min_size=3, max_size=3),
)
def test_switch_probability_in_unit_interval(purge, pull, loyalty, base, w):
    rule = PURGE.model_copy(
        update={
            "switch_base": base,
            "w_switch_purge": w[0],
            "w_switch_pull": w[1],
            "w_switch_loyalty": w[2],
        }
    )
    assert 0.0 <= switch_probability(purge, pull, loyalty, rule) <= 1.0


# --- mechanism 6: attacks ---------------------------------------------------------------


def test_attack_rate_grows_with_size_and_capability():
    sizes = np.array([0.0, 25.0, 100.0, 400.0])
    rates = attack_rate(sizes, 1.0, ATTACKS)
    assert rates[0] == 0.0
    assert np.all(np.diff(rates) > 0)
    assert rates[2] == pytest.approx(ATTACKS.base_rate)  # at the reference size
    # sub-linear in size (exponent < 1): a cell 4x larger attacks less than 4x as often
    assert rates[3] < 4 * rates[2]
    assert attack_rate(100.0, 2.0, ATTACKS) == pytest.approx(2 * attack_rate(100.0, 1.0, ATTACKS))


def test_severities_at_least_minimum_and_heavy_tailed():
    rng = np.random.default_rng(12345)
    sizes = severities(rng.random(100_000), ATTACKS)
    assert sizes.shape == (100_000,)
    assert np.all(sizes >= ATTACKS.severity_min)
    # Pareto tail with P(S > s) = (s / min)^-(exponent - 1)
    tail = ATTACKS.severity_exponent - 1.0
    for factor in (3.0, 10.0, 30.0):
        expected = factor**-tail
        observed = np.mean(sizes > factor * ATTACKS.severity_min)
        assert observed == pytest.approx(expected, rel=0.15)
    # heavy-tailed: the largest event dwarfs the typical one
    assert sizes.max() > 100 * np.median(sizes)
    ks = stats.kstest(sizes, stats.pareto(b=tail, scale=ATTACKS.severity_min).cdf)
    assert ks.pvalue > 0.01
    assert severities(rng.random(0), ATTACKS).shape == (0,)


def test_momentum_after():
    assert momentum_after(0.5, 0.0, ATTACKS) == pytest.approx(ATTACKS.momentum_decay * 0.5)
    assert momentum_after(0.5, 1000.0, ATTACKS) == pytest.approx(
        ATTACKS.momentum_decay * 0.5 + 1 - ATTACKS.momentum_decay
    )
    assert momentum_after(0.5, 20.0, ATTACKS) > momentum_after(0.5, 5.0, ATTACKS)


@PROPERTY
@given(momentum=unit, successes=st.floats(0.0, 1e5), decay=unit, saturation=st.floats(0.1, 1e3))
def test_momentum_after_in_unit_interval(momentum, successes, decay, saturation):
    rule = ATTACKS.model_copy(update={"momentum_decay": decay, "momentum_saturation": saturation})
    assert 0.0 <= momentum_after(momentum, successes, rule) <= 1.0


# --- mechanism 7: recruitment -----------------------------------------------------------


def test_local_recruits_rate_rises_with_momentum_and_anger():
    assert local_recruits_rate(40.0, 0.0, 1.0, 0.0, 60.0) == 40.0
    assert local_recruits_rate(40.0, 1.0, 1.0, 0.0, 60.0) == 80.0
    assert local_recruits_rate(40.0, 0.0, 1.0, 0.5, 60.0) == 70.0


# --- mechanism 8: fragmentation ---------------------------------------------------------


def test_rivalry_gaps():
    shares = np.array([0.4, 0.1, 0.5, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, []), 0.0)
    # the weaker side of a pair is strained by the gap; the stronger side not at all
    np.testing.assert_allclose(rivalry_gaps(shares, [(0, 1)]), [0.0, 0.3, 0.0, 0.0])
    np.testing.assert_allclose(rivalry_gaps(shares, [(1, 0)]), [0.0, 0.3, 0.0, 0.0])
    # gaps add up over rivalries
    np.testing.assert_allclose(rivalry_gaps(shares, [(0, 1), (2, 1), (0, 2)]), [0.1, 0.7, 0.0, 0.0])


def s(**changes):
    """Strain on one faction; keyword arguments change the defaults (no strain at all)."""
    args = dict(
        ideology=0.5,
        crackdown=0.0,
        joint=False,
        concessions=0.0,
        rivalry_gap=0.0,
        defection_share=0.0,
        pay=1.0,
        rule=FRAGMENTATION,
    )
    args.update(changes)
    return float(strain(**args))


def test_strain_zero_without_drivers_and_positive_with_each():
    assert s() == 0.0
    for driver in (
        dict(crackdown=0.5),
        dict(concessions=0.5),
        dict(rivalry_gap=0.2),
        dict(defection_share=0.05),
        dict(pay=0.5),
    ):
        assert s(**driver) > 0.0, driver


def test_strain_joint_crackdown_and_ideology():
    assert s(crackdown=0.6, joint=True) == pytest.approx(
        (1 + FRAGMENTATION.joint_strain) * s(crackdown=0.6)
    )
    assert s(crackdown=0.0, joint=True) == 0.0
    # a crackdown strains believers more
    assert s(crackdown=0.6, ideology=0.9) > s(crackdown=0.6, ideology=0.2)
    vector = strain(
        np.array([0.2, 0.9]), 0.6, False, 0.0, np.zeros(2), np.zeros(2), np.ones(2), FRAGMENTATION
    )
    assert vector[1] > vector[0]


# --- the rules on arrays with a replicate axis ------------------------------------------


def test_rules_broadcast_over_replicates():
    """The pure rules work elementwise on (replicates,) and (replicates, entries) arrays."""
    attacks = np.array([0.0, 30.0, 60.0, 500.0])
    np.testing.assert_allclose(adaptive_intensity(0.3, 0.5, attacks, 30.0), [0.0, 0.3, 0.8, 1.0])
    momentum = np.array([0.0, 0.5, 1.0])
    successes = np.array([0.0, 15.0, 1000.0])
    np.testing.assert_allclose(
        momentum_after(momentum, successes, ATTACKS),
        [momentum_after(m, x, ATTACKS) for m, x in zip(momentum, successes, strict=True)],
    )
    pressure = np.array([0.1, 0.5, 0.99])
    complied = np.array([1.0, US.demand, 0.0])
    after = pressure_after(pressure, complied, np.array([0.0, 0.0, 1000.0]), US, 1.0)
    assert after[0] < 0.1 and after[1] == pytest.approx(0.5) and after[2] == 1.0
    # compliance of a state, per replicate, from per-replicate actions
    action = {"isisk": np.array([0.0, 0.5, 1.0]), "ttp": np.array([1.0, 0.5, 0.0])}
    np.testing.assert_allclose(compliance({"isisk": 3.0, "ttp": 1.0}, action), [0.25, 0.5, 0.75])
    # removal: per-replicate intensity and effect against per-cell exposure
    p = removal_probability(
        np.array([[0.0], [0.5], [1.0]]),
        np.array([[1.0], [1.0], [50.0]]),
        np.full((3, 4), 0.5),
        CRACKDOWN,
    )
    assert p.shape == (3, 4)
    np.testing.assert_array_equal(p[0], 0.0)
    np.testing.assert_allclose(p[1], CRACKDOWN.removal_rate * 0.25)
    np.testing.assert_array_equal(p[2], 1.0)
    # switch chances of (replicates, groups) purges against per-group loyalty
    purge = np.array([[0.0, 0.5, 1.0], [1.0, 1.0, 1.0]])
    chances = switch_probability(purge, np.array([[0.2], [0.9]]), np.array([0.5, 0.5, 0.9]), PURGE)
    assert chances.shape == (2, 3)
    assert chances[0, 0] < chances[0, 1] < chances[0, 2]
    assert chances[1, 2] < chances[1, 1]  # more loyal
    assert chances[1, 1] > chances[0, 1]  # more pull, more purge


def test_rivalry_gaps_on_the_last_axis():
    shares = np.array([[0.4, 0.1, 0.5, 0.0], [0.1, 0.4, 0.5, 0.0]])
    gaps = rivalry_gaps(shares, [(0, 1)])
    np.testing.assert_allclose(gaps, [[0.0, 0.3, 0.0, 0.0], [0.3, 0.0, 0.0, 0.0]])
    for r in range(2):
        np.testing.assert_allclose(
            rivalry_gaps(shares[r], [(0, 1), (2, 1)]), rivalry_gaps(shares, [(0, 1), (2, 1)])[r]
        )


def test_empty_cells_have_no_attack_rate():
    """A cell of 0 fighters never attacks, even if the size exponent is 0 (0 ** 0 is 1)."""
    flat = ATTACKS.model_copy(update={"size_exponent": 0.0})
    rates = attack_rate(np.array([[0, 5, 300], [0, 0, 1]]), 1.5, flat)
    np.testing.assert_array_equal(rates, [[0.0, 1.5, 1.5], [0.0, 0.0, 1.5]])
    assert attack_rate(0, 2.0, ATTACKS) == 0.0


def test_severities_are_finite_at_the_extreme_draws():
    sizes = severities(np.resize([0.0, np.nextafter(1.0, 0.0)], 4), ATTACKS)
    assert np.all(np.isfinite(sizes))
    assert sizes[0] == ATTACKS.severity_min  # u = 0 is the smallest severity, not infinity
    assert sizes[1] > 1e5 * ATTACKS.severity_min  # u -> 1 is the far tail


# --- state tables -----------------------------------------------------------------------


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
    units.keep(np.array([[False] * 3, [True] * 3]))
    np.testing.assert_array_equal(units.n, [0, 3])
    np.testing.assert_array_equal(units.fighters, [[0, 0, 0], [2, 3, 11]])
    units.keep(np.zeros((2, 3), bool))
    np.testing.assert_array_equal(units.n, [0, 0])
    assert units.fighters.shape == (2, 0)


def test_table_keep_ignores_the_mask_beyond_live_entries():
    cells = Cells(rows=2, capacity=4)
    cells.append(0, fighters=np.array([3, 4, 5]), capability=np.ones(3), exposure=np.zeros(3))
    cells.append(1, fighters=np.array([6]), capability=np.ones(1), exposure=np.zeros(1))
    cells.keep(np.ones((2, 3), bool))  # True on row 1's padding: nothing comes alive
    np.testing.assert_array_equal(cells.n, [3, 1])
    np.testing.assert_array_equal(cells.fighters[1], [6, 0, 0])


def test_table_views_write_through():
    cells = Cells(rows=2, capacity=4)
    cells.append(1, fighters=np.array([10, 20]), capability=np.ones(2), exposure=np.full(2, 0.3))
    cells.fighters[1, :2] -= np.array([1, 2])
    cells.exposure[1, 0] = 0.9
    np.testing.assert_array_equal(cells.fighters, [[0, 0], [9, 18]])
    np.testing.assert_allclose(cells.exposure[1], [0.9, 0.3])
    for _ in range(8):  # growing keeps what was written
        cells.append(1, fighters=np.array([1]), capability=np.ones(1), exposure=np.zeros(1))
    np.testing.assert_array_equal(cells.fighters[1], [9, 18, 1, 1, 1, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(cells.exposure[1, :2], [0.9, 0.3])
    assert not cells.fighters[0].any()
    with pytest.raises(AttributeError):
        _ = cells.no_such_column


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
