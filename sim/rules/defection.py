"""Mechanism 1, defection: units switch to ISIS-K or desert.

Two motives (Oppenheim et al. 2015): ideological units switch sides when the
leadership seems to abandon jihad; economic units (1 - ideology) leave when unpaid,
and go over the more as ISIS-K pays better than their faction does (Giustozzi 2018),
as far as ISIS-K's one budget (`sim.rules.strategy.funds`) lets it pay. Punishment
deters defection but adds to grievance (its cost).

Its parameters are declared in `sim.inputs.pars.defection`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import PATRONS, DefectionRule
from sim.rules.maths import logistic
from sim.rules.recruitment import found_cells, join_cells
from sim.rules.strategy import funds, wage_bill

if TYPE_CHECKING:
    from sim.engine.world import World


def abandonment(crackdown, joint: bool, concessions: float, purge, recognized, rule: DefectionRule):
    """Perceived abandonment of jihad: crackdown (more if joint), concessions, purge, recognised."""
    joint_factor = 1.0 + rule.abandonment_joint * float(joint)
    return (
        rule.abandonment_crackdown * crackdown * joint_factor
        + rule.abandonment_concessions * concessions
        + rule.abandonment_purge * purge
        + rule.abandonment_recognition * recognized
    )


def perceived_abandonment(world: World) -> np.ndarray:
    """`abandonment` of the policy in force, per replicate."""
    policy, rule = world.params.policy, world.params.rules.defection
    allied = world.patron == PATRONS.index("taliban")
    mean_purge = world.purge_effect().sum(axis=1) / np.maximum(allied.sum(axis=1), 1)
    return abandonment(
        world.crackdown_effect(),
        policy.joint_with_us,
        policy.concessions,
        mean_purge,
        world.recognized_share(),
        rule,
    )


def funded_share(fighters, pay_usd, budget_musd):
    """Share of ISIS-K's full pay its budget covers this month: budget / wage bill, <= 1."""
    return np.minimum(1.0, budget_musd / np.maximum(wage_bill(fighters, pay_usd), 1e-9))


def isisk_funded(world: World, fighters: np.ndarray) -> np.ndarray:
    """`funded_share` of ISIS-K's `fighters` now from its one budget (`funds`), per replicate."""
    isisk = world.params.isisk
    return funded_share(fighters, isisk.pay_usd, funds(isisk))


def pay_gap(funded, isisk_pay_usd, wage_usd, pay):
    """How far ISIS-K's pay as paid exceeds a faction's (`pay` x wage), in full wages; >= 0."""
    return np.maximum(0.0, funded * isisk_pay_usd / wage_usd - pay)


def defection_probability(
    ideology,
    grievance,
    ties,
    pay,
    cohesion,
    abandon,
    momentum,
    fear: float,
    rule: DefectionRule,
    gap=0.0,
):
    """Monthly chance that a unit goes over to ISIS-K (logistic in the drivers of ODD 7.5).

    `gap` is ISIS-K's `pay_gap` over the unit's faction; it pulls economic joiners.
    """
    return logistic(
        defection_score(
            ideology, grievance, ties, pay, cohesion, abandon, momentum, fear, rule, gap
        )
    )


def defection_score(
    ideology,
    grievance,
    ties,
    pay,
    cohesion,
    abandon,
    momentum,
    fear: float,
    rule: DefectionRule,
    gap=0.0,
):
    """The log-odds of `defection_probability`: the drivers weighted and summed."""
    return (
        rule.base
        + rule.w_abandonment * ideology * abandon
        + (1.0 - ideology) * (rule.w_grievance * grievance + rule.w_isisk_pay * gap)
        + rule.w_ties * ties
        + rule.w_momentum * momentum
        - rule.w_pay * pay
        - rule.w_cohesion * cohesion
        - rule.w_fear * fear
    )


def desertion_probability(ideology, grievance, pay, rule: DefectionRule):
    """Monthly chance that a unit of economic joiners goes home: grievance up, pay down."""
    return logistic(desertion_score(ideology, grievance, pay, rule))


def desertion_score(ideology, grievance, pay, rule: DefectionRule):
    """The log-odds of `desertion_probability`."""
    return (
        rule.desertion_base
        + rule.w_desertion_grievance * (1.0 - ideology) * grievance
        - rule.w_pay * pay
    )


def go_over(world: World, going: np.ndarray, *, drop_emptied: bool = False) -> None:
    """Units in the mask `going` join ISIS-K: a share found cells, the rest join existing ones.

    Records the flows (defected out of each faction, into ISIS-K) and removes the units;
    with `drop_emptied`, also those the calling rule left without fighters, in the same
    compaction of the table.
    One uniform per unit of a row with someone going decides who founds a cell, in a
    compiled loop over each replicate's units (`compiled_units.draw_founders`).
    """
    from sim.rules import compiled_units as loops  # numba loads with the first step

    units, signals, rows = world.units, world.signals, world.replicates
    founding = np.empty(going.shape, dtype=bool)
    moved = np.zeros((rows, units.factions))
    joining = np.zeros(rows, dtype=np.int64)
    buffer, start = world.streams.reserve(units.n)
    found_cell = loops.per_row(world.params.rules.defection.found_cell, rows)
    loops.draw_founders(
        units.n,
        going,
        units.fighters,
        units.faction,
        found_cell,
        buffer,
        start,
        founding,
        moved,
        joining,
    )
    signals.faction_flow("defected_out")[:] += moved
    signals.isisk_flow("defected_in")[:] += moved.sum(axis=1)
    found_cells(world, founding.sum(axis=1), units.fighters[founding])
    join_cells(world, joining)
    units.keep(~going & (units.fighters > 0) if drop_emptied else ~going)


def defect(world: World, scale: float) -> None:
    """Each unit defects to ISIS-K, deserts, or stays; punishment adds to grievance.

    Reads `rules.defection.*`, `policy.{crackdown, joint_with_us, concessions, punishment}`,
    `isisk.{pay_usd, own_funds_musd, network_funds_musd}` and `economy.wage_usd`;
    the mechanism's scale multiplies both chances. One uniform draw per unit decides,
    in a compiled loop over each replicate's units (`compiled_units.choose_fates`).
    """
    from sim.rules import compiled_units as loops  # numba loads with the first step

    policy, isisk, rule = world.params.policy, world.params.isisk, world.params.rules.defection
    units, rows = world.units, world.replicates
    going = np.empty(units.fighters.shape, dtype=bool)
    deserted = np.zeros((rows, units.factions))
    buffer, start = world.streams.reserve(units.n)
    loops.choose_fates(
        units.n,
        units.fighters,
        units.faction,
        units.ideology,
        units.ties,
        units.grievance,
        world.derived(loops.defection_weights),
        loops.per_row(rule.punishment_grievance * policy.punishment, rows),
        world.pay_ratio,
        world.cohesion,
        loops.per_row(perceived_abandonment(world), rows),
        loops.per_row(world.momentum, rows),
        loops.per_row(policy.punishment, rows),
        loops.per_row(isisk_funded(world, world.cells.fighters.sum(axis=1)), rows),
        loops.per_row(isisk.pay_usd, rows),
        loops.per_row(world.params.economy.wage_usd, rows),
        scale,
        buffer,
        start,
        going,
        deserted,
    )
    world.signals.faction_flow("losses")[:] += deserted
    world.signals.faction_flow("deserted")[:] += deserted
    go_over(world, going, drop_emptied=True)  # the deserted units too
