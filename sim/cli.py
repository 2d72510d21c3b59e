"""The `sim` command: run, compare, experiment, validate, viz."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import pandas as pd

from sim.analysis.report import read_runs, summary_frame
from sim.compare import compare
from sim.inputs.actors import actor_styles
from sim.inputs.experiment import load_experiment
from sim.inputs.names import safe_folder_name
from sim.inputs.scenario import ScenarioError, load_scenario, load_with_origin
from sim.plots.files import write_plots
from sim.runs.ensemble import run_ensemble
from sim.runs.executors import KINDS, Executor, ExecutorError, open_executor
from sim.runs.store import OutputMismatchError


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replicates", "-n", type=int, help="replicates (default: the scenario's)")
    parser.add_argument("--steps", type=int, help="months to simulate (default: the scenario's)")
    parser.add_argument("--seed", type=int, help="scenario seed (default: the scenario's)")
    parser.add_argument("--workers", "-w", type=int, help="worker processes (default: all cores)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    _add_executor_options(parser)


def _add_executor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        choices=KINDS,
        default="local",
        help="where the runs go: this machine's process pool, or Dask (default: local)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running dask.distributed scheduler (default with --executor dask: a "
        "LocalCluster of --workers processes on this machine)",
    )
    parser.add_argument(
        "--shared-path",
        action="store_true",
        help="Dask workers write chunk files into --out themselves; --out must be the same "
        "path on every worker (default: they return the tables and this process writes them)",
    )


def _open_executor(args: argparse.Namespace) -> AbstractContextManager[Executor]:
    return open_executor(
        args.executor, workers=args.workers, scheduler=args.scheduler, shared_path=args.shared_path
    )


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
    _add_executor_options(exp)

    viz = commands.add_parser("viz", help="watch one run in the browser and move the levers")
    viz.add_argument("scenario", type=Path)
    viz.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765)")
    viz.add_argument(
        "--band", type=int, default=100, help="replicates in the ensemble band (0: none)"
    )

    val = commands.add_parser("validate", help="check scenario files; exit 1 on any error")
    val.add_argument("files", type=Path, nargs="+")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sim` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ScenarioError, OutputMismatchError, ExecutorError) as exc:
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
    with _open_executor(args) as executor:
        run_ensemble(
            scenario,
            out,
            scenario_sha256=digest,
            source=str(args.scenario),
            chunk_size=args.chunk_size,
            progress=not args.quiet,
            executor=executor,
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
    with _open_executor(args) as executor:
        table = compare(
            args.scenarios,
            args.out,
            replicates=args.replicates,
            steps=args.steps,
            seed=args.seed,
            progress=not args.quiet,
            executor=executor,
        )
    _print_differences(table, args.out)
    return 0


def _experiment(args: argparse.Namespace) -> int:
    experiment, files = load_experiment(args.file)
    out = Path(experiment.out or safe_folder_name(Path("results"), experiment.name))
    with _open_executor(args) as executor:
        table = compare(
            files,
            out,
            replicates=experiment.replicates,
            steps=experiment.steps,
            seed=experiment.seed,
            progress=not args.quiet,
            executor=executor,
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


def _viz(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("solara") is None:
        print("error: sim viz needs the viz extra: pip install -e '.[viz]'", file=sys.stderr)
        return 2
    from sim.viz.serve import serve

    serve(args.scenario, port=args.port, band=args.band)
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
    "validate": _validate,
    "viz": _viz,
}

if __name__ == "__main__":
    sys.exit(main())
