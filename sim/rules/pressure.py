"""Mechanism 3, international pressure: states watch the Taliban and move sticks and carrots.

Each state's pressure decays toward its baseline and moves with what it watches: the
shortfall of Taliban action on what it cares about, sectarian attacks, attacks on
its nationals and interests, and conduct (indiscriminate force, punishment). States
that condition on conduct and rights differ from those that trade recognition for
stability. Months of low pressure bring unfreezing and, at a monthly rate scaled by
Taliban credibility, recognition; aid follows pressure (see `economy`).

Its parameters are declared in `sim.inputs.pars.pressure` (each state's in
`sim.inputs.pars.international`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import column
from sim.inputs.schema import InternationalActor

if TYPE_CHECKING:
    from sim.engine.world import World


def taliban_action(world: World) -> dict[str, np.ndarray]:
    """Taliban action in [0, 1] per replicate on each demand: ISIS-K, joint, concessions, groups."""
    policy = world.params.policy
    crackdown = world.crackdown_effect()
    action = {
        "isisk": crackdown,
        "joint": crackdown * float(policy.joint_with_us),
        "concessions": np.full(world.replicates, policy.concessions),
    }
    purge = world.purge_effect()
    return action | {g: purge[:, j] for j, g in enumerate(world.group_names)}


def misconduct(world: World) -> np.ndarray:
    """Conduct held against the Taliban: indiscriminate force plus punishment, per replicate."""
    punishment = world.params.rules.pressure.punishment_conduct * world.params.policy.punishment
    return world.signals.anger + punishment


def compliance(cares_about: dict[str, float], action: dict[str, np.ndarray]):
    """Weighted mean of the action on the targets a state cares about."""
    total = sum(cares_about.values())
    if total <= 0:
        return 1.0
    return sum(w * action[t] for t, w in cares_about.items()) / total


def pressure_change(complied, sectarian, on_foreigners, conduct, spec: InternationalActor):
    """The month's push on one state's pressure from what it watches."""
    return (
        spec.responsiveness * (spec.demand - complied)
        + spec.sectarian_sensitivity * sectarian
        + spec.attack_sensitivity * on_foreigners
        + spec.conduct_sensitivity * conduct
    )


def pressure_after(pressure, change, shock, spec: InternationalActor, scale: float):
    """Decay toward the baseline, the scaled push and a shock, bounded to [0, 1]."""
    drift = spec.pressure_decay * (spec.baseline_pressure - pressure)
    return np.clip(pressure + drift + scale * (change + shock), 0.0, 1.0)


def update_pressure(world: World, scale: float) -> None:
    """Move each state's pressure; count months of low pressure; unfreeze funds, recognise.

    Reads each `international.<actor>` block and `rules.pressure.*`. Frozen funds are
    released once every state holding them has kept pressure below `satisfied_below`
    for its `unfreeze_after` months. The scale multiplies each month's push and shock.
    Off: pressure stays and no carrots come.
    """
    action, conduct, signals = taliban_action(world), misconduct(world), world.signals
    noise = world.params.rules.pressure.noise
    holders_satisfied = np.ones(world.replicates, dtype=bool)
    states = list(world.params.international.values())
    shocks = column(noise) * world.streams.normals(len(states))
    recognition_draws = world.streams.uniform(np.full(world.replicates, len(states)))
    for j, spec in enumerate(states):
        change = pressure_change(
            compliance(spec.cares_about, action),
            signals.sectarian_attacks,
            signals.attacks_on_foreigners,
            conduct,
            spec,
        )
        world.pressure[:, j] = pressure_after(
            world.pressure[:, j], change, shocks[:, j], spec, scale
        )
        satisfied = world.pressure[:, j] <= spec.satisfied_below
        world.months_satisfied[:, j] = np.where(satisfied, world.months_satisfied[:, j] + 1, 0)
        if spec.holds_frozen_funds:
            holders_satisfied &= world.months_satisfied[:, j] >= spec.unfreeze_after
        recognizes = (
            (world.recognized_month[:, j] < 0)
            & (world.months_satisfied[:, j] >= spec.recognize_after)
            & (world.credibility >= spec.min_credibility)
            & (recognition_draws[:, j] < spec.recognition_rate * world.credibility)
        )
        world.recognized_month[recognizes, j] = world.month
    if any(s.holds_frozen_funds for s in states):
        world.unfrozen |= holders_satisfied
