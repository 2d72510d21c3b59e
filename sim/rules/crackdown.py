"""Mechanism 2, crackdown: the leadership's campaign against ISIS-K cells and their leaders.

Force with imperfect intelligence contains rather than eradicates (Kress & Szechtman
2009): removal scales with each cell's exposure and with accuracy, and leaks through a
security faction tied to ISIS-K blunt it. Intelligence builds up: a cell's exposure
grows with the intelligence effort (force x accuracy) and with the leads its captured
members give, and fades without them (in `attacks`). Intelligence-led arrests of leaders
cut a cell's capability; their successors are less skilled (Jordan 2009, Price 2012).
Force erodes ISIS-K's safe areas (its mountain sanctuaries), which shelter its cells
from the exposure they would build up.
Inaccurate force breeds anger (Bennett 2008), less where an amnesty lets suspects
surrender instead (HRW 2022); accuracy costs money
(`economy.accuracy_cost_musd`) and reach: accurate operations cover less ground a month,
so they press fewer cells into lying low (`accuracy_tempo`).

Its parameters are declared in `sim.inputs.pars.crackdown`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.world import rescaled
from sim.inputs.schema import CrackdownRule

if TYPE_CHECKING:
    from sim.engine.world import World


def adaptive_intensity(base: float, gain: float, last_attacks, tolerance: float):
    """Crackdown intensity raised (or lowered) by last month's attacks against a tolerance."""
    return np.clip(base + gain * (last_attacks - tolerance) / tolerance, 0.0, 1.0)


def effectiveness(joint: bool, security_ties, accuracy: float, rule: CrackdownRule):
    """Force per unit of intensity: joint with the US, less leaks, less accuracy's lost reach.

    Joint operations add `joint_bonus`; leaks cut by `leak` x ties of the security faction;
    intelligence-led (accurate) operations reach fewer places a month (`accuracy_tempo`).
    """
    joint_factor = 1.0 + rule.joint_bonus * float(joint)
    coverage = 1.0 - rule.accuracy_tempo * accuracy
    return joint_factor * (1.0 - rule.leak * security_ties) * coverage


def precision(accuracy: float, rule: CrackdownRule) -> float:
    """Yield of force at this accuracy relative to wholly accurate force."""
    return rule.accuracy_floor + (1.0 - rule.accuracy_floor) * accuracy


def anger(intensity, accuracy: float, amnesty: float, rule: CrackdownRule):
    """Anger the crackdown breeds: its indiscriminate force, less what an amnesty spares.

    An amnesty gives suspects a lawful way out (surrender through the elders), so fewer
    of those the force falls on are killed or disappeared (`amnesty_relief`).
    """
    return intensity * (1.0 - accuracy) * (1.0 - rule.amnesty_relief * amnesty)


def removal_probability(force, exposure, accuracy: float, rule: CrackdownRule):
    """Monthly chance that a cell fighter is killed or detained under this force."""
    return np.minimum(1.0, rule.removal_rate * force * precision(accuracy, rule) * exposure)


def leadership_loss(force, exposure, accuracy: float, rule: CrackdownRule):
    """Share of a cell's capability lost this month to arrests of its leaders."""
    return np.minimum(1.0, rule.leader_hit * force * accuracy * exposure)


def sheltered(build_up, safe_areas):
    """Exposure a cell builds up, less the share its safe areas shelter from informants."""
    return build_up * (1.0 - safe_areas)


def exposure_after(exposure, force, accuracy, removed_share, safe_areas, rule: CrackdownRule):
    """Exposure after the month's intelligence effort and the leads of captured members.

    Effort (force x accuracy) closes `intelligence_gain` of the gap to 1; each share of
    the cell removed adds `leads_per_removal`; ISIS-K's safe areas shelter that share.
    """
    gained = rule.intelligence_gain * force * accuracy * (1.0 - exposure)
    built = sheltered(gained + rule.leads_per_removal * removed_share, safe_areas)
    return np.clip(exposure + built, 0.0, 1.0)


def safe_areas_eroded(safe_areas, force, rule: CrackdownRule):
    """ISIS-K's safe areas after the month's crackdown: `sanctuary_erosion` x force of them lost."""
    return safe_areas * (1.0 - np.minimum(1.0, rule.sanctuary_erosion * force))


def adapt_policy(world: World, scale: float) -> None:
    """Set this month's crackdown intensity from `policy.crackdown`, adapting to attacks.

    With `policy.adaptive_gain` = 0 the intensity is the scenario's (or event's) value;
    otherwise it moves with the previous month's attacks (from month 2 on). This sets
    the policy, not its effect: the scale applies where the intensity acts
    (`crack_down`, and `World.crackdown_effect` for the other mechanisms).
    """
    policy = world.params.policy
    if world.month == 1:
        world.crackdown_intensity[:] = policy.crackdown
        return
    adapted = adaptive_intensity(
        policy.crackdown,
        policy.adaptive_gain,
        world.signals.previous_attacks,
        policy.attack_tolerance,
    )
    world.crackdown_intensity[:] = np.where(policy.adaptive_gain == 0, policy.crackdown, adapted)


def security_ties(world: World) -> np.ndarray:
    """Fighter-weighted ties to ISIS-K of the faction running internal security, per replicate.

    Summed unit by unit in order in a compiled loop (`compiled_cells.weigh_ties`), so a
    replicate's value does not depend on the batch's width.
    """
    from sim.rules import compiled_cells as loops  # numba loads with the first step

    units, rows = world.units, world.replicates
    index = world.faction_names.index(world.params.policy.security_faction)
    total, weighted = np.zeros(rows), np.zeros(rows)
    loops.weigh_ties(units.n, units.fighters, units.faction, units.ties, index, total, weighted)
    return weighted / np.maximum(total, 1)


def crack_down(world: World, scale: float) -> None:
    """Remove ISIS-K fighters, cut leaders and gather intelligence cell by cell; signal force.

    Also erodes ISIS-K's safe areas and signals anger and removals. Reads `rules.crackdown.*`,
    `policy.{joint_with_us, accuracy, security_faction}`; the mechanism's scale multiplies
    the intensity (as in `World.crackdown_effect`). Each cell draws its removals,
    Binomial(fighters, `removal_probability`), where the crackdown acts, in a compiled
    loop over each replicate's cells (`compiled_cells.crack_cells`).
    """
    from sim.rules import compiled_cells as loops  # numba loads with the first step
    from sim.rules.compiled_units import per_row

    intensity = rescaled(world.crackdown_intensity, scale)
    policy, signals = world.params.policy, world.signals
    rule, cells, rows = world.params.rules.crackdown, world.cells, world.replicates
    signals.anger[:] = anger(intensity, policy.accuracy, policy.amnesty, rule)
    if not intensity.any():
        return
    force = intensity * effectiveness(
        policy.joint_with_us, security_ties(world), policy.accuracy, rule
    )
    signals.crackdown_force[:] = force
    active = intensity > 0
    removed = np.zeros(rows)
    buffer, start = world.streams.reserve(np.where(active, cells.n, 0))
    loops.crack_cells(
        cells.n,
        active,
        cells.fighters,
        cells.capability,
        cells.exposure,
        cells.skill,
        per_row(force, rows),
        per_row(policy.accuracy, rows),
        world.safe_areas,
        world.derived(loops.crackdown_weights),
        buffer,
        start,
        removed,
    )
    world.safe_areas[:] = safe_areas_eroded(world.safe_areas, force, rule)
    signals.removed[:] = removed
    signals.isisk_flow("losses")[:] += signals.removed
