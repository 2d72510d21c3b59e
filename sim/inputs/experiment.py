"""Declarative experiment files: which scenarios, how many replicates, which seed, where to."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.reading import is_file
from sim.inputs.scenario import SUFFIXES, read_file_as
from sim.inputs.schema import SafeName, Strict


class Experiment(Strict):
    """A comparison of scenarios under common random numbers."""

    kind: Literal["comparison"] = "comparison"  # a sweep file says `kind: sweep`
    name: SafeName
    description: str = Field(default="", max_length=10_000)
    scenarios: list[str] = Field(min_length=2, max_length=100)
    replicates: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0, lt=2**63)  # stored as a 64-bit integer
    steps: int | None = Field(default=None, ge=1, le=600)
    out: str | None = Field(default=None, min_length=1, max_length=4096)


def load_experiment(path: str | Path) -> tuple[Experiment, list[Path]]:
    """Read and validate an experiment file; return it and its scenario paths (checked to exist)."""
    path = Path(path)
    experiment = read_file_as(path, Experiment)
    problems, files = [], []
    for i, name in enumerate(experiment.scenarios):
        where = f"scenarios[{i}]"
        if not name.endswith(SUFFIXES) or "\0" in name or len(name) > 4096:
            problems.append(Problem(str(path), where, f"got {quote(name)}; expected a .yaml file"))
            continue
        file = path.parent / name
        if is_file(file):
            files.append(file.resolve())
        else:
            problems.append(Problem(str(path), where, f"got {quote(name)}; no such file {file}"))
    if problems:
        raise ScenarioError(problems)
    return experiment, files
