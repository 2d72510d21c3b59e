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

from sim.engine.values import at_rows, by_slot, per_actor
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


def attack(world: World, scale: float) -> None:
    """Cells attack as the leaders chose, or lie low; successes kill, pull, erode credibility.

    Reads `rules.attacks.*`, the month's effort, ISIS-K's funds left after pay (through
    `rules.strategy.{funds_elasticity, reference_funding_usd, unfunded_tempo}`, with its
    `rebuild`) and the crackdown's force this month; the mechanism's scale multiplies
    the attack rate. Attacks abroad (external operations)
    are counted apart from those in Afghanistan; effort spent consolidating rebuilds
    capability and safe areas (which shelter cells from the crackdown's intelligence).
    """
    rule, cells, units, signals = (
        world.params.rules.attacks,
        world.cells,
        world.units,
        world.signals,
    )
    per_cell = by_slot(rule)
    shares = per_actor([rule.target_shares.get(t, 0.0) for t in TARGETS])
    shares = shares / shares.sum(axis=-1, keepdims=True)
    streams = world.streams
    cadre = cells.row_sums(cells.fighters.astype(float))
    money = money_factor(
        operations_funds(cadre, world.params.isisk), cadre, world.params.rules.strategy
    )
    effort = world.effort[:, :, None]  # (replicates, efforts, 1): a column per effort
    multiplier = returns_to_scale(cadre, rule) * money
    full = scale * attack_rate(cells.fighters, cells.capability, multiplier[:, None], per_cell)
    force = signals.crackdown_force[:, None]
    home = full * effort[:, HOME] * (1.0 - suppression(force, cells.exposure, per_cell))
    abroad = full * effort[:, ABROAD_EFFORT]
    attacks = streams.poisson(home + abroad, cells.n)
    total = attacks.sum(axis=1)
    # row_sums adds in order, so a replicate's shares do not depend on the batch's width
    expected = np.maximum(cells.row_sums(home + abroad), 1e-12)
    outcome = streams.multinomial(  # each attack's (target, success) pair
        total, target_odds(shares, cells.row_sums(abroad) / expected, per_cell)
    )
    successes = outcome[:, : len(TARGETS)]
    by_target = successes + outcome[:, len(TARGETS) :]
    succeeded = successes.sum(axis=1)
    draws = streams.uniform(succeeded)
    drawn = np.arange(draws.shape[1]) < succeeded[:, None]
    rows = np.broadcast_to(np.arange(world.replicates)[:, None], drawn.shape)[drawn]
    # bincount adds in order, so a replicate's total does not depend on the batch's width
    casualties = np.bincount(
        rows, severities(draws[drawn], at_rows(rule, rows)), minlength=world.replicates
    )
    taliban = units.fighters.sum(axis=1)
    on_taliban = successes[:, TARGETS.index("taliban")]
    kill_p = np.minimum(1.0, rule.taliban_killed_per_attack * on_taliban / np.maximum(taliban, 1))
    killed = streams.binomial(units.fighters, kill_p[:, None], np.where(kill_p > 0, units.n, 0))
    units.fighters[:] -= killed
    signals.faction_flow("losses")[:] += units.by_faction(killed)
    rebuilding = by_slot(world.params.rules.strategy).rebuild * effort[:, CONSOLIDATE]
    cells.capability[:] = (
        capability_after(cells.capability, cells.skill, attacks, rebuilding, per_cell) * cells.live
    )
    cells.skill[:] = skill_after(cells.skill, attacks, per_cell) * cells.live
    cells.exposure[:] = (
        np.clip(
            cells.exposure * (1.0 - per_cell.exposure_decay)
            + per_cell.exposure_per_attack * attacks,
            0.0,
            1.0,
        )
        * cells.live
    )
    world.safe_areas[:] = safe_areas_rebuilt(world.safe_areas, rebuilding[:, 0])
    world.momentum[:] = momentum_after(world.momentum, succeeded, rule)
    world.credibility[:] = np.clip(
        world.credibility
        + rule.credibility_recovery * (1.0 - world.credibility)
        - rule.credibility_loss * successes[:, TARGETS.index("sectarian")],
        0.0,
        1.0,
    )
    signals.attacks[:] = by_target
    signals.casualties[:] = casualties
