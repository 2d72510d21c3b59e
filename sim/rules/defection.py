"""Mechanism 1, defection: units switch to ISIS-K or desert.

Two motives (Oppenheim et al. 2015): ideological units switch sides when the
leadership seems to abandon jihad; economic units (1 - ideology) leave when unpaid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import PATRONS, DefectionRule
from sim.rules.maths import logistic
from sim.rules.recruitment import found_cells

if TYPE_CHECKING:
    from sim.engine.world import World


def abandonment(crackdown, joint: bool, concessions: float, purge, rule: DefectionRule):
    """Perceived abandonment of jihad: crackdown (more if joint with the US), concessions, purge."""
    joint_factor = 1.0 + rule.abandonment_joint * float(joint)
    return (
        rule.abandonment_crackdown * crackdown * joint_factor
        + rule.abandonment_concessions * concessions
        + rule.abandonment_purge * purge
    )


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
):
    """Monthly chance that a unit goes over to ISIS-K (logistic in the drivers of DESIGN 3.1)."""
    x = (
        rule.base
        + rule.w_abandonment * ideology * abandon
        + rule.w_grievance * (1.0 - ideology) * grievance
        + rule.w_ties * ties
        + rule.w_momentum * momentum
        - rule.w_pay * pay
        - rule.w_cohesion * cohesion
        - rule.w_fear * fear
    )
    return logistic(x)


def desertion_probability(ideology, grievance, pay, rule: DefectionRule):
    """Monthly chance that a unit of economic joiners goes home: grievance up, pay down."""
    x = (
        rule.desertion_base
        + rule.w_desertion_grievance * (1.0 - ideology) * grievance
        - rule.w_pay * pay
    )
    return logistic(x)


def defect(world: World, scale: float) -> None:
    """Each unit defects to ISIS-K (founding a cell), deserts, or stays.

    Reads `rules.defection.*`, `policy.{crackdown, joint_with_us, concessions, punishment}`;
    the mechanism's scale multiplies both chances. One uniform draw per unit decides.
    """
    rule, policy, units = world.params.rules.defection, world.params.policy, world.units
    crackdown = world.crackdown_effect()
    purge = world.purge_effect()
    allied = world.patron == PATRONS.index("taliban")
    mean_purge = purge.sum(axis=1) / np.maximum(allied.sum(axis=1), 1)
    abandon = abandonment(crackdown, policy.joint_with_us, policy.concessions, mean_purge, rule)
    pay = units.per_unit(world.pay_ratio)
    cohesion = units.per_unit(world.cohesion)
    p_defect = np.minimum(
        1.0,
        scale
        * defection_probability(
            units.ideology,
            units.grievance,
            units.ties,
            pay,
            cohesion,
            abandon[:, None],
            world.momentum[:, None],
            policy.punishment,
            rule,
        ),
    )
    p_desert = np.minimum(
        1.0 - p_defect, scale * desertion_probability(units.ideology, units.grievance, pay, rule)
    )
    draw = world.streams.uniform(units.n)
    defecting = draw < p_defect
    deserting = ~defecting & (draw < p_defect + p_desert)
    signals = world.signals
    moved = units.fighters * defecting
    signals.faction_flow("defected_out")[:] += units.by_faction(moved)
    signals.isisk_flow("defected_in")[:] += moved.sum(axis=1)
    found_cells(world, defecting.sum(axis=1), units.fighters[defecting])
    left = units.by_faction(units.fighters * deserting)
    signals.faction_flow("losses")[:] += left
    signals.faction_flow("deserted")[:] += left
    units.keep(~(defecting | deserting))
