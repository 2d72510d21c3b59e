"""Mechanism 8, fragmentation: faction cohesion erodes under strain; below a threshold it breaks away."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.record import FLOWS
from sim.rules.maths import clamp
from sim.schema import FragmentationRule

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


def strain(
    ideology, crackdown: float, joint: bool, concessions: float, rivalry_gap, defection_share,
    pay, rule: FragmentationRule,
):
    """Monthly loss of cohesion from crackdown (far more if joint), concessions, rivalry, defections, pay."""
    return (
        rule.crackdown_strain * crackdown * (1.0 + rule.joint_strain * float(joint)) * ideology
        + rule.concession_strain * concessions * ideology
        + rule.rivalry_strain * rivalry_gap
        + rule.defection_strain * defection_share
        + rule.pay_strain * (1.0 - pay)
    )


def rivalry_gaps(shares: np.ndarray, rivalries: list[tuple[int, int]]) -> np.ndarray:
    """For each faction, how far its rivals' revenue shares exceed its own, summed."""
    gaps = np.zeros_like(shares)
    for a, b in rivalries:
        gaps[a] += max(0.0, shares[b] - shares[a])
        gaps[b] += max(0.0, shares[a] - shares[b])
    return gaps


def fragment(model: AfghanistanModel) -> None:
    """Update each faction's cohesion; one below `threshold` breaks away for good.

    Reads `rules.fragmentation.*`; the mechanism's scale multiplies the strain.
    """
    scale = model.mechanism_scale("fragmentation")
    if scale == 0.0:
        return
    rule, policy, units = model.params.rules.fragmentation, model.params.policy, model.units
    factions = model.factions
    fighters = model.faction_fighters()
    ideology = np.bincount(units.faction, units.fighters * units.ideology, len(factions))
    ideology = ideology / np.maximum(fighters, 1.0)
    names = [f.name for f in factions]
    shares = np.array([model.params.taliban.factions[n].revenue_share for n in names])
    shares = shares * model.active_factions()
    shares = shares / max(shares.sum(), 1e-12)
    pairs = [(names.index(a), names.index(b)) for a, b in model.params.taliban.rivalries]
    defected = model.recorder.flows[1 : 1 + len(factions), FLOWS.index("defected_out")]
    crackdown = model.crackdown_effect()
    loss = scale * strain(
        ideology, crackdown, policy.joint_with_us and crackdown > 0, policy.concessions,
        rivalry_gaps(shares, pairs), defected / np.maximum(fighters + defected, 1.0),
        np.array([f.pay_ratio for f in factions]), rule,
    )
    for faction, lost in zip(factions, loss, strict=True):
        if faction.broken_away:
            continue
        recovered = rule.recovery * (faction.baseline_cohesion - faction.cohesion)
        faction.cohesion = clamp(faction.cohesion + recovered - float(lost))
        if faction.cohesion < rule.threshold:
            faction.broken_away, faction.broken_month = True, model.month
