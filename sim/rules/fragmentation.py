"""Mechanism 8, fragmentation: cohesion erodes under strain; leaders decide whether to leave.

Cohesion erodes under the crackdown and concessions (in ideological factions), an
amnesty to ISIS-K (in every faction), rivalry over posts, leavers and unpaid months,
and recovers toward its start.

Each month a faction's leaders may leave by one of three ways: to ISIS-K (ideology x
the leadership's abandonment of jihad, ties, ISIS-K's pull), their own way (a regional
base, exclusion from posts) or rival Taliban rule (strength, grievance). The chance of
leaving is a base hazard, set from the Taliban's own record of splits, times
elasticities: each driver multiplies it by exp(weight x its distance from a reference
where nothing pushes or pulls), what holds leaders (cohesion, posts, pay) dividing
it. So the chance moves smoothly with its drivers, and no weight moves its level
alone. The leadership core cannot leave. A faction that goes to ISIS-K takes its
ideological units with it.

Its parameters are declared in `sim.inputs.pars.fragmentation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import by_slot, column, stacked
from sim.inputs.schema import BREAKAWAYS, FragmentationRule
from sim.rules.defection import go_over, perceived_abandonment

if TYPE_CHECKING:
    from sim.engine.world import World


MAX_EXPONENT = 700.0
"""Utilities are capped here before `exp`: exp(700) is 1e304, so three ways' weights still
sum below the largest float (sampled extreme weights gave inf and then NaN chances)."""


def strain(
    ideology,
    crackdown: float,
    joint: bool,
    concessions: float,
    amnesty: float,
    rivalry_gap,
    defection_share,
    desertion_share,
    pay,
    rule: FragmentationRule,
):
    """Monthly loss of cohesion: crackdown, concessions, amnesty, rivalry, leavers, pay.

    The crackdown strains more if joint; leavers are the shares of the faction's fighters
    that defected and that deserted. The amnesty to ISIS-K strains every faction alike,
    ideology or not: the rank and file resent sparing those who killed their comrades.
    """
    return (
        rule.crackdown_strain * crackdown * (1.0 + rule.joint_strain * float(joint)) * ideology
        + rule.concession_strain * concessions * ideology
        + rule.amnesty_strain * amnesty
        + rule.rivalry_strain * rivalry_gap
        + rule.defection_strain * defection_share
        + rule.desertion_strain * desertion_share
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
    """Log hazard ratios of (stay, to ISIS-K, independent, rival) for each faction; last axis.

    Staying holds against every way out: cohesion, `posts` against an equal share (1 =
    equal, counted up to 2) and pay, each 0 at its reference (full cohesion, an equal
    share, full pay).
    Each way out adds the log of its share and its own drivers, all 0 at reference;
    `strength` is the faction's share of Taliban fighters.
    """
    stay = (
        rule.w_stay_cohesion * (cohesion - 1.0)
        + rule.w_stay_posts * (np.minimum(posts, 2.0) - 1.0)
        + rule.w_stay_pay * (pay - 1.0)
    )
    to_isisk = (
        rule.w_isisk_ideology * ideology * abandon
        + rule.w_isisk_ties * ties
        + rule.w_isisk_pull * momentum
    )
    independent = rule.w_independent_autonomy * autonomy + rule.w_independent_exclusion * (
        np.maximum(0.0, 1.0 - posts)
    )
    rival = rule.w_rival_strength * strength + rule.w_rival_grievance * grievance
    values = stacked(stay, to_isisk, independent, rival)
    shares = stacked(0.0, rule.isisk_share, rule.independent_share, rule.rival_share)
    with np.errstate(divide="ignore"):  # a way with no share is closed: log 0 = -inf
        return values + np.where(np.arange(4) > 0, np.log(shares), 0.0)


def leaving_chances(values: np.ndarray, rule: FragmentationRule) -> np.ndarray:
    """Monthly chance of each way of leaving (last axis: BREAKAWAYS), from `choice_values`.

    The month's hazard is the annual `base_hazard` (as a rate) times the ways' weights
    over their weights at reference (their shares' sum) over staying's; the chance of
    leaving at all is 1 - exp(-hazard), split among the ways by their weights.
    """
    weights = np.exp(np.minimum(values[..., 1:], MAX_EXPONENT))
    total = weights.sum(axis=-1, keepdims=True)
    reference = rule.isisk_share + rule.independent_share + rule.rival_share
    # base 1: sure; no share: closed; a ratio beyond the largest float: leaving for sure
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = -np.log1p(-rule.base_hazard) / 12.0
        ratio = total / reference * np.exp(-np.maximum(values[..., :1], -MAX_EXPONENT))
        ratio = np.minimum(ratio, np.finfo(float).max)  # base 0 x ratio inf: no one leaves
        leaving = np.where(ratio > 0, -np.expm1(-rate * ratio), 0.0)
        return np.where(total > 0, leaving * weights / total, 0.0)


def fragment(world: World, scale: float) -> None:
    """Update each faction's cohesion; its leaders may take it out of the Taliban for good.

    Reads `rules.fragmentation.*` and each faction's `posts` and `autonomy`; the
    mechanism's scale multiplies the strain and the chance of leaving.
    """
    policy, units = world.params.policy, world.units
    rule = by_slot(world.params.rules.fragmentation)  # every array here is per faction
    names, active = world.faction_names, ~world.broken_away
    fighters = world.faction_fighters()
    weight = np.maximum(fighters, 1.0)
    ideology = units.fighters_by_faction(units.ideology) / weight
    posts = world.active_shares("posts")
    pairs = [(names.index(a), names.index(b)) for a, b in world.params.taliban.rivalries]
    defected = world.signals.faction_flow("defected_out")
    deserted = world.signals.faction_flow("deserted")
    loss = scale * strain(
        ideology,
        world.crackdown_effect()[:, None],
        policy.joint_with_us,
        column(policy.concessions),
        column(policy.amnesty),
        rivalry_gaps(posts, pairs),
        defected / np.maximum(fighters + defected, 1.0),
        deserted / np.maximum(fighters + deserted, 1.0),
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
        units.fighters_by_faction(units.ties) / weight,
        world.momentum[:, None],
        world.faction_values("autonomy"),
        fighters / np.maximum(in_taliban, 1.0),
        units.fighters_by_faction(units.grievance) / weight,
        rule,
    )
    by_option = by_slot(world.params.rules.fragmentation, axes=2)
    chances = scale * leaving_chances(values, by_option)
    chances /= np.maximum(1.0, chances.sum(axis=-1, keepdims=True))  # a scale above 1: at most sure
    can_leave = active.copy()
    can_leave[:, world.core] = False
    u = world.streams.uniform(np.full(world.replicates, len(names)))
    cumulative = np.cumsum(chances, axis=-1)
    leaving = can_leave & (u < cumulative[..., -1])
    if not leaving.any():  # most months: no faction leaves
        return
    choice = (u[..., None] >= cumulative).sum(axis=-1)  # first option whose cumulative exceeds u
    world.broken_month[leaving] = world.month
    world.breakaway_to[leaving] = choice[leaving]
    to_isisk = leaving & (choice == BREAKAWAYS.index("isisk"))
    if to_isisk.any():
        joined = units.live & np.take_along_axis(to_isisk, units.faction, axis=1)
        drawing = np.where(to_isisk.any(axis=1), units.n, 0)  # only rows where one left
        ideological = world.streams.uniform(drawing, width=units.width) < units.ideology
        go_over(world, joined & ideological)
