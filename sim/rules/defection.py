"""Mechanism 1, defection: units switch to ISIS-K or desert.

Two motives (Oppenheim et al. 2015): ideological units switch sides when the
leadership seems to abandon jihad; economic units (1 - ideology) leave when unpaid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.rules.maths import logistic
from sim.rules.recruitment import found_cells
from sim.schema import DefectionRule

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


def abandonment(
    crackdown: float, joint: bool, concessions: float, purge: float, rule: DefectionRule
) -> float:
    """Perceived abandonment of jihad: crackdown (far more if joint with the US), concessions, purges."""
    joint_factor = 1.0 + rule.abandonment_joint * float(joint)
    return (
        rule.abandonment_crackdown * crackdown * joint_factor
        + rule.abandonment_concessions * concessions
        + rule.abandonment_purge * purge
    )


def defection_probability(
    ideology, grievance, ties, pay, cohesion, abandon: float, momentum: float, fear: float,
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
    x = rule.desertion_base + rule.w_desertion_grievance * (1.0 - ideology) * grievance - rule.w_pay * pay
    return logistic(x)


def defect(model: AfghanistanModel) -> None:
    """Each unit defects to ISIS-K (founding a cell), deserts, or stays.

    Reads `rules.defection.*`, `policy.{crackdown, joint_with_us, concessions, punishment}`;
    the mechanism's scale multiplies both chances. One uniform draw per unit decides.
    """
    scale = model.mechanism_scale("defection")
    units = model.units
    if scale == 0.0 or len(units) == 0:
        return
    rule, policy = model.params.rules.defection, model.params.policy
    purges = [model.purge_effect(g.name) for g in model.groups if g.patron == "taliban"]
    abandon = abandonment(
        model.crackdown_effect(), policy.joint_with_us and model.crackdown_effect() > 0,
        policy.concessions, float(np.mean(purges)) if purges else 0.0, rule,
    )
    pay = np.array([f.pay_ratio for f in model.factions])[units.faction]
    cohesion = np.array([f.cohesion for f in model.factions])[units.faction]
    p_defect = np.minimum(1.0, scale * defection_probability(
        units.ideology, units.grievance, units.ties, pay, cohesion, abandon,
        model.isisk.momentum, policy.punishment, rule,
    ))
    p_desert = np.minimum(1.0 - p_defect, scale * desertion_probability(
        units.ideology, units.grievance, pay, rule
    ))
    draw = model.rng.random(len(units))
    defecting = draw < p_defect
    deserting = ~defecting & (draw < p_defect + p_desert)
    recorder = model.recorder
    if defecting.any():
        moved = units.fighters * defecting
        recorder.add_by_faction("defected_out", units.faction, moved)
        recorder.add("defected_in", recorder.isisk, moved.sum())
        found_cells(model, units.fighters[defecting])
    if deserting.any():
        left = units.fighters * deserting
        recorder.add_by_faction("losses", units.faction, left)
        recorder.add_by_faction("deserted", units.faction, left)
    units.keep(~(defecting | deserting))
