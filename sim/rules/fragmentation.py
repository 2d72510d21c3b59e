"""Mechanism 8, fragmentation: cohesion erodes under strain; leaders decide whether to leave.

Each month a faction's leaders weigh, with probability `decision_rate`, staying
(cohesion, posts, pay) against three ways of leaving: to ISIS-K (ideology x the
leadership's abandonment of jihad, ties, ISIS-K's pull), their own way (a regional
base, exclusion from posts) or rival Taliban rule (strength, grievance). The choice
is a multinomial logit with precision `sensitivity`: uncertain, so its chance moves
smoothly with its drivers, not across a threshold. The leadership core cannot leave.
A faction that goes to ISIS-K takes its ideological units with it.

Its parameters are declared in `sim.inputs.pars.fragmentation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import by_slot, column
from sim.inputs.schema import BREAKAWAYS, FragmentationRule
from sim.rules.defection import go_over, perceived_abandonment

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
    """For each faction (last axis), how far its rivals' shares of posts exceed its own, summed."""
    gaps = np.zeros_like(shares)
    for a, b in rivalries:
        gaps[..., a] += np.maximum(0.0, shares[..., b] - shares[..., a])
        gaps[..., b] += np.maximum(0.0, shares[..., a] - shares[..., b])
    return gaps


def choice_values(
    cohesion,
    posts,
    pay,
    ideology,
    abandon,
    ties,
    momentum,
    autonomy,
    strength,
    grievance,
    rule: FragmentationRule,
) -> np.ndarray:
    """Values of (stay, to ISIS-K, independent, rival) for each faction; last axis the options.

    `posts` is relative to an equal share (1 = equal), `strength` the faction's share of
    Taliban fighters.
    """
    stay = (
        rule.stay_base
        + rule.w_stay_cohesion * cohesion
        + rule.w_stay_posts * np.minimum(posts, 2.0)
        + rule.w_stay_pay * pay
    )
    to_isisk = (
        rule.to_isisk_base
        + rule.w_isisk_ideology * ideology * abandon
        + rule.w_isisk_ties * ties
        + rule.w_isisk_pull * momentum
    )
    independent = (
        rule.independent_base
        + rule.w_independent_autonomy * autonomy
        + rule.w_independent_exclusion * np.maximum(0.0, 1.0 - posts)
    )
    rival = rule.rival_base + rule.w_rival_strength * strength + rule.w_rival_grievance * grievance
    return np.stack(np.broadcast_arrays(stay, to_isisk, independent, rival), axis=-1)


def leaving_chances(values: np.ndarray, rule: FragmentationRule) -> np.ndarray:
    """Monthly chance of each way of leaving (last axis: BREAKAWAYS), from `choice_values`."""
    weights = np.exp(rule.sensitivity * (values - values.max(axis=-1, keepdims=True)))
    return rule.decision_rate * weights[..., 1:] / weights.sum(axis=-1, keepdims=True)


def fragment(world: World, scale: float) -> None:
    """Update each faction's cohesion; its leaders may take it out of the Taliban for good.

    Reads `rules.fragmentation.*` and each faction's `posts` and `autonomy`; the
    mechanism's scale multiplies the strain and the chance of deciding.
    """
    policy, units = world.params.policy, world.units
    rule = by_slot(world.params.rules.fragmentation)  # every array here is per faction
    names, active = world.faction_names, ~world.broken_away
    fighters = world.faction_fighters()
    weight = np.maximum(fighters, 1.0)
    ideology = units.by_faction(units.fighters * units.ideology) / weight
    posts = world.active_shares("posts")
    pairs = [(names.index(a), names.index(b)) for a, b in world.params.taliban.rivalries]
    defected = world.signals.faction_flow("defected_out")
    loss = scale * strain(
        ideology,
        world.crackdown_effect()[:, None],
        policy.joint_with_us,
        column(policy.concessions),
        rivalry_gaps(posts, pairs),
        defected / np.maximum(fighters + defected, 1.0),
        world.pay_ratio,
        rule,
    )
    target = (
        world.faction_values("cohesion")
        + rule.legitimacy_cohesion * world.recognized_share()[:, None]
    )
    updated = np.clip(world.cohesion + rule.recovery * (target - world.cohesion) - loss, 0.0, 1.0)
    world.cohesion[:] = np.where(active, updated, world.cohesion)
    in_taliban = (fighters * active).sum(axis=1, keepdims=True)
    values = choice_values(
        world.cohesion,
        posts * active.sum(axis=1, keepdims=True),
        world.pay_ratio,
        ideology,
        perceived_abandonment(world)[:, None],
        units.by_faction(units.fighters * units.ties) / weight,
        world.momentum[:, None],
        world.faction_values("autonomy"),
        fighters / np.maximum(in_taliban, 1.0),
        units.by_faction(units.fighters * units.grievance) / weight,
        rule,
    )
    by_option = by_slot(world.params.rules.fragmentation, axes=2)
    chances = np.minimum(1.0, scale * leaving_chances(values, by_option))
    can_leave = active.copy()
    can_leave[:, world.core] = False
    u = world.streams.uniform(np.full(world.replicates, len(names)))
    cumulative = np.cumsum(chances, axis=-1)
    leaving = can_leave & (u < cumulative[..., -1])
    choice = (u[..., None] >= cumulative).sum(axis=-1)  # first option whose cumulative exceeds u
    world.broken_month[leaving] = world.month
    world.breakaway_to[leaving] = choice[leaving]
    to_isisk = leaving & (choice == BREAKAWAYS.index("isisk"))
    if to_isisk.any():
        joined = units.live & np.take_along_axis(to_isisk, units.faction, axis=1)
        drawing = np.where(to_isisk.any(axis=1), units.n, 0)  # only rows where one left
        ideological = world.streams.uniform(drawing, width=units.width) < units.ideology
        go_over(world, joined & ideological)
