"""The `sim` command: run, compare, experiment, calibrate, validate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import calibrate, posterior_summary, predictive, write_outputs
from sim.analysis.report import read_runs, summary_frame
from sim.analysis.targets import inside_band
from sim.compare import compare
from sim.inputs.actors import actor_styles
from sim.inputs.calibration import load_calibration
from sim.inputs.experiment import load_experiment
from sim.inputs.names import safe_folder_name
from sim.inputs.scenario import ScenarioError, load_scenario, load_with_origin
from sim.plots.calibration import write_calibration_plots
from sim.plots.files import write_plots
from sim.runs.ensemble import run_ensemble
from sim.runs.posterior import read_posterior
from sim.runs.store import OutputMismatchError


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
    run.add_argument(
        "--posterior", type=Path, help="posterior draws (CSV from `sim calibrate`) to sample"
    )

    comp = commands.add_parser("compare", help="run several scenarios and compare them")
    comp.add_argument("scenarios", type=Path, nargs="+")
    _add_run_options(comp)
    comp.add_argument("--out", "-o", type=Path, required=True, help="results directory")

    exp = commands.add_parser("experiment", help="run an experiment file (experiments/*.yaml)")
    exp.add_argument("file", type=Path)
    exp.add_argument("--workers", "-w", type=int, help="worker processes (default: all cores)")
    exp.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    cal = commands.add_parser("calibrate", help="fit parameters to observed figures (ABC-SMC)")
    cal.add_argument("file", type=Path, help="calibration file (experiments/calibration.yaml)")
    cal.add_argument("--out", "-o", type=Path, help="results directory (default: the file's)")
    cal.add_argument(
        "--workers", "-w", type=int, default=1, help="1 (default) is reproducible; more is not"
    )
    cal.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

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
    draws = read_posterior(args.posterior, scenario) if args.posterior else None
    label = f"{scenario.name}-posterior" if draws else scenario.name
    out = args.out or safe_folder_name(Path("results"), f"{label}-seed{scenario.seed}")
    run_ensemble(
        scenario,
        out,
        scenario_sha256=digest,
        source=str(args.scenario),
        workers=args.workers,
        chunk_size=args.chunk_size,
        progress=not args.quiet,
        draws=draws,
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
    experiment, files = load_experiment(args.file)
    out = Path(experiment.out or safe_folder_name(Path("results"), experiment.name))
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


def _calibrate(args: argparse.Namespace) -> int:
    plan = load_calibration(args.file)
    out = args.out or Path(plan.calibration.out or f"results/{plan.calibration.name}")
    fit = calibrate(plan, out, workers=args.workers, progress=not args.quiet)
    written = write_outputs(plan, fit, out, args.workers)
    draws = read_posterior(plan.posterior_file, plan.scenario)
    targets = plan.calibration.targets
    simulated = predictive(
        plan.scenario, draws, targets, plan.calibration.predictive_draws, plan.calibration.seed
    )
    simulated.to_csv(out / "predictive.csv", index=False, float_format="%.6g")
    plots = write_calibration_plots(out, fit.values, fit.weights, plan.priors, simulated, targets)
    print(
        f"\n{plan.calibration.name}: {fit.simulations:,} simulations, "
        f"{len(fit.generations)} generations, {fit.seconds:,.0f} s this session"
    )
    print(f"  {'parameter':<42} {'median':>10} {'90% interval':>24}")
    for row in posterior_summary(fit, plan).itertuples():
        interval = f"[{row.p5:.4g}, {row.p95:.4g}]"
        print(f"  {row.key:<42} {row.median:>10.4g} {interval:>24}")
    print(f"\n  {'target':<32} {'observed':>14} {'simulated 90% band':>22}  inside")
    for target, ok in zip(
        targets, inside_band(simulated[[t.name for t in targets]].to_numpy(), targets), strict=True
    ):
        low, high = np.quantile(simulated[target.name], [0.05, 0.95])
        observed = f"[{target.value[0]:g}, {target.value[1]:g}]"
        print(f"  {target.name:<32} {observed:>14} {f'[{low:.0f}, {high:.0f}]':>22}  {ok}")
    files = [*written.values(), out / "predictive.csv", *plots]
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in files))
    return 0


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
    "calibrate": _calibrate,
    "validate": _validate,
}

if __name__ == "__main__":
    sys.exit(main())
