"""Sampling designs: where in parameter space a sweep runs the model.

A design draws points in the unit hypercube with a named sampler (a grid, a Latin
hypercube from `scipy.stats.qmc`, Saltelli's Sobol' design or Morris trajectories from
SALib), then maps each coordinate onto its parameter's distribution. Levers (policy
options) are crossed with every sampled point, as in EMA's experiments.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from SALib.sample import morris as morris_sampler
from SALib.sample import sobol as sobol_sampler
from scipy.stats import qmc

Distribution = Literal["uniform", "loguniform", "discrete"]
Sampler = Literal["grid", "latin_hypercube", "sobol", "morris"]
SAMPLERS: tuple[str, ...] = ("grid", "latin_hypercube", "sobol", "morris")
DISTRIBUTIONS: tuple[str, ...] = ("uniform", "loguniform", "discrete")
MIN_POINTS: dict[str, tuple[int, str]] = {
    "sobol": (4, "base samples: its indices and their bootstrap intervals come from the N rows, "
              "and with fewer they are noise, far outside [0, 1]"),
    "morris": (2, "trajectories: sigma, the spread of the elementary effects, needs two"),
}  # fmt: skip
"""The smallest `points` each sensitivity method estimates its indices from, and why."""


@dataclass(frozen=True)
class Parameter:
    """One uncertain parameter: a scenario key path and the distribution it is sampled from.

    Attributes:
        name: the scenario key path (`rules.attacks.base_rate`), also the column name.
        low: lower end of the range (uniform, loguniform).
        high: upper end of the range.
        distribution: uniform, loguniform (equal weight per factor of ten) or discrete.
        values: the values of a discrete parameter, taken with equal chances.
        integer: round sampled values to whole numbers (the key holds an integer).
    """

    name: str
    low: float = 0.0
    high: float = 1.0
    distribution: Distribution = "uniform"
    values: tuple[Any, ...] = ()
    integer: bool = False

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval coordinates onto this parameter's values (its quantile function)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.distribution == "discrete":
            index = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in index]
        if self.distribution == "loguniform":
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        x = np.clip(x, self.low, self.high)  # exp(log(high)) may round above high
        if self.integer:
            return [int(v) for v in np.rint(x)]
        return [float(v) for v in x]


@dataclass(frozen=True)
class Design:
    """How a sweep samples: its parameters, sampler, size, seed and levers.

    Attributes:
        parameters: the uncertain parameters.
        sampler: grid, latin_hypercube, sobol or morris.
        points: grid levels per continuous parameter; points of a Latin hypercube;
            base samples N of the Sobol' design (N (D + 2) points); Morris trajectories
            (each D + 1 points).
        seed: seed of the sampler.
        levels: levels of the Morris grid.
        levers: policy keys and the values each takes; every combination is crossed
            with every sampled point.
    """

    parameters: tuple[Parameter, ...]
    sampler: Sampler
    points: int
    seed: int = 0
    levels: int = 4
    levers: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The parameters' key paths, in order."""
        return [p.name for p in self.parameters]

    def problem(self) -> dict:
        """SALib's problem dictionary, over the unit hypercube the design is drawn in."""
        return {
            "num_vars": len(self.parameters),
            "names": self.names,
            "bounds": [[0.0, 1.0]] * len(self.parameters),
        }

    def describe(self) -> dict:
        """The design as plain data, for the manifest."""
        return {
            "sampler": self.sampler,
            "points": self.points,
            "seed": self.seed,
            "levels": self.levels,
            "parameters": [
                {
                    "name": p.name,
                    "low": p.low,
                    "high": p.high,
                    "distribution": p.distribution,
                    "values": list(p.values),
                    "integer": p.integer,
                }
                for p in self.parameters
            ],
            "levers": {k: list(v) for k, v in self.levers.items()},
        }

    @classmethod
    def from_description(cls, data: dict) -> Design:
        """The design a manifest describes (the inverse of `describe`)."""
        parameters = tuple(
            Parameter(**(p | {"values": tuple(p["values"])})) for p in data["parameters"]
        )
        levers = {k: tuple(v) for k, v in data["levers"].items()}
        fields = {k: data[k] for k in ("sampler", "points", "seed", "levels")}
        return cls(parameters=parameters, levers=levers, **fields)


def unit_sample(design: Design) -> np.ndarray:
    """The design's points in the unit hypercube: one row per sample, one column per parameter."""
    dims = len(design.parameters)
    if design.sampler == "sobol":
        return sobol_sampler.sample(
            design.problem(), design.points, calc_second_order=False, seed=design.seed
        )
    if design.sampler == "morris":
        return morris_sampler.sample(
            design.problem(), design.points, num_levels=design.levels, seed=design.seed
        )
    if design.sampler == "latin_hypercube":
        return qmc.LatinHypercube(d=dims, seed=np.random.default_rng(design.seed)).random(
            design.points
        )
    axes = [_grid_axis(p, design.points) for p in design.parameters]
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, dims)


def _grid_axis(parameter: Parameter, levels: int) -> np.ndarray:
    """Unit coordinates of a grid axis: each discrete value once, else `levels` evenly spaced."""
    if parameter.distribution == "discrete":
        return (np.arange(len(parameter.values)) + 0.5) / len(parameter.values)
    return np.linspace(0.0, 1.0, levels) if levels > 1 else np.array([0.5])


def design_size(design: Design) -> int:
    """Samples the design draws (before crossing with levers)."""
    dims = len(design.parameters)
    if design.sampler == "sobol":
        return design.points * (dims + 2)
    if design.sampler == "morris":
        return design.points * (dims + 1)
    if design.sampler == "latin_hypercube":
        return design.points
    return math.prod(
        len(p.values) if p.distribution == "discrete" else design.points for p in design.parameters
    )


def too_small(design: Design) -> str | None:
    """Why the design has too few points for its sensitivity method, or None."""
    least, why = MIN_POINTS.get(design.sampler, (1, ""))
    if design.points >= least:
        return None
    return f"got {design.points}; {design.sampler} needs at least {least} {why}"


def lever_sets(design: Design) -> list[dict[str, Any]]:
    """Every combination of lever values (one empty set when there are no levers)."""
    keys = list(design.levers)
    return [
        dict(zip(keys, combo, strict=True)) for combo in itertools.product(*design.levers.values())
    ]


def points_table(design: Design, unit: np.ndarray) -> pd.DataFrame:
    """One row per point: `point`, `lever_set`, `sample` (row of the design) and each key's value.

    Points run lever set by lever set, each over the whole design in its order.
    """
    values = {p.name: p.from_unit(unit[:, j]) for j, p in enumerate(design.parameters)}
    samples = pd.DataFrame(values)
    frames = []
    for number, levers in enumerate(lever_sets(design)):
        frame = samples.copy()
        for key, value in levers.items():
            frame[key] = [value] * len(frame)
        frame.insert(0, "sample", np.arange(len(samples)))
        frame.insert(0, "lever_set", number)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "point", np.arange(len(table)))
    return table


def changes_of(points: pd.DataFrame) -> list[dict[str, Any]]:
    """Each point's scenario overrides (its key columns), as plain Python values."""
    keys = [c for c in points.columns if c not in ("point", "lever_set", "sample")]
    rows = points[keys].to_dict("records")
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in rows]
