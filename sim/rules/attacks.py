"""Mechanism 6, ISIS-K attacks: tempo grows with size and experience, severity does not.

Stylised facts from Clauset & Gleditsch (2012) for tempo and a heavy-tailed
(Pareto) severity (Bohorquez et al. 2009). Sectarian attacks are ISIS-K's bid
against the Taliban (outbidding): they erode Taliban credibility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.rules.maths import clamp
from sim.schema import AttackRule

if TYPE_CHECKING:
    from sim.model import AfghanistanModel

TARGETS = ("sectarian", "taliban", "foreign")


def attack_rate(fighters, capability, rule: AttackRule):
    """Expected attacks per cell-month: base x (size / reference)^exponent x capability."""
    return rule.base_rate * (fighters / rule.reference_size) ** rule.size_exponent * capability


def severities(rng: np.random.Generator, n: int, rule: AttackRule) -> np.ndarray:
    """People killed or wounded in `n` successful attacks: Pareto tail, minimum `severity_min`."""
    return rule.severity_min * rng.random(n) ** (-1.0 / (rule.severity_exponent - 1.0))


def momentum_after(momentum: float, successes: float, rule: AttackRule) -> float:
    """Smoothed success rate: ISIS-K's momentum, the pull it has on recruits."""
    recent = min(1.0, successes / rule.momentum_saturation)
    return rule.momentum_decay * momentum + (1.0 - rule.momentum_decay) * recent


def attack(model: AfghanistanModel) -> None:
    """Cells attack; successes kill Taliban fighters, raise momentum, erode credibility.

    Reads `rules.attacks.*`; the mechanism's scale multiplies the attack rate.
    """
    scale = model.mechanism_scale("attacks")
    cells = model.isisk.cells
    if scale == 0.0 or len(cells) == 0:
        return
    rule, rng, recorder = model.params.rules.attacks, model.rng, model.recorder
    attacks = rng.poisson(scale * attack_rate(cells.fighters, cells.capability, rule))
    total = int(attacks.sum())
    shares = np.array([rule.target_shares.get(t, 0.0) for t in TARGETS])
    by_target = rng.multinomial(total, shares / shares.sum())
    successes = rng.binomial(by_target, rule.success)
    casualties = severities(rng, int(successes.sum()), rule).sum()
    units = model.units
    if successes[1] and len(units):
        kill_p = min(1.0, rule.taliban_killed_per_attack * successes[1] / max(units.fighters.sum(), 1))
        killed = rng.binomial(units.fighters, kill_p)
        units.fighters[:] -= killed
        recorder.add_by_faction("losses", units.faction, killed)
    cells.capability[:] = np.minimum(rule.max_capability, cells.capability + rule.learning * attacks)
    cells.exposure[:] = np.clip(
        cells.exposure * (1.0 - rule.exposure_decay) + rule.exposure_per_attack * attacks, 0.0, 1.0
    )
    model.isisk.momentum = momentum_after(model.isisk.momentum, float(successes.sum()), rule)
    model.credibility = clamp(
        model.credibility + rule.credibility_recovery * (1.0 - model.credibility)
        - rule.credibility_loss * float(successes[0])
    )
    recorder.tally["attacks"] = float(total)
    recorder.tally["sectarian_attacks"] = float(by_target[0])
    recorder.tally["casualties"] = float(casualties)
