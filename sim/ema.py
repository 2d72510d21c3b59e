"""The model as an EMA Workbench model, its experiments run by the batched engine.

`model(scenario)` gives an `ema_workbench.Model` whose uncertainties are the plausible
ranges of the scenario's parameters (`sim.inputs.ranges`), whose levers are the actors'
policy keys (`LEVERS`: the Taliban's crackdown, accuracy, punishment, purges and
concessions, and the adaptive crackdown; each state's conditions and carrots) and whose
outcomes are the rows of `OUTCOMES`. Any EMA evaluator runs it one experiment at a time;
`BatchedEvaluator` hands all the experiments of a `perform_experiments` call to the
executor of a sweep (`sim.runs.sweep.run_points`): experiments are points, each
replicated `replicates` times, stepped together in batches on the local pool or Dask.
Common random numbers: replicate r of every experiment draws from the scenario seed and
r, as everywhere else in the project, so the two ways give the same numbers.

EMA's names must be Python identifiers: a key path's dots become `__`
(`policy__crackdown`), as in `sim.model.AfghanistanModel`'s overrides.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.outcomes import OUTCOMES
from sim.engine.values import can_vary_per_replicate
from sim.inputs.ranges import ParameterRange, parameters, range_of
from sim.inputs.scenario import load_scenario
from sim.inputs.schema import Scenario
from sim.runs.batch import run_batch
from sim.runs.executors import open_executor
from sim.runs.local_pool import LocalPool
from sim.runs.sweep import Points, run_points, sweep_tables

with warnings.catch_warnings():  # EMA warns that one of its evaluators (not ours) is missing
    warnings.filterwarnings("ignore", "ipyparallel")
    from ema_workbench import IntegerParameter, Model, RealParameter, ScalarOutcome
    from ema_workbench.em_framework.evaluators import BaseEvaluator
    from ema_workbench.em_framework.points import Experiment

LEVERS = (
    "policy.*",
    "international.*.demand",
    "international.*.aid_conditionality",
    "international.*.engage_below",
    "international.*.recognize_below",
    "international.*.step_after",
    "international.*.min_credibility",
    "international.*.aid_musd",
)
"""Policy keys: the Taliban's levers, each state's conditions (what satisfies it, the
pressure bars and patience of its engagement ladder, how much aid it withholds) and its
aid."""

JOINTLY_BOUNDED = ("*.mean", "*.sd")
"""Parameters whose feasible range depends on another's (a Beta trait's sd on its mean),
which independent samples would break: not sampled unless named."""


def model(
    scenario: Scenario | str | Path,
    *,
    replicates: int = 1,
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] = LEVERS,
    name: str = "sim",
) -> SimModel:
    """The scenario as an EMA model, its parameters sampled within their plausible ranges.

    Args:
        scenario: a loaded scenario or the path of a scenario file; its seed and steps
            apply to every experiment.
        replicates: runs per experiment; above 1 each outcome is their mean (an event's
            share of the runs, a month's mean over the runs where it came).
        uncertainties: key path patterns (`*` for any part) of the parameters to sample;
            default: every ranged parameter that may vary within a batch
            (`can_vary_per_replicate`), is not a lever and is not `JOINTLY_BOUNDED`;
            a range of one value is no uncertainty. A parameter that shapes the
            initial world (fighters, starting pressure) may be named, but then each of
            its values steps in a world of its own.
        levers: key path patterns of the policy keys (default `LEVERS`).
        name: the model's name in EMA's results.

    Raises:
        ValueError: fewer than one replicate.
    """
    if replicates < 1:
        raise ValueError(f"replicates: expected at least 1, got {replicates}")
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    ranged = [(key, value) for key, value in parameters(spec) if _spans(range_of(key))]
    lever_keys = [key for key, _ in ranged if _matches(key, levers)]
    if uncertainties is None:
        chosen = [
            key
            for key, _ in ranged
            if can_vary_per_replicate(key) and not _matches(key, JOINTLY_BOUNDED)
        ]
    else:
        chosen = [key for key, _ in ranged if _matches(key, uncertainties)]
    values = dict(ranged)
    sim_model = SimModel(name, spec, replicates)
    sim_model.levers = [_parameter(key, values[key]) for key in lever_keys]
    sim_model.uncertainties = [
        _parameter(key, values[key]) for key in chosen if key not in lever_keys
    ]
    sim_model.outcomes = [ScalarOutcome(outcome) for outcome in OUTCOMES.names]
    return sim_model


class SimModel(Model):
    """An EMA model of a scenario: each experiment runs its replicates as one batch."""

    def __init__(self, name: str, scenario: Scenario, replicates: int) -> None:
        super().__init__(name, function=Replicates(scenario, replicates))
        self.scenario, self.replicates = scenario, replicates

    def key_values(self, experiment: Experiment) -> dict[str, Any]:
        """The scenario key paths and values an experiment sets (its scenario and policy)."""
        sample = experiment.scenario | experiment.policy
        return {
            parameter.variable_name[0]: sample[parameter.name]
            for parameter in [*self.uncertainties, *self.levers]
            if parameter.name in sample
        }


@dataclass(frozen=True)
class Replicates:
    """One experiment's replicates as one batch: EMA's model function, given key paths."""

    scenario: Scenario
    replicates: int

    def __call__(self, **values: Any) -> dict[str, Any]:
        """Every outcome of the experiment (the mean of its replicates)."""
        runs, _ = run_batch(
            self.scenario,
            list(range(self.replicates)),
            {key: np.full(self.replicates, value) for key, value in values.items()},
        )
        return _outcomes(runs.to_pandas(), self.replicates)[0]


class BatchedEvaluator(BaseEvaluator):
    """Runs all the experiments of a call together, as points of a sweep, on an executor.

    Args:
        models: `SimModel`s (from `model`).
        executor: `local` (this machine's process pool) or `dask` (a `LocalCluster`,
            or the scheduler at `scheduler`), as `sim.runs.executors.open_executor`.
        workers: processes of the pool or of the local cluster (default: the CPUs).
        scheduler: address of a running `dask.distributed` scheduler.
        out: a results directory to keep the runs in (resumable; default: a temporary one).
    """

    def __init__(
        self,
        models: SimModel | list[SimModel],
        executor: str = "local",
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        out: Path | None = None,
    ) -> None:
        super().__init__(models)
        for entry in self._msis:
            if not isinstance(entry, SimModel):
                raise TypeError(f"{entry.name}: the batched evaluator runs models of sim.ema.model")
        self._open = lambda: open_executor(executor, workers=workers, scheduler=scheduler)
        self._out, self._stack, self._calls = out, ExitStack(), 0

    def initialize(self) -> None:
        """Open the executor; the local pool's processes start now and serve every call."""
        self._executor = self._stack.enter_context(self._open())
        if isinstance(self._executor, LocalPool):
            self._executor.start(Points.__module__)

    def finalize(self) -> None:
        """Shut the executor down."""
        self._stack.close()

    def evaluate_experiments(
        self, experiments: Iterable[Experiment], callback: Callable, **kwargs: Any
    ) -> None:
        """Run every experiment's replicates and hand EMA each experiment's outcomes."""
        models = {entry.name: entry for entry in self._msis}
        by_model: dict[str, list[Experiment]] = {}
        for experiment in experiments:
            by_model.setdefault(experiment.model_name, []).append(experiment)
        for name, group in by_model.items():
            for experiment, outcomes in zip(group, self._run(models[name], group), strict=True):
                callback(experiment, outcomes)

    def _run(self, sim_model: SimModel, experiments: list[Experiment]) -> list[dict[str, Any]]:
        """Each experiment's outcomes, the experiments run as the points of one sweep."""
        points = pd.DataFrame([sim_model.key_values(e) for e in experiments])
        points.insert(0, "point", np.arange(len(points)))
        with ExitStack() as stack:
            self._calls += 1  # each call its own folder: a sweep folder holds one design
            out = self._out or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            out = run_points(
                sim_model.scenario,
                points,
                Path(out) / f"{sim_model.name}-{self._calls:04d}",
                replicates=sim_model.replicates,
                executor=self._executor,
                progress=False,
                describe={"kind": "ema"},
            )
            _, runs = sweep_tables(out)
        return _outcomes(runs.sort_values("run"), sim_model.replicates)


def _outcomes(runs: pd.DataFrame, replicates: int) -> list[dict[str, Any]]:
    """Every outcome of each experiment (runs in experiment, then replicate order).

    With one replicate its values; with more their means, NaN (a month that never
    came) left out. EMA registers one class of outcome per name, so the outcomes stay
    `ScalarOutcome`s whatever the replicates.
    """
    names = list(OUTCOMES.names)
    if replicates == 1:
        return runs[names].to_dict("records")
    with warnings.catch_warnings():  # a month that came in no replicate stays NaN
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        means = {
            name: np.nanmean(runs[name].to_numpy(float).reshape(-1, replicates), axis=1)
            for name in names
        }
    return [
        {name: float(column[i]) for name, column in means.items()}
        for i in range(len(runs) // replicates)
    ]


def _parameter(key: str, value: float) -> IntegerParameter | RealParameter:
    """The EMA parameter of a key path over its plausible range (whole numbers for an int)."""
    span = range_of(key)
    name = key.replace(".", "__")
    if isinstance(value, int):
        return IntegerParameter(name, int(span.low), int(span.high), variable_name=key)
    return RealParameter(name, span.low, span.high, variable_name=key)


def _spans(span: ParameterRange | None) -> bool:
    """Whether a parameter has a range to sample (not none, not a single value)."""
    return span is not None and span.low < span.high


def _matches(key: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(key, pattern) for pattern in patterns)
