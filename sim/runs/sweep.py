"""Sweeps: R replicates at each of many parameter points, on any executor, resumable.

Replicate r of every point draws from `SeedSequence(seed, spawn_key=(r,))` (common
random numbers across points), and a point's values are applied to the scenario with
`sim.inputs.scenario.override`, so results are identical whatever the number of
executor, workers or chunks, and after an interruption. Runs are numbered
`point * R + replicate`; a chunk of them is one batch (`sim.runs.batch`) in which each
run takes its point's values.

Layout of the results directory: `manifest.json`, `points.parquet` (one row per point),
`runs.parquet` (one row per point and replicate, with the point's values as columns),
`timeseries.parquet` if kept, and for a sampled design `design.parquet` (the points in
the unit hypercube, which the sensitivity analysis reads).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.engine.outcomes import OUTCOMES
from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.sampling import changes_of, points_table, unit_sample
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario
from sim.inputs.sweep import SweepPlan
from sim.runs.batch import run_batch
from sim.runs.chunked import run_missing
from sim.runs.ensemble import manifest_for
from sim.runs.executor import Executor
from sim.runs.kinds import available_cpus
from sim.runs.local_pool import LocalPool
from sim.runs.output import write_atomic
from sim.runs.store import ResultStore

DESIGN_COLUMNS = ("point", "lever_set", "sample")
"""Columns of the points table that number points rather than set scenario keys."""


def run_sweep(
    plan: SweepPlan,
    out: Path,
    *,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    executor: Executor | None = None,
    force_resume: bool = False,
) -> Path:
    """Sample a sweep file's design and run it into `out`; return the results directory.

    The runs go to `executor` (default: this machine's pool of `workers` processes).
    """
    sweep = plan.sweep
    outcomes = sweep.outcomes or list(OUTCOMES.shown("summary"))
    unknown = [
        Problem(
            str(plan.file), f"outcomes[{i}]", f"got {quote(n)}; expected one of {OUTCOMES.names}"
        )
        for i, n in enumerate(outcomes)
        if n not in OUTCOMES.names
    ]
    if unknown:
        raise ScenarioError(unknown)
    unit = unit_sample(plan.design)
    points = points_table(plan.design, unit)
    out = run_points(
        plan.scenario,
        points,
        out,
        replicates=sweep.replicates,
        name=sweep.name,
        timeseries=sweep.timeseries,
        workers=workers,
        chunk_size=chunk_size,
        progress=progress,
        executor=executor,
        force_resume=force_resume,
        describe={
            "kind": "sweep",
            "sweep_file": str(plan.file),
            "scenario_file": str(plan.file.parent / sweep.scenario),
            "scenario_sha256": plan.scenario_sha256,
            "design": plan.design.describe(),
            "outcomes": outcomes,
            "settings_from_command_line": plan.changed,
        },
    )
    design = pd.DataFrame(unit, columns=plan.design.names)
    design.insert(0, "sample", range(len(design)))
    write_atomic(out / "design.parquet", lambda tmp: design.to_parquet(tmp, index=False))
    return out


def run_points(
    scenario: Scenario,
    points: pd.DataFrame,
    out: Path,
    *,
    replicates: int,
    name: str | None = None,
    timeseries: bool = False,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    executor: Executor | None = None,
    describe: dict | None = None,
    force_resume: bool = False,
) -> Path:
    """Run `replicates` replicates of `scenario` at each point into `out`, resuming.

    Args:
        scenario: the base scenario; its seed and steps apply to every point.
        points: one row per point, `point` numbered 0..n-1, and a column per scenario
            key path holding the point's value (columns `lever_set` and `sample`, if
            present, are carried along but set nothing).
        out: results directory; a directory holding another sweep is refused.
        replicates: replicates per point.
        name: the sweep's name in the manifest (default: the scenario's).
        timeseries: also keep the long time series (large: points x replicates x months).
        workers: processes of the default executor, this machine's pool (default: the CPUs).
        chunk_size: runs per work item (results do not depend on it).
        progress: show a progress bar.
        executor: where the runs go (`sim.runs.executor`); give it or `workers`, not both.
        describe: further manifest fields (the design, the sweep file).
        force_resume: resume results made by other code (recorded in the manifest).

    Returns:
        The results directory, holding manifest.json, points.parquet, runs.parquet and,
        if kept, timeseries.parquet. `sweep_tables(out)` reads them back.
    """
    if executor is not None and workers is not None:
        raise ValueError(f"workers={workers}: give the workers to the executor, not to both")
    table = _points_arrow(points)
    _check_points(scenario, table)
    store = ResultStore(out, key="run", timeseries=timeseries)
    manifest = _manifest(scenario, table, replicates, name, timeseries, describe or {})
    with store.lock():
        store.open(manifest, force_resume=force_resume)
        write_atomic(store.out / "points.parquet", lambda tmp: pq.write_table(table, tmp))
        run_missing(
            Points(scenario, table, replicates, timeseries),
            table.num_rows * replicates,
            store,
            executor or LocalPool(workers or available_cpus()),
            chunk_size=chunk_size,
            progress=progress,
            label=name,
        )
    return store.out


def sweep_tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The points and runs tables of a sweep's results directory."""
    out = Path(out)
    return pd.read_parquet(out / "points.parquet"), pd.read_parquet(out / "runs.parquet")


@dataclass(frozen=True)
class Points:
    """A sweep as a job: run `point * replicates + r` is replicate r at that point's values."""

    scenario: Scenario
    points: pa.Table
    replicates: int
    timeseries: bool

    def run(self, runs: list[int]) -> tuple[pa.Table, pa.Table | None]:
        """One batch of the runs; the runs table gains each run's point, number and values.

        The points were validated before any run (`run_points`), so the batch does
        not check them again.
        """
        point = np.asarray(runs) // self.replicates
        keys = [c for c in self.points.column_names if c not in DESIGN_COLUMNS]
        values = {key: self.points.column(key).to_numpy()[point] for key in keys}
        table, series = run_batch(
            self.scenario, [r % self.replicates for r in runs], values, validated=True
        )
        table = table.add_column(1, "point", pa.array(point, pa.int64()))
        table = table.add_column(3, "run", pa.array(runs, pa.int64()))
        for key in keys:
            table = table.append_column(key, self.points.column(key).take(point))
        if not self.timeseries:
            return table, None
        rows = np.repeat(point, series.num_rows // len(runs))
        return table, series.add_column(1, "point", pa.array(rows, pa.int64()))


def _points_arrow(points: pd.DataFrame) -> pa.Table:
    """The points as an Arrow table, numbered 0..n-1 in order (one schema for every chunk)."""
    if list(points["point"]) != list(range(len(points))):
        raise ValueError("points must be numbered 0..n-1 in order in column 'point'")
    return pa.Table.from_pandas(points.reset_index(drop=True), preserve_index=False)


def _check_points(scenario: Scenario, points: pa.Table) -> None:
    """Every point must make a valid scenario: all problems are reported before any run."""
    keys = [c for c in points.column_names if c not in DESIGN_COLUMNS]
    problems = []
    for point, changes in enumerate(changes_of(points.select(keys).to_pandas())):
        try:
            override(scenario, changes)
        except ScenarioError as exc:
            problems += [Problem(f"point {point}", p.path, p.message) for p in exc.problems]
    if problems:
        raise ScenarioError(problems)


def _manifest(
    scenario: Scenario,
    points: pa.Table,
    replicates: int,
    name: str | None,
    timeseries: bool,
    describe: dict,
) -> dict:
    """The ensemble manifest of the base scenario, identified by the points as well."""
    manifest = manifest_for(
        scenario, describe.get("scenario_sha256", ""), describe.get("scenario_file")
    )
    identity = {
        "scenario": manifest["scenario"],
        "points": points.to_pylist(),
        "timeseries": timeseries,
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode())
    return (
        manifest
        | describe
        | {
            "kind": describe.get("kind", "points"),
            "scenario_name": name or scenario.name,
            "base_scenario": scenario.name,
            "resolved_sha256": digest.hexdigest(),
            "replicates": replicates,
            "points": points.num_rows,
            "runs": points.num_rows * replicates,
            "timeseries": timeseries,
            "run_numbering": "run = point * replicates + replicate",
        }
    )
