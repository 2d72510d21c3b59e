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

import math
from typing import TYPE_CHECKING

import numpy as np

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


def utilities(pressure, losses, money, rule: StrategyRule) -> tuple[float, float, float]:
    """The leadership's utilities of (attacks at home, abroad, consolidation).

    Pressure felt pushes effort abroad and into consolidation; losses into consolidation;
    money (its tempo multiplier) away from consolidation.
    """
    pressed = rule.pressure_weight * pressure
    abroad = rule.abroad_bias + pressed
    broke = -np.log(np.maximum(money, 1e-12))  # no money left: (almost) only consolidation
    consolidate = rule.consolidate_bias + pressed + rule.losses_weight * losses + broke
    return 0.0, abroad, consolidate


def effort_shares(values, noise, rule: StrategyRule) -> tuple[float, float, float]:
    """Shares of effort: softmax of the three utilities + choice_noise x noise (one each)."""
    home = values[0] + rule.choice_noise * noise[0]
    abroad = values[1] + rule.choice_noise * noise[1]
    consolidate = values[2] + rule.choice_noise * noise[2]
    top = max(home, abroad, consolidate)
    weights = (math.exp(home - top), math.exp(abroad - top), math.exp(consolidate - top))
    total = weights[0] + weights[1] + weights[2]
    return weights[0] / total, weights[1] / total, weights[2] / total


def sanctuary_lost(safe_areas, start):
    """Share of the safe areas held at month 0 that ISIS-K has lost since (none if it gained)."""
    return np.maximum(0.0, start - safe_areas)


def safe_areas_rebuilt(safe_areas, rebuilding):
    """Safe areas regained by consolidation: `rebuilding` closes that share of the gap to 1."""
    return safe_areas + np.minimum(1.0, rebuilding) * (1.0 - safe_areas)


def choose_strategy(world: World, scale: float) -> None:
    """The leadership's shares of effort this month (home, abroad, consolidate), drawn.

    Reads `rules.strategy.*`, ISIS-K's funds left after pay, its cells and safe areas
    and this month's crackdown force and losses; writes `world.effort`. Losses are the
    share of fighters lost so far this month plus the share of skill its cells lack
    after arrests of leaders plus the share of its safe areas lost since month 0; the
    pressure it feels is the crackdown's force x its cells' mean exposure. The noise is
    one normal per option and replicate. The attacks' scale acts on the tempo
    (`attack`), not on the choice. The leadership chooses in a compiled loop
    (`compiled_command.choose_effort`).
    """
    from sim.rules import compiled_command as loops  # numba loads with the first step
    from sim.rules.compiled_units import per_row

    cells, signals, rows = world.cells, world.signals, world.replicates
    noise = world.streams.normals(len(EFFORTS))
    loops.choose_effort(
        cells.n,
        cells.fighters,
        cells.exposure,
        cells.capability,
        cells.skill,
        world.derived(loops.strategy_weights),
        world.derived(loops.command_weights),
        per_row(signals.crackdown_force, rows),
        per_row(signals.isisk_flow("losses"), rows),
        world.safe_areas,
        per_row(world.spec.isisk.safe_areas, rows),  # those held at month 0
        noise,
        world.effort,
    )
