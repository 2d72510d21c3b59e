"""The states' monthly rule as a compiled loop: one replicate's states, state by state.

`update_pressure` as the reference's `StateAgent.watch` and `climb` read it: each state
weighs the Taliban's action on what it cares about, moves its pressure and may climb a
step; then the holders may release the reserves. The states are few, so the numpy
version was all call overhead; this loop compiles the rule's own functions
(`compliance`, `pressure_change`, `pressure_after`, `step_chance`, ...) with numba,
replicates the outer loop, and reads each replicate's uniforms from its own buffer in
the order the rule draws them.

Imported at the first step (and by `sim.rules.load_kernels`); the loop closes over a
digest of the files it compiles functions from, as `compiled_units`' loops do.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np
from numba import types
from numba.extending import overload

from sim.inputs.schema import DEMANDS, PressureRule, Scenario
from sim.rules import maths, pressure
from sim.rules.compiled_units import BUFFER, POSITIONS, ROWS, rule_rows, sources_digest
from sim.rules.maths import logit
from sim.rules.pressure import (
    TOP,
    compliance,
    demands_met,
    holders,
    isisk_action,
    misconduct,
    pressure_after,
    pressure_change,
    release_chance,
    share_ahead,
    step_chance,
    step_threshold,
    trade_and_transit,
    west_distance,
)

StateWeights = namedtuple(
    "StateWeights",
    (
        "responsiveness",
        "demand",
        "sectarian_sensitivity",
        "attack_sensitivity",
        "conduct_sensitivity",
        "pressure_decay",
        "baseline_pressure",
        "engage_below",
        "recognize_below",
        "step_rate",
        "min_credibility",
        "step_after",
    ),
)
"""The fields of an `international.<actor>` block that its pressure and its climb read."""

PressureWeights = namedtuple("PressureWeights", PressureRule.model_fields)
"""Every field of `rules.pressure`."""

SOURCES = sources_digest(pressure, maths)
"""Digest of the files whose functions the loop compiles: part of its cache key."""


@overload(logit, inline="always")
def _compiled_logit(p, edge=1e-9):
    """`logit` inside the loop: compiled as written."""
    return logit


@overload(isisk_action, inline="always")
def _compiled_isisk_action(crackdown, amnesty, rule: PressureRule):
    """`isisk_action` inside the loop: compiled as written (same parameters, as numba asks)."""
    return isisk_action


@overload(trade_and_transit, inline="always")
def _compiled_trade_and_transit(credibility, hardship, safe_areas, crime, rule: PressureRule):
    """`trade_and_transit` inside the loop: compiled as written."""
    return trade_and_transit


@overload(west_distance, inline="always")
def _compiled_west_distance(holders_pressure, joint):
    """`west_distance` inside the loop: compiled as written."""
    return west_distance


_demands_met = numba.njit(inline="always")(demands_met)
_misconduct = numba.njit(inline="always")(misconduct)
_compliance = numba.njit(inline="always")(compliance)
_pressure_change = numba.njit(inline="always")(pressure_change)
_pressure_after = numba.njit(inline="always")(pressure_after)
_step_threshold = numba.njit(inline="always")(step_threshold)
_step_chance = numba.njit(inline="always")(step_chance)
_share_ahead = numba.njit(inline="always")(share_ahead)
_release_chance = numba.njit(inline="always")(release_chance)


def state_weights(params: Scenario, rows: int) -> np.ndarray:
    """Each state's `StateWeights`, one row per replicate: (replicates, states, fields)."""
    states = list(params.international.values())
    out = np.empty((rows, len(states), len(StateWeights._fields)))
    for j, state in enumerate(states):
        out[:, j] = rule_rows(state, StateWeights, rows)
    return out


def targets(params: Scenario) -> tuple[str, ...]:
    """What a state may care about, as the loop lays out the action: demands, then groups."""
    return (*DEMANDS, *params.foreign_groups)


def cares_table(params: Scenario, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each state cares about, in its own order: indices into `targets`, weights, counts.

    Row j holds state j's `cares_about`, its first `counts[j]` entries used (the same
    for every replicate: `rows` is unused, for `World.derived`).
    """
    states, names = list(params.international.values()), targets(params)
    width = max((len(s.cares_about) for s in states), default=0)
    index = np.zeros((len(states), width), dtype=np.int64)
    weight = np.zeros((len(states), width))
    counts = np.zeros(len(states), dtype=np.int64)
    for j, state in enumerate(states):
        counts[j] = len(state.cares_about)
        for k, (target, w) in enumerate(state.cares_about.items()):
            index[j, k], weight[j, k] = names.index(target), w
    return index, weight, counts


def _loop(sources: str):
    """Compile the loop; numba's cache key holds the values it closes over (as `compiled_units`)."""
    beyond_buffer = f"uniforms asked for beyond the buffer (loops of sources {sources[:12]})"
    other_rows = f"arrays of different rows or states (loops of sources {sources[:12]})"
    table = types.Array(types.float64, 2, "C", readonly=True)
    indices = types.Array(types.int64, 1, "C", readonly=True)

    @numba.njit(
        types.void(
            types.Array(types.float64, 3, "C", readonly=True),
            table,
            types.Array(types.int64, 2, "C", readonly=True),
            table,
            indices,
            indices,
            ROWS,
            types.float64,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            table,
            table,
            types.float64,
            types.int64,
            BUFFER,
            POSITIONS,
            types.float64[:, ::1],
            types.int64[:, ::1],
            types.int64[:, ::1],
            types.int64[:, ::1],
            types.boolean[::1],
        ),
        cache=True,
    )
    def move_states(
        weights,
        rules,
        cares,
        cares_weight,
        cares_count,
        held,
        crackdown,
        joint_with_us,
        amnesty,
        concessions,
        punishment,
        credibility,
        hardship,
        safe_areas,
        crime,
        anger,
        sectarian,
        on_foreigners,
        purge,
        normals,
        scale,
        month,
        buffer,
        start,
        pressure,
        months_satisfied,
        engagement,
        recognized_month,
        unfrozen,
    ):
        rows, states = pressure.shape
        if weights.shape[:2] != (rows, states) or normals.shape != (rows, states):
            raise ValueError(other_rows)
        if rules.shape[0] != rows or purge.shape[0] != rows:
            raise ValueError(other_rows)
        groups = purge.shape[1]
        action = np.empty(len(DEMANDS) + groups)  # what each target gets: `targets`' order
        complied = np.empty(states)
        acted = np.empty(cares.shape[1])
        held_pressure = np.empty(held.size)
        before = np.empty(states, dtype=np.int64)  # the steps at the start of the month
        for r in range(rows):
            if start[r] + states + 1 > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            p = rules[r]
            rule = PressureWeights(p[0], p[1], p[2], p[3], p[4], p[5], p[6])
            for k in range(held.size):
                held_pressure[k] = pressure[r, held[k]]
            met = _demands_met(
                crackdown[r],
                joint_with_us,
                amnesty[r],
                concessions[r],
                credibility[r],
                hardship[r],
                safe_areas[r],
                crime[r],
                held_pressure,
                rule,
            )
            for k in range(len(DEMANDS)):
                action[k] = met[k]
            for g in range(groups):
                action[len(DEMANDS) + g] = purge[r, g]
            conduct = _misconduct(anger[r], punishment[r], rule)
            for j in range(states):
                w = weights[r, j]
                spec = StateWeights(
                    w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11]
                )
                cared = cares_count[j]
                for k in range(cared):
                    acted[k] = action[cares[j, k]]
                complied[j] = _compliance(cares_weight[j, :cared], acted[:cared])
                change = _pressure_change(
                    complied[j], sectarian[r], on_foreigners[r], conduct, spec
                )
                shock = rule.noise * normals[r, j]
                pressure[r, j] = _pressure_after(pressure[r, j], change, shock, spec, scale)
                before[j] = engagement[r, j]
            for j in range(states):
                w = weights[r, j]
                spec = StateWeights(
                    w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11]
                )
                step = before[j]
                low = pressure[r, j] <= _step_threshold(step, spec)
                months_satisfied[r, j] = months_satisfied[r, j] + 1 if low else 0
                if step >= TOP or months_satisfied[r, j] < spec.step_after:
                    continue
                ahead = _share_ahead(step, before)
                chance = _step_chance(step, ahead, credibility[r], spec, rule.contagion)
                if buffer[r, start[r] + j] < chance:
                    engagement[r, j] += 1
                    months_satisfied[r, j] = 0
                    if step == TOP - 1:
                        recognized_month[r, j] = month
            if held.size:
                complied_holders, holders_step = 0.0, 0
                for j in held:
                    complied_holders += complied[j] / held.size
                    holders_step += engagement[r, j]
                chance = _release_chance(complied_holders, conduct, holders_step / held.size, rule)
                unfrozen[r] |= buffer[r, start[r] + states] < chance
            start[r] += states + 1

    return move_states


move_states = _loop(SOURCES)


def pressure_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `PressureWeights` of `rules.pressure`, one row per replicate."""
    return rule_rows(params.rules.pressure, PressureWeights, rows)


def held(params: Scenario, rows: int) -> np.ndarray:
    """Indices of the states that hold the frozen reserves (`rows` unused, for `World.derived`)."""
    return np.array(holders(list(params.international.values())), dtype=np.int64)
