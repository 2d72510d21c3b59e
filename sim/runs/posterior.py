"""Posterior draws for ensembles: replicate r runs with parameter draw k(r), chosen from the seed.

A posterior file (CSV, written by `sim calibrate`) has a `draw` column, a `weight`
column and one column per fitted scenario key path. Replicate r takes draw
k(r) ~ Categorical(weights) from its own generator `SeedSequence(seed, spawn_key=(r,
DRAW_STREAM))`, apart from the replicate's model stream, so k(r) depends on the seed
and r only: the same for any worker count, chunk size or resume. The runs table then
records the draw and its values, so an ensemble carries parameter uncertainty as well
as stochastic noise.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sim.inputs.problems import Problem, ScenarioError, quote, refuse
from sim.inputs.ranges import parameter_problem, parameters
from sim.inputs.reading import read_bytes
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario
from sim.runs.arrays import numbers
from sim.runs.output import write_csv

DRAW_STREAM = 1  # second spawn-key word of the draw choice; the model's stream has none
DRAW_COLUMN = "posterior_draw"
MAX_POSTERIOR_BYTES = 50_000_000  # 100,000 draws of 20 parameters; the shipped file is 20 kB


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """`scenario` with key paths set to `values`, rounded where the scenario holds an integer."""
    return override(scenario, values_used(scenario, values))


def values_used(scenario: Scenario, values: dict[str, float]) -> dict[str, Any]:
    """The values a run takes: rounded where the scenario holds an integer, else floats."""
    data = scenario.model_dump()
    used: dict[str, Any] = {}
    for key, value in values.items():
        node: Any = data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        is_int = isinstance(node, int) and not isinstance(node, bool)
        used[key] = round(value) if is_int else float(value)
    return used


@dataclass(frozen=True)
class PosteriorDraws:
    """Weighted parameter draws and the file they came from."""

    keys: tuple[str, ...]
    values: np.ndarray  # (draws, keys)
    weights: np.ndarray  # (draws,), summing to 1
    sha256: str
    source: str

    def draw_of(self, seed: int, replicate: int) -> int:
        """The draw replicate `replicate` of an ensemble with `seed` runs with."""
        gen = np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(replicate, DRAW_STREAM))
        )
        return int(gen.choice(len(self.weights), p=self.weights))

    def chosen(self, seed: int, replicates: list[int]) -> list[int]:
        """The draw of each replicate of an ensemble with `seed`."""
        return [self.draw_of(seed, r) for r in replicates]

    def values_of(self, scenario: Scenario, chosen: list[int]) -> dict[str, np.ndarray]:
        """Per key path, the value each replicate runs with, given the draws it `chosen`."""
        used = {k: values_used(scenario, self.point(k)) for k in set(chosen)}
        return {key: np.array([used[k][key] for k in chosen]) for key in self.keys}

    def point(self, draw: int) -> dict[str, float]:
        """Parameter values of one draw, by key path."""
        return dict(zip(self.keys, self.values[draw].tolist(), strict=True))

    def annotate(
        self, runs: pa.Table, chosen: list[int], values: dict[str, np.ndarray]
    ) -> pa.Table:
        """The runs table with each replicate's draw index and the values it ran with."""
        runs = runs.append_column(DRAW_COLUMN, numbers(np.asarray(chosen, np.int32), pa.int32()))
        for key in self.keys:
            runs = runs.append_column(key, numbers(values[key].astype(np.float64), pa.float64()))
        return runs


def read_posterior(path: str | Path, scenario: Scenario) -> PosteriorDraws:
    """Read a posterior file and check it against `scenario`; raise `ScenarioError` if unusable.

    Its columns other than `draw` and `weight` must be model parameters
    (`sim.inputs.ranges.parameters`), each holding finite numbers the scenario accepts.
    """
    import pandas as pd  # loaded only for a posterior ensemble: it costs a quarter second

    path = Path(path)
    raw = read_bytes(path, MAX_POSTERIOR_BYTES)
    try:
        table = pd.read_csv(io.BytesIO(raw))
    except (ValueError, pd.errors.ParserError) as exc:
        raise refuse(path, "", f"cannot read a posterior CSV: {_first_line(exc)}") from None
    problems = [
        Problem(str(path), column, "missing column")
        for column in ("draw", "weight")
        if column not in table
    ]
    keys = tuple(c for c in table.columns if c not in ("draw", "weight"))
    if not keys:
        problems.append(Problem(str(path), "", "no parameter columns"))
    known = dict(parameters(scenario))
    problems += [
        Problem(str(path), "columns", message)
        for key in keys
        if (message := parameter_problem(key, known)) is not None
    ]
    if len(table) == 0:
        problems.append(Problem(str(path), "", "no rows; expected at least one draw"))
    columns = {c: _finite(path, table, c, problems) for c in table.columns}
    if problems:
        raise ScenarioError(problems)
    values = np.column_stack([columns[key] for key in keys])
    weights = columns["weight"]
    with np.errstate(over="ignore"):
        total = weights.sum()
    if (weights < 0).any() or not 0 < total < np.inf:
        raise refuse(path, "weight", "expected non-negative weights with a positive, finite sum")
    if not np.array_equal(columns["draw"], np.arange(len(table))):
        raise refuse(path, "draw", "expected draws numbered 0, 1, 2, ... in order")
    for j, key in enumerate(keys):
        try:
            with_values(scenario, {key: float(values[:, j].min())})
            with_values(scenario, {key: float(values[:, j].max())})
        except ScenarioError as exc:
            raise refuse(path, key, f"not usable with scenario {scenario.name!r}: {exc}") from None
    return PosteriorDraws(keys, values, weights / total, hashlib.sha256(raw).hexdigest(), str(path))


def _finite(path: Path, table: Any, column: str, problems: list[Problem]) -> np.ndarray | None:
    """A column as finite floats, as the CSV reader parsed them; None after noting a bad entry."""
    import pandas as pd

    series = table[column]
    if pd.api.types.is_bool_dtype(series):
        numbers = np.full(len(series), np.nan)
    elif pd.api.types.is_numeric_dtype(series):
        numbers = series.to_numpy(float)
    else:  # some entry is not a number: find the first
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~np.isfinite(numbers))
    if len(bad) == 0:
        return numbers
    row = int(bad[0])
    got = quote(str(series.iloc[row]))
    problems.append(
        Problem(str(path), quote(column), f"row {row + 1}: got {got}; expected a finite number")
    )
    return None


def _first_line(exc: Exception) -> str:
    """The first line of an error's message, cut short: pandas' can run to many lines."""
    return quote(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


def write_posterior(path: Path, keys: list[str], values: np.ndarray, weights: np.ndarray) -> None:
    """Write weighted draws as a posterior file (CSV with `draw`, `weight` and key columns).

    Written whole or not at all; a link at `path` is refused, never followed.
    """
    import pandas as pd

    table = pd.DataFrame(values, columns=keys)
    table.insert(0, "weight", weights / weights.sum())
    table.insert(0, "draw", np.arange(len(table)))
    write_csv(path, table, float_format="%.6g")
