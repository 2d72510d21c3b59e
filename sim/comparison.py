"""Compare scenarios: run each with common random numbers, draw them side by side, tabulate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.differences import median_differences
from sim.analysis.report import read_runs
from sim.inputs.actors import actor_styles
from sim.inputs.names import safe_folder_name
from sim.inputs.scenario import load_with_origin
from sim.inputs.schema import Scenario
from sim.plots.files import write_comparison_plots
from sim.runs.ensemble import run_ensemble
from sim.runs.executor import Executor
from sim.runs.output import write_csv
from sim.runs.store import ResultStore

OWN_ENTRIES = ("plots", "differences.csv")
"""What a comparison writes into `out` beside its scenarios' folders (named after them)."""


class CompareError(ValueError):
    """Scenarios that cannot be compared: fewer than two, two of one name, or a name taken."""


def scenario_folders(out: Path, differences: pd.DataFrame) -> dict[str, Path]:
    """Each compared scenario's results folder under `out`, in the order given (reference first)."""
    names = [differences["reference"].iloc[0], *differences["scenario"].unique()]
    return {name: safe_folder_name(out, name) for name in names}


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
    force_resume: bool = False,
) -> pd.DataFrame:
    """Run each scenario with one common seed into `out/<name>/`; write comparison figures.

    The first file is the reference for the table of differences, written to
    `out/differences.csv`. Returns that table. Every scenario runs on `executor`
    (default: this machine's process pool of `workers` processes). Raises
    `CompareError` for fewer than two scenarios or two of one name; `out` is locked
    while the comparison runs.
    """
    out = Path(out)
    if len(files) < 2:
        raise CompareError(f"compare needs at least two scenarios, got {len(files)}: {files}")
    loaded: list[tuple[Path, Scenario, str]] = []
    for file in files:
        changes = {k: v for k, v in (("replicates", replicates), ("steps", steps)) if v is not None}
        scenario, digest = load_with_origin(file, changes)
        loaded.append((file, scenario, digest))
    names = [s.name for _, s, _ in loaded]
    taken = sorted(set(names) & set(OWN_ENTRIES))
    if taken:
        raise CompareError(
            f"a scenario named {taken[0]} would share {out / taken[0]} with the comparison's "
            f"own {', '.join(OWN_ENTRIES)}: rename it"
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        given = "; ".join(
            f"{n} from {', '.join(str(f) for f, s, _ in loaded if s.name == n)}" for n in repeated
        )
        raise CompareError(f"each scenario can be compared once, and names must differ: {given}")
    common_seed = seed if seed is not None else loaded[0][1].seed
    with ResultStore(out).lock():
        for file, scenario, digest in loaded:
            run_ensemble(
                scenario.model_copy(update={"seed": common_seed}),
                safe_folder_name(out, scenario.name),
                scenario_sha256=digest,
                source=str(file),
                workers=workers,
                progress=progress,
                executor=executor,
                force_resume=force_resume,
            )
        runs = pd.concat([read_runs(out / n) for n in names], ignore_index=True)
        first = loaded[0][1]
        write_comparison_plots(out, names, first.steps, first.start, actor_styles(first))
        table = median_differences(runs, names[0])
        write_csv(out / "differences.csv", table)
    return table
