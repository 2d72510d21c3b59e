"""Mechanism 6, ISIS-K attacks: tempo grows with size and experience, severity does not.

Stylised facts from Clauset & Gleditsch (2012) for tempo and a heavy-tailed
(Pareto) severity (Bohorquez et al. 2009). Sectarian attacks are ISIS-K's bid
against the Taliban (outbidding): they erode Taliban credibility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import TARGETS, AttackRule

if TYPE_CHECKING:
    from sim.engine.world import World


def attack_rate(fighters, capability, rule: AttackRule):
    """Expected attacks per cell-month: base x (size / reference)^exponent x capability."""
    size = (fighters / rule.reference_size) ** rule.size_exponent * (fighters > 0)
    return rule.base_rate * size * capability


def severities(u, rule: AttackRule):
    """People killed or wounded in a successful attack, one per uniform u in [0, 1).

    Pareto tail with minimum `severity_min` (the inverse of its distribution function).
    """
    return rule.severity_min * (1.0 - u) ** (-1.0 / (rule.severity_exponent - 1.0))


def momentum_after(momentum, successes, rule: AttackRule):
    """Smoothed success rate: ISIS-K's momentum, the pull it has on recruits."""
    recent = np.minimum(1.0, successes / rule.momentum_saturation)
    return rule.momentum_decay * momentum + (1.0 - rule.momentum_decay) * recent


def attack(world: World, scale: float) -> None:
    """Cells attack; successes kill Taliban fighters, raise momentum, erode credibility.

    Reads `rules.attacks.*`; the mechanism's scale multiplies the attack rate.
    """
    rule, cells, units, signals = (
        world.params.rules.attacks,
        world.cells,
        world.units,
        world.signals,
    )
    shares = np.array([rule.target_shares.get(t, 0.0) for t in TARGETS])
    shares = shares / shares.sum()
    streams = world.streams
    attacks = streams.poisson(scale * attack_rate(cells.fighters, cells.capability, rule), cells.n)
    odds = np.concatenate([shares * rule.success, shares * (1.0 - rule.success)])
    outcome = streams.multinomial(  # each attack's (target, success) pair
        attacks.sum(axis=1), np.broadcast_to(odds, (world.replicates, len(odds)))
    )
    successes = outcome[:, : len(TARGETS)]
    by_target = successes + outcome[:, len(TARGETS) :]
    succeeded = successes.sum(axis=1)
    draws = streams.uniform(succeeded)
    drawn = np.arange(draws.shape[1]) < succeeded[:, None]
    rows = np.broadcast_to(np.arange(world.replicates)[:, None], drawn.shape)[drawn]
    # bincount adds in order, so a replicate's total does not depend on the batch's width
    casualties = np.bincount(rows, severities(draws[drawn], rule), minlength=world.replicates)
    taliban = units.fighters.sum(axis=1)
    kill_p = np.minimum(
        1.0, rule.taliban_killed_per_attack * successes[:, 1] / np.maximum(taliban, 1)
    )
    killed = streams.binomial(units.fighters, kill_p[:, None], np.where(kill_p > 0, units.n, 0))
    units.fighters[:] -= killed
    signals.faction_flow("losses")[:] += units.by_faction(killed)
    cells.capability[:] = np.minimum(
        rule.max_capability, cells.capability + rule.learning * attacks
    )
    cells.exposure[:] = (
        np.clip(
            cells.exposure * (1.0 - rule.exposure_decay) + rule.exposure_per_attack * attacks,
            0.0,
            1.0,
        )
        * cells.live
    )
    world.momentum[:] = momentum_after(world.momentum, succeeded, rule)
    world.credibility[:] = np.clip(
        world.credibility
        + rule.credibility_recovery * (1.0 - world.credibility)
        - rule.credibility_loss * successes[:, 0],
        0.0,
        1.0,
    )
    signals.attacks[:] = by_target
    signals.casualties[:] = casualties
