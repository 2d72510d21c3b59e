"""ISIS-K's leadership (`sim.rules.strategy`): effort split by a noisy logit.

Pure functions against hand-computed values; `choose_strategy` on the tiny world
(`tests/tiny.py`); its claims over replicates (`tests/mechanism.py`).
"""

import math

import numpy as np
import pytest
from conftest import greater, less
from mechanism import EXACT, check_claim, claim
from tiny import ALWAYS, NEVER, TINY, apply, begin_month, set_cells, tiny_world

from sim.rules.strategy import (
    choose_strategy,
    effort_shares,
    money_factor,
    operations_funds,
    safe_areas_rebuilt,
    sanctuary_lost,
    utilities,
)

# --- pure functions ---------------------------------------------------------------------

STRATEGY = TINY.rules.strategy.model_copy(
    update=dict(
        reference_funding_usd=500.0,
        funds_elasticity=1.0,
        unfunded_tempo=0.4,
        abroad_bias=-2.0,
        consolidate_bias=-1.0,
        pressure_weight=3.0,
        losses_weight=2.0,
        choice_noise=0.5,
        rebuild=0.2,
    )
)


def test_operations_funds_are_what_pay_leaves():
    """strategy.operations_funds: own + network funds less the wage bill, never below 0."""
    isisk = TINY.isisk.model_copy(update=dict(own_funds_musd=1.5, network_funds_musd=0.5))
    pay = isisk.pay_usd / 1e6
    assert operations_funds(10, isisk) == pytest.approx(2.0 - 10 * pay, **EXACT)
    np.testing.assert_array_equal(operations_funds(np.array([40, 1000]), isisk), 0.0)


def test_money_factor_values():
    """strategy.money_factor: m0 + (1 - m0) 2 r^e / (1 + r^e), r = funds per fighter / reference."""
    assert money_factor(0.05, 100, STRATEGY) == pytest.approx(1.0, **EXACT)  # 500 USD each
    assert money_factor(0.15, 100, STRATEGY) == pytest.approx(0.4 + 0.6 * 1.5, **EXACT)  # r = 3
    assert money_factor(0.0, 100, STRATEGY) == pytest.approx(0.4, **EXACT)  # unfunded, not 0
    rich = money_factor(np.array([0.05, 0.5, 5.0, 5e3]), 100, STRATEGY)
    assert np.all(np.diff(rich) > 0) and np.all(rich < 1.6)  # rising, at most 2 - m0


def test_utilities_values():
    """strategy.utilities: home 0; abroad and consolidation rise with pressure; losses, money."""
    values = [utilities(0.0, 0.0, 1.0, STRATEGY), utilities(0.5, 0.25, 2.0, STRATEGY)]
    np.testing.assert_allclose(
        values, [[0.0, -2.0, -1.0], [0.0, -0.5, 1.0 - math.log(2.0)]], rtol=1e-12, atol=1e-15
    )
    assert utilities(0.0, 0.0, 0.0, STRATEGY)[2] == pytest.approx(-1.0 - math.log(1e-12))


def test_sanctuary_lost_values():
    """strategy.sanctuary_lost: the safe areas held at month 0 less those held now, at least 0."""
    assert sanctuary_lost(0.1, 0.3) == pytest.approx(0.2, **EXACT)
    assert sanctuary_lost(0.5, 0.3) == 0.0  # gained, not lost
    np.testing.assert_allclose(sanctuary_lost(np.array([0.0, 0.3]), 0.3), [0.3, 0.0])


def test_safe_areas_rebuilt_values():
    """strategy.safe_areas_rebuilt: rebuilding closes its share of the gap to 1, at most all."""
    assert safe_areas_rebuilt(0.2, 0.0) == 0.2
    assert safe_areas_rebuilt(0.2, 0.25) == pytest.approx(0.4, **EXACT)
    assert safe_areas_rebuilt(0.2, 3.0) == 1.0
    np.testing.assert_allclose(safe_areas_rebuilt(np.array([0.0, 1.0]), 0.5), [0.5, 1.0])


def test_effort_shares_values():
    """strategy.effort_shares: softmax of utilities plus noise x choice_noise; rows sum to 1."""
    e = np.exp([0.0, -2.0, -1.0])
    shares = effort_shares((0.0, -2.0, -1.0), (0.0, 0.0, 0.0), STRATEGY)
    np.testing.assert_allclose(shares, e / e.sum(), rtol=1e-12)
    shares = effort_shares((0.0, 0.0, 0.0), (2.0, 0.0, 0.0), STRATEGY)
    np.testing.assert_allclose(shares, np.exp([1.0, 0, 0]) / (math.e + 2), rtol=1e-12)
    huge = effort_shares((0.0, 1e4, -1e4), (0.0, 0.0, 0.0), STRATEGY)
    np.testing.assert_allclose(huge, [0.0, 1.0, 0.0])  # no overflow


# --- the tiny world ---------------------------------------------------------------------


def test_choose_strategy_follows_pressure_and_losses():
    """strategy.choose_strategy: the leadership's shares follow pressure felt and losses (no noise).

    Pressure force x mean exposure = 0.5; losses: 20 of 80 fighters, skill gap 0.5.
    """
    world = tiny_world(
        2,
        **{
            "rules.strategy.abroad_bias": -1.0,
            "rules.strategy.consolidate_bias": -1.0,
            "rules.strategy.pressure_weight": 2.0,
            "rules.strategy.losses_weight": 1.0,
        },
    )
    set_cells(world, [30, 30], capability=0.5, exposure=1.0, skill=1.0)
    begin_month(world)
    world.signals.crackdown_force[:] = [0.5, 0.0]
    world.signals.isisk_flow("losses")[:] = [20, 0]
    apply(world, choose_strategy)
    money = money_factor(0.1, 60, world.params.rules.strategy)  # 1e5 USD / 60 / 1000
    values = [[0.0, 0.0, 0.0 + 0.75 - math.log(money)], [0.0, -1.0, -0.5 - math.log(money)]]
    expected = np.exp(values) / np.exp(values).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(world.effort, expected, rtol=1e-12)
    assert world.effort[0, 0] < world.effort[1, 0]  # pressed and hurt: less effort at home


def test_choose_strategy_counts_lost_safe_areas_as_losses():
    """strategy.choose_strategy: safe areas lost since month 0 (0.3 held then) weigh as losses.

    Replicate 0 has lost 0.2 of them, replicate 1 none (it holds more than at the start):
    consolidation's utility differs by losses_weight x 0.2, the others not at all.
    """
    world = tiny_world(
        2,
        **{
            "isisk.safe_areas": 0.3,
            "rules.strategy.abroad_bias": -1.0,
            "rules.strategy.consolidate_bias": -1.0,
            "rules.strategy.losses_weight": 2.0,
        },
    )
    world.safe_areas[:] = [0.1, 0.6]
    begin_month(world)
    apply(world, choose_strategy)
    odds = world.effort[:, 2] / world.effort[:, 0]
    assert odds[0] / odds[1] == pytest.approx(math.exp(2.0 * 0.2), rel=1e-12)
    np.testing.assert_allclose(world.effort[:, 1] / world.effort[:, 0], math.exp(-1.0))


@pytest.mark.parametrize(
    ("abroad", "consolidate", "chosen"),
    [(ALWAYS, NEVER, 1), (NEVER, ALWAYS, 2), (NEVER, NEVER, 0)],
)
def test_choose_strategy_all_on_one_effort(abroad, consolidate, chosen):
    """strategy.choose_strategy: a bias of ALWAYS puts all effort there, whatever the noise."""
    world = tiny_world(
        3,
        **{
            "rules.strategy.abroad_bias": abroad,
            "rules.strategy.consolidate_bias": consolidate,
            "rules.strategy.choice_noise": 1.0,
        },
    )
    begin_month(world)
    apply(world, choose_strategy)
    np.testing.assert_allclose(world.effort, np.eye(3)[[chosen] * 3], atol=1e-30)


def test_choose_strategy_noise_varies_the_choice():
    """strategy.choose_strategy: with noise, replicates at the same state choose differently."""
    world = tiny_world(4, **{"rules.strategy.choice_noise": 1.0, "rules.strategy.abroad_bias": 0.0})
    begin_month(world)
    apply(world, choose_strategy)
    assert len(np.unique(world.effort[:, 0])) == 4
    np.testing.assert_allclose(world.effort.sum(axis=1), 1.0, rtol=1e-12)


# --- claims over replicates -------------------------------------------------------------

CLAIMS = [
    claim("pressure turns effort abroad", "attacks_abroad_total", greater,
          {"rules__strategy__pressure_weight": 6.0}, {"rules__strategy__pressure_weight": 0.0},
          scenario="crackdown"),
    claim("pressure turns effort from attacks at home", "attacks_total", less,
          {"rules__strategy__pressure_weight": 6.0}, {"rules__strategy__pressure_weight": 0.0},
          scenario="crackdown"),
    claim("network funds raise attacks", "attacks_total", greater,
          {"isisk__network_funds_musd": 0.8}, {"isisk__network_funds_musd": 0.0}),
    claim("network funds raise attacks abroad", "attacks_abroad_total", greater,
          {"isisk__network_funds_musd": 0.8}, {"isisk__network_funds_musd": 0.0}),
    claim("losses turn effort to consolidation", "attacks_total", less,
          {"rules__strategy__losses_weight": 4.0}, {"rules__strategy__losses_weight": 0.0},
          scenario="crackdown"),
    claim("consolidation rebuilds capability", "capability_mean", greater,
          {"rules__strategy__rebuild": 0.2}, {"rules__strategy__rebuild": 0.0},
          scenario="crackdown"),
    claim("consolidation regains safe areas", "safe_areas_final", greater,
          {"rules__strategy__rebuild": 0.2}, {"rules__strategy__rebuild": 0.0},
          scenario="crackdown"),

]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)
