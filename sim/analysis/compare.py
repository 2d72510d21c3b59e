"""Compare scenarios: common random numbers, side-by-side figures, differences in medians."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.report import read_fighters, read_runs
from sim.inputs.scenario import load_with_origin
from sim.inputs.schema import Scenario
from sim.plots import compare as compare_plots
from sim.plots import fan as plots
from sim.runs.ensemble import run_ensemble
from sim.runs.store import ResultStore, write_atomic
from sim.runs.tables import MAIN_OUTCOMES, YES_NO


class CompareError(ValueError):
    """Scenarios that cannot be compared: fewer than two, or two of one name."""


def median_differences(
    runs: pd.DataFrame, reference: str, *, resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Median of each outcome minus the reference's, with a 95% paired bootstrap interval.

    For yes/no outcomes (fragmented, recognized) the difference is in probability.

    Replicates are resampled together across scenarios, which keeps the pairing that
    common random numbers create (replicate r of every scenario starts from one stream).
    """
    rng = np.random.default_rng(seed)
    wide = {
        name: group.set_index("replicate").sort_index() for name, group in runs.groupby("scenario")
    }
    base = wide[reference]
    rows = []
    for name, table in wide.items():
        if name == reference:
            continue
        common = base.index.intersection(table.index)
        idx = rng.integers(0, len(common), (resamples, len(common)))
        for outcome in MAIN_OUTCOMES:
            stat = np.mean if outcome in YES_NO else np.median
            a = table.loc[common, outcome].to_numpy(float)
            b = base.loc[common, outcome].to_numpy(float)
            boot = stat(a[idx], axis=1) - stat(b[idx], axis=1)
            low, high = np.percentile(boot, [2.5, 97.5])
            rows.append(
                {
                    "scenario": name,
                    "reference": reference,
                    "outcome": outcome,
                    "difference": stat(a) - stat(b),
                    "ci_low": low,
                    "ci_high": high,
                    "n": len(common),
                }
            )
    return pd.DataFrame(rows)


def compare(
    files: list[Path],
    out: Path,
    *,
    replicates: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: bool = True,
    force_resume: bool = False,
) -> pd.DataFrame:
    """Run each scenario with one common seed into `out/<name>/`; write comparison figures.

    The first file is the reference for the table of differences, written to
    `out/differences.csv`. Returns that table. Raises `CompareError` for fewer than
    two scenarios or two of one name; `out` is locked while the comparison runs.
    """
    out = Path(out)
    if len(files) < 2:
        raise CompareError(f"compare needs at least two scenarios, got {len(files)}: {files}")
    loaded: list[tuple[Path, Scenario, str]] = []
    for file in files:
        changes = {k: v for k, v in (("replicates", replicates), ("steps", steps)) if v is not None}
        scenario, digest = load_with_origin(file, changes)
        loaded.append((file, scenario, digest))
    common_seed = seed if seed is not None else loaded[0][1].seed
    names = [s.name for _, s, _ in loaded]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        given = "; ".join(
            f"{n} from {', '.join(str(f) for f, s, _ in loaded if s.name == n)}" for n in repeated
        )
        raise CompareError(f"each scenario can be compared once, and names must differ: {given}")
    with ResultStore(out).lock():
        return _run_and_compare(loaded, out, common_seed, workers, progress, force_resume)


def _run_and_compare(
    loaded: list[tuple[Path, Scenario, str]],
    out: Path,
    seed: int,
    workers: int | None,
    progress: bool,
    force_resume: bool,
) -> pd.DataFrame:
    names = [s.name for _, s, _ in loaded]
    for file, scenario, digest in loaded:
        scenario = scenario.model_copy(update={"seed": seed})
        run_ensemble(
            scenario,
            out / scenario.name,
            scenario_sha256=digest,
            source=str(file),
            workers=workers,
            progress=progress,
            force_resume=force_resume,
        )
    runs = pd.concat([read_runs(out / n) for n in names], ignore_index=True)
    fighters = pd.concat(
        [read_fighters(out / n, ["isisk", "taliban"]) for n in names], ignore_index=True
    )
    horizon, start = loaded[0][1].steps, loaded[0][1].start
    figures = {
        "compare_strength": compare_plots.compare_strength(fighters),
        "compare_outcomes": compare_plots.compare_outcomes(runs),
        "compare_events": compare_plots.compare_event_probability(runs, steps=horizon, start=start),
    }
    for name, fig in figures.items():
        plots.save_figure(fig, out / "plots" / name)
    table = median_differences(runs, names[0])
    write_atomic(out / "differences.csv", lambda tmp: table.to_csv(tmp, index=False))
    return table
