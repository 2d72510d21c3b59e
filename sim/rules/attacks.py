"""Mechanism 6, ISIS-K attacks: tempo from cadre, money and skill, spent as the leaders chose.

The month's effort (`sim.rules.strategy`) splits the tempo between attacks in
Afghanistan and external operations (abroad, counted apart); effort spent consolidating
rebuilds capability instead. Tempo is additive in
fighters x capability, with returns to scale of the whole organisation and of its money
per fighter (Clauset & Gleditsch 2012), so splitting a cell creates no tempo. Cells
pressed by an effective crackdown lie low at home; severity is heavy-tailed (Pareto,
Bohorquez et al. 2009). Sectarian attacks are ISIS-K's bid against the Taliban
(outbidding): they erode Taliban credibility. Capability grows with experience, falls
with arrests of leaders (`crackdown`) and recovers toward the cell's skill, faster while
ISIS-K consolidates; consolidation also regains safe areas.

Its parameters are declared in `sim.inputs.pars.attacks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import by_slot, per_actor
from sim.inputs.schema import TARGETS, AttackRule
from sim.rules.strategy import (
    ABROAD_EFFORT,
    CONSOLIDATE,
    HOME,
    money_factor,
    operations_funds,
    safe_areas_rebuilt,
)

if TYPE_CHECKING:
    from sim.engine.world import World

ABROAD = TARGETS.index("abroad")


def returns_to_scale(cadre, rule: AttackRule):
    """Tempo per fighter of the organisation: (cadre / reference_cadre)^(size_exponent - 1)."""
    return (np.maximum(cadre, 1) / rule.reference_cadre) ** (rule.size_exponent - 1.0)


def attack_rate(fighters, capability, multiplier, rule: AttackRule):
    """Attacks per cell-month with all effort at home, unpressed.

    base x fighters / reference_size x capability x `multiplier` (returns to scale and
    money): additive in fighters, so splitting a cell creates no tempo.
    """
    return rule.base_rate * fighters / rule.reference_size * capability * multiplier


def suppression(force, exposure, rule: AttackRule):
    """Share of a cell's tempo held back under pressure: 1 - exp(-lie_low x force x exposure)."""
    return 1.0 - np.exp(-rule.lie_low * force * exposure)


def target_odds(shares: np.ndarray, shifted, rule: AttackRule) -> np.ndarray:
    """Chance of each (target, success) outcome of an attack, (replicates, 2 x targets).

    `shifted` is the share of the month's expected attacks that are external operations.
    """
    odds = (1.0 - shifted)[:, None] * shares
    odds[:, ABROAD] += shifted
    return np.concatenate([odds * rule.success, odds * (1.0 - rule.success)], axis=1)


def severities(u, rule: AttackRule):
    """People killed or wounded in a successful attack, one per uniform u in [0, 1).

    Pareto tail with minimum `severity_min` (the inverse of its distribution function).
    """
    return rule.severity_min * (1.0 - u) ** (-1.0 / (rule.severity_exponent - 1.0))


def momentum_after(momentum, successes, rule: AttackRule):
    """Smoothed success rate: ISIS-K's momentum, the pull it has on recruits."""
    recent = np.minimum(1.0, successes / rule.momentum_saturation)
    return rule.momentum_decay * momentum + (1.0 - rule.momentum_decay) * recent


def capability_after(capability, skill, attacks, rebuilding, rule: AttackRule):
    """Recovery toward the cell's skill, faster while rebuilding; experience adds `learning`.

    The recovery rate is `capability_recovery` + `rebuilding` (the strategy's `rebuild` x
    the share of effort consolidating), at most the whole gap.
    """
    rate = np.minimum(1.0, rule.capability_recovery + rebuilding)
    recovered = capability + rate * (skill - capability)
    return np.clip(recovered + rule.learning * attacks, rule.min_capability, rule.max_capability)


def founded_capability(start, rule: AttackRule):
    """Capability of a new cell of defectors or newcomers: `founding_capability` x the start."""
    return np.clip(rule.founding_capability * start, rule.min_capability, rule.max_capability)


def skill_after(skill, attacks, rule: AttackRule):
    """A cell's skill, what its capability recovers to, grows with experience."""
    return np.clip(skill + rule.learning * attacks, rule.min_capability, rule.max_capability)


def exposure_after_attacks(exposure, attacks, rule: AttackRule):
    """A cell's exposure after the month: fades by `exposure_decay`, each attack adds to it."""
    return np.clip(
        exposure * (1.0 - rule.exposure_decay) + rule.exposure_per_attack * attacks, 0.0, 1.0
    )


def attack(world: World, scale: float) -> None:
    """Cells attack as the leaders chose, or lie low; successes kill, pull, erode credibility.

    Reads `rules.attacks.*`, the month's effort, ISIS-K's funds left after pay (through
    `rules.strategy.{funds_elasticity, reference_funding_usd, unfunded_tempo}`, with its
    `rebuild`) and the crackdown's force this month; the mechanism's scale multiplies
    the attack rate. Attacks abroad (external operations)
    are counted apart from those in Afghanistan; effort spent consolidating rebuilds
    capability and safe areas (which shelter cells from the crackdown's intelligence).
    Each cell's Poisson attacks and what it learns from them, each success's casualties
    and the month's momentum and credibility, and each unit's Taliban killed, are
    compiled loops over each replicate's cells and units (`compiled_cells.plan_attacks`,
    `compiled_cells.reckon`, `compiled_cells.learn`, `compiled_units.draw_losses`).
    """
    from sim.rules import compiled_cells as loops  # numba loads with the first step
    from sim.rules.compiled_units import draw_losses, per_row

    rule, cells, units, signals = (
        world.params.rules.attacks,
        world.cells,
        world.units,
        world.signals,
    )
    per_cell, replicates, streams = by_slot(rule), world.replicates, world.streams
    shares = per_actor([rule.target_shares.get(t, 0.0) for t in TARGETS])
    shares = shares / shares.sum(axis=-1, keepdims=True)
    cadre = cells.row_sums(cells.fighters.astype(float))
    money = money_factor(
        operations_funds(cadre, world.params.isisk), cadre, world.params.rules.strategy
    )
    weights = world.derived(loops.attack_weights)
    attacks = np.zeros(cells.fighters.shape, dtype=np.int64)
    expected, shifted = np.zeros(replicates), np.zeros(replicates)
    buffer, start = streams.reserve(cells.n)
    loops.plan_attacks(
        cells.n,
        cells.fighters,
        cells.capability,
        suppression(world.signals.crackdown_force[:, None], cells.exposure, per_cell),
        per_row(returns_to_scale(cadre, rule) * money, replicates),
        per_row(world.effort[:, HOME], replicates),
        per_row(world.effort[:, ABROAD_EFFORT], replicates),
        scale,
        weights,
        buffer,
        start,
        attacks,
        expected,
        shifted,
    )
    total = attacks.sum(axis=1)
    outcome = streams.multinomial(  # each attack's (target, success) pair
        total, target_odds(shares, shifted / np.maximum(expected, 1e-12), per_cell)
    )
    successes = outcome[:, : len(TARGETS)]
    by_target = successes + outcome[:, len(TARGETS) :]
    succeeded = successes.sum(axis=1)
    buffer, start = streams.reserve(succeeded)
    loops.reckon(
        succeeded,
        np.ascontiguousarray(successes[:, TARGETS.index("sectarian")]),
        world.derived(loops.aftermath_weights),
        buffer,
        start,
        signals.casualties,
        world.momentum,
        world.credibility,
    )
    taliban = units.fighters.sum(axis=1)
    on_taliban = successes[:, TARGETS.index("taliban")]
    kill_p = np.minimum(1.0, rule.taliban_killed_per_attack * on_taliban / np.maximum(taliban, 1))
    signals.faction_flow("losses")[:] += draw_losses(
        streams,
        np.where(kill_p > 0, units.n, 0),
        units.fighters,
        units.faction,
        kill_p,
        units.factions,
    )
    rebuilding = world.params.rules.strategy.rebuild * world.effort[:, CONSOLIDATE]
    loops.learn(
        cells.n,
        cells.capability,
        cells.skill,
        cells.exposure,
        attacks,
        per_row(rebuilding, replicates),
        weights,
    )
    world.safe_areas[:] = safe_areas_rebuilt(world.safe_areas, rebuilding)
    signals.attacks[:] = by_target
