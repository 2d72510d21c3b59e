"""Mechanism 3, international pressure: states watch Taliban action and move sticks and carrots.

Each state compares the Taliban's action on what it cares about with its demand;
shortfalls and sectarian attacks raise pressure (which withholds aid and, through
sanctions, revenue); months of sustained compliance unfreeze funds and bring recognition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import InternationalActor

if TYPE_CHECKING:
    from sim.engine.world import World


def taliban_action(world: World) -> dict[str, np.ndarray]:
    """Taliban action in [0, 1] per replicate on each demand: ISIS-K, each group, concessions."""
    policy = world.params.policy
    joint = 1.0 + world.params.rules.crackdown.joint_bonus * float(policy.joint_with_us)
    action = {
        "isisk": np.minimum(1.0, world.crackdown_effect() * joint),
        "concessions": np.full(world.replicates, policy.concessions),
    }
    purge = world.purge_effect()
    action |= {g: purge[:, j] for j, g in enumerate(world.group_names)}
    return action


def compliance(cares_about: dict[str, float], action: dict[str, np.ndarray]):
    """Weighted mean of the action on the targets a state cares about."""
    total = sum(cares_about.values())
    if total <= 0:
        return 1.0
    return sum(w * action[t] for t, w in cares_about.items()) / total


def pressure_after(pressure, complied, sectarian, spec: InternationalActor, scale: float):
    """Pressure moves by `responsiveness` x (demand - compliance) plus sectarian attacks."""
    change = spec.responsiveness * (spec.demand - complied) + spec.sectarian_sensitivity * sectarian
    return np.clip(pressure + scale * change, 0.0, 1.0)


def update_pressure(world: World, scale: float) -> None:
    """Move each state's pressure; count months satisfied; unfreeze funds, recognise.

    Reads each `international.<actor>` block. Frozen funds are released once every
    state holding them has been satisfied for its `unfreeze_after` months. The scale
    multiplies every change of pressure. Off: pressure stays and no carrots come.
    """
    action = taliban_action(world)
    sectarian = world.signals.sectarian_attacks
    holders_satisfied = np.ones(world.replicates, dtype=bool)
    for j, spec in enumerate(world.params.international.values()):
        complied = compliance(spec.cares_about, action)
        world.pressure[:, j] = pressure_after(
            world.pressure[:, j], complied, sectarian, spec, scale
        )
        satisfied = complied >= spec.demand
        world.months_satisfied[:, j] = np.where(satisfied, world.months_satisfied[:, j] + 1, 0)
        if spec.holds_frozen_funds:
            holders_satisfied &= world.months_satisfied[:, j] >= spec.unfreeze_after
        recognizes = (
            (world.recognized_month[:, j] < 0)
            & (world.months_satisfied[:, j] >= spec.recognize_after)
            & (world.credibility >= spec.min_credibility)
        )
        world.recognized_month[recognizes, j] = world.month
    if any(s.holds_frozen_funds for s in world.params.international.values()):
        world.unfrozen |= holders_satisfied
