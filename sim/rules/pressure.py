"""Mechanism 3, international pressure: states watch the Taliban and climb a ladder of engagement.

Each state's pressure is the logistic of a latent score that drifts toward its baseline
and moves with what it watches: the shortfall of Taliban action on what it cares about
(its groups, ISIS-K, conduct and rights, stability, trade and transit, and for a rival
of the West the West's distance, which joint operations with the US close), sectarian
attacks, attacks on foreigners (a negative sensitivity reads them as a reason to work
with the Taliban) and conduct. Low pressure sustained lets a state climb one step of
engagement at a time (`STEPS`: envoy, credentials, sanctions relief, formal
recognition), each step faster when other states already took it. Frozen reserves are
released through a legal and political process whose hazard rises with the holders'
engagement and the Taliban's compliance and conduct, not with pressure itself.

Its parameters are declared in `sim.inputs.pars.pressure` (each state's in
`sim.inputs.pars.international`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import InternationalActor, PressureRule
from sim.rules.maths import logistic, logit

if TYPE_CHECKING:
    from sim.engine.world import World

STEPS = ("none", "envoy", "credentials", "relief", "recognition")
"""The engagement ladder, step 0 to 4: an embassy or envoy, accepting the Taliban's
credentials, sanctions relief, formal recognition."""
TOP = len(STEPS) - 1


def isisk_action(crackdown, amnesty, rule: PressureRule):
    """Action against ISIS-K as states read it: the crackdown, discounted by an unvetted amnesty.

    The amnesty's cost abroad: `amnesty_risk` x `policy.amnesty` of the crackdown's
    credit is lost, fighters let go read as ISIS-K left at large.
    """
    return crackdown * (1.0 - rule.amnesty_risk * amnesty)


def trade_and_transit(credibility, hardship, safe_areas, crime, rule: PressureRule):
    """Open, secure trade and transit routes: credibility, working economy, no sanctuary or crime.

    Credibility x (1 - hardship) x (1 - safe areas) x (1 - crime / (crime + crime_half)).
    Neighbours trade through Afghanistan where the Taliban deliver the security they
    promised (credibility, which ISIS-K's attacks erode), the economy works, ISIS-K
    holds no sanctuary astride the eastern routes (Kunar, Nangarhar: the road to Torkham)
    and deserters in armed crime do not hold up the traders (`crime_half`).
    """
    unsafe = crime / (crime + rule.crime_half)
    return credibility * (1.0 - hardship) * (1.0 - safe_areas) * (1.0 - unsafe)


def west_distance(holders_pressure, joint):
    """The West's distance from the Taliban: the holders' mean pressure, less joint ops.

    What a rival of the West (`rivalry`) gains by engaging where the West keeps away; 0
    when no state holds the reserves. Counter-terrorism jointly with the US (`joint`, the
    crackdown's intensity when joint) brings US forces back into the region, which Russia
    and China opposed after the withdrawal, so it closes that share of the distance.
    """
    if len(holders_pressure) == 0:
        return 0.0
    total = 0.0
    for pressure in holders_pressure:
        total += pressure
    return total / len(holders_pressure) * (1.0 - joint)


def holders(states: list[InternationalActor]) -> list[int]:
    """Indices of the states that hold the frozen reserves: the West of `west_distance`."""
    return [j for j, spec in enumerate(states) if spec.holds_frozen_funds]


def demands_met(
    crackdown,
    joint_with_us: float,
    amnesty,
    concessions,
    credibility,
    hardship,
    safe_areas,
    crime,
    holders_pressure,
    rule: PressureRule,
) -> tuple:
    """What the Taliban do on each of `schema.DEMANDS`, in that order, each in [0, 1].

    Their action against ISIS-K and jointly with the US, their concessions, stability
    (credibility), the routes' security (`trade`) and, for rivals of the West, the
    West's distance at the start of the month (`rivalry`). `joint_with_us` is 0 or 1.
    """
    joint = crackdown * joint_with_us
    return (
        isisk_action(crackdown, amnesty, rule),
        joint,
        concessions,
        credibility,
        trade_and_transit(credibility, hardship, safe_areas, crime, rule),
        west_distance(holders_pressure, joint),
    )


def misconduct(anger, punishment, rule: PressureRule):
    """Conduct held against the Taliban: indiscriminate force (`anger`) plus punishment."""
    return anger + rule.punishment_conduct * punishment


def compliance(weights, acted):
    """Weighted mean of the action on the targets a state cares about; 1 if it cares for none.

    `weights` and `acted` run over the same targets: a state's `cares_about` weights and
    the Taliban's action on each (numbers, or arrays over the replicates).
    """
    total, met = 0.0, 0.0
    for k in range(len(weights)):
        total += weights[k]
        met += weights[k] * acted[k]
    return met / total if total > 0 else 1.0


def pressure_change(complied, sectarian, on_foreigners, conduct, spec: InternationalActor):
    """The month's push on a state's latent pressure (log-odds) from what it watches."""
    return (
        spec.responsiveness * (spec.demand - complied)
        + spec.sectarian_sensitivity * sectarian
        + spec.attack_sensitivity * on_foreigners
        + spec.conduct_sensitivity * conduct
    )


def pressure_after(pressure, change, shock, spec: InternationalActor, scale: float):
    """Logistic of the latent score after its drift to the baseline, the scaled push and a shock."""
    latent = logit(pressure)
    drift = spec.pressure_decay * (logit(spec.baseline_pressure) - latent)
    return logistic(latent + drift + scale * (change + shock))


def step_threshold(step, spec: InternationalActor):
    """Pressure at or below which a state at `step` may take the next: from engage to recognise."""
    share = np.minimum(step, TOP - 1) / (TOP - 1)
    return spec.engage_below + (spec.recognize_below - spec.engage_below) * share


def step_chance(
    step, others_ahead, credibility, spec: InternationalActor, contagion: float | np.ndarray
):
    """Monthly chance of the next step once conditions hold; others ahead make it likelier.

    The top step (recognition) is scaled by Taliban credibility and needs `min_credibility`.
    """
    top = step == TOP - 1
    chance = spec.step_rate * (1.0 + contagion * others_ahead)
    chance = np.where(top, chance * credibility * (credibility >= spec.min_credibility), chance)
    return np.minimum(1.0, chance)


def release_chance(complied, conduct, holders_step, rule: PressureRule):
    """Monthly chance the frozen reserves are released (courts, politics of the holders).

    Rises with the holders' compliance and mean engagement step; misconduct holds it back.
    """
    good = complied * np.maximum(0.0, 1.0 - conduct)
    return np.minimum(
        1.0, rule.release_rate * good * (1.0 + rule.release_engagement * holders_step)
    )


def share_ahead(step, steps):
    """Share of the other states already past `step`; `steps` holds every state's, its own too."""
    ahead = 0
    for other in steps:
        ahead += other > step
    return ahead / max(len(steps) - 1, 1)


def update_pressure(world: World, scale: float) -> None:
    """Move each state's pressure; states climb the engagement ladder; reserves may be released.

    Reads each `international.<actor>` block and `rules.pressure.*`. A state climbs one
    step once its pressure has stayed at or below the step's threshold for `step_after`
    months, with a monthly chance `step_chance` that grows with the share of states
    already past its step (read before anyone climbs); step 4 is formal recognition.
    The scale multiplies each month's push and shock. Off: pressure stays, nobody
    moves. The states move in a compiled loop (`compiled_states.move_states`).
    """
    from sim.rules import compiled_states as loops  # numba loads with the first step
    from sim.rules.compiled_units import per_row

    policy, signals, rows = world.params.policy, world.signals, world.replicates
    normals = world.streams.normals(len(world.state_names))
    buffer, start = world.streams.reserve(np.full(rows, len(world.state_names) + 1))
    loops.move_states(
        world.derived(loops.state_weights),
        world.derived(loops.pressure_weights),
        *world.derived(loops.cares_table),
        world.derived(loops.held),
        per_row(world.crackdown_effect(), rows),
        float(policy.joint_with_us),
        per_row(policy.amnesty, rows),
        per_row(policy.concessions, rows),
        per_row(policy.punishment, rows),
        world.credibility,
        world.hardship,
        world.safe_areas,
        world.crime,
        signals.anger,
        per_row(signals.sectarian_attacks, rows),
        per_row(signals.attacks_on_foreigners, rows),
        np.ascontiguousarray(world.purge_effect(), dtype=np.float64),
        normals,
        scale,
        world.month,
        buffer,
        start,
        world.pressure,
        world.months_satisfied,
        world.engagement,
        world.recognized_month,
        world.unfrozen,
    )
