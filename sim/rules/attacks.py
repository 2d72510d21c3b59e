"""Mechanism 6, ISIS-K attacks: tempo grows with size and experience, severity does not.

Stylised facts from Clauset & Gleditsch (2012) for tempo and a heavy-tailed
(Pareto) severity (Bohorquez et al. 2009). Sectarian attacks are ISIS-K's bid
against the Taliban (outbidding): they erode Taliban credibility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.schema import AttackRule
from sim.state import bernoulli_losses, poisson_rows

if TYPE_CHECKING:
    from sim.world import World

TARGETS = ("sectarian", "taliban", "foreign")


def attack_rate(fighters, capability, rule: AttackRule):
    """Expected attacks per cell-month: base x (size / reference)^exponent x capability."""
    size = (fighters / rule.reference_size) ** rule.size_exponent * (fighters > 0)
    return rule.base_rate * size * capability


def severities(rng: np.random.Generator, n: int, rule: AttackRule) -> np.ndarray:
    """People killed or wounded in `n` successful attacks: Pareto tail, minimum `severity_min`."""
    return rule.severity_min * (1.0 - rng.random(n)) ** (-1.0 / (rule.severity_exponent - 1.0))


def momentum_after(momentum, successes, rule: AttackRule):
    """Smoothed success rate: ISIS-K's momentum, the pull it has on recruits."""
    recent = np.minimum(1.0, successes / rule.momentum_saturation)
    return rule.momentum_decay * momentum + (1.0 - rule.momentum_decay) * recent


def attack(world: World) -> None:
    """Cells attack; successes kill Taliban fighters, raise momentum, erode credibility.

    Reads `rules.attacks.*`; the mechanism's scale multiplies the attack rate.
    """
    scale = world.mechanism_scale("attacks")
    if scale == 0.0:
        return
    rule, cells, units, recorder = (
        world.params.rules.attacks,
        world.cells,
        world.units,
        world.recorder,
    )
    shares = np.array([rule.target_shares.get(t, 0.0) for t in TARGETS])
    shares = shares / shares.sum()
    attacks = poisson_rows(
        world.gens, scale * attack_rate(cells.fighters, cells.capability, rule), cells.n
    )
    by_target = np.zeros((world.replicates, len(TARGETS)), dtype=np.int64)
    successes = np.zeros_like(by_target)
    casualties = np.zeros(world.replicates)
    killed = np.zeros_like(units.fighters)
    taliban = units.fighters.sum(axis=1)
    odds = np.concatenate([shares * rule.success, shares * (1.0 - rule.success)])
    for r, gen in enumerate(world.gens):
        outcome = gen.multinomial(attacks[r].sum(), odds)  # (target, success) pairs
        successes[r] = outcome[: len(TARGETS)]
        by_target[r] = successes[r] + outcome[len(TARGETS) :]
        casualties[r] = severities(gen, int(successes[r].sum()), rule).sum()
        if successes[r, 1] and taliban[r]:
            kill_p = min(1.0, rule.taliban_killed_per_attack * successes[r, 1] / taliban[r])
            killed[r, : units.n[r]] = bernoulli_losses(gen, units.fighters[r, : units.n[r]], kill_p)
    units.fighters[:] -= killed
    recorder.add_by_faction("losses", killed)
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
    world.momentum[:] = momentum_after(world.momentum, successes.sum(axis=1), rule)
    world.credibility[:] = np.clip(
        world.credibility
        + rule.credibility_recovery * (1.0 - world.credibility)
        - rule.credibility_loss * successes[:, 0],
        0.0,
        1.0,
    )
    recorder.tally[:, 0] = attacks.sum(axis=1)
    recorder.tally[:, 1] = by_target[:, 0]
    recorder.tally[:, 2] = casualties
