"""ISIS-K's leadership: each month it splits its effort, a choice with uncertainty.

Effort goes to attacks in Afghanistan, external operations (abroad, counted apart) or
consolidation (lying low, rebuilding), by a multinomial logit of utilities with noise
drawn per replicate: pressure felt (crackdown force x its cells' exposure) pushes effort
abroad and into consolidation, losses (of fighters this month, of its leaders' skill and
of its safe areas, the mountain sanctuaries it held at the start) into consolidation,
and money per fighter (what is left of its one budget, its own and the wider Islamic
State network's `isisk.network_funds_musd`, once its fighters are paid) away from it.
Jadoon & Mines (2020) describe ISKP lying low in urban cells after its 2019-20 losses
and rebuilding; Johnston (2012) finds groups attack less for a while after losing
leaders. Money also raises the tempo (`attacks`). Consolidation regains safe areas as it
rebuilds capability, at the same rate `rebuild`; the crackdown erodes them
(`crackdown`).

Its parameters are declared in `sim.inputs.pars.strategy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import by_slot, stacked
from sim.inputs.schema import IsisK, StrategyRule

if TYPE_CHECKING:
    from sim.engine.world import World

EFFORTS = ("home", "abroad", "consolidate")
"""What ISIS-K's leadership spends effort on: attacks in Afghanistan, abroad, consolidation."""
HOME, ABROAD_EFFORT, CONSOLIDATE = range(len(EFFORTS))


def funds(isisk: IsisK):
    """ISIS-K's money a month, USD million: its own and the wider Islamic State network's."""
    return isisk.own_funds_musd + isisk.network_funds_musd


def wage_bill(fighters, pay_usd):
    """What full pay of `fighters` at `pay_usd` each costs a month, USD million."""
    return fighters * pay_usd / 1e6


def operations_funds(fighters, isisk: IsisK):
    """Money left for operations once ISIS-K pays its fighters (it pays them first), USD million."""
    return np.maximum(0.0, funds(isisk) - wage_bill(fighters, isisk.pay_usd))


def money_factor(funds_musd, cadre, rule: StrategyRule):
    """Tempo multiplier of money per fighter: m0 + (1 - m0) 2 r^e / (1 + r^e); 1 at r = 1.

    r is funds per fighter over `reference_funding_usd`, e `funds_elasticity`; the funds
    are what is left after pay (`operations_funds`). With nothing left the tempo falls to
    `unfunded_tempo` (m0) of the reference, not to zero: cheap attacks need little money.
    """
    ratio = 1e6 * funds_musd / np.maximum(cadre, 1) / rule.reference_funding_usd
    lifted = ratio**rule.funds_elasticity
    return rule.unfunded_tempo + (1.0 - rule.unfunded_tempo) * 2.0 * lifted / (1.0 + lifted)


def utilities(pressure, losses, money, rule: StrategyRule) -> np.ndarray:
    """The leadership's utilities of (attacks at home, abroad, consolidation), (..., 3).

    Pressure felt pushes effort abroad and into consolidation; losses into consolidation;
    money (its tempo multiplier) away from consolidation.
    """
    pressed = rule.pressure_weight * pressure
    home = np.zeros_like(pressed + losses + money)
    abroad = rule.abroad_bias + pressed
    broke = -np.log(np.maximum(money, 1e-12))  # no money left: (almost) only consolidation
    consolidate = rule.consolidate_bias + pressed + rule.losses_weight * losses + broke
    return stacked(home, abroad, consolidate)


def effort_shares(values, noise, rule: StrategyRule) -> np.ndarray:
    """Shares of effort: softmax over the last axis of utilities + choice_noise x noise."""
    noisy = values + rule.choice_noise * noise
    weights = np.exp(noisy - noisy.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def sanctuary_lost(safe_areas, start):
    """Share of the safe areas held at month 0 that ISIS-K has lost since (none if it gained)."""
    return np.maximum(0.0, start - safe_areas)


def safe_areas_rebuilt(safe_areas, rebuilding):
    """Safe areas regained by consolidation: `rebuilding` closes that share of the gap to 1."""
    return safe_areas + np.minimum(1.0, rebuilding) * (1.0 - safe_areas)


def pressure_and_losses(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Pressure ISIS-K feels (force x mean exposure) and its losses this month.

    Losses are the share of fighters lost so far this month plus the share of skill its
    cells lack after arrests of leaders (both fighter-weighted over the cells) plus the
    share of its safe areas lost since month 0 (`sanctuary_lost`).
    """
    cells, signals = world.cells, world.signals
    cadre = cells.row_sums(cells.fighters.astype(float))
    weight = np.maximum(cadre, 1.0)
    exposure = cells.row_sums(cells.fighters * cells.exposure) / weight
    lost = signals.isisk_flow("losses") / np.maximum(cadre + signals.isisk_flow("losses"), 1.0)
    capable = cells.row_sums(cells.fighters * cells.capability)
    skilled = np.maximum(cells.row_sums(cells.fighters * cells.skill), 1e-12)
    gap = np.maximum(0.0, 1.0 - capable / skilled) * (cadre > 0)
    sanctuary = sanctuary_lost(world.safe_areas, world.spec.isisk.safe_areas)
    return signals.crackdown_force * exposure, lost + gap + sanctuary


def choose_strategy(world: World, scale: float) -> None:
    """The leadership's shares of effort this month (home, abroad, consolidate), drawn.

    Reads `rules.strategy.*`, ISIS-K's funds left after pay, its cells and safe areas
    and this month's crackdown force and losses; writes `world.effort`. The noise is one
    normal per option and replicate.
    The attacks' scale acts on the tempo (`attack`), not on the choice.
    """
    rule, cells = world.params.rules.strategy, world.cells
    cadre = cells.row_sums(cells.fighters.astype(float))
    money = money_factor(operations_funds(cadre, world.params.isisk), cadre, rule)
    pressure, losses = pressure_and_losses(world)
    values = utilities(pressure, losses, money, rule)
    world.effort[:] = effort_shares(values, world.streams.normals(len(EFFORTS)), by_slot(rule))
