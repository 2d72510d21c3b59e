"""ISIS-K attacks (`sim.rules.attacks`): tempo, targets, severity, momentum, capability.

Pure functions against hand-computed values and properties; `attack` on the tiny world
(`tests/tiny.py`); exact runs of the baseline (empty cells, its own parameters inert
while it is off); and its claims over replicates (`tests/mechanism.py`).
"""

import math

import numpy as np
import pytest
from conftest import batch, greater, less, scenario, world
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    EXACT,
    NOT_SECTARIAN,
    PROPERTY,
    SECTARIAN,
    check_claim,
    check_own_parameters,
    claim,
    switch_claims,
    unit,
    updated,
)
from scipy import stats
from tiny import TINY, apply, begin_month, flow, set_cells, set_units, tiny_world

from sim import rules
from sim.engine.record import COL
from sim.inputs.ranges import range_of
from sim.inputs.schema import TARGETS
from sim.rules import attack
from sim.rules.attacks import (
    attack_rate,
    capability_after,
    momentum_after,
    returns_to_scale,
    severities,
    skill_after,
    suppression,
    target_odds,
)
from sim.rules.recruitment import found_cells

# --- pure functions ---------------------------------------------------------------------

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
        reference_cadre=100.0,
    )
)


def test_attack_rate_values():
    """attacks.attack_rate: base x fighters / reference x capability x multiplier; 0 for none."""
    assert attack_rate(40, 1.5, 1.0, ATTACKS) == pytest.approx(2.0 * 4.0 * 1.5, **EXACT)
    assert attack_rate(10, 1.0, 0.5, ATTACKS) == pytest.approx(1.0, **EXACT)
    assert attack_rate(0, 2.0, 1.0, ATTACKS) == 0.0
    rates = attack_rate(np.array([0, 1, 10, 40, 1000]), 1.0, 1.0, ATTACKS)
    assert np.all(np.diff(rates) > 0)  # tempo grows with size


@PROPERTY
@given(fighters=st.integers(0, 10_000), part=unit, capability=st.floats(0.0, 5.0))
def test_splitting_a_cell_creates_no_tempo(fighters, part, capability):
    """attacks.attack_rate: two halves of a cell (same capability) have the whole's tempo."""
    half = int(part * fighters)
    halves = attack_rate(np.array([half, fighters - half]), capability, 1.3, ATTACKS)
    whole = attack_rate(fighters, capability, 1.3, ATTACKS)
    assert halves.sum() == pytest.approx(whole, rel=1e-12, abs=1e-12)


def test_returns_to_scale_values():
    """attacks.returns_to_scale: (cadre / reference_cadre)^(exponent - 1); 1 at the reference."""
    assert returns_to_scale(100, ATTACKS) == pytest.approx(1.0, **EXACT)
    assert returns_to_scale(400, ATTACKS) == pytest.approx(0.5, **EXACT)  # exponent 0.5
    assert returns_to_scale(0, ATTACKS) == pytest.approx(10.0, **EXACT)  # at least one fighter
    # the whole organisation's tempo, cadre x returns, still grows with the cadre
    cadre = np.array([10.0, 100.0, 1000.0])
    assert np.all(np.diff(cadre * returns_to_scale(cadre, ATTACKS)) > 0)


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
    """attacks.capability_after: recovery toward skill (faster rebuilding), learning; clipped."""
    assert capability_after(0.5, 1.0, 10, 0.0, ATTACKS) == pytest.approx(0.65, **EXACT)
    assert capability_after(0.5, 1.0, 0, 0.2, ATTACKS) == pytest.approx(0.65, **EXACT)  # rebuild
    assert capability_after(1.0, 1.0, 0, 0.0, ATTACKS) == 1.0  # at its skill, no attacks: stays
    assert capability_after(0.5, 0.6, 0, 0.0, ATTACKS) == pytest.approx(0.51, **EXACT)  # less skill
    assert capability_after(1.95, 2.0, 100, 0.0, ATTACKS) == 2.0  # max_capability
    assert capability_after(0.0, 0.0, 0, 0.0, ATTACKS) == 0.2  # min_capability
    np.testing.assert_allclose(
        capability_after(np.array([0.5, 0.5]), 1.0, np.array([0, 20]), 0.0, ATTACKS), [0.55, 0.75]
    )


def test_skill_after_values():
    """attacks.skill_after: skill grows by learning per attack, clipped."""
    assert skill_after(0.5, 10, ATTACKS) == pytest.approx(0.6, **EXACT)
    assert skill_after(1.99, 100, ATTACKS) == 2.0


# --- the tiny world ---------------------------------------------------------------------


def test_attack_without_attacks_heals_and_decays():
    """attacks.attack: no attacks; capability heals toward skill, exposure, momentum decay.

    Credibility recovers toward 1; nothing else moves.
    """
    world = tiny_world(
        **{
            "rules.attacks.capability_recovery": 0.5,
            "rules.attacks.exposure_decay": 0.5,
            "rules.attacks.momentum_decay": 0.5,
            "rules.attacks.credibility_recovery": 0.5,
        }
    )
    set_cells(world, [10, 20], capability=[0.4, 1.6], exposure=[0.8, 0.2], skill=1.0)
    set_units(world, [100], ["amir"])
    begin_month(world)
    world.momentum[:], world.credibility[:] = 0.6, 0.6
    apply(world, attack)
    np.testing.assert_allclose(world.cells.capability, [[0.7, 1.3]], rtol=1e-12)
    np.testing.assert_allclose(world.cells.exposure, [[0.4, 0.1]], rtol=1e-12)
    assert world.momentum[0] == pytest.approx(0.3, rel=1e-12)
    assert world.credibility[0] == pytest.approx(0.8, rel=1e-12)
    assert not world.signals.attacks.any() and not world.signals.casualties.any()


HOT = {  # a cell of 10 fighters expects 10 attacks a month, all successful
    "rules.attacks.base_rate": 10.0,
    "rules.attacks.reference_size": 10.0,
    "rules.attacks.size_exponent": 0.5,
    "rules.attacks.success": 1.0,
}


@pytest.mark.parametrize(("effort", "abroad"), [([0.0, 1.0, 0.0], True), ([1.0, 0.0, 0.0], False)])
def test_attack_fully_suppressed_stops_at_home_only(effort, abroad):
    """attacks.attack: cells pressed to the full lie low at home; external operations go on.

    All effort abroad gives attacks abroad only; all at home, none at all.
    """
    world = tiny_world(2, **HOT | {"rules.attacks.lie_low": 100.0})
    set_cells(world, [10, 10], exposure=1.0)
    begin_month(world)
    world.effort[:] = effort
    world.signals.crackdown_force[:] = 1.0
    apply(world, attack)
    assert (world.signals.attacks_at_home == 0).all()
    assert (world.signals.attacks_abroad > 0).all() == abroad


def test_attack_effort_spent_consolidating_rebuilds_instead():
    """attacks.attack: a leadership that only consolidates attacks nowhere; cells rebuild.

    Capability closes rebuild x 1 = 0.1 of the gap to skill: 0.5 + 0.1 x 1.0; the safe
    areas close as much of their gap to 1: 0.2 + 0.1 x 0.8.
    """
    world = tiny_world(**HOT | {"rules.strategy.rebuild": 0.1})
    set_cells(world, [10, 20], capability=0.5, skill=1.5)
    world.safe_areas[:] = 0.2
    begin_month(world)
    world.effort[:] = [0.0, 0.0, 1.0]
    apply(world, attack)
    assert not world.signals.attacks.any()
    np.testing.assert_allclose(world.cells.capability, [[0.6, 0.6]], rtol=1e-12)
    np.testing.assert_allclose(world.safe_areas, [0.28], rtol=1e-12)


def test_attack_split_cells_keep_the_expected_tempo():
    """attacks.attack: one cell of 40 or four of 10 (same capability): the same mean attacks.

    Poisson counts: the totals of 400 replicates differ by less than 4 standard errors.
    """
    n = 400
    whole, split = (tiny_world(n, **HOT | {"rules.attacks.size_exponent": 0.5}) for _ in "ab")
    set_cells(whole, [40])
    set_cells(split, [10, 10, 10, 10])
    for each in (whole, split):
        begin_month(each)
        apply(each, attack)
    a, b = (w.signals.attacks.sum(axis=1) for w in (whole, split))
    assert abs(a.mean() - b.mean()) < 4.0 * math.sqrt((a.var() + b.var()) / n)
    assert a.mean() > 10  # a real tempo: 10 x 40 / 10 x (40 / 60)^-0.5 x money


def test_found_cells_start_degraded_with_full_skill():
    """recruitment.found_cells: new cells at founding_capability x the start, skill the start."""
    world = tiny_world(2, **{"rules.attacks.founding_capability": 0.4, "isisk.capability": 1.5})
    set_cells(world, [10], capability=1.5)
    found_cells(world, np.array([2, 1]), np.array([5, 6, 7]))
    np.testing.assert_allclose(world.cells.capability, [[1.5, 0.6, 0.6], [1.5, 0.6, 0.0]])
    np.testing.assert_allclose(world.cells.skill, [[1.5, 1.5, 1.5], [1.5, 1.5, 0.0]])


def test_attack_on_the_taliban_kills_and_moves_momentum():
    """attacks.attack: successful attacks on the Taliban kill (all, at a huge kill rate).

    Momentum follows the successes; only sectarian attacks cost credibility.
    """
    world = tiny_world(
        2,
        **HOT
        | {
            "rules.attacks.taliban_killed_per_attack": 1e4,
            "rules.attacks.momentum_decay": 0.5,
            "rules.attacks.momentum_saturation": 100.0,
            "rules.attacks.credibility_loss": 0.1,
        },
    )
    set_cells(world, [10, 20])
    set_units(world, [100, 50, 30], ["amir", "haqqani", "doha"])
    begin_month(world)
    apply(world, attack)
    on_taliban = world.signals.attacks[:, TARGETS.index("taliban")]
    assert (on_taliban > 0).all()
    assert (world.signals.attacks.sum(axis=1) == on_taliban).all()
    np.testing.assert_array_equal(world.units.fighters, 0)
    np.testing.assert_array_equal(flow(world, "factions", "losses"), [[100, 50, 30]] * 2)
    np.testing.assert_allclose(world.momentum, 0.25 + 0.5 * np.minimum(1, on_taliban / 100))
    np.testing.assert_array_equal(world.credibility, 1.0)
    assert (world.signals.casualties >= TINY.rules.attacks.severity_min * on_taliban).all()


def test_attack_sectarian_costs_credibility_and_one_cell_learns():
    """attacks.attack: each successful sectarian attack costs credibility_loss.

    A lone cell gains learning per attack and exposure_per_attack per attack.
    """
    world = tiny_world(
        2,
        **HOT
        | {
            "rules.attacks.target_shares": {"sectarian": 1.0},
            "rules.attacks.credibility_loss": 0.01,
            "rules.attacks.learning": 0.01,
            "rules.attacks.exposure_per_attack": 0.01,
        },
    )
    set_cells(world, [20], capability=1.0, exposure=0.1)
    begin_month(world)
    apply(world, attack)
    sectarian = world.signals.sectarian_attacks
    assert (sectarian > 0).all() and (sectarian == world.signals.attacks.sum(axis=1)).all()
    np.testing.assert_allclose(world.credibility, 1.0 - 0.01 * sectarian, rtol=1e-12)
    np.testing.assert_allclose(world.cells.capability[:, 0], 1.0 + 0.01 * sectarian)
    np.testing.assert_allclose(world.cells.exposure[:, 0], 0.1 + 0.01 * sectarian)


def test_attack_failures_count_but_bring_nothing():
    """attacks.attack: with success 0, attacks are counted but kill, hurt and pull no one."""
    world = tiny_world(
        **HOT
        | {
            "rules.attacks.success": 0.0,
            "rules.attacks.taliban_killed_per_attack": 1e4,
            "rules.attacks.momentum_decay": 0.5,
        },
    )
    set_cells(world, [10, 20])
    set_units(world, [100], ["amir"])
    begin_month(world)
    apply(world, attack)
    assert world.signals.attacks.sum() > 0
    assert world.signals.casualties[0] == 0.0 and world.units.fighters[0, 0] == 100
    assert world.momentum[0] == pytest.approx(0.25, rel=1e-12)


def test_attack_empty_cells_never_attack():
    """attacks.attack: cells of 0 fighters have no tempo, whatever the base rate."""
    world = tiny_world(**HOT | {"rules.attacks.size_exponent": 0.0})
    set_cells(world, [0, 0])
    begin_month(world)
    apply(world, attack)
    assert not world.signals.attacks.any()


# --- runs of the baseline ---------------------------------------------------------------


def test_empty_cells_do_not_attack():
    """Even with a size exponent of 0 (tempo independent of size) a cell of 0 fighters is idle."""
    w = world("baseline", range(3), rules__attacks__size_exponent=0.0)
    cells = w.cells
    cells.fighters[:, ::2] = 0  # every other cell emptied in place (still a live entry)
    w.signals.start_month()
    rules.attack(w, 1.0)
    assert np.all(w.signals.attacks.sum(axis=1) > 0)
    # an attack would have raised the cell's capability by `learning`
    empty = (np.arange(cells.width) % 2 == 0) & cells.live
    np.testing.assert_array_equal(cells.capability[empty], scenario("baseline").isisk.capability)
    assert np.mean(cells.capability[~empty & cells.live] > 1.0) > 0.5  # Poisson(1) attacks
    cells.fighters[:] = 0
    w.signals.start_month()
    rules.attack(w, 1.0)
    np.testing.assert_array_equal(w.signals.attacks, 0.0)


# Parameters read only by the attacks, pushed far from the baseline.
OWN_PARAMETERS = {
    "rules__attacks__base_rate": 5.0,
    "rules__attacks__success": 1.0,
    "rules__attacks__target_shares": {"sectarian": 1.0, "taliban": 0.0, "foreign": 0.0},
    "rules__attacks__credibility_loss": 0.1,
    "rules__attacks__learning": 0.5,
    "rules__attacks__lie_low": 50.0,
    "rules__strategy__abroad_bias": 2.0,
    "rules__strategy__consolidate_bias": 1.0,
    "rules__strategy__rebuild": 0.5,
    "rules__attacks__taliban_killed_per_attack": 10.0,
    "rules__attacks__severity_min": 5.0,
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("attacks", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

CLAIMS = [
    claim("crackdown lowers attacks in Afghanistan", "attacks_total", less,
          {}, scenario="crackdown", versus="no_crackdown"),
    claim("suppression holds attacks back", "attacks_total", less,
          {}, {"rules__attacks__lie_low": 0.0}, scenario="crackdown"),
    claim("cells of defectors start with less capability", "capability_mean", less,
          {"rules__attacks__founding_capability": 0.3},
          {"rules__attacks__founding_capability": 1.0}),
    claim("more attacks raise momentum", "momentum_mean", greater,
          {"mechanisms__attacks__scale": 2.0}),
    claim("more attacks raise recruitment", "isisk_recruits", greater,
          {"mechanisms__attacks__scale": 2.0}),
    claim("successful attacks raise momentum", "momentum_mean", greater,
          {"rules__attacks__success": 0.9}, {"rules__attacks__success": 0.3}),
    claim("tempo grows with ISIS-K size (money to pay and arm it)", "attacks_total", greater,
          {"isisk__fighters": 4400, "isisk__own_funds_musd": 3.8}),
    claim("sectarian attacks erode credibility", "credibility_final", less,
          SECTARIAN, NOT_SECTARIAN),
    claim("attacks on Taliban kill fighters", "taliban_losses", greater,
          {"rules__attacks__taliban_killed_per_attack": 10.0}),
    *switch_claims("attacks", "baseline", "attacks_total", +1, +1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)


# --- reachability: what the structure allows within the plausible ranges ----------------

FALL = {  # a sustained, accurate joint campaign whose intelligence builds up
    "policy.crackdown": 0.47,
    "policy.accuracy": 0.91,
    "rules.crackdown.removal_rate": 0.3,
    "rules.crackdown.intelligence_gain": 0.1,
    "rules.crackdown.leads_per_removal": 0.63,
    "rules.crackdown.leader_hit": 0.46,
    "rules.crackdown.accuracy_tempo": 0.39,
    "rules.crackdown.leak": 0.6,
    "rules.attacks.lie_low": 5.8,
    "rules.strategy.pressure_weight": 4.1,
    "rules.strategy.consolidate_bias": -1.3,
    "rules.strategy.losses_weight": 2.5,
    "rules.attacks.exposure_per_attack": 0.01,
    "rules.attacks.exposure_decay": 0.05,
    "isisk.exposure": 0.17,
    "isisk.released_prisoners": 2000,
    "rules.recruitment.isisk_local_per_month": 60.0,
    "policy.amnesty": 0.0,  # no amnesty, few surrenders: the fall is not ISIS-K melting away
    "rules.defection.surrender_base": -7.0,
}
RISE = {  # little pressure, money from the network, recruits
    "policy.crackdown": 0.03,
    "isisk.network_funds_musd": 0.8,
    "isisk.own_funds_musd": 3.0,  # the money to arm the recruits as well as pay them
    "rules.recruitment.isisk_local_per_month": 49.0,
    "rules.attacks.learning": 0.003,
    "rules.strategy.funds_elasticity": 0.28,
    "rules.attacks.size_exponent": 0.72,
    "rules.attacks.exposure_per_attack": 0.05,
    "rules.attacks.lie_low": 3.3,
}


def two_years(point: dict, **levers) -> tuple[float, float, float]:
    """Mean attacks in Afghanistan in months 1-6 and 19-24, and strength at 24 over month 0.

    Means over 20 replicates of the baseline at `point`; every key within its range.
    """
    for key, value in point.items():
        known = range_of(key)
        assert known is not None and known.low <= value <= known.high, key
    overrides = {k.replace(".", "__"): v for k, v in point.items()}
    rec = batch("baseline", range(20), steps=24, **overrides, **levers)
    attacks = rec.values[:, :, rec.isisk, COL["attacks"]]
    fighters = rec.values[:, :, rec.isisk, COL["fighters"]]
    return (
        attacks[:, 1:7].mean(),
        attacks[:, 19:25].mean(),
        (fighters[:, 24] / fighters[:, 0]).mean(),
    )


def test_reachable_fall_of_attacks_with_isisk_intact():
    """Some plausible point cuts attacks in Afghanistan 5-fold in two years, ISIS-K >= 80% strong.

    Found by a small random search over the ranges (sim.inputs.ranges) and pinned here:
    the structure must not make it unreachable (a floor no policy breaches).
    """
    early, late, strength = two_years(FALL, policy__joint_with_us=True)
    assert early > 10.0  # a real tempo to fall from
    assert late * 5.0 <= early, (early, late)
    assert strength > 0.8, strength


def test_reachable_rise_of_attacks():
    """Some plausible point raises attacks in Afghanistan over two years (months 1-6 to 19-24)."""
    early, late, _ = two_years(RISE)
    assert late > 1.2 * early, (early, late)
