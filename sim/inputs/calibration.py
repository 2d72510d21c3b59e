"""Calibration files: which parameters to fit, to which observed figures, with which ABC settings.

Every target cites the entry of the observed-data file it comes from; the loader checks
that the entry exists, that the target's months lie inside the entry's, and that the
target's range lies inside the entry's range (a target may narrow a figure, with a
note saying why, never move outside it). Observed month m (0 = the scenario's start,
October 2021) is the model's step m + 1: step 1 is the first simulated month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.ranges import range_of
from sim.inputs.reading import is_file, read_yaml
from sim.inputs.scenario import load_scenario, override, read_file_as
from sim.inputs.schema import SafeName, Scenario, Strict

OBSERVED_MONTH_ZERO = (2021, 10)  # the observed file's month 0 (its header says so)
Statistic = Literal["mean", "sum", "end"]
"""How a target reads its months: the monthly mean, the total, or the stock at the last one."""


class Uncertain(Strict):
    """A parameter to fit: a scenario key path, uniform prior over [low, high]."""

    key: str = Field(min_length=1, max_length=200)
    low: float | None = None  # default: the plausible range of `sim.inputs.ranges`
    high: float | None = None


class Target(Strict):
    """One observed figure and the simulated statistic it is compared with."""

    name: SafeName
    source: str = Field(min_length=1, max_length=200)  # key path into the observed file
    actor: str = Field(default="isisk", min_length=1, max_length=64)
    column: str = Field(min_length=1, max_length=64)  # a column of `sim.engine.record`
    months: list[int] = Field(min_length=2, max_length=2)  # observed months, inclusive
    statistic: Statistic
    value: list[float] = Field(min_length=2, max_length=2)  # observed range [low, high]
    scale: float = Field(gt=0.0, le=1e9)  # how far off counts as one unit of distance
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        if not 0 <= self.months[0] <= self.months[1] <= 600:
            raise ValueError(f"months {self.months}: expected 0 <= first <= last <= 600")
        if self.value[0] > self.value[1]:
            raise ValueError(f"value {self.value}: expected low <= high")
        return self


class AbcSettings(Strict):
    """ABC-SMC settings (pyabc): population, generations, tolerance schedule, stopping rules."""

    population_size: int = Field(ge=10, le=100_000)
    generations: int = Field(ge=1, le=50)
    quantile: float = Field(gt=0.0, lt=1.0)  # next tolerance: this quantile of accepted distances
    minimum_epsilon: float = Field(ge=0.0, le=1e9)
    min_acceptance_rate: float = Field(ge=0.0, le=1.0)


class Calibration(Strict):
    """A calibration file (experiments/calibration.yaml)."""

    name: SafeName
    description: str = Field(default="", max_length=10_000)
    scenario: str = Field(min_length=1, max_length=4096)  # relative to this file
    observed: str = Field(min_length=1, max_length=4096)
    seed: int = Field(ge=0, lt=2**63)
    parameters: list[Uncertain] = Field(min_length=1, max_length=20)
    targets: list[Target] = Field(min_length=1, max_length=50)
    abc: AbcSettings
    predictive_draws: int = Field(ge=10, le=100_000)  # replicates of the predictive check
    out: str | None = Field(default=None, min_length=1, max_length=4096)
    calibrated: str = Field(min_length=1, max_length=4096)  # scenario file written
    posterior: str = Field(min_length=1, max_length=4096)  # posterior draws written (CSV)


@dataclass(frozen=True)
class Prior:
    """A fitted parameter: key path, uniform prior bounds, and whether the scenario holds an int."""

    key: str
    low: float
    high: float
    integer: bool


@dataclass(frozen=True)
class CalibrationPlan:
    """A validated calibration: the file, its scenario, priors and resolved paths."""

    calibration: Calibration
    file: Path
    scenario: Scenario
    scenario_file: Path
    priors: tuple[Prior, ...]
    calibrated_file: Path
    posterior_file: Path

    @property
    def steps(self) -> int:
        """Months to simulate: up to the step of the latest target month."""
        return max(t.months[1] for t in self.calibration.targets) + 1

    @cached_property
    def short_scenario(self) -> Scenario:
        """The scenario cut to `steps` months, events after them dropped."""
        events = [e.model_dump() for e in self.scenario.events if e.month <= self.steps]
        return override(self.scenario, {"steps": self.steps, "events": events})


def load_calibration(path: str | Path) -> CalibrationPlan:
    """Read and check a calibration file; raise `ScenarioError` naming every problem."""
    path = Path(path)
    calibration = read_file_as(path, Calibration)
    scenario_file = path.parent / calibration.scenario
    observed_file = path.parent / calibration.observed
    problems = [
        Problem(str(path), key, f"got {quote(name)}; no such file {path.parent / name}")
        for key, name in (("scenario", calibration.scenario), ("observed", calibration.observed))
        if not is_file(path.parent / name)
    ]
    if problems:
        raise ScenarioError(problems)
    scenario = load_scenario(scenario_file)
    priors = [_prior(path, i, p, scenario, problems) for i, p in enumerate(calibration.parameters)]
    observed = read_yaml(observed_file)
    for i, target in enumerate(calibration.targets):
        problems += _target_problems(path, f"targets[{i}]", target, observed)
    if problems:
        raise ScenarioError(problems)
    return CalibrationPlan(
        calibration,
        path,
        scenario,
        scenario_file,
        tuple(p for p in priors if p is not None),
        path.parent / calibration.calibrated,
        path.parent / calibration.posterior,
    )


def _prior(
    file: Path, i: int, spec: Uncertain, scenario: Scenario, problems: list[Problem]
) -> Prior | None:
    """The prior of one parameter, or None after noting why it cannot be had."""
    where = f"parameters[{i}]"
    default = range_of(spec.key)
    low = spec.low if spec.low is not None else (default.low if default else None)
    high = spec.high if spec.high is not None else (default.high if default else None)
    if low is None or high is None:
        problems.append(Problem(str(file), where, f"{spec.key!r} has no range; give low and high"))
        return None
    if not low < high:
        problems.append(Problem(str(file), where, f"low {low} must be below high {high}"))
        return None
    current = _value_at(scenario.model_dump(), spec.key)
    if isinstance(current, bool) or not isinstance(current, int | float):
        problems.append(Problem(str(file), f"{where}.key", f"{spec.key!r} is not a number here"))
        return None
    integer = isinstance(current, int)
    for end in (low, high):
        try:
            override(scenario, {spec.key: round(end) if integer else end})
        except ScenarioError as exc:
            problems.append(Problem(str(file), where, f"{spec.key} = {end}: {exc}"))
            return None
    return Prior(spec.key, float(low), float(high), integer)


def _value_at(data: Any, dotted: str) -> Any:
    """The value at key path `a.b.c` of nested data, None if there is none."""
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _target_problems(file: Path, where: str, target: Target, observed: dict) -> list[Problem]:
    """What is wrong with a target against its source entry in the observed file."""
    entry = _entry(observed, target.source)
    if not isinstance(entry, dict):
        return [Problem(str(file), f"{where}.source", f"no entry {target.source!r} there")]
    problems = []
    span = _months_of(entry)
    if span is not None and not span[0] <= target.months[0] <= target.months[1] <= span[1]:
        problems.append(
            Problem(
                str(file),
                f"{where}.months",
                f"{target.months} not inside the source's months {list(span)}",
            )
        )
    value = entry.get("value")
    if isinstance(value, list) and len(value) == 2:
        if not value[0] <= target.value[0] <= target.value[1] <= value[1]:
            problems.append(
                Problem(
                    str(file), f"{where}.value", f"{target.value} not inside the source's {value}"
                )
            )
    elif not target.note:
        problems.append(Problem(str(file), f"{where}.note", "the source has no value: say why"))
    return problems


def _entry(observed: dict, source: str) -> Any:
    """The entry at `a.b[2]` in the observed data, None if there is none."""
    node: Any = observed
    for part in source.split("."):
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?", part)
        if match is None or not isinstance(node, dict) or match[1] not in node:
            return None
        node = node[match[1]]
        if match[2] is not None:
            if not isinstance(node, list) or int(match[2]) >= len(node):
                return None
            node = node[int(match[2])]
    return node


def _months_of(entry: dict) -> tuple[int, int] | None:
    """An entry's months (0 = October 2021), from its `month` or its `date` (YYYY-MM)."""
    month = entry.get("month")
    if isinstance(month, int):
        return month, month
    if isinstance(month, list) and len(month) == 2:
        return month[0], month[1]
    date = str(entry.get("date", ""))
    if re.fullmatch(r"\d{4}-\d{2}", date):
        year, month_zero = OBSERVED_MONTH_ZERO
        m = (int(date[:4]) - year) * 12 + int(date[5:]) - month_zero
        return m, m
    return None
