"""Mechanism 6, ISIS-K attacks: tempo grows with size and capability; pressure suppresses it.

Stylised facts from Clauset & Gleditsch (2012) for tempo and a heavy-tailed
(Pareto) severity (Bohorquez et al. 2009). Cells pressed by an effective crackdown lie
low, and part of what they hold back goes into attacks abroad, counted apart.
Sectarian attacks are ISIS-K's bid against the Taliban (outbidding): they erode
Taliban credibility. Capability grows with experience, falls with arrests of leaders
(`crackdown`) and returns toward its starting level.

Its parameters are declared in `sim.inputs.pars.attacks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import at_rows, by_slot, column, per_actor
from sim.inputs.schema import TARGETS, AttackRule

if TYPE_CHECKING:
    from sim.engine.world import World

ABROAD = TARGETS.index("abroad")


def attack_rate(fighters, capability, rule: AttackRule):
    """Attacks per cell-month expected unpressed: base x (size / ref)^exponent x capability."""
    size = (fighters / rule.reference_size) ** rule.size_exponent * (fighters > 0)
    return rule.base_rate * size * capability


def suppression(force, exposure, rule: AttackRule):
    """Share of a cell's tempo held back under pressure: 1 - exp(-lie_low x force x exposure)."""
    return 1.0 - np.exp(-rule.lie_low * force * exposure)


def target_odds(shares: np.ndarray, shifted, rule: AttackRule) -> np.ndarray:
    """Chance of each (target, success) outcome of an attack, (replicates, 2 x targets).

    `shifted` is the share of attacks that are held-back tempo turned abroad.
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


def capability_after(capability, attacks, start: float, rule: AttackRule):
    """Experience adds `learning` per attack; losses heal toward the start at `recovery`."""
    recovered = capability + rule.capability_recovery * (start - capability)
    return np.clip(recovered + rule.learning * attacks, rule.min_capability, rule.max_capability)


def attack(world: World, scale: float) -> None:
    """Cells attack or lie low; successes kill Taliban, raise momentum, erode credibility.

    Reads `rules.attacks.*` and the crackdown's force this month; the mechanism's scale
    multiplies the attack rate. Attacks abroad are counted apart from those in Afghanistan.
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
    unpressed = scale * attack_rate(cells.fighters, cells.capability, per_cell)
    held_back = unpressed * suppression(signals.crackdown_force[:, None], cells.exposure, per_cell)
    abroad = per_cell.abroad_shift * held_back
    attacks = streams.poisson(unpressed - held_back + abroad, cells.n)
    total = attacks.sum(axis=1)
    # row_sums adds in order, so a replicate's shares do not depend on the batch's width
    expected = np.maximum(cells.row_sums(unpressed - held_back + abroad), 1e-12)
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
    start = column(world.spec.isisk.capability)
    cells.capability[:] = capability_after(cells.capability, attacks, start, per_cell) * cells.live
    cells.exposure[:] = (
        np.clip(
            cells.exposure * (1.0 - per_cell.exposure_decay)
            + per_cell.exposure_per_attack * attacks,
            0.0,
            1.0,
        )
        * cells.live
    )
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
