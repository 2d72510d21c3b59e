"""Mechanism 2, crackdown: the leadership's campaign against ISIS-K cells.

Force with imperfect intelligence contains rather than eradicates (Kress & Szechtman
2009): removal scales with each cell's exposure, and leaks through a security
faction tied to ISIS-K blunt it. Inaccurate force breeds anger (Bennett 2008).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.record import COL
from sim.rules.maths import clamp
from sim.schema import CrackdownRule

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


def adaptive_intensity(base: float, gain: float, last_attacks: float, tolerance: float) -> float:
    """Crackdown intensity raised (or lowered) by last month's attacks against a tolerance."""
    return clamp(base + gain * (last_attacks - tolerance) / tolerance)


def effectiveness(joint: bool, security_ties: float, rule: CrackdownRule) -> float:
    """Joint operations with the US add `joint_bonus`; leaks cut by `leak` x ties of security."""
    return (1.0 + rule.joint_bonus * float(joint)) * (1.0 - rule.leak * security_ties)


def removal_probability(intensity: float, effect: float, exposure, rule: CrackdownRule):
    """Monthly chance that a cell fighter is killed or detained."""
    return np.minimum(1.0, rule.removal_rate * intensity * effect * exposure)


def adapt_policy(model: AfghanistanModel) -> None:
    """Set this month's crackdown intensity from `policy.crackdown`, adapting to attacks.

    With `policy.adaptive_gain` = 0 the intensity is the scenario's (or event's) value.
    """
    policy = model.params.policy
    last = model.recorder.values[model.month - 1, model.recorder.isisk, COL["attacks"]]
    last = 0.0 if np.isnan(last) else float(last)
    model.crackdown = (
        adaptive_intensity(policy.crackdown, policy.adaptive_gain, last, policy.attack_tolerance)
        if policy.adaptive_gain > 0
        else policy.crackdown
    )


def security_ties(model: AfghanistanModel) -> float:
    """Fighter-weighted ties to ISIS-K of the faction running internal security."""
    units = model.units
    index = next(f.index for f in model.factions if f.name == model.params.policy.security_faction)
    weights = units.fighters * (units.faction == index)
    return float(np.average(units.ties, weights=weights)) if weights.sum() > 0 else 0.0


def crack_down(model: AfghanistanModel) -> None:
    """Remove ISIS-K fighters cell by cell; record the anger that inaccurate force breeds.

    Reads `rules.crackdown.*`, `policy.{joint_with_us, accuracy, security_faction}`.
    """
    intensity = model.crackdown_effect()
    model.anger = intensity * (1.0 - model.params.policy.accuracy)
    cells = model.isisk.cells
    if intensity == 0.0 or len(cells) == 0:
        return
    rule = model.params.rules.crackdown
    effect = effectiveness(model.params.policy.joint_with_us, security_ties(model), rule)
    removed = model.rng.binomial(cells.fighters, removal_probability(intensity, effect, cells.exposure, rule))
    cells.fighters[:] -= removed
    model.recorder.add("losses", model.recorder.isisk, removed.sum())
