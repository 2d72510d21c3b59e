"""Robust search files: the levers to search, the objectives, the states of the world, the MOEA.

A robust search (`sim optimize`) looks for settings of the leadership's policy keys
that do well on several outcomes at once across an ensemble of states of the world
(SOWs). Each objective names an outcome of `sim.engine.outcomes.OUTCOMES`, the direction
that is better, and the robustness metric that sums up its values over the SOWs
(McPhail et al. 2018): the mean, a percentile, the regret against the scenario's own
policy, or the share of SOWs that meet a threshold (satisficing). Every problem is
reported before any run, with file, key path and what was expected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.ranges import range_of
from sim.inputs.reading import is_file
from sim.inputs.scenario import SUFFIXES, load_with_origin, override, read_file_as
from sim.inputs.schema import SafeName, Scenario, Strict
from sim.inputs.sweep import scalar_leaves

METRICS = ("mean", "percentile", "regret", "satisficing")
"""Robustness metrics: over the SOWs, the mean, a percentile, the regret's percentile against
the scenario's own policy, or the share of SOWs meeting a threshold."""
MAX_EVALUATIONS = 200_000  # (population x generations + policies) x SOWs x replicates runs


class Objective(Strict):
    """One outcome to optimise and how its values over the SOWs make one robustness figure."""

    outcome: str = Field(min_length=1, max_length=100)
    direction: Literal["minimize", "maximize"]
    metric: Literal[METRICS]
    percentile: float | None = Field(default=None, ge=0, le=100)
    threshold: float | None = None

    @model_validator(mode="after")
    def _settings(self) -> Objective:
        if (self.metric in ("percentile", "regret")) != (self.percentile is not None):
            raise ValueError(
                f"metric {self.metric}: give percentile (0-100) with percentile and regret only"
            )
        if (self.metric == "satisficing") != (self.threshold is not None):
            raise ValueError(f"metric {self.metric}: give threshold with satisficing only")
        return self

    @property
    def label(self) -> str:
        """The objective's column name: outcome and metric (`isisk_final_p90`)."""
        suffix = {"mean": "mean", "satisficing": "satisficing"}.get(self.metric)
        if suffix is None:
            prefix = "p" if self.metric == "percentile" else "regret_p"
            suffix = f"{prefix}{self.percentile:g}"
        return f"{self.outcome}_{suffix}"


class States(Strict):
    """The ensemble of states of the world: posterior draws and/or sampled ranges, seeded."""

    count: int = Field(ge=1, le=10_000)
    seed: int = Field(ge=0, lt=2**63)
    posterior: str | None = Field(default=None, min_length=1, max_length=4096)
    uncertainties: list[str] = Field(default=[], max_length=200)

    @model_validator(mode="after")
    def _some_source(self) -> States:
        if self.posterior is None and not self.uncertainties:
            raise ValueError("give a posterior file, uncertainties (key patterns), or both")
        return self


class Algorithm(Strict):
    """NSGA-II's settings: candidates per generation, generations, its seed."""

    population: int = Field(ge=4, le=10_000)
    generations: int = Field(ge=1, le=10_000)
    seed: int = Field(ge=0, lt=2**32)


class RobustSearch(Strict):
    """A robust policy search: the scenario, levers, objectives, SOWs and the MOEA."""

    kind: Literal["optimize"] = "optimize"
    name: SafeName
    description: str = Field(default="", max_length=10_000)
    scenario: str = Field(min_length=1, max_length=4096)
    seed: int = Field(ge=0, lt=2**63)  # the replicates' streams: common to every candidate
    replicates: int = Field(ge=1, le=10_000)  # per SOW
    steps: int | None = Field(default=None, ge=1, le=600)
    levers: dict[str, list[bool | float]] = Field(min_length=1, max_length=50)
    objectives: list[Objective] = Field(min_length=1, max_length=10)
    states: States
    algorithm: Algorithm
    compare_with: list[str] = Field(default=[], max_length=50)
    out: str | None = Field(default=None, min_length=1, max_length=4096)


@dataclass(frozen=True)
class Lever:
    """One searched key: a number between `low` and `high`, or a switch (False or True)."""

    key: str
    low: float
    high: float
    switch: bool

    def value(self, x: float) -> bool | float:
        """The key's value at the search's coordinate `x` (a switch is on from 0.5)."""
        return bool(x >= 0.5) if self.switch else float(x)


@dataclass(frozen=True)
class SearchPlan:
    """A validated robust search: its file and its text's digest, the scenario, the levers."""

    search: RobustSearch
    file: Path
    sha256: str
    scenario: Scenario
    levers: tuple[Lever, ...]
    posterior: Path | None
    uncertainties: tuple[str, ...]
    compare_with: tuple[Path, ...]


def load_search(path: str | Path, outcomes: tuple[str, ...]) -> SearchPlan:
    """Read and validate a robust search file; raise `ScenarioError` naming every problem.

    `outcomes`: the names an objective may take (`OUTCOMES.names`, a layer above this one).
    """
    path = Path(path)
    search = read_file_as(path, RobustSearch)
    settings = {"seed": search.seed} | ({"steps": search.steps} if search.steps else {})
    problems: list[Problem] = []
    scenario_file = _file(path, "scenario", search.scenario, SUFFIXES, problems)
    if scenario_file is None:
        raise ScenarioError(problems)
    scenario, _ = load_with_origin(scenario_file, settings)
    leaves = scalar_leaves(scenario)
    levers = [
        lever
        for key, ends in search.levers.items()
        if (lever := _lever(path, scenario, leaves, key, ends, problems))
    ]
    uncertainties = _uncertainties(
        path, search.states.uncertainties, leaves, search.levers, problems
    )
    posterior = None
    if search.states.posterior is not None:
        posterior = _file(path, "states.posterior", search.states.posterior, (".csv",), problems)
    compared = [
        _file(path, f"compare_with[{i}]", name, SUFFIXES, problems)
        for i, name in enumerate(search.compare_with)
    ]
    problems += [
        Problem(
            str(path),
            f"objectives[{i}].outcome",
            f"got {quote(o.outcome)}; expected one of {outcomes}",
        )
        for i, o in enumerate(search.objectives)
        if o.outcome not in outcomes
    ]
    labels = [o.label for o in search.objectives]
    problems += [
        Problem(str(path), "objectives", f"{label} is declared more than once")
        for label in sorted({label for label in labels if labels.count(label) > 1})
    ]
    runs = _runs(search)
    if runs > MAX_EVALUATIONS:
        problems.append(
            Problem(str(path), "algorithm", f"{runs:,} runs; expected at most {MAX_EVALUATIONS:,}")
        )
    if problems:
        raise ScenarioError(problems)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return SearchPlan(
        search,
        path,
        digest,
        scenario,
        tuple(levers),
        posterior,
        tuple(uncertainties),
        tuple(f for f in compared if f is not None),
    )


def _runs(search: RobustSearch) -> int:
    """Runs of the whole search: every candidate and compared policy on every SOW and replicate."""
    candidates = search.algorithm.population * search.algorithm.generations
    policies = len(search.compare_with) + 1  # the scenario's own policy, the regret's reference
    return (candidates + policies) * search.states.count * search.replicates


def _lever(
    path: Path,
    scenario: Scenario,
    leaves: dict[str, Any],
    key: str,
    ends: list[bool | float],
    problems: list[Problem],
) -> Lever | None:
    """The lever of a `levers` entry, or None after noting why it cannot be one."""
    where = f"levers.{key}"
    if not key.startswith("policy.") or key not in leaves:
        problems.append(
            Problem(str(path), where, f"got {quote(key)}; expected a policy key of the scenario")
        )
        return None
    current = leaves[key]
    if isinstance(current, bool):
        if ends != [False, True] or not all(isinstance(e, bool) for e in ends):
            problems.append(Problem(str(path), where, "a switch: expected [false, true]"))
            return None
        return Lever(key, 0.0, 1.0, switch=True)
    if isinstance(current, int) or not isinstance(current, float):
        problems.append(
            Problem(str(path), where, f"holds {quote(current)}; expected a real-valued key")
        )
        return None
    if not ends:  # the key's plausible range
        span = range_of(key)
        ends = [span.low, span.high] if span is not None else []
    if len(ends) != 2 or any(isinstance(e, bool) for e in ends) or not ends[0] < ends[1]:
        problems.append(Problem(str(path), where, f"got {quote(ends)}; expected [low, high]"))
        return None
    for end in ends:
        try:
            override(scenario, {key: float(end)})
        except ScenarioError as exc:
            reasons = "; ".join(q.message for q in exc.problems)
            problems.append(Problem(str(path), where, f"{quote(end)}: {reasons}"))
            return None
    return Lever(key, float(ends[0]), float(ends[1]), switch=False)


def _uncertainties(
    path: Path,
    patterns: list[str],
    leaves: dict[str, Any],
    levers: dict[str, Any],
    problems: list[Problem],
) -> list[str]:
    """The concrete keys the SOWs sample from their ranges: numbers, with a range, not levers."""
    keys: list[str] = []
    for i, pattern in enumerate(patterns):
        where = f"states.uncertainties[{i}]"
        matched = [
            key
            for key, value in leaves.items()
            if fnmatchcase(key, pattern)
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ]
        if not matched:
            problems.append(Problem(str(path), where, f"got {quote(pattern)}; matches no number"))
        for key in matched:
            span = range_of(key)
            if key in levers:
                problems.append(Problem(str(path), where, f"{key} is a lever; it can't be both"))
            elif span is None or not span.low < span.high:
                problems.append(Problem(str(path), where, f"{key} has no range to sample"))
            elif key not in keys:
                keys.append(key)
    return keys


def _file(
    path: Path, where: str, name: str, suffixes: tuple[str, ...], problems: list[Problem]
) -> Path | None:
    """The file a key names (relative to the search file), or None after noting why not."""
    if not name.endswith(suffixes) or "\0" in name:
        problems.append(Problem(str(path), where, f"got {quote(name)}; expected a {suffixes[0]}"))
        return None
    file = path.parent / name
    if not is_file(file):
        problems.append(Problem(str(path), where, f"got {quote(name)}; no such file"))
        return None
    return file.resolve()
