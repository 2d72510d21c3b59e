"""Hindcast: run a scenario and score it against every dated figure of an observed file.

The ensemble runs through `run_ensemble` into `out/runs` (resumable, with posterior
draws when given); its monthly record is mapped through each series' observation model
(`sim.analysis.observation`), and each entry the run can match is scored: whether the
50% and 90% bands cover it, CRPS, PIT. Entries it cannot match are listed as not scored,
with the reason. `out` gets the table (hindcast.csv), the monthly bands of each series
(bands.csv) and a manifest; the figures are drawn from those tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.analysis.hindcast_targets import Target, hindcast_targets
from sim.analysis.observation import (
    MODELS,
    OBSERVATION_STREAM,
    PARAMETERS,
    draw_parameters,
    observation_generator,
    observe,
)
from sim.analysis.scores import LEVELS, covers, crps, pit
from sim.engine.record import Recorder
from sim.inputs.calendar import month_dates
from sim.inputs.observed import ObservedFile, calendar_month, month_label
from sim.inputs.schema import Scenario
from sim.rules import new_world
from sim.runs.ensemble import run_ensemble
from sim.runs.executor import Executor
from sim.runs.output import write_csv, write_json
from sim.runs.posterior import PosteriorDraws
from sim.runs.store import OutputMismatchError, ResultStore

RUNS = "runs"  # the ensemble's own results folder inside the hindcast's
TABLE = "hindcast.csv"
BANDS = "bands.csv"
MANIFEST = "manifest.json"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
Series = dict[tuple[str, str], np.ndarray]  # (actor, column) -> values[replicate, step]


@dataclass(frozen=True)
class Hindcast:
    """What a hindcast found: one row per entry with a number, and the monthly bands."""

    table: pd.DataFrame
    bands: pd.DataFrame
    written: list[Path]


def run_hindcast(
    scenario: Scenario,
    observed: ObservedFile,
    out: Path,
    *,
    scenario_sha256: str,
    source: str,
    draws: PosteriorDraws | None = None,
    executor: Executor | None = None,
    progress: bool = True,
) -> Hindcast:
    """Run `scenario` into `out/runs`, score it against `observed`, write the tables into `out`."""
    start = calendar_month(*map(int, scenario.start.split("-")))
    targets = hindcast_targets(observed, start, scenario.steps, record_actors(scenario))
    with ResultStore(out).lock():
        _refuse_other_results(out)
        run_ensemble(
            scenario,
            out / RUNS,
            scenario_sha256=scenario_sha256,
            source=source,
            progress=progress,
            executor=executor,
            draws=draws,
        )
        series = read_series(out / RUNS, {(t.actor, t.model.column) for t in targets if t.scored})
        gen = observation_generator(scenario.seed)
        pars = draw_parameters(scenario.replicates, gen)
        table = score_targets(targets, series, pars, gen)
        bands = monthly_bands(targets, series, pars, gen, scenario.start)
        write_csv(out / TABLE, table, float_format="%.6g")
        write_csv(out / BANDS, bands, float_format="%.6g")
        write_json(out / MANIFEST, _manifest(scenario, observed, draws, source, table))
    return Hindcast(table, bands, [out / TABLE, out / BANDS, out / MANIFEST])


def _refuse_other_results(out: Path) -> None:
    """Refuse a folder whose manifest is not a hindcast's: its results would be mixed."""
    manifest = out / MANIFEST
    if manifest.exists() and '"kind": "hindcast"' not in manifest.read_text(errors="replace"):
        raise OutputMismatchError(
            f"{out} holds results of another kind (its manifest is not a hindcast's): "
            "choose another --out"
        )


def record_actors(scenario: Scenario) -> list[str]:
    """The actors of the scenario's record, in its order (no month is simulated)."""
    world = new_world(scenario, [np.random.default_rng(0)])
    return Recorder(1, 0, world.faction_names, world.group_names, world.state_names).actors


def read_series(folder: Path, wanted: set[tuple[str, str]]) -> Series:
    """Per (actor, column), the run's values[replicate, step] from its timeseries table."""
    columns = sorted({column for _, column in wanted})
    table = pq.read_table(
        folder / "timeseries.parquet", columns=["replicate", "step", "actor", *columns]
    )
    frame = table.to_pandas()
    frame["actor"] = frame["actor"].astype(str)
    series = {}
    for actor, column in wanted:
        rows = frame[frame["actor"] == actor]
        series[actor, column] = rows.pivot(
            index="replicate", columns="step", values=column
        ).to_numpy(float)
    return series


def score_targets(
    targets: Sequence[Target],
    series: Series,
    pars: dict[str, np.ndarray],
    gen: np.random.Generator,
) -> pd.DataFrame:
    """One row per target: what it reads, the simulated quantiles and its scores, or why not."""
    rows = []
    for target in targets:
        row = {
            "entry": target.entry.path,
            "series": target.entry.series,
            "observation": target.model.name if target.model else "",
            "actor": target.actor if target.model else "",
            "first_month": month_label(target.entry.window[0]) if target.entry.window else "",
            "last_month": month_label(target.entry.window[1]) if target.entry.window else "",
            "observed_low": target.low,
            "observed_high": target.high,
            "scored": target.scored,
            "note": target.reason,
        }
        if target.scored:
            simulated = simulate_target(target, series, pars, gen)
            middle = (target.low + target.high) / 2.0
            row |= dict(zip(_quantile_names(), np.quantile(simulated, QUANTILES), strict=True))
            row |= {
                f"in_{round(100 * lv)}": covers(simulated, target.low, target.high, lv)
                for lv in LEVELS
            }
            row |= {"crps": crps(simulated, middle), "pit": pit(simulated, middle, gen)}
        rows.append(row)
    return pd.DataFrame(rows)


def simulate_target(
    target: Target, series: Series, pars: dict[str, np.ndarray], gen: np.random.Generator
) -> np.ndarray:
    """Each replicate's figure for a scored target, through its observation model."""
    values = series[target.actor, target.model.column]
    return observe(target.model, values, target.steps, target.per_month, pars, gen)


def monthly_bands(
    targets: Sequence[Target],
    series: Series,
    pars: dict[str, np.ndarray],
    gen: np.random.Generator,
    start: str,
) -> pd.DataFrame:
    """Per series read month by month (stocks and per-month flows), each month's quantiles."""
    frames = []
    seen = set()
    for target in targets:
        key = (target.entry.series, target.actor, target.model.name if target.model else "")
        if not target.scored or key in seen or (target.model.flow and not target.per_month):
            continue
        seen.add(key)
        values = series[target.actor, target.model.column]
        steps = values.shape[1] - 1
        monthly = np.column_stack(
            [observe(target.model, values, (s, s), True, pars, gen) for s in range(1, steps + 1)]
        )
        frame = pd.DataFrame(np.quantile(monthly, QUANTILES, axis=0).T, columns=_quantile_names())
        frame.insert(0, "date", month_dates(start, steps)[:-1])
        frame.insert(0, "observation", target.model.name)
        frame.insert(0, "actor", target.actor)
        frame.insert(0, "series", target.entry.series)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def coverage(table: pd.DataFrame) -> dict[str, float]:
    """Share of the scored entries that each band covers."""
    scored = table[table["scored"]]
    return {f"in_{round(100 * lv)}": float(scored[f"in_{round(100 * lv)}"].mean()) for lv in LEVELS}


def _quantile_names() -> list[str]:
    return [f"p{round(100 * q)}" for q in QUANTILES]


def _manifest(
    scenario: Scenario,
    observed: ObservedFile,
    draws: PosteriorDraws | None,
    source: str,
    table: pd.DataFrame,
) -> dict:
    """What the hindcast ran and scored against: scenario, observed file, posterior, parameters."""
    return {
        "kind": "hindcast",
        "scenario_file": source,
        "scenario_name": scenario.name,
        "seed": scenario.seed,
        "replicates": scenario.replicates,
        "steps": scenario.steps,
        "start": scenario.start,
        "runs": RUNS,
        "observed_file": str(observed.file),
        "observed_sha256": hashlib.sha256(observed.file.read_bytes()).hexdigest(),
        "posterior_file": draws.source if draws else None,
        "posterior_sha256": draws.sha256 if draws else None,
        "observation_seed": f"numpy.random.SeedSequence(seed, spawn_key=({OBSERVATION_STREAM},))",
        "observation_parameters": {
            p.name: {"low": p.low, "high": p.high, "unit": p.unit, "source": p.source}
            for p in PARAMETERS.values()
        },
        "observation_models": {m.name: m.description for m in MODELS.values()},
        "entries": len(table),
        "scored": int(table["scored"].sum()) if len(table) else 0,
    }
