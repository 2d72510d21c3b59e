"""Economy and pay (`sim.rules.economy`): revenue, aid, hardship, pay, arrears, grievance.

Pure functions against hand-computed values and properties; `pay_units` and
`pay_in_full` on the tiny world (`tests/tiny.py`); exact runs of the baseline (the
fighter-weighted pay ratio, its own parameters inert while it is off); and its claims
over replicates (`tests/mechanism.py`).
"""

import numpy as np
import pytest
from conftest import greater, less, world
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    BREAK_EVERYONE,
    EXACT,
    PROPERTY,
    check_claim,
    check_own_parameters,
    claim,
    switch_claims,
    unit,
    updated,
)
from tiny import TINY, WEST, apply, begin_month, set_units, tiny_world

from sim import rules
from sim.inputs.schema import MECHANISMS
from sim.rules import pay_units
from sim.rules.economy import (
    aid_received,
    arrears_after,
    fiscal_revenue,
    grievance_after_pay,
    hardship_after,
    hardship_target,
    pay_ratio,
    policy_costs,
)

# --- pure functions ---------------------------------------------------------------------

FIVE_YEARS = {"steps": 60}
ECONOMY = TINY.economy  # the values are listed in tests/tiny.py (ECONOMY)


def spread_wider(a: np.ndarray, b: np.ndarray, label: str = "") -> float:
    """Assert `a` is more spread than `b`: its interquartile range at least twice b's."""
    wide, narrow = (np.subtract(*np.percentile(x, [75, 25])) for x in (a, b))
    assert wide > 2 * narrow, f"{label}: interquartile ranges {wide:.3g} vs {narrow:.3g}"
    return 0.0


def test_hardship_after_values():
    """economy.hardship_after: closes `hardship_adjust` of the gap to its target, adds a shock."""
    assert hardship_after(0.5, 0.3, 0.0, ECONOMY) == pytest.approx(0.4, **EXACT)
    assert hardship_after(0.5, 0.3, 0.05, ECONOMY) == pytest.approx(0.45, **EXACT)
    assert hardship_after(0.99, 1.0, 0.5, ECONOMY) == 1.0  # kept in [0, 1]
    assert hardship_after(0.01, 0.0, -0.5, ECONOMY) == 0.0


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


# --- the tiny world ---------------------------------------------------------------------


def test_economy_off_pays_in_full():
    """economy.pay_in_full: with the economy off, World.step pays every faction in full.

    Revenue is 0, grievance, hardship and arrears stay where they were.
    """
    off = {f"mechanisms.{m}.enabled": False for m in MECHANISMS}
    world = tiny_world(**off)
    set_units(world, [100, 50], ["amir", "doha"], grievance=[0.3, 0.6])
    world.pay_ratio[:] = 0.2
    world.total_pay_ratio[:] = 0.2
    world.revenue_musd[:] = 7.0
    world.step()
    np.testing.assert_array_equal(world.pay_ratio, 1.0)
    np.testing.assert_array_equal(world.total_pay_ratio, 1.0)
    np.testing.assert_array_equal(world.revenue_musd, 0.0)
    np.testing.assert_array_equal(world.units.grievance[0], [0.3, 0.6])
    np.testing.assert_array_equal(world.hardship, TINY.economy.hardship)
    np.testing.assert_array_equal(world.arrears, TINY.economy.initial_arrears_months)


def paid_world(replicates=1, **overrides):
    """The tiny world with 300 amir, 200 haqqani and 100 doha fighters at grievance 0.4."""
    world = tiny_world(replicates, **overrides)
    set_units(world, [100, 200, 200, 100], ["amir", "amir", "haqqani", "doha"], grievance=0.4)
    begin_month(world)
    return world


def expected_pay(budget, shares, fighters=(300, 200, 100), wage_musd=0.1):
    """Pay ratio and months of arrears (from 1) of each faction, by the docstring's rule."""
    need = np.array(fighters) * wage_musd
    owed = budget * np.array(shares)
    return np.minimum(1.0, owed / need), np.maximum(0.0, 1.0 + 1.0 - owed / need)


def test_pay_units_by_hand():
    """economy.pay_units: aid, hardship, revenue, budget, pay, arrears and grievance by hand.

    Aid 60 x (1 - 0.5 x 0.4) + 40 = 88; hardship target 0.2 + 0.4 - 0.5 x 0.88 = 0.16,
    half the gap closed from 0.5: 0.33; revenue 100 x (1 - 0.2 x 0.33) x (1 - 0.1 x 0.3);
    budget half of it + 10% of aid - crackdown 0.5 x (2 + 4 x 0.5); shares 0.5/0.3/0.2.
    """
    world = paid_world(**{"policy.crackdown": 0.5, "policy.accuracy": 0.5})
    world.crackdown_intensity[:] = 0.5
    apply(world, pay_units)
    revenue = 100.0 * (1 - 0.2 * 0.33) * (1 - 0.1 * 0.3)
    budget = 0.5 * revenue + 0.1 * 88.0 - 0.5 * (2.0 + 4.0 * 0.5)
    ratios, arrears = expected_pay(budget, [0.5, 0.3, 0.2])
    assert world.aid_musd[0] == pytest.approx(88.0, **EXACT)
    assert world.hardship[0] == pytest.approx(0.33, **EXACT)
    assert world.revenue_musd[0] == pytest.approx(revenue, **EXACT)
    assert world.frozen_musd[0] == 1000.0  # still frozen: nothing released
    np.testing.assert_allclose(world.pay_ratio[0], ratios, rtol=1e-12)
    assert ratios[2] == 1.0 and ratios[0] < 1.0  # doha fully paid, the others not
    np.testing.assert_allclose(world.arrears[0], arrears, rtol=1e-12)
    total = (ratios * [300, 200, 100]).sum() / 600
    assert world.total_pay_ratio[0] == pytest.approx(total, **EXACT)
    pay = ratios[[0, 0, 1, 2]]  # each unit's faction
    np.testing.assert_allclose(
        world.units.grievance[0], 0.4 + 0.1 * (1 - pay) - 0.5 * pay * 0.4, rtol=1e-12
    )


def test_pay_units_releases_reserves_pays_breakaways_and_scales_revenue():
    """economy.pay_units: unfrozen reserves leave at unfreeze_rate; recognition adds trade.

    Replicate 0 is unfrozen with one state of two recognising; in replicate 1 doha broke
    away: it gets breakaway_pay and keeps its arrears, the rest share its revenue. Scale 0.5.
    """
    world = paid_world(2)
    world.unfrozen[:] = [True, False]
    world.recognized_month[0, WEST] = 1
    world.broken_month[1, 2] = 1
    apply(world, pay_units, scale=0.5)
    np.testing.assert_allclose(world.frozen_musd, [900.0, 1000.0])
    hardship = [0.5 + 0.5 * (0.2 + 0.4 * 0.9 - 0.44 - 0.5), 0.33]
    np.testing.assert_allclose(world.hardship, hardship, rtol=1e-12)
    revenue = [
        0.5 * 100 * (1 - 0.2 * hardship[0]) * (1 - 0.1 * 0.3) * (1 + 0.5 * 0.5),
        0.5 * 100 * (1 - 0.2 * hardship[1]) * (1 - 0.1 * 0.3),
    ]
    np.testing.assert_allclose(world.revenue_musd, revenue, rtol=1e-12)
    budget = 0.5 * np.array(revenue) + 0.1 * 88.0  # no crackdown: no costs
    ratios, arrears = expected_pay(budget[0], [0.5, 0.3, 0.2])
    np.testing.assert_allclose(world.pay_ratio[0], ratios, rtol=1e-12)
    np.testing.assert_allclose(world.arrears[0], arrears, rtol=1e-12)
    ratios, arrears = expected_pay(budget[1], [0.625, 0.375, 0.0])
    np.testing.assert_allclose(world.pay_ratio[1], [*ratios[:2], 0.5], rtol=1e-12)
    np.testing.assert_allclose(world.arrears[1], [*arrears[:2], 1.0], rtol=1e-12)
    total = (ratios[:2] * [300, 200]).sum() / 500  # broken-away factions do not count
    assert world.total_pay_ratio[1] == pytest.approx(total, **EXACT)


def test_pay_units_with_costs_above_the_budget_pays_nothing():
    """economy.pay_units: the budget never goes below 0; unpaid months add arrears, grievance."""
    world = paid_world(**{"economy.crackdown_cost_musd": 1000.0})
    world.crackdown_intensity[:] = 1.0
    apply(world, pay_units)
    np.testing.assert_array_equal(world.pay_ratio, 0.0)
    np.testing.assert_array_equal(world.total_pay_ratio, 0.0)
    np.testing.assert_array_equal(world.arrears, 2.0)
    np.testing.assert_allclose(world.units.grievance[0], 0.5, rtol=1e-12)
    assert world.revenue_musd[0] > 0  # revenue was collected, then spent on operations


def test_an_event_that_unfreezes_the_reserves_is_recorded_as_unfrozen():
    """economy.pay_units: `economy.unfrozen` set by an event releases and marks the reserves."""
    from sim.engine.seeds import replicate_rng
    from sim.inputs.scenario import override
    from sim.rules import new_world

    spec = override(
        TINY,
        {"steps": 4, "events": [{"month": 3, "set": {"economy.unfrozen": True}}]},
    )
    world = new_world(spec, [replicate_rng(spec.seed, 0)])
    record = world.run()
    frozen = record.series("taliban", "frozen")
    unfrozen = record.series("taliban", "unfrozen")
    assert frozen[1] == frozen[2] == spec.economy.frozen_funds_musd > frozen[3]
    assert unfrozen.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert record.outcomes()[0]["unfrozen_month"] == 3.0


# --- runs of the baseline ---------------------------------------------------------------


def test_taliban_pay_ratio_is_the_fighter_weighted_mean_of_active_factions():
    w = world("baseline", range(3), **BREAK_EVERYONE, economy__wage_usd=900)
    for _ in range(3):
        w.step()
    assert w.broken_away.any() and not w.broken_away.all(axis=1).any()
    fighters, active = w.faction_fighters(), ~w.broken_away
    rules.pay_units(w, 1.0)
    weight = fighters * active
    expected = (w.pay_ratio * weight).sum(axis=1) / weight.sum(axis=1)
    np.testing.assert_allclose(w.total_pay_ratio, expected, rtol=1e-12)
    assert not np.allclose(w.total_pay_ratio, w.pay_ratio.mean(axis=1))
    np.testing.assert_array_equal(w.pay_ratio[w.broken_away], w.spec.economy.breakaway_pay)


# Parameters read only by the economy, pushed far from the baseline.
OWN_PARAMETERS = {  # not wage_usd: defection weighs ISIS-K's pay against it (pay_gap)
    "economy__domestic_revenue_musd": 10,
    "economy__military_share": 0.01,
    "economy__grievance_relief": 1.0,
    "economy__breakaway_pay": 0.0,
    "economy__aid_relief": 5.0,
    "economy__hardship_floor": 1.0,
    "international__donors__aid_musd": 500.0,
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("economy", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

CLAIMS = [
    claim("released reserves lower hardship", "hardship_final", less,
          {}, scenario="unfreeze_funds", versus="baseline"),
    claim("released reserves raise revenue", "revenue_mean", greater,
          {}, scenario="unfreeze_funds", versus="baseline"),
    claim("released reserves lower ISIS-K recruitment", "isisk_recruits", less,
          {}, scenario="unfreeze_funds", versus="baseline"),
    # the chain from money to fighters: reserves -> hardship -> revenue -> budget -> pay
    # over five years: defections are heavy-tailed (p = 0.06 at 40 replicates, 0.002 at 100)
    claim("released reserves raise pay", "pay_ratio_mean", greater,
          {"economy__unfrozen": True, **FIVE_YEARS}, {"economy__unfrozen": False, **FIVE_YEARS},
          n=100),
    claim("released reserves lower defections", "defections_total", less,
          {"economy__unfrozen": True, **FIVE_YEARS}, {"economy__unfrozen": False, **FIVE_YEARS},
          n=400),  # heavy-tailed: a break-away's defections swamp 200 replicates since
    # safe areas shelter ISIS-K (p = 0.014 at 200, 0.002 at 400)
    claim("hardship's shocks spread final hardship", "hardship_final", spread_wider,
          {"economy__hardship_noise": 0.05}, {"economy__hardship_noise": 0.0}),
    claim("aid relieves hardship", "hardship_final", less,
          {"international__donors__aid_musd": 400.0}, {"international__donors__aid_musd": 0.0}),
    claim("pay shortfalls lower the pay ratio", "pay_ratio_mean", less,
          {"economy__wage_usd": 900}, {"economy__wage_usd": 300}),
    claim("pay shortfalls raise arrears", "arrears_final", greater,
          {"economy__wage_usd": 900}, {"economy__wage_usd": 300}),
    claim("pay shortfalls raise desertions", "desertions_total", greater,
          {"economy__wage_usd": 900}, {"economy__wage_usd": 300}),
    claim("sanctions cut revenue", "revenue_mean", less,
          {"economy__sanction_damage": 0.9}, {"economy__sanction_damage": 0.0}),
    # off: everyone paid in full, no revenue
    *switch_claims("economy", "baseline", "revenue_mean", +1, +1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)
