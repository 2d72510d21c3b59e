"""Mechanism 8, fragmentation: cohesion erodes under strain; below a threshold, a faction leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import FragmentationRule

if TYPE_CHECKING:
    from sim.engine.world import World


def strain(
    ideology,
    crackdown: float,
    joint: bool,
    concessions: float,
    rivalry_gap,
    defection_share,
    pay,
    rule: FragmentationRule,
):
    """Monthly loss of cohesion: crackdown (more if joint), concessions, rivalry, defection, pay."""
    return (
        rule.crackdown_strain * crackdown * (1.0 + rule.joint_strain * float(joint)) * ideology
        + rule.concession_strain * concessions * ideology
        + rule.rivalry_strain * rivalry_gap
        + rule.defection_strain * defection_share
        + rule.pay_strain * (1.0 - pay)
    )


def rivalry_gaps(shares: np.ndarray, rivalries: list[tuple[int, int]]) -> np.ndarray:
    """For each faction (last axis), how far its rivals' revenue shares exceed its own, summed."""
    gaps = np.zeros_like(shares)
    for a, b in rivalries:
        gaps[..., a] += np.maximum(0.0, shares[..., b] - shares[..., a])
        gaps[..., b] += np.maximum(0.0, shares[..., a] - shares[..., b])
    return gaps


def fragment(world: World, scale: float) -> None:
    """Update each faction's cohesion; one below `threshold` breaks away for good.

    Reads `rules.fragmentation.*`; the mechanism's scale multiplies the strain.
    """
    rule, policy, units = world.params.rules.fragmentation, world.params.policy, world.units
    names, active = world.faction_names, ~world.broken_away
    fighters = world.faction_fighters()
    ideology = units.by_faction(units.fighters * units.ideology)
    ideology = ideology / np.maximum(fighters, 1.0)
    shares = world.faction_values("revenue_share") * active
    shares = shares / np.maximum(shares.sum(axis=1, keepdims=True), 1e-12)
    pairs = [(names.index(a), names.index(b)) for a, b in world.params.taliban.rivalries]
    defected = world.signals.faction_flow("defected_out")
    loss = scale * strain(
        ideology,
        world.crackdown_effect()[:, None],
        policy.joint_with_us,
        policy.concessions,
        rivalry_gaps(shares, pairs),
        defected / np.maximum(fighters + defected, 1.0),
        world.pay_ratio,
        rule,
    )
    baseline = world.faction_values("cohesion")
    updated = np.clip(world.cohesion + rule.recovery * (baseline - world.cohesion) - loss, 0.0, 1.0)
    world.cohesion[:] = np.where(active, updated, world.cohesion)
    breaking = active & (world.cohesion < rule.threshold)
    world.broken_month[breaking] = world.month
