"""The `sim` command: run, compare, experiment, sensitivity, validate."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from sim.analysis.report import read_runs, summary_frame
from sim.analysis.sensitivity import analyse_results, top_parameters, write_tables
from sim.compare import compare
from sim.inputs.actors import actor_styles
from sim.inputs.experiment import load_experiment
from sim.inputs.names import safe_folder_name
from sim.inputs.scenario import ScenarioError, load_scenario, load_with_origin
from sim.inputs.sweep import is_sweep_file, load_sweep
from sim.plots.files import write_plots, write_sensitivity_plots
from sim.runs.ensemble import run_ensemble
from sim.runs.store import OutputMismatchError
from sim.runs.sweep import run_sweep


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replicates", "-n", type=int, help="replicates (default: the scenario's)")
    parser.add_argument("--steps", type=int, help="months to simulate (default: the scenario's)")
    parser.add_argument("--seed", type=int, help="scenario seed (default: the scenario's)")
    parser.add_argument("--workers", "-w", type=int, help="worker processes (default: all cores)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="sim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run an ensemble of one scenario")
    run.add_argument("scenario", type=Path)
    _add_run_options(run)
    run.add_argument(
        "--out", "-o", type=Path, help="results directory (default: results/NAME-seedS)"
    )
    run.add_argument(
        "--chunk-size", type=int, help="replicates per work item (results do not depend on it)"
    )
    run.add_argument("--no-plots", action="store_true", help="skip the figures")

    comp = commands.add_parser("compare", help="run several scenarios and compare them")
    comp.add_argument("scenarios", type=Path, nargs="+")
    _add_run_options(comp)
    comp.add_argument("--out", "-o", type=Path, required=True, help="results directory")

    exp = commands.add_parser("experiment", help="run an experiment file (experiments/*.yaml)")
    exp.add_argument("file", type=Path)
    exp.add_argument("--workers", "-w", type=int, help="worker processes (default: all cores)")
    exp.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    exp.add_argument("--out", "-o", type=Path, help="results directory (default: the file's out)")
    exp.add_argument(
        "--chunk-size", type=int, help="runs per work item of a sweep (results do not depend on it)"
    )
    exp.add_argument(
        "--keep-timeseries", action="store_true", help="a sweep also writes timeseries.parquet"
    )

    sens = commands.add_parser(
        "sensitivity", help="Sobol' or Morris indices of a sweep's results (SALib)"
    )
    sens.add_argument("results", type=Path, help="results directory of a sobol or morris sweep")
    sens.add_argument("--outcomes", nargs="+", help="outcomes to analyse (default: the sweep's)")
    sens.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")

    val = commands.add_parser("validate", help="check scenario files; exit 1 on any error")
    val.add_argument("files", type=Path, nargs="+")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sim` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ScenarioError, OutputMismatchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\ninterrupted: finished chunks are kept; run the same command to resume",
            file=sys.stderr,
        )
        return 130


def _run(args: argparse.Namespace) -> int:
    changes = {k: v for k in ("replicates", "steps", "seed") if (v := getattr(args, k)) is not None}
    scenario, digest = load_with_origin(args.scenario, changes)
    out = args.out or safe_folder_name(Path("results"), f"{scenario.name}-seed{scenario.seed}")
    run_ensemble(
        scenario,
        out,
        scenario_sha256=digest,
        source=str(args.scenario),
        workers=args.workers,
        chunk_size=args.chunk_size,
        progress=not args.quiet,
    )
    runs = read_runs(out)
    print(
        f"\n{scenario.name}: {len(runs)} replicates x {scenario.steps} months, seed {scenario.seed}"
    )
    print(_format_summary(summary_frame(runs)))
    written = [out / "manifest.json", out / "runs.parquet", out / "timeseries.parquet"]
    if not args.no_plots:
        written += write_plots(out, scenario.steps, scenario.start, actor_styles(scenario))
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))
    return 0


def _format_summary(summary: pd.DataFrame) -> str:
    lines = [f"  {'outcome':<18} {'median':>10} {'90% interval':>22}"]
    for name, row in summary.iterrows():
        if pd.isna(row["p5"]):
            lines.append(f"  {name:<18} {row['median']:>9.0%}  {'(share of runs)':>22}")
        else:
            interval = f"[{row['p5']:,.0f}, {row['p95']:,.0f}]"
            lines.append(f"  {name:<18} {row['median']:>10,.0f} {interval:>22}")
    return "\n".join(lines)


def _compare(args: argparse.Namespace) -> int:
    table = compare(
        args.scenarios,
        args.out,
        replicates=args.replicates,
        steps=args.steps,
        seed=args.seed,
        workers=args.workers,
        progress=not args.quiet,
    )
    _print_differences(table, args.out)
    return 0


def _experiment(args: argparse.Namespace) -> int:
    if is_sweep_file(args.file):
        return _sweep(args)
    experiment, files = load_experiment(args.file)
    out = args.out or Path(experiment.out or safe_folder_name(Path("results"), experiment.name))
    table = compare(
        files,
        out,
        replicates=experiment.replicates,
        steps=experiment.steps,
        seed=experiment.seed,
        workers=args.workers,
        progress=not args.quiet,
    )
    _print_differences(table, out)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    plan = load_sweep(args.file)
    if args.keep_timeseries:
        plan = replace(plan, sweep=plan.sweep.model_copy(update={"timeseries": True}))
    sweep = plan.sweep
    out = args.out or Path(sweep.out or safe_folder_name(Path("results"), sweep.name))
    run_sweep(plan, out, workers=args.workers, chunk_size=args.chunk_size, progress=not args.quiet)
    points = len(read_runs(out)) // sweep.replicates
    print(f"\n{sweep.name}: {points} points x {sweep.replicates} replicates, {sweep.sampler}")
    print(f"wrote {out}/manifest.json, points.parquet, runs.parquet")
    if sweep.sampler in ("sobol", "morris"):
        print(f"next: sim sensitivity {out}")
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    try:
        result = analyse_results(args.results, args.outcomes, resamples=args.resamples)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    folder = args.results / "sensitivity"
    written = write_tables(folder, result) + write_sensitivity_plots(folder, result)
    column = "ST" if "ST" in result.indices else "mu_star"
    for (lever_set, outcome), noise in result.noise.groupby(["lever_set", "outcome"]):
        row = noise.iloc[0]
        print(f"\n{outcome} (lever set {lever_set}): replicate noise {row['noise_share']:.0%} "
              f"of the variance of point means {row['note']}")  # fmt: skip
        chosen = result.indices[result.indices["lever_set"] == lever_set]
        for _, top in top_parameters(chosen, outcome).iterrows():
            conf = top[f"{column}_conf"]
            print(f"  {top['parameter']:<44} {column} {top[column]:8.3f} +/- {conf:.3f}")
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))
    return 0


def _print_differences(table: pd.DataFrame, out: Path) -> None:
    print(
        f"\ndifferences from {table['reference'].iloc[0]} (median; share for yes/no outcomes), "
        "95% paired bootstrap interval:"
    )
    for _, row in table.iterrows():
        print(
            f"  {row['scenario']:<24} {row['outcome']:<18} {row['difference']:>+10.2f} "
            f"[{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]"
        )
    print(f"\nwrote {out}/<scenario>/, {out}/plots/, {out}/differences.csv")


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in args.files:
        try:
            load_scenario(file)
            print(f"ok: {file}")
        except ScenarioError as exc:
            failed += 1
            print(str(exc), file=sys.stderr)
    return 1 if failed else 0


COMMANDS = {
    "run": _run,
    "compare": _compare,
    "experiment": _experiment,
    "sensitivity": _sensitivity,
    "validate": _validate,
}

if __name__ == "__main__":
    sys.exit(main())
