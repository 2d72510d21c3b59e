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

import math
import sys
from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import FragmentationRule
from sim.rules.defection import go_over, perceived_abandonment

if TYPE_CHECKING:
    from sim.engine.world import World


MAX_EXPONENT = 700.0
"""Utilities are capped here before `exp`: exp(700) is 1e304, so three ways' weights still
sum below the largest float (sampled extreme weights gave inf and then NaN chances)."""

LARGEST = sys.float_info.max
"""The largest float: a ratio of hazards is held below it, so that a base of 0 gives 0."""


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


def rivalry_gaps(shares, rivalries):
    """For each faction, how far its rivals' shares of posts exceed its own, summed over the pairs.

    `shares` holds each faction's share of posts; `rivalries` pairs of faction indices.
    """
    gaps = np.zeros_like(shares)
    for pair in rivalries:
        a, b = pair[0], pair[1]
        gaps[a] += max(0.0, shares[b] - shares[a])
        gaps[b] += max(0.0, shares[a] - shares[b])
    return gaps


def log_share(share):
    """The log of a way's share of leavers at reference; a way with no share is closed (-inf)."""
    return math.log(share) if share > 0 else -math.inf


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
) -> tuple[float, float, float, float]:
    """Log hazard ratios of (stay, to ISIS-K, independent, rival) for one faction.

    Staying holds against every way out: cohesion, `posts` against an equal share (1 =
    equal, counted up to 2) and pay, each 0 at its reference (full cohesion, an equal
    share, full pay).
    Each way out adds the log of its share and its own drivers, all 0 at reference;
    `strength` is the faction's share of Taliban fighters.
    """
    stay = (
        rule.w_stay_cohesion * (cohesion - 1.0)
        + rule.w_stay_posts * (min(posts, 2.0) - 1.0)
        + rule.w_stay_pay * (pay - 1.0)
    )
    to_isisk = (
        rule.w_isisk_ideology * ideology * abandon
        + rule.w_isisk_ties * ties
        + rule.w_isisk_pull * momentum
    )
    independent = rule.w_independent_autonomy * autonomy + rule.w_independent_exclusion * (
        max(1.0 - posts, 0.0)
    )
    rival = rule.w_rival_strength * strength + rule.w_rival_grievance * grievance
    return (
        stay,
        to_isisk + log_share(rule.isisk_share),
        independent + log_share(rule.independent_share),
        rival + log_share(rule.rival_share),
    )


def leaving_chances(values, rule: FragmentationRule) -> tuple[float, float, float]:
    """Monthly chance of each way of leaving (BREAKAWAYS), from one faction's `choice_values`.

    The month's hazard is the annual `base_hazard` (as a rate) times the ways' weights
    over their weights at reference (their shares' sum) over staying's; the chance of
    leaving at all is 1 - exp(-hazard), split among the ways by their weights.
    """
    weights = (
        math.exp(min(values[1], MAX_EXPONENT)),
        math.exp(min(values[2], MAX_EXPONENT)),
        math.exp(min(values[3], MAX_EXPONENT)),
    )
    total = weights[0] + weights[1] + weights[2]
    if not total > 0:  # no way out is open
        return 0.0, 0.0, 0.0
    reference = rule.isisk_share + rule.independent_share + rule.rival_share
    rate = -math.log1p(-rule.base_hazard) / 12.0 if rule.base_hazard < 1.0 else math.inf
    ratio = total / reference * math.exp(-max(values[0], -MAX_EXPONENT))
    ratio = min(ratio, LARGEST)  # base 0 x ratio inf: no one leaves
    leaving = -math.expm1(-rate * ratio) if ratio > 0 else 0.0
    return leaving * weights[0] / total, leaving * weights[1] / total, leaving * weights[2] / total


def fragment(world: World, scale: float) -> None:
    """Update each faction's cohesion; its leaders may take it out of the Taliban for good.

    Reads `rules.fragmentation.*` and each faction's `posts` and `autonomy`; the
    mechanism's scale multiplies the strain and the chance of leaving. The factions
    weigh it in a compiled loop (`compiled_factions.weigh_leaving`); a faction gone to
    ISIS-K then takes its ideological units over.
    """
    from sim.rules import compiled_factions as loops  # numba loads with the first step
    from sim.rules.compiled_units import per_row

    policy, units, rows = world.params.policy, world.units, world.replicates
    factions = len(world.faction_names)
    abandon = per_row(perceived_abandonment(world), rows)
    buffer, start = world.streams.reserve(np.full(rows, factions))
    to_isisk = np.empty((rows, factions), dtype=bool)
    loops.weigh_leaving(
        units.n,
        units.fighters,
        units.faction,
        units.ideology,
        units.ties,
        units.grievance,
        world.derived(loops.fragmentation_weights),
        world.derived(loops.faction_weights),
        world.derived(loops.rivalries),
        world.signals.faction_flow("defected_out"),
        world.signals.faction_flow("deserted"),
        world.pay_ratio,
        per_row(world.crackdown_effect(), rows),
        float(policy.joint_with_us),
        per_row(policy.concessions, rows),
        per_row(policy.amnesty, rows),
        per_row(world.recognized_share(), rows),
        abandon,
        world.momentum,
        world.core,
        world.month,
        scale,
        buffer,
        start,
        world.cohesion,
        world.broken_month,
        world.breakaway_to,
        to_isisk,
    )
    if to_isisk.any():  # a few times a run
        joined = units.live & np.take_along_axis(to_isisk, units.faction, axis=1)
        drawing = np.where(to_isisk.any(axis=1), units.n, 0)  # only rows where one left
        ideological = world.streams.uniform(drawing, width=units.width) < units.ideology
        go_over(world, joined & ideological)
