"""`sim`: run, compare, experiment, optimize, sensitivity, discover, calibrate, hindcast, report.

Also `sim viz`, which shows one run in the browser, and `sim validate`, which checks
scenario files.
"""

# Each command imports what it needs when it runs: `sim --help` and `sim validate` stay
# quick, and an ensemble's workers never load pandas or matplotlib.

from __future__ import annotations

import argparse
import errno
import gc
import importlib.util
import sys
import warnings
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sim import arguments
from sim.runs.kinds import KINDS

if TYPE_CHECKING:
    import pandas as pd

    from sim.analysis.summary import Summary
    from sim.inputs.schema import Scenario
    from sim.plots.background import Plotter
    from sim.runs.executor import Executor

WORKERS_HELP = "worker processes, at most the CPUs (default: all; small ensembles run in-process)"
USER_ERRORS = (
    ("sim.inputs.scenario", "ScenarioError"),
    ("sim.runs.store", "StoreError"),
    ("sim.runs.output", "OutputError"),
    ("sim.comparison", "CompareError"),
    ("sim.runs.executor", "ExecutorError"),
)
FORCE_HELP = "resume results made by other code or package versions (recorded in the manifest)"


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    _add_settings(parser, "replicates", "the scenario's")
    parser.add_argument("--workers", "-w", type=arguments.workers, help=WORKERS_HELP)
    parser.add_argument("--force-resume", action="store_true", help=FORCE_HELP)
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    _add_executor_options(parser)


def _add_settings(parser: argparse.ArgumentParser, replicates: str, default: str) -> None:
    """-n, --steps and --seed: the settings a command line may change, `default` otherwise."""
    parser.add_argument(
        "--replicates", "-n", type=arguments.replicates, help=f"{replicates} (default: {default})"
    )
    parser.add_argument(
        "--steps", type=arguments.steps, help=f"months to simulate (default: {default})"
    )
    parser.add_argument(
        "--seed", type=arguments.seed, help=f"scenario seed, 0 to 2**63-1 (default: {default})"
    )


def _settings(args: argparse.Namespace) -> dict[str, int]:
    """The settings given on the command line (-n, --steps, --seed), by field name."""
    return {k: v for k in ("replicates", "steps", "seed") if (v := getattr(args, k)) is not None}


def _changed(settings: dict[str, int], own: dict[str, Any]) -> str:
    """`-nN`, `-Tm` and `-seedS` for each setting that differs from the file's own.

    Appended to a default results folder, so that different requests do not clash.
    """
    marks = {"replicates": "-n{}", "steps": "-{}m", "seed": "-seed{}"}
    return "".join(marks[k].format(v) for k, v in settings.items() if v != own.get(k))


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
        help="the scheduler's workers write chunk files into --out themselves; --out must be "
        "the same path on every worker (default: they return the tables and this process "
        "writes them; a LocalCluster started here always writes them itself)",
    )


def _open_executor(args: argparse.Namespace) -> AbstractContextManager[Executor]:
    from sim.runs.executors import open_executor

    return open_executor(
        args.executor, workers=args.workers, scheduler=args.scheduler, shared_path=args.shared_path
    )


class _Parser(argparse.ArgumentParser):
    """Options spelled out in full: `--force` is no abbreviation of `--force-resume`.

    The commands' parsers are of this class too: `add_subparsers` makes parsers of the
    class of the parser it is called on.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, allow_abbrev=False, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = _Parser(prog="sim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run an ensemble of one scenario")
    run.add_argument("scenario", type=Path)
    _add_run_options(run)
    run.add_argument(
        "--out",
        "-o",
        type=arguments.out_folder,
        help="results directory (default: results/NAME-seedS, then -nN and -Tm when -n or "
        "--steps change the scenario's own)",
    )
    run.add_argument(
        "--chunk-size",
        type=arguments.chunk_size,
        help="replicates per work item (results do not depend on it)",
    )
    run.add_argument("--no-plots", action="store_true", help="skip the figures")
    run.add_argument(
        "--posterior", type=Path, help="posterior draws (CSV from `sim calibrate`) to sample"
    )

    comp = commands.add_parser("compare", help="run several scenarios and compare them")
    comp.add_argument("scenarios", type=Path, nargs="+")
    _add_run_options(comp)
    comp.add_argument(
        "--out", "-o", type=arguments.out_folder, required=True, help="results directory"
    )

    exp = commands.add_parser("experiment", help="run an experiment file (experiments/*.yaml)")
    exp.add_argument("file", type=Path)
    _add_settings(exp, "replicates (of a sweep: per point)", "the file's")
    exp.add_argument("--workers", "-w", type=arguments.workers, help=WORKERS_HELP)
    exp.add_argument("--force-resume", action="store_true", help=FORCE_HELP)
    exp.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    exp.add_argument(
        "--out",
        "-o",
        type=arguments.out_folder,
        help="results directory (default: the file's out, then -nN, -Tm and -seedS for the "
        "settings changed)",
    )
    exp.add_argument(
        "--chunk-size",
        type=arguments.chunk_size,
        help="runs per work item of a sweep (results do not depend on it)",
    )
    exp.add_argument(
        "--keep-timeseries", action="store_true", help="a sweep also writes timeseries.parquet"
    )
    _add_executor_options(exp)

    sens = commands.add_parser(
        "sensitivity", help="Sobol' or Morris indices of a sweep's results (SALib)"
    )
    sens.add_argument("results", type=Path, help="results directory of a sobol or morris sweep")
    sens.add_argument("--outcomes", nargs="+", help="outcomes to analyse (default: the sweep's)")
    sens.add_argument(
        "--resamples", type=arguments.resamples, default=1000, help="bootstrap resamples"
    )

    disc = commands.add_parser(
        "discover", help="the parameter boxes where an outcome of concern happens (PRIM, CART)"
    )
    disc.add_argument("results", type=Path, help="results directory of a sweep")
    disc.add_argument(
        "--outcome",
        required=True,
        metavar="CONDITION",
        help='the outcome of concern, e.g. "isisk_final > 2 * isisk.fighters": outcomes, '
        "swept parameters and scenario key paths, numbers, + - * / ( ), comparisons, "
        "and/or/not",
    )
    disc.add_argument(
        "--box", type=int, help="the box of PRIM's trajectory to report (default: balanced)"
    )

    opt = commands.add_parser(
        "optimize", help="robust policy search over the levers (NSGA-II, the optimize extra)"
    )
    opt.add_argument("file", type=Path, help="robust search file (experiments/robust.yaml)")
    opt.add_argument(
        "--out", "-o", type=arguments.out_folder, help="results directory (default: the file's)"
    )
    opt.add_argument("--workers", "-w", type=arguments.workers, help=WORKERS_HELP)
    opt.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    _add_executor_options(opt)

    rep = commands.add_parser(
        "report", help="one self-contained HTML page of a results folder, readable offline"
    )
    rep.add_argument("results", type=Path, help="results directory of any sim command")
    rep.add_argument("--out", "-o", type=Path, help="the HTML file (default: RESULTS/report.html)")

    viz = commands.add_parser("viz", help="watch one run in the browser and move the levers")
    viz.add_argument("scenario", type=Path)
    viz.add_argument(
        "--port", type=arguments.port, default=8765, help="port on 127.0.0.1 (default: 8765)"
    )
    viz.add_argument(
        "--band", type=arguments.band, default=100, help="replicates in the ensemble band (0: none)"
    )

    cal = commands.add_parser("calibrate", help="fit parameters to observed figures (ABC)")
    cal.add_argument("file", type=Path, help="calibration file (experiments/calibration.yaml)")
    cal.add_argument(
        "--out", "-o", type=arguments.out_folder, help="results directory (default: the file's)"
    )
    cal.add_argument(
        "--workers",
        "-w",
        type=arguments.workers,
        default=1,
        help="1 (default); rejection ABC gives the same posterior on any number, ABC-SMC only on 1",
    )
    cal.add_argument(
        "--install",
        action="store_true",
        help="also write the calibrated scenario and the posterior to the files the "
        "calibration file names (calibrated:, posterior:); without it only --out is written",
    )
    cal.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    hind = commands.add_parser(
        "hindcast",
        help="score a scenario's ensemble against every dated figure of an observed file",
        description="Run SCENARIO (with posterior draws if given), map its record through each "
        "series' observation model, and score it against every entry of the observed file "
        "it can match: 50%% and 90%% band coverage, CRPS and PIT. Entries it cannot match are "
        "listed as not scored, with the reason. Writes hindcast.csv, bands.csv, manifest.json, "
        "the ensemble (runs/) and the figures (plots/) into --out.",
    )
    hind.add_argument("scenario", type=Path)
    hind.add_argument(
        "--observed", type=Path, required=True, help="observed file (format: docs/observed.md)"
    )
    hind.add_argument(
        "--posterior", type=Path, help="posterior draws (CSV from `sim calibrate`) to sample"
    )
    _add_settings(hind, "replicates", "the scenario's")
    hind.add_argument("--workers", "-w", type=arguments.workers, help=WORKERS_HELP)
    hind.add_argument(
        "--out",
        "-o",
        type=arguments.out_folder,
        help="results directory (default: results/hindcast-NAME-seedS, then -nN, -Tm)",
    )
    hind.add_argument("--no-plots", action="store_true", help="skip the figures")
    hind.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    val = commands.add_parser("validate", help="check scenario files; exit 1 on any error")
    val.add_argument("files", type=Path, nargs="+")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sim` console script."""
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            _cap_workers(args)
            return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print(
            "\ninterrupted: finished chunks are kept; run the same command to resume",
            file=sys.stderr,
        )
        return 130
    except _user_errors() as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {_describe_os_error(exc)}", file=sys.stderr)
        return 1


def console() -> NoReturn:
    """The `sim` console script: `main`, then an exit that skips the last garbage collection.

    At exit Python collects every object the command left (numba's, pandas', ...): about
    0.1 s of a one-second run. Frozen objects are out of its reach. atexit handlers still
    run; every file the commands write is closed (and renamed into place) before this.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


def _user_errors() -> tuple[type[Exception], ...]:
    """What a user can fix: bad scenario or experiment files, results folders, comparisons.

    Only from the modules the command loaded (no other can have raised), so that an
    error costs no import.
    """
    return tuple(getattr(sys.modules[m], name) for m, name in USER_ERRORS if m in sys.modules)


def _describe_os_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC or "No space left" in str(exc):
        return (
            f"no space left on the disk{where}: nothing half-written is kept and finished "
            "chunks are; free some space and run the same command to resume"
        )
    return f"{exc.strerror or exc}{where}"


def _show_warning(message, *_: object, **__: object) -> None:
    """Print a warning as one line (no file and line of the code that raised it)."""
    print(f"warning: {message}", file=sys.stderr)


def _cap_workers(args: argparse.Namespace) -> None:
    """At most one worker per CPU; more only queue for the same CPUs. Says so when capping."""
    if getattr(args, "workers", None) is None:
        return
    from sim.runs.kinds import available_cpus

    if args.workers > (cpus := available_cpus()):
        print(f"note: --workers {args.workers} capped at the {cpus} CPUs", file=sys.stderr)
        args.workers = cpus


def _run(args: argparse.Namespace) -> int:
    from sim.analysis.summary import read_summary
    from sim.inputs.names import safe_folder_name
    from sim.inputs.scenario import load_with_origin
    from sim.runs.ensemble import run_ensemble

    scenario, digest = load_with_origin(args.scenario, _settings(args))
    draws = None
    if args.posterior:
        from sim.runs.posterior import read_posterior

        draws = read_posterior(args.posterior, scenario)
    label = f"{scenario.name}-posterior" if draws else scenario.name
    out = args.out or safe_folder_name(Path("results"), _default_folder(args, scenario, label))
    with _plotter(args) as plotter, _open_executor(args) as executor:
        run_ensemble(
            scenario,
            out,
            scenario_sha256=digest,
            source=str(args.scenario),
            chunk_size=args.chunk_size,
            progress=not args.quiet,
            executor=executor,
            force_resume=args.force_resume,
            draws=draws,
        )
        count, summary = read_summary(out)
        size = f"{count} replicates x {scenario.steps} months, seed {scenario.seed}"
        print(f"\n{scenario.name}: {size}")
        print(_format_summary(summary))
        written = [out / "manifest.json", out / "runs.parquet", out / "timeseries.parquet"]
        if plotter is not None:
            from sim.inputs.actors import actor_styles

            written += plotter.draw(out, scenario.steps, scenario.start, actor_styles(scenario))
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))
    return 0


def _default_folder(args: argparse.Namespace, scenario: Scenario, label: str) -> str:
    """`NAME-seedS`, then `-nN` and `-Tm` where -n and --steps change the file's own.

    Different requests go to different folders, so `sim run baseline -n 100` after
    `sim run baseline` runs rather than meeting the 1,000 replicates of the first.
    """
    from sim.inputs.scenario import resolve

    asked = {"replicates": scenario.replicates, "steps": scenario.steps}
    return f"{label}-seed{scenario.seed}" + _changed(asked, resolve(args.scenario)[0])


def _plotter(args: argparse.Namespace) -> AbstractContextManager[Plotter | None]:
    """Processes that draw the figures, started now so their imports overlap the run."""
    if args.no_plots:
        return nullcontext()
    from sim.plots.background import Plotter

    return Plotter()


def _format_summary(summary: list[Summary]) -> str:
    lines = [f"  {'outcome':<18} {'median':>10} {'90% interval':>22}"]
    for name, median, p5, p95 in summary:
        if p5 is None:
            lines.append(f"  {name:<18} {median:>9.0%}  {'(share of runs)':>22}")
        else:
            interval = f"[{p5:,.0f}, {p95:,.0f}]"
            lines.append(f"  {name:<18} {median:>10,.0f} {interval:>22}")
    return "\n".join(lines)


def _compare(args: argparse.Namespace) -> int:
    return _run_comparison(args, args.scenarios, args.out, args.replicates, args.steps, args.seed)


def _experiment(args: argparse.Namespace) -> int:
    from sim.inputs.experiment import load_experiment
    from sim.inputs.names import safe_folder_name
    from sim.inputs.sweep import is_sweep_file

    if is_sweep_file(args.file):
        return _sweep(args)
    experiment, files = load_experiment(args.file)
    settings = _settings(args)
    out = args.out or Path(
        str(experiment.out or safe_folder_name(Path("results"), experiment.name))
        + _changed(settings, experiment.model_dump())
    )
    ran = experiment.model_copy(update=settings)
    return _run_comparison(args, files, out, ran.replicates, ran.steps, ran.seed)


def _run_comparison(
    args: argparse.Namespace,
    files: list[Path],
    out: Path,
    replicates: int | None,
    steps: int | None,
    seed: int | None,
) -> int:
    """Run the scenarios side by side on the executor asked for, then print the comparison."""
    from sim.comparison import compare

    with _open_executor(args) as executor:
        table = compare(
            files,
            out,
            replicates=replicates,
            steps=steps,
            seed=seed,
            progress=not args.quiet,
            executor=executor,
            force_resume=args.force_resume,
        )
    _print_comparison(table, out)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from dataclasses import replace

    import pyarrow.parquet as pq

    from sim.inputs.names import safe_folder_name
    from sim.inputs.sweep import load_sweep
    from sim.runs.sweep import run_sweep

    settings = _settings(args)
    plan = load_sweep(args.file, settings)
    if args.keep_timeseries:
        plan = replace(plan, sweep=plan.sweep.model_copy(update={"timeseries": True}))
    sweep = plan.sweep
    out = args.out or Path(
        str(sweep.out or safe_folder_name(Path("results"), sweep.name)) + _changed(plan.changed, {})
    )
    with _open_executor(args) as executor:
        run_sweep(
            plan,
            out,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
            executor=executor,
            force_resume=args.force_resume,
        )
    points = pq.read_metadata(out / "runs.parquet").num_rows // sweep.replicates
    print(f"\n{sweep.name}: {points} points x {sweep.replicates} replicates, {sweep.sampler}")
    print(f"wrote {out}/manifest.json, points.parquet, runs.parquet")
    if sweep.sampler in ("sobol", "morris"):
        print(f"next: sim sensitivity {out}")
    else:
        _print_responses(out)
    return 0


def _print_responses(out: Path) -> None:
    """A grid or Latin-hypercube sweep's responses: a summary, and the figures written."""
    from sim.analysis.response import read_responses, summary_lines
    from sim.plots.files import write_response_plots

    points, responses, parameters = read_responses(out)
    if not parameters:
        return
    print("\n".join(summary_lines(responses)))
    written = write_response_plots(out, points, responses, parameters)
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))


def _sensitivity(args: argparse.Namespace) -> int:
    from sim.analysis.sensitivity import analyse_results, top_parameters, write_tables
    from sim.engine.outcomes import OUTCOMES
    from sim.plots.files import write_sensitivity_plots

    unknown = [name for name in args.outcomes or () if name not in OUTCOMES.names]
    if unknown:
        print(
            f"error: --outcomes {', '.join(unknown)}: not an outcome; expected some of "
            f"{', '.join(OUTCOMES.names)}",
            file=sys.stderr,
        )
        return 2
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
              "of the variance of point means")  # fmt: skip
        for said in filter(None, str(row["note"]).split("; ")):
            print(f"  warning: {said}")
        chosen = result.indices[result.indices["lever_set"] == lever_set]
        for _, top in top_parameters(chosen, outcome).iterrows():
            conf = top[f"{column}_conf"]
            print(f"  {top['parameter']:<44} {column} {top[column]:8.3f} +/- {conf:.3f}")
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))
    return 0


def _discover(args: argparse.Namespace) -> int:
    from sim.analysis.condition import ConditionError
    from sim.analysis.discovery import discover, sweep_inputs, write_tables
    from sim.plots.discovery import write_discovery_plots

    try:
        x, holds = sweep_inputs(args.results, args.outcome)
        found = discover(x, holds, condition=args.outcome, box=args.box)
    except (ConditionError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    folder = args.results / "discovery"
    written = write_tables(folder, found) + write_discovery_plots(folder, found)
    box = found.trajectory.iloc[found.chosen]
    print(f"{args.outcome}: {found.cases} of {found.runs} runs")
    print(f"PRIM box {found.chosen}: coverage {box['coverage']:.2f}, density "
          f"{box['density']:.2f}, mass {box['mass']:.2f}")  # fmt: skip
    for _, row in found.box.iterrows():
        print(f"  {row['parameter']:<44} {row['low']:10.4g} .. {row['high']:<10.4g}"
              f" qp {row['qp_low']:.2g} / {row['qp_high']:.2g}")  # fmt: skip
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))
    return 0


def _optimize(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("pymoo") is None:
        print("error: sim optimize needs the optimize extra: pip install -e '.[optimize]'",
              file=sys.stderr)  # fmt: skip
        return 2
    from sim.analysis.robust_search import run_search
    from sim.engine.outcomes import OUTCOMES
    from sim.inputs.robust import load_search
    from sim.plots.parallel import write_search_plots

    plan = load_search(args.file, OUTCOMES.names)
    out = args.out or Path(plan.search.out or f"results/{plan.search.name}")
    with _open_executor(args) as executor:
        found = run_search(plan, out, executor, progress=not args.quiet)
    written = found.written + write_search_plots(out, found.pareto, found.policies, plan)
    labels = [o.label for o in plan.search.objectives]
    print(f"\n{plan.search.name}: {len(found.pareto)} Pareto policies")
    print(found.policies[["policy", *labels]].to_string(index=False, float_format="%.3g"))
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from sim.analysis.calibrate_run import run_calibration
    from sim.analysis.calibration_folder import claim
    from sim.inputs.actors import actor_styles
    from sim.inputs.calibration import load_calibration
    from sim.plots.calibration import calibration_figures, write_calibration_plots

    plan = load_calibration(args.file)
    out = args.out or Path(plan.calibration.out or f"results/{plan.calibration.name}")
    with claim(plan, out, install=args.install):
        result = run_calibration(
            plan, out, workers=args.workers, progress=not args.quiet, install=args.install
        )
        fit = result.fit
        figures = calibration_figures(
            fit.values,
            fit.weights,
            plan.priors,
            result.simulated,
            plan.calibration.targets,
            actor_styles(plan.scenario),
        )
        plots = write_calibration_plots(out, figures)
    print(
        f"\n{plan.calibration.name}: {fit.simulations:,} simulations, "
        f"{len(fit.generations)} generations, {fit.seconds:,.0f} s this session"
    )
    print(f"  {'parameter':<42} {'median':>10} {'90% interval':>24}")
    for row in result.summary.itertuples():
        interval = f"[{row.p5:.4g}, {row.p95:.4g}]"
        print(f"  {row.key:<42} {row.median:>10.4g} {interval:>24}")
    print(f"\n  {'target':<32} {'observed':>14} {'simulated 90% band':>22}  inside")
    for band in result.bands.itertuples():
        observed = f"[{band.observed_low:g}, {band.observed_high:g}]"
        simulated = f"[{band.low:.4g}, {band.high:.4g}]"
        print(f"  {band.target:<32} {observed:>14} {simulated:>22}  {band.inside}")
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in [*result.written, *plots]))
    return 0


def _hindcast(args: argparse.Namespace) -> int:
    from sim.analysis.hindcast import coverage, run_hindcast
    from sim.inputs.names import safe_folder_name
    from sim.inputs.observed import load_observed
    from sim.inputs.scenario import load_with_origin
    from sim.runs.kinds import available_cpus
    from sim.runs.local_pool import LocalPool
    from sim.runs.posterior import read_posterior

    scenario, digest = load_with_origin(args.scenario, _settings(args))
    observed = load_observed(args.observed)
    draws = read_posterior(args.posterior, scenario) if args.posterior else None
    label = f"hindcast-{scenario.name}" + ("-posterior" if draws else "")
    out = args.out or safe_folder_name(Path("results"), _default_folder(args, scenario, label))
    with LocalPool(args.workers or available_cpus()) as executor:
        result = run_hindcast(
            scenario,
            observed,
            out,
            scenario_sha256=digest,
            source=str(args.scenario),
            draws=draws,
            executor=executor,
            progress=not args.quiet,
        )
    table = result.table
    print(f"\n{scenario.name} against {args.observed}: {scenario.replicates} replicates")
    print(_format_hindcast(table))
    scored = table[table["scored"]]
    if len(scored):
        shares = coverage(table)
        print(
            f"\n{len(scored)} of {len(table)} entries scored: the 50% band covers "
            f"{shares['in_50']:.0%}, the 90% band {shares['in_90']:.0%}; mean PIT "
            f"{scored['pit'].mean():.2f}"
        )
    written = result.written
    if not args.no_plots:
        from sim.plots.hindcast import write_hindcast_plots

        written = written + write_hindcast_plots(out, table, result.bands)
    print("\nwrote:\n" + "\n".join(f"  {p}" for p in written))
    return 0


def _format_hindcast(table: pd.DataFrame) -> str:
    """The scored entries with their bands and scores, then those not scored with the reason."""
    lines = [
        f"  {'entry':<52} {'observed':>16} {'simulated 90% band':>20} {'50%':>4} {'90%':>4} "
        f"{'CRPS':>8} {'PIT':>5}"
    ]
    for row in table[table["scored"]].itertuples():
        observed = f"[{row.observed_low:.4g}, {row.observed_high:.4g}]"
        simulated = f"[{row.p5:.4g}, {row.p95:.4g}]"
        covered = ("yes" if row.in_50 else "no", "yes" if row.in_90 else "MISS")
        lines.append(
            f"  {row.entry:<52} {observed:>16} {simulated:>20} {covered[0]:>4} {covered[1]:>4} "
            f"{row.crps:>8.3g} {row.pit:>5.2f}"
        )
        if row.note:
            lines.append(f"    ({row.note})")
    skipped = table[~table["scored"]]
    if len(skipped):
        lines.append("\n  not scored:")
        lines += [f"  {row.entry:<52} {row.note}" for row in skipped.itertuples()]
    return "\n".join(lines)


def _print_comparison(table: pd.DataFrame, out: Path) -> None:
    """Each scenario's own medians and intervals, then its differences from the first, in order."""
    from sim.analysis.summary import read_summary
    from sim.comparison import scenario_folders
    from sim.engine.outcomes import OUTCOMES

    for name, folder in scenario_folders(out, table).items():
        count, summary = read_summary(folder)
        print(f"\n{name}: {count} replicates")
        print(_format_summary(summary))
    print(
        f"\ndifferences from {table['reference'].iloc[0]} (median; for yes/no outcomes the "
        "share of runs, in percentage points), 95% paired bootstrap interval:"
    )
    print(f"  {'scenario':<24} {'outcome':<18} {'difference':>10} {'95% interval':>22}")
    for _, row in table.iterrows():
        share = row["outcome"] in OUTCOMES.events
        low, difference, high = (
            f"{100 * value:+.1f}" if share else f"{value:+,.0f}"
            for value in (row["ci_low"], row["difference"], row["ci_high"])
        )
        unit = " pp" if share else ""
        difference, interval = difference + unit, f"[{low}, {high}]{unit}"
        print(f"  {row['scenario']:<24} {row['outcome']:<18} {difference:>10} {interval:>22}")
    print(f"\nwrote {out}/<scenario>/, {out}/plots/, {out}/differences.csv")


def _report(args: argparse.Namespace) -> int:
    from sim.report.build import ReportError, write_report

    try:
        written = write_report(args.results, args.out)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {written}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from sim.inputs.scenario import ScenarioError, load_scenario

    failed = 0
    for file in args.files:
        try:
            load_scenario(file)
            print(f"ok: {file}")
        except ScenarioError as exc:
            failed += 1
            print(str(exc), file=sys.stderr)
    return 1 if failed else 0


def _viz(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("solara") is None:
        print("error: sim viz needs the viz extra: pip install -e '.[viz]'", file=sys.stderr)
        return 2
    from sim.viz.serve import serve

    serve(args.scenario, port=args.port, band=args.band)
    return 0


COMMANDS = {
    "run": _run,
    "compare": _compare,
    "experiment": _experiment,
    "sensitivity": _sensitivity,
    "discover": _discover,
    "calibrate": _calibrate,
    "hindcast": _hindcast,
    "optimize": _optimize,
    "report": _report,
    "validate": _validate,
    "viz": _viz,
}

if __name__ == "__main__":
    console()
