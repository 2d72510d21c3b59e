"""Declarative experiment files: which scenarios, how many replicates, which seed, where to."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError

from sim.inputs.scenario import Problem, ScenarioError, read_yaml
from sim.inputs.schema import Strict


class Experiment(Strict):
    """A comparison of scenarios under common random numbers."""

    name: str = Field(min_length=1)
    description: str = ""
    scenarios: list[str] = Field(min_length=2)
    replicates: int = Field(ge=1)
    seed: int = Field(ge=0)
    steps: int | None = Field(default=None, ge=1)
    out: str | None = None


def load_experiment(path: str | Path) -> tuple[Experiment, list[Path]]:
    """Read and validate an experiment file; return it and its scenario paths (checked to exist)."""
    path = Path(path)
    data = read_yaml(path)
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            [
                Problem(
                    str(path), ".".join(map(str, e["loc"])), e["msg"].removeprefix("Value error, ")
                )
                for e in exc.errors()
            ]
        ) from None
    files = [(path.parent / s).resolve() for s in experiment.scenarios]
    missing = [
        Problem(str(path), f"scenarios[{i}]", f"no such file {f}")
        for i, f in enumerate(files)
        if not f.is_file()
    ]
    if missing:
        raise ScenarioError(missing)
    return experiment, files
