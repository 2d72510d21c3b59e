"""Calibration files: which parameters to fit, to which observed figures, with which ABC settings.

Every target cites the entry of the observed-data file it comes from; the loader checks
that the entry exists, that the target's months lie inside the entry's, and that the
target's range lies inside the entry's range (a target may narrow a figure, with a
note saying why, never move outside it). Observed month m (0 = the scenario's start,
October 2021) is the model's step m + 1: step 1 is the first simulated month.

Only model parameters are fitted (`sim.inputs.ranges.parameters`), each once. The
files a calibration may install its results to (`calibrated:`, `posterior:`) are
checked here too: never one of its inputs, and never a file `sim calibrate` did not
write.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.inputs.observation_parameters import OBSERVATION_PREFIX, PARAMETERS
from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.ranges import parameter_problem, parameters, range_of
from sim.inputs.reading import is_file, read_yaml
from sim.inputs.scenario import SUFFIXES, load_scenario, override, read_file_as, resolve
from sim.inputs.schema import SafeName, Scenario, Strict

OBSERVED_MONTH_ZERO = (2021, 10)  # the observed file's month 0 (its header says so)
CALIBRATED_HEADER = "# Calibrated:"  # the first line of every calibrated scenario written
POSTERIOR_HEADER = "draw,weight,"  # and of every posterior file
INSTALLS = {"calibrated": (SUFFIXES, CALIBRATED_HEADER), "posterior": ((".csv",), POSTERIOR_HEADER)}
Statistic = Literal["mean", "sum", "end", "spread"]
"""How a target reads its months: the monthly mean, the total, the stock at the last one, or
the standard deviation between the months' figures."""
DERIVED = ("spread",)  # statistics whose observed value is derived from a source's figures


class Uncertain(Strict):
    """A parameter to fit: a scenario key path or `observation.<name>`, uniform over [low, high]."""

    key: str = Field(min_length=1, max_length=200)
    low: float | None = None  # default: the plausible range of `sim.inputs.ranges`
    high: float | None = None


class Target(Strict):
    """One observed figure and the simulated statistic it is compared with.

    The statistic reads either a record column as it is (`column`) or what a source
    reports of it (`observation`: a model of `sim.analysis.observation.MODELS`, which
    names its column and maps it, e.g. recorded to claimed attacks).
    """

    name: SafeName
    source: str = Field(min_length=1, max_length=200)  # key path into the observed file
    actor: str = Field(default="isisk", min_length=1, max_length=64)
    column: str | None = Field(default=None, min_length=1, max_length=64)  # of sim.engine.record
    observation: str | None = Field(default=None, min_length=1, max_length=64)
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
        if (self.column is None) == (self.observation is None):
            raise ValueError("expected either column (the record's) or observation (a model's)")
        return self


class AbcSettings(Strict):
    """ABC-SMC settings (pyabc): population, generations, tolerance schedule, stopping rules."""

    population_size: int = Field(ge=10, le=100_000)
    generations: int = Field(ge=1, le=50)
    quantile: float = Field(gt=0.0, lt=1.0)  # next tolerance: this quantile of accepted distances
    minimum_epsilon: float = Field(ge=0.0, le=1e9)
    min_acceptance_rate: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _can_accept(self) -> AbcSettings:
        if self.min_acceptance_rate >= self.quantile:
            raise ValueError(
                f"min_acceptance_rate {self.min_acceptance_rate:g} must be below quantile "
                f"{self.quantile:g}: the first generation accepts about that share of its "
                "proposals, so it would stop before any posterior"
            )
        return self


class RejectionSettings(Strict):
    """Rejection ABC on a reference table: prior points simulated, the nearest `accept` kept."""

    simulations: int = Field(ge=10, le=1_000_000)  # the table is held in memory: ~1 GB at most
    accept: int = Field(ge=10, le=100_000)

    @model_validator(mode="after")
    def _fewer_kept(self) -> RejectionSettings:
        if self.accept >= self.simulations:
            raise ValueError(
                f"accept {self.accept} must be below simulations {self.simulations}: "
                "keeping every simulation would return the prior"
            )
        return self


class Calibration(Strict):
    """A calibration file (experiments/calibration.yaml)."""

    name: SafeName
    description: str = Field(default="", max_length=10_000)
    scenario: str = Field(min_length=1, max_length=4096)  # relative to this file
    observed: str = Field(min_length=1, max_length=4096)
    seed: int = Field(ge=0, lt=2**63)
    # the parameters, or the file listing them (written by experiments/calibration_parameters.py)
    parameters: list[Uncertain] | str = Field(min_length=1, max_length=100)
    targets: list[Target] = Field(min_length=1, max_length=50)
    # the method: exactly one of ABC-SMC (`abc`) and rejection on a reference table
    abc: AbcSettings | None = None
    rejection: RejectionSettings | None = None
    predictive_draws: int = Field(ge=10, le=100_000)  # replicates of the predictive check
    out: str | None = Field(default=None, min_length=1, max_length=4096)
    # where `sim calibrate --install` copies the calibrated scenario and the posterior draws
    calibrated: str | None = Field(default=None, min_length=1, max_length=4096)
    posterior: str | None = Field(default=None, min_length=1, max_length=4096)


@dataclass(frozen=True)
class Prior:
    """A fitted parameter: key path, uniform prior bounds, and whether the scenario holds an int."""

    key: str
    low: float
    high: float
    integer: bool

    @property
    def observed(self) -> bool:
        """Whether this is an observation model's parameter, not the scenario's."""
        return self.key.startswith(OBSERVATION_PREFIX)

    @property
    def name(self) -> str:
        """The key without the observation prefix."""
        return self.key.removeprefix(OBSERVATION_PREFIX)


class ParameterList(Strict):
    """A file of fitted parameters (experiments/calibration_parameters.yaml), generated."""

    parameters: list[Uncertain] = Field(min_length=1, max_length=100)


@dataclass(frozen=True)
class CalibrationPlan:
    """A validated calibration: the file, its scenario, priors and resolved paths."""

    calibration: Calibration
    file: Path
    scenario: Scenario
    scenario_file: Path
    priors: tuple[Prior, ...]
    calibrated_file: Path | None  # where `--install` writes the calibrated scenario
    posterior_file: Path | None  # and the posterior draws
    inputs: tuple[Path, ...]  # every file read, resolved: never written

    @property
    def steps(self) -> int:
        """Months to simulate: up to the step of the latest target month."""
        return max(t.months[1] for t in self.calibration.targets) + 1

    def install_files(self) -> tuple[Path, Path]:
        """Where `--install` writes the calibrated scenario and the posterior draws."""
        missing = [
            key
            for key, file in (
                ("calibrated", self.calibrated_file),
                ("posterior", self.posterior_file),
            )
            if file is None
        ]
        if missing:
            raise ScenarioError(
                [Problem(str(self.file), key, "missing: --install writes to it") for key in missing]
            )
        return self.calibrated_file, self.posterior_file

    @cached_property
    def short_scenario(self) -> Scenario:
        """The scenario cut to `steps` months, events after them dropped."""
        events = [e.model_dump() for e in self.scenario.events if e.month <= self.steps]
        return override(self.scenario, {"steps": self.steps, "events": events})


def load_calibration(path: str | Path, fitted: list[Uncertain] | None = None) -> CalibrationPlan:
    """Read and check a calibration file; raise `ScenarioError` naming every problem.

    `fitted`, when given, stands for the file's `parameters` (the Sobol' screening that
    writes them must run before they exist, or after the model's parameters changed).
    """
    path = Path(path)
    calibration = read_file_as(path, Calibration)
    if fitted is not None:
        calibration = calibration.model_copy(update={"parameters": fitted})
    scenario_file = path.parent / calibration.scenario
    observed_file = path.parent / calibration.observed
    problems = [
        Problem(str(path), key, f"got {quote(name)}; {_not_a_file(path.parent / name)}")
        for key, name in (("scenario", calibration.scenario), ("observed", calibration.observed))
        if not is_file(path.parent / name)
    ]
    if (calibration.abc is None) == (calibration.rejection is None):
        problems.append(
            Problem(
                str(path),
                "abc",
                "expected exactly one of `abc` (ABC-SMC) and `rejection` (rejection ABC on a "
                "reference table)",
            )
        )
    if problems:
        raise ScenarioError(problems)
    scenario = load_scenario(scenario_file)
    inputs = (path.resolve(), observed_file.resolve(), *resolve(scenario_file)[2])
    fitted, listed_in = _parameters(path, calibration.parameters)
    inputs += (listed_in.resolve(),) if listed_in != path else ()
    known = dict(parameters(scenario))
    priors = [_prior(listed_in, i, p, scenario, known, problems) for i, p in enumerate(fitted)]
    problems += _repeated_keys(listed_in, fitted)
    observed = read_yaml(observed_file)
    for i, target in enumerate(calibration.targets):
        problems += _target_problems(path, f"targets[{i}]", target, observed, observed_file)
    installs = {
        key: _install_file(path, key, name, inputs, problems)
        for key, name in (
            ("calibrated", calibration.calibrated),
            ("posterior", calibration.posterior),
        )
    }
    if problems:
        raise ScenarioError(problems)
    return CalibrationPlan(
        calibration,
        path,
        scenario,
        scenario_file,
        tuple(p for p in priors if p is not None),
        installs["calibrated"],
        installs["posterior"],
        inputs,
    )


def _parameters(file: Path, listed: list[Uncertain] | str) -> tuple[list[Uncertain], Path]:
    """The parameters to fit and the file that lists them: this one, or the file it names."""
    if not isinstance(listed, str):
        return listed, file
    named = file.parent / listed
    if not is_file(named):
        raise ScenarioError(
            [Problem(str(file), "parameters", f"got {quote(listed)}; {_not_a_file(named)}")]
        )
    return read_file_as(named, ParameterList).parameters, named


def _not_a_file(path: Path) -> str:
    """Why `path`, which is not a regular file, cannot be read."""
    try:
        there = path.exists()
    except (OSError, ValueError):
        there = False
    return (
        f"not a regular file (a pipe, a device or a folder): {path}"
        if there
        else f"no such file {path}"
    )


def _prior(
    file: Path,
    i: int,
    spec: Uncertain,
    scenario: Scenario,
    known: dict[str, float],
    problems: list[Problem],
) -> Prior | None:
    """The prior of one parameter, or None after noting why it cannot be had."""
    where = f"parameters[{i}]"
    if spec.key.startswith(OBSERVATION_PREFIX):
        return _observation_prior(file, where, spec, problems)
    if (message := parameter_problem(spec.key, known)) is not None:
        problems.append(Problem(str(file), f"{where}.key", message))
        return None
    default = range_of(spec.key)
    low = spec.low if spec.low is not None else (default.low if default else None)
    high = spec.high if spec.high is not None else (default.high if default else None)
    if low is None or high is None:
        problems.append(Problem(str(file), where, f"{spec.key!r} has no range; give low and high"))
        return None
    if not low < high:
        problems.append(Problem(str(file), where, f"low {low} must be below high {high}"))
        return None
    integer = isinstance(known[spec.key], int)
    for end in (low, high):
        try:
            override(scenario, {spec.key: round(end) if integer else end})
        except ScenarioError as exc:
            problems.append(Problem(str(file), where, f"{spec.key} = {end}: {exc}"))
            return None
    return Prior(spec.key, float(low), float(high), integer)


def _observation_prior(
    file: Path, where: str, spec: Uncertain, problems: list[Problem]
) -> Prior | None:
    """The prior of an observation model's parameter: its declared range unless given."""
    declared = PARAMETERS.get(spec.key.removeprefix(OBSERVATION_PREFIX))
    if declared is None:
        names = ", ".join(OBSERVATION_PREFIX + name for name in PARAMETERS)
        problems.append(
            Problem(str(file), f"{where}.key", f"got {quote(spec.key)}; expected one of {names}")
        )
        return None
    low = declared.low if spec.low is None else spec.low
    high = declared.high if spec.high is None else spec.high
    if not low < high:
        problems.append(Problem(str(file), where, f"low {low} must be below high {high}"))
        return None
    return Prior(spec.key, float(low), float(high), False)


def _repeated_keys(file: Path, parameters: list[Uncertain]) -> list[Problem]:
    """A parameter fitted twice: pyabc would fit two copies, the scenario take one."""
    keys = [p.key for p in parameters]
    return [
        Problem(str(file), f"parameters[{i}].key", f"{key!r} is also parameters[{keys.index(key)}]")
        for i, key in enumerate(keys)
        if keys.index(key) != i
    ]


def _install_file(
    file: Path, key: str, name: str | None, inputs: tuple[Path, ...], problems: list[Problem]
) -> Path | None:
    """Where `--install` may write `key`'s file, or None after noting why it may not.

    Never an input of the calibration, and never an existing file that `sim calibrate`
    did not write (known by its first line).
    """
    if name is None:
        return None
    suffixes, first_line = INSTALLS[key]
    if not name.endswith(suffixes) or "\0" in name:
        problems.append(
            Problem(str(file), key, f"got {quote(name)}; expected a {suffixes[0]} file")
        )
        return None
    try:
        target = (file.parent / name).resolve()
    except (OSError, ValueError):
        problems.append(Problem(str(file), key, f"got {quote(name)}; not a usable file name"))
        return None
    if target in inputs:
        problems.append(
            Problem(str(file), key, f"got {quote(name)}; {target} is an input of this calibration")
        )
        return None
    if target.exists() and not (is_file(target) and _starts_with(target, first_line)):
        problems.append(
            Problem(
                str(file),
                key,
                f"got {quote(name)}; {target} exists and is not a file sim calibrate wrote "
                "(move it away, or name another file)",
            )
        )
        return None
    return target


def calibrated_in_chain(path: str | Path) -> Path | None:
    """The calibrated scenario (one `sim calibrate` wrote) that `path` is or extends, if any.

    Its parameters are the fit's posterior medians: a run of it without posterior draws
    has one set of them for every replicate, and says so.
    """
    _, _, files = resolve(Path(path))
    return next((file for file in reversed(files) if _starts_with(file, CALIBRATED_HEADER)), None)


def _starts_with(path: Path, prefix: str) -> bool:
    """Whether a regular file's first bytes are `prefix`."""
    try:
        with path.open("rb") as stream:
            return stream.read(len(prefix)) == prefix.encode()
    except OSError:
        return False


def _target_problems(
    file: Path, where: str, target: Target, observed: dict, observed_file: Path
) -> list[Problem]:
    """What is wrong with a target against its source entry in the observed file."""
    entry = _entry(observed, target.source)
    if not isinstance(entry, dict):
        return [Problem(str(file), f"{where}.source", f"no entry {target.source!r} there")]
    problems = _entry_problems(observed_file, target.source, entry)
    if problems:
        return problems
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
    if target.statistic in DERIVED:
        if not target.note:
            problems.append(
                Problem(str(file), f"{where}.note", "a derived value: say how it follows")
            )
    elif isinstance(value, list) and len(value) == 2:
        if not value[0] <= target.value[0] <= target.value[1] <= value[1]:
            problems.append(
                Problem(
                    str(file), f"{where}.value", f"{target.value} not inside the source's {value}"
                )
            )
    elif not target.note:
        problems.append(Problem(str(file), f"{where}.note", "the source has no value: say why"))
    return problems


def _entry_problems(file: Path, source: str, entry: dict) -> list[Problem]:
    """An observed entry's `month` must be m or [first, last], its `value` [low, high] or parts."""
    problems = []
    month = entry.get("month")
    if month is not None and not (
        _is_int(month) or (isinstance(month, list) and len(month) == 2 and all(map(_is_int, month)))
    ):
        problems.append(
            Problem(
                str(file), f"{source}.month", f"got {quote(month)}; expected m or [first, last]"
            )
        )
    value = entry.get("value")
    parts = value.values() if isinstance(value, dict) else ()
    if value is not None and not (
        (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value)))
        or (parts and all(map(_is_number, parts)))
    ):
        problems.append(
            Problem(
                str(file),
                f"{source}.value",
                f"got {quote(value)}; expected [low, high] or named parts, numbers",
            )
        )
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
