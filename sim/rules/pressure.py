"""Mechanism 3, international pressure: states watch Taliban action and move sticks and carrots.

Each state compares the Taliban's action on what it cares about with its demand;
shortfalls and sectarian attacks raise pressure (which withholds aid and, through
sanctions, revenue); months of sustained compliance unfreeze funds and bring recognition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


from sim.rules.maths import clamp
from sim.schema import InternationalActor

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


def taliban_action(model: AfghanistanModel) -> dict[str, float]:
    """Taliban action in [0, 1] on each possible demand: ISIS-K, each group, concessions."""
    policy = model.params.policy
    joint = 1.0 + model.params.rules.crackdown.joint_bonus * float(policy.joint_with_us)
    action = {"isisk": min(1.0, model.crackdown_effect() * joint), "concessions": policy.concessions}
    action |= {g.name: model.purge_effect(g.name) for g in model.groups}
    return action


def compliance(cares_about: dict[str, float], action: dict[str, float]) -> float:
    """Weighted mean of the action on the targets a state cares about."""
    total = sum(cares_about.values())
    return sum(w * action[t] for t, w in cares_about.items()) / total if total > 0 else 1.0


def pressure_after(pressure: float, complied: float, sectarian: float, spec: InternationalActor,
                   scale: float) -> float:
    """Pressure moves by `responsiveness` x (demand - compliance) plus sectarian attacks."""
    change = spec.responsiveness * (spec.demand - complied) + spec.sectarian_sensitivity * sectarian
    return clamp(pressure + scale * change)


def update_pressure(model: AfghanistanModel) -> None:
    """Move each state's pressure; count months satisfied; unfreeze funds, recognise.

    Reads each `international.<actor>` block. Off: pressure stays and no carrots come.
    """
    scale = model.mechanism_scale("pressure")
    if scale == 0.0:
        return
    action = taliban_action(model)
    sectarian = model.recorder.tally["sectarian_attacks"]
    for state in model.states:
        spec = model.params.international[state.name]
        complied = compliance(spec.cares_about, action)
        state.pressure = pressure_after(state.pressure, complied, sectarian, spec, scale)
        state.months_satisfied = state.months_satisfied + 1 if complied >= spec.demand else 0
        if spec.holds_frozen_funds and state.months_satisfied >= spec.unfreeze_after:
            model.economy.unfrozen = True
        if (not state.recognized and state.months_satisfied >= spec.recognize_after
                and model.credibility >= spec.min_credibility):
            state.recognized, state.recognized_month = True, model.month
