"""Sweeps: R replicates at each of many parameter points, on one process pool, resumable.

Replicate r of every point draws from `SeedSequence(seed, spawn_key=(r,))` (common
random numbers across points), and a point's values are applied to the scenario with
`sim.inputs.scenario.override`, so results are identical whatever the number of
workers or chunks, and after an interruption. Runs are numbered `point * R + replicate`;
workers write them as chunk files through `ResultStore`.

Layout of the results directory: `manifest.json`, `points.parquet` (one row per point),
`runs.parquet` (one row per point and replicate, with the point's values as columns),
`timeseries.parquet` if kept, and for a sampled design `design.parquet` (the points in
the unit hypercube, which the sensitivity analysis reads).
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from sim.engine.outcomes import MAIN, NAMES
from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.sampling import changes_of, points_table, unit_sample
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario
from sim.inputs.sweep import SweepPlan
from sim.runs.ensemble import (
    available_cpus,
    default_chunk_size,
    manifest_for,
    plan_chunks,
    pooled,
    run_chunk,
)
from sim.runs.store import ResultStore, write_atomic

DESIGN_COLUMNS = ("point", "lever_set", "sample")
"""Columns of the points table that number points rather than set scenario keys."""


def run_sweep(
    plan: SweepPlan,
    out: Path,
    *,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    force_resume: bool = False,
) -> Path:
    """Sample a sweep file's design and run it into `out`; return the results directory."""
    sweep = plan.sweep
    outcomes = sweep.outcomes or list(MAIN)
    unknown = [
        Problem(str(plan.file), f"outcomes[{i}]", f"got {quote(n)}; expected one of {NAMES}")
        for i, n in enumerate(outcomes)
        if n not in NAMES
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
        force_resume=force_resume,
        describe={
            "kind": "sweep",
            "sweep_file": str(plan.file),
            "scenario_file": str(plan.file.parent / sweep.scenario),
            "scenario_sha256": plan.scenario_sha256,
            "design": plan.design.describe(),
            "outcomes": outcomes,
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
        workers: processes (default: all cores).
        chunk_size: runs per work item (results do not depend on it).
        progress: show a progress bar.
        describe: further manifest fields (the design, the sweep file).
        force_resume: resume results made by other code (recorded in the manifest).

    Returns:
        The results directory, holding manifest.json, points.parquet, runs.parquet and,
        if kept, timeseries.parquet. `sweep_tables(out)` reads them back.
    """
    table = _points_arrow(points)
    _check_points(scenario, table)
    store = ResultStore(out, key="run", timeseries=timeseries)
    manifest = _manifest(scenario, table, replicates, name, timeseries, describe or {})
    with store.lock():
        store.open(manifest, force_resume=force_resume)
        write_atomic(store.out / "points.parquet", lambda tmp: pq.write_table(table, tmp))
        if store.is_complete():
            return store.out
        total = table.num_rows * replicates
        workers = workers or available_cpus()
        missing = sorted(set(range(total)) - store.done())
        chunks = plan_chunks(missing, chunk_size or default_chunk_size(len(missing), workers))
        task = partial(store_runs, _Job(scenario, table, replicates, timeseries, store.out))
        started = time.perf_counter()
        with tqdm(
            total=total, initial=total - len(missing), desc=name or scenario.name, unit="run",
            disable=not progress,
        ) as bar:  # fmt: skip
            finished = (
                (task(chunk) for chunk in chunks)
                if workers == 1
                else pooled(task, chunks, workers, preload="sim.runs.sweep")
            )
            for runs in finished:
                bar.update(runs)
        store.consolidate()
        store.update_manifest(
            finished=datetime.now(UTC).isoformat(timespec="seconds"),
            compute_seconds_this_session=round(time.perf_counter() - started, 3),
        )
    return store.out


def sweep_tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The points and runs tables of a sweep's results directory."""
    out = Path(out)
    return pd.read_parquet(out / "points.parquet"), pd.read_parquet(out / "runs.parquet")


class _Job:
    """What every work item of one sweep shares: the scenario, the points, where to write."""

    def __init__(
        self, scenario: Scenario, points: pa.Table, replicates: int, timeseries: bool, out: Path
    ) -> None:
        self.scenario = scenario
        self.points = points
        self.replicates = replicates
        self.timeseries = timeseries
        self.out = out


def store_runs(job: _Job, runs: list[int]) -> int:
    """Run the numbered runs, point by point, and write them as one chunk (in the worker)."""
    by_point: dict[int, list[int]] = {}
    for run in runs:
        by_point.setdefault(run // job.replicates, []).append(run % job.replicates)
    keys = [c for c in job.points.column_names if c not in DESIGN_COLUMNS]
    run_tables, series_tables = [], []
    for point, replicates in by_point.items():
        row = job.points.slice(point, 1)
        changes = changes_of(row.select(keys).to_pandas())[0]
        point_runs, series = run_chunk(override(job.scenario, changes), replicates)
        numbers = [point * job.replicates + r for r in replicates]
        point_runs = point_runs.add_column(1, "point", pa.array([point] * len(numbers), pa.int64()))
        point_runs = point_runs.add_column(3, "run", pa.array(numbers, pa.int64()))
        for key in keys:
            point_runs = point_runs.append_column(
                key, pa.repeat(row.column(key)[0], len(numbers)).cast(row.schema.field(key).type)
            )
        run_tables.append(point_runs)
        if job.timeseries:
            point_ids = pa.array([point] * series.num_rows, pa.int64())
            series_tables.append(series.add_column(1, "point", point_ids))
    series_table = pa.concat_tables(series_tables) if job.timeseries else None
    ResultStore(job.out, key="run", timeseries=job.timeseries).write_chunk(
        pa.concat_tables(run_tables), series_table
    )
    return len(runs)


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
