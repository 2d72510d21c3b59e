"""Simulated counterparts of observed targets, and the distance between the two.

Observed month m (0 = October 2021, the scenario's start) is the model's step m + 1:
the record's step 0 is the state at the start of month 0, and step t holds the flows of
the t-th simulated month and the stocks at its end. A `mean` or `sum` target reads the
flows of steps m0 + 1 .. m1 + 1; an `end` target reads the stock at step m1 + 1; a
`spread` target the standard deviation between the months' figures. A target that names
an observation model reads that model's column and maps it (`sim.analysis.observation`:
claimed attacks, fighters with families, a side's claim, afghani fiscal years), with the
observation parameters of each replicate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.analysis.observation import (
    MODELS,
    ObservationModel,
    column_model,
    draw_parameters,
    monthly_spread,
    observe,
)
from sim.engine.record import COL, COLUMNS
from sim.inputs.calibration import CalibrationPlan, Target
from sim.inputs.problems import Problem, ScenarioError, quote
from sim.rules import new_world


def target_model(target: Target) -> ObservationModel:
    """What a target reads: its observation model, or its record column as it is."""
    if target.observation is not None:
        return MODELS[target.observation]
    return column_model(target.column, flow=target.statistic != "end")


def target_values(
    values: np.ndarray,
    actors: list[str],
    targets: Sequence[Target],
    pars: dict[str, np.ndarray],
    gen: np.random.Generator,
) -> np.ndarray:
    """Each replicate's statistic per target, from a record `values[rep, step, actor, col]`.

    `pars` holds each replicate's observation parameters; `gen` draws the observation
    models' counting noise (claimed of recorded attacks), apart from the model's streams.
    """
    out = np.empty((len(values), len(targets)))
    for j, target in enumerate(targets):
        model = target_model(target)
        series = values[:, :, actors.index(target.actor), COL[model.column]]
        steps = (target.months[0] + 1, target.months[1] + 1)
        if target.statistic == "spread":
            out[:, j] = monthly_spread(model, series, steps, pars, gen)
        else:
            out[:, j] = observe(model, series, steps, target.statistic == "mean", pars, gen)
    return out


def target_gaps(simulated: np.ndarray, targets: Sequence[Target]) -> np.ndarray:
    """How far each statistic lies outside its observed range, in units of the target's scale."""
    low = np.array([t.value[0] for t in targets])
    high = np.array([t.value[1] for t in targets])
    scale = np.array([t.scale for t in targets])
    return np.maximum(np.maximum(low - simulated, simulated - high), 0.0) / scale


def target_distance(simulated: np.ndarray, targets: Sequence[Target]) -> float:
    """Euclidean norm of the scaled gaps: 0 when every statistic is inside its range."""
    return float(np.sqrt((target_gaps(simulated, targets) ** 2).sum()))


def inside_band(simulated: np.ndarray, targets: Sequence[Target], level: float = 0.9) -> list[bool]:
    """Per target: does the observed range meet the central `level` band of the simulations?"""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(simulated, [tail, 1.0 - tail], axis=0)
    return [bool(low[j] <= t.value[1] and t.value[0] <= high[j]) for j, t in enumerate(targets)]


def check_targets(plan: CalibrationPlan) -> None:
    """Refuse, before any fit, a target the record cannot give: unknown actor or column, or none.

    One replicate of the calibration's horizon shows which actors the record has and
    whether each target's column holds a value for its actor (a column that does not
    apply to an actor is empty there).
    """
    recorder = new_world(plan.short_scenario, [np.random.default_rng(plan.calibration.seed)]).run()
    targets, file = plan.calibration.targets, str(plan.file)
    problems = []
    for i, target in enumerate(targets):
        problems += _observation_problems(file, i, target)
        if target.actor not in recorder.actors:
            expected = f"expected one of {', '.join(recorder.actors)}"
            problems.append(
                Problem(file, f"targets[{i}].actor", f"got {quote(target.actor)}; {expected}")
            )
        if target.column is not None and target.column not in COL:
            expected = f"expected a column of the record: {', '.join(COLUMNS)}"
            problems.append(
                Problem(file, f"targets[{i}].column", f"got {quote(target.column)}; {expected}")
            )
    if problems:
        raise ScenarioError(problems)
    gen = np.random.default_rng(plan.calibration.seed)
    statistics = target_values(
        recorder.values, recorder.actors, targets, draw_parameters(1, gen), gen
    )[0]
    problems = [
        Problem(file, f"targets[{i}]", f"{target_model(t).column} holds no value for {t.actor}")
        for i, (t, value) in enumerate(zip(targets, statistics, strict=True))
        if not np.isfinite(value)
    ]
    if problems:
        raise ScenarioError(problems)


def _observation_problems(file: str, i: int, target: Target) -> list[Problem]:
    """An unknown observation model, or a statistic that does not fit what it counts."""
    if target.observation is None:
        return []
    model = MODELS.get(target.observation)
    if model is None:
        expected = f"expected one of {', '.join(MODELS)}"
        return [
            Problem(
                file, f"targets[{i}].observation", f"got {quote(target.observation)}; {expected}"
            )
        ]
    if model.flow == (target.statistic == "end"):
        expected = "expected mean, sum or spread (a flow)" if model.flow else "expected end"
        return [
            Problem(
                file,
                f"targets[{i}].statistic",
                f"got {quote(target.statistic)}; {model.name} reads {model.column}: {expected}",
            )
        ]
    return []
