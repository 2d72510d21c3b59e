"""Sweep files: a scenario, its uncertainties and levers, a sampler, replicates per point.

An uncertainty names a scenario key path (`*` for any one actor: one uncertainty per
matching key) with a range or a list of values and a distribution; without a range it
takes the key's plausible range from `sim.inputs.ranges`. Every problem is reported
before any run, with file, key path and what was expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.ranges import range_of
from sim.inputs.reading import is_file, read_yaml
from sim.inputs.sampling import (
    DISTRIBUTIONS,
    SAMPLERS,
    Design,
    Parameter,
    design_size,
    too_small,
)
from sim.inputs.scenario import (
    SUFFIXES,
    load_with_origin,
    override,
    read_file_as,
    validation_problems,
)
from sim.inputs.schema import SafeName, Scenario, Strict

SWEPT_SECTIONS = (
    "policy",
    "mechanisms",
    "rules",
    "international",
    "economy",
    "taliban",
    "isisk",
    "foreign_groups",
)
"""Top-level blocks whose keys a sweep may vary (not names, seeds, horizon or events)."""
MAX_RUNS = 5_000_000  # points x replicates: a week on two cores, far past any study here
MAX_POINTS = 100_000  # each point's scenario is checked before any run: 1-2 ms a point
MAX_VALUES = 5_000_000  # points x parameters: the design and its tables are held in memory
Scalar = bool | int | float | str


class Uncertainty(Strict):
    """One uncertain key: its range or values and the distribution to sample it from."""

    key: str = Field(min_length=1, max_length=200)
    range: list[float] | None = Field(default=None, min_length=2, max_length=2)
    values: list[Scalar] | None = Field(default=None, min_length=1, max_length=1000)
    distribution: Literal[DISTRIBUTIONS] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Uncertainty:
        if self.range is not None and self.values is not None:
            raise ValueError("give either range or values, not both")
        if self.values is not None and self.distribution not in (None, "discrete"):
            raise ValueError("values are sampled as distribution: discrete")
        if self.distribution == "discrete" and self.values is None:
            raise ValueError("distribution: discrete needs values: [...]")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range {self.range}: expected [low, high] with low < high")
        return self


class Sweep(Strict):
    """A sweep over a scenario's uncertain parameters (and levers), R replicates per point."""

    kind: Literal["sweep"] = "sweep"
    name: SafeName
    description: str = Field(default="", max_length=10_000)
    scenario: str = Field(min_length=1, max_length=4096)
    uncertainties: list[Uncertainty] = Field(min_length=1, max_length=200)
    levers: dict[str, list[Scalar]] = Field(default={}, max_length=20)
    sampler: Literal[SAMPLERS]
    points: int = Field(ge=1, le=1_000_000)
    levels: int = Field(default=4, ge=2, le=100)  # of the Morris grid
    replicates: int = Field(ge=1, le=100_000)
    seed: int = Field(ge=0, lt=2**32)  # SALib and scipy seed their samplers with it too
    steps: int | None = Field(default=None, ge=1, le=600)
    outcomes: list[str] | None = Field(default=None, min_length=1, max_length=100)  # None: main
    timeseries: bool = False
    out: str | None = Field(default=None, min_length=1, max_length=4096)


@dataclass(frozen=True)
class SweepPlan:
    """A validated sweep: its file, the base scenario (seed and steps applied), the design."""

    sweep: Sweep
    file: Path
    scenario: Scenario
    scenario_sha256: str
    design: Design
    changed: dict[str, int] = field(default_factory=dict)
    """Settings given on the command line that differ from the file's: -n, --steps, --seed."""


def is_sweep_file(path: str | Path) -> bool:
    """True if an experiment file declares a sweep (`kind: sweep` or `uncertainties`)."""
    data = read_yaml(Path(path))
    return isinstance(data, dict) and (data.get("kind") == "sweep" or "uncertainties" in data)


def load_sweep(path: str | Path, settings: dict[str, int] | None = None) -> SweepPlan:
    """Read and validate a sweep file against its scenario; raise `ScenarioError` if bad.

    `settings` (`replicates` per point, `steps`, `seed`) replace the file's, checked as
    the file's are.
    """
    path = Path(path)
    own = read_file_as(path, Sweep)
    sweep = _with_settings(own, settings or {})
    file = _scenario_file(path, sweep.scenario)
    changes = {"seed": sweep.seed} | ({"steps": sweep.steps} if sweep.steps else {})
    scenario, digest = load_with_origin(file, changes)
    leaves = scalar_leaves(scenario)
    problems: list[Problem] = []
    parameters: list[Parameter] = []
    for i, uncertainty in enumerate(sweep.uncertainties):
        where = f"uncertainties[{i}]"
        keys = _matching_keys(uncertainty.key, leaves)
        if not keys:
            problems.append(_no_key(path, f"{where}.key", uncertainty.key))
        for key in keys:
            if overridden := _set_by_event(scenario, key):
                problems.append(Problem(str(path), f"{where}.key", overridden))
                continue
            parameter, message = _parameter(uncertainty, key, leaves[key])
            if message:
                problems.append(Problem(str(path), f"{where}.key", message))
            elif parameter:
                problems += _check_ends(path, where, scenario, parameter)
                parameters.append(parameter)
    problems += _check_levers(path, sweep, scenario, leaves)
    problems += _check_repeats(path, sweep, [p.name for p in parameters])
    levers = {k: tuple(v) for k, v in sweep.levers.items()}
    design = Design(
        tuple(parameters), sweep.sampler, sweep.points, sweep.seed, sweep.levels, levers
    )
    problems += [Problem(str(path), "points", message) for message in _size_problems(sweep, design)]
    if problems:
        raise ScenarioError(problems)
    changed = {k: v for k, v in (settings or {}).items() if getattr(own, k) != v}
    return SweepPlan(sweep, path, scenario, digest, design, changed)


def _with_settings(sweep: Sweep, settings: dict[str, int]) -> Sweep:
    """The sweep with the command line's settings in place of the file's, validated."""
    try:
        return Sweep.model_validate(sweep.model_dump() | settings)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, {}, Path("command line"), "")) from None


def _size_problems(sweep: Sweep, design: Design) -> list[str]:
    """What is wrong with the design's size: too small for its method, or too large to run.

    Checked before any point is sampled, so that a design of a million points is refused
    at once rather than after minutes of checking or a `MemoryError`.
    """
    points = design_size(design) * math.prod(len(v) for v in design.levers.values())
    dims = len(design.parameters)
    problems = [message] if (message := too_small(design)) else []
    if sweep.sampler == "sobol" and sweep.points & (sweep.points - 1):
        problems.append(f"got {sweep.points}; Sobol' needs a power of 2")
    if points > MAX_POINTS:
        problems.append(
            f"{points:,} points; expected at most {MAX_POINTS:,} (each point's scenario is "
            "checked before any run)"
        )
    elif points * dims > MAX_VALUES:
        problems.append(
            f"{points:,} points x {dims} parameters = {points * dims:,} values; expected at "
            f"most {MAX_VALUES:,} (the design is held in memory)"
        )
    if points * sweep.replicates > MAX_RUNS:
        problems.append(
            f"{points:,} points x {sweep.replicates} replicates; expected at most {MAX_RUNS:,}"
        )
    return problems


def _set_by_event(scenario: Scenario, key: str) -> str | None:
    """Why `key` cannot be swept if an event of the scenario sets it, else None.

    From the event's month on the event's value holds, whatever the point's: the runs
    of every point would share it, and the sweep would report an effect (or none) of a
    value that held only before then. Refused rather than noted, since the points table
    and the indices would still show the swept values as if they had held throughout.
    """
    for i, event in enumerate(scenario.events):
        for set_key, value in event.set.items():
            if key == set_key or key.startswith(f"{set_key}."):
                return (
                    f"events[{i}] (month {event.month}) sets {set_key} to {quote(value)}: from "
                    "then on every point would run with that value, not the swept one. Sweep "
                    "a scenario without that event, or another key"
                )
    return None


def scalar_leaves(scenario: Scenario) -> dict[str, Any]:
    """Every scalar value of the scenario's sweepable blocks, by dotted key path."""
    leaves: dict[str, Any] = {}

    def walk(node: Any, at: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{at}.{key}" if at else str(key))
        elif isinstance(node, (bool, int, float, str)) and at.split(".")[0] in SWEPT_SECTIONS:
            leaves[at] = node

    walk(scenario.model_dump(), "")
    return leaves


def _matching_keys(pattern: str, leaves: dict[str, Any]) -> list[str]:
    """Concrete keys matching a pattern, `*` standing for exactly one part of the path."""
    parts = pattern.split(".")
    return [
        key
        for key in leaves
        if len(key.split(".")) == len(parts)
        and all(fnmatchcase(k, p) for k, p in zip(key.split("."), parts, strict=True))
    ]


def _no_key(path: Path, where: str, key: str) -> Problem:
    sections = ", ".join(SWEPT_SECTIONS)
    return Problem(
        str(path), where, f"got {quote(key)}; no such number in the scenario (under {sections})"
    )


def _parameter(u: Uncertainty, key: str, current: Any) -> tuple[Parameter | None, str]:
    """The parameter an uncertainty makes of one concrete key, or a message saying why not."""
    if u.values is not None:
        return Parameter(key, distribution="discrete", values=tuple(u.values)), ""
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        return None, f"{key} holds {quote(current)}; a range needs a number (give values: [...])"
    if u.range is not None:
        low, high = u.range
    elif (known := range_of(key)) is not None:
        low, high = known.low, known.high
    else:
        return None, f"{key} has no range declared in sim/inputs/pars; give range: [low, high]"
    if not low < high:
        return None, f"{key}: its range [{low}, {high}] holds one value; nothing to sample"
    distribution = u.distribution or "uniform"
    if distribution == "loguniform" and low <= 0:
        return None, f"{key}: loguniform needs a positive range, got [{low}, {high}]"
    return Parameter(key, low, high, distribution, (), isinstance(current, int)), ""


def _check_ends(path: Path, where: str, scenario: Scenario, p: Parameter) -> list[Problem]:
    """The scenario must accept the parameter's extreme values (each alone)."""
    ends = p.values if p.distribution == "discrete" else p.from_unit([0.0, 1.0])
    problems = []
    for value in dict.fromkeys(ends):
        try:
            override(scenario, {p.name: value})
        except ScenarioError as exc:
            reasons = "; ".join(f"{q.path}: {q.message}" for q in exc.problems)
            problems.append(Problem(str(path), where, f"{p.name} = {quote(value)}: {reasons}"))
    return problems


def _check_levers(
    path: Path, sweep: Sweep, scenario: Scenario, leaves: dict[str, Any]
) -> list[Problem]:
    problems = []
    for key, values in sweep.levers.items():
        if key not in leaves:
            problems.append(_no_key(path, f"levers.{key}", key))
            continue
        if overridden := _set_by_event(scenario, key):
            problems.append(Problem(str(path), f"levers.{key}", overridden))
            continue
        if not values:
            problems.append(Problem(str(path), f"levers.{key}", "expected at least one value"))
        for value in values:
            try:
                override(scenario, {key: value})
            except ScenarioError as exc:
                reasons = "; ".join(q.message for q in exc.problems)
                problems.append(Problem(str(path), f"levers.{key}", f"{quote(value)}: {reasons}"))
    return problems


def _check_repeats(path: Path, sweep: Sweep, parameters: list[str]) -> list[Problem]:
    repeated = sorted({p for p in parameters if parameters.count(p) > 1})
    problems = [
        Problem(str(path), "uncertainties", f"{key} is declared more than once") for key in repeated
    ]
    problems += [
        Problem(str(path), f"levers.{key}", "is also an uncertainty; it can be only one")
        for key in sweep.levers
        if key in parameters
    ]
    return problems


def _scenario_file(path: Path, name: str) -> Path:
    if not name.endswith(SUFFIXES) or "\0" in name:
        raise ScenarioError(
            [Problem(str(path), "scenario", f"got {quote(name)}; expected a .yaml")]
        )
    file = path.parent / name
    if not is_file(file):
        raise ScenarioError([Problem(str(path), "scenario", f"got {quote(name)}; no such file")])
    return file.resolve()
