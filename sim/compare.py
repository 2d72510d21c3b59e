"""Compare scenarios: run each with common random numbers, draw them side by side, tabulate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.compare import median_differences
from sim.analysis.report import read_runs
from sim.inputs.actors import actor_styles
from sim.inputs.names import safe_folder_name
from sim.inputs.scenario import load_with_origin
from sim.plots.files import write_comparison_plots
from sim.runs.ensemble import run_ensemble
from sim.runs.executors import Executor
from sim.runs.store import write_atomic


def compare(
    files: list[Path],
    out: Path,
    *,
    replicates: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: bool = True,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Run each scenario with one common seed into `out/<name>/`; write comparison figures.

    The first file is the reference for the table of differences, written to
    `out/differences.csv`. Returns that table. Every scenario runs on `executor`
    (default: this machine's process pool of `workers` processes).
    """
    out = Path(out)
    loaded = []
    for file in files:
        changes = {k: v for k, v in (("replicates", replicates), ("steps", steps)) if v}
        scenario, digest = load_with_origin(file, changes)
        loaded.append((file, scenario, digest))
    common_seed = seed if seed is not None else loaded[0][1].seed
    names = [s.name for _, s, _ in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared, got {names}")
    for file, scenario, digest in loaded:
        scenario = scenario.model_copy(update={"seed": common_seed})
        run_ensemble(
            scenario,
            safe_folder_name(out, scenario.name),
            scenario_sha256=digest,
            source=str(file),
            workers=workers,
            progress=progress,
            executor=executor,
        )
    runs = pd.concat([read_runs(out / n) for n in names], ignore_index=True)
    first = loaded[0][1]
    write_comparison_plots(out, names, first.steps, first.start, actor_styles(first))
    table = median_differences(runs, names[0])
    write_atomic(out / "differences.csv", lambda tmp: table.to_csv(tmp, index=False))
    return table
