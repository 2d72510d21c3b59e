"""Where the wall time of `sim run` goes: imports, replicates, tables, summary, figures.

    python experiments/benchmarks/phases.py                          # -n 10 -w 1
    python experiments/benchmarks/phases.py -n 1000 -w 2 --no-plots

Takes, in this fresh process and in the command's order, the steps `sim run
scenarios/baseline.yaml` takes, timing each; then times the command itself as a
subprocess, to compare with the sum. One batch of the replicates is run again, warm,
and scaled to the whole ensemble over the workers, so that numba loading its compiled
loops (in-process) or the pool's start-up (forkserver, workers' imports and loops)
shows as the difference from the cold run.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the imports below, which are themselves phases

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
COLD = "replicates (first run, cold)"


class Phases:
    """Wall seconds of named phases, in the order they first ran."""

    def __init__(self, start: float) -> None:
        self.seconds: dict[str, float] = {}
        self._mark = start

    def lap(self, name: str) -> None:
        """Charge the time since the last lap to `name`."""
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._mark
        self._mark = now

    def wrap(self, owner: object, attribute: str, name: str, caller: str) -> None:
        """Charge every call of `owner.attribute` to `name`, the time before it to `caller`."""
        original: Callable = getattr(owner, attribute)

        def timed(*args: object, **kwargs: object) -> object:
            self.lap(caller)
            result = original(*args, **kwargs)
            self.lap(name)
            return result

        setattr(owner, attribute, timed)


def interpreter_seconds() -> float:
    """Wall time of `python -c pass` with this interpreter: what any command pays first."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def run_phases(replicates: int, workers: int, plots: bool, out: Path) -> Phases:
    """Time the steps of `sim run` in this process; `out` receives the results."""
    phases = Phases(STARTED)
    phases.lap("imports: the standard library (argparse, json)")
    from sim.inputs.scenario import load_with_origin

    phases.lap("imports: inputs (pydantic schema)")
    from sim.runs import ensemble
    from sim.runs.local_pool import LocalPool
    from sim.runs.store import Consolidation

    phases.lap("imports: engine and runs (numpy, scipy.special, pyarrow)")
    scenario, digest = load_with_origin(BASELINE, {"replicates": replicates})
    phases.lap("scenario loaded and validated")
    within = "run_ensemble: lock, manifest file, chunk plan, tables put in place"
    phases.wrap(ensemble, "manifest_for", "manifest (draws the starting agents)", within)
    phases.wrap(LocalPool, "run_chunks", COLD, within)
    phases.wrap(
        Consolidation, "finish", "chunks still waiting after the last landed, appended", within
    )
    ensemble.run_ensemble(scenario, out, scenario_sha256=digest, workers=workers, progress=False)
    phases.lap(within)
    from sim.analysis.summary import read_summary

    read_summary(out)
    phases.lap("summary read")
    if plots:
        draw_figures(phases, out, scenario)
    return phases


def draw_figures(phases: Phases, out: Path, scenario: object) -> None:
    """What each of `sim run`'s two plotting helpers does, with all the figures drawn here."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.inputs.actors import actor_styles
    from sim.plots import FIGURES
    from sim.plots.background import warm_up
    from sim.plots.files import write_plots

    phases.lap("figures: imports (matplotlib, pandas)")
    warm_up()
    phases.lap("figures: warm-up figure (fonts, renderers)")
    styles = actor_styles(scenario)
    for name in FIGURES:
        write_plots(out, scenario.steps, scenario.start, styles, names=(name,))
        phases.lap(f"figures: {name} (png and svg)")


def warm_compute(replicates: int, workers: int) -> float:
    """The replicates' compute alone: one warm batch, scaled to all of them over the workers.

    A small ensemble runs in-process whatever `workers` says, as the local pool decides.
    """
    from sim.inputs.scenario import load_scenario
    from sim.runs.batch import run_batch
    from sim.runs.chunked import default_chunk_size
    from sim.runs.local_pool import LocalPool

    scenario = load_scenario(BASELINE)
    workers = LocalPool(workers).capacity(replicates * scenario.steps)
    batch = list(range(default_chunk_size(replicates, workers)))
    run_batch(scenario, batch[:1])  # this process's loops loaded, if the pool ran them
    start = time.perf_counter()
    run_batch(scenario, batch)
    return (time.perf_counter() - start) / len(batch) * replicates / workers


def print_table(phases: Phases, compute: float, command: float, interpreter: float) -> None:
    """The phases with their share of the command's time, then the totals."""
    print(f"{'phase':<60} {'seconds':>8} {'share':>7}")
    rows = {"interpreter start (python -c pass)": interpreter, **phases.seconds}
    for name, seconds in rows.items():
        share = "(CPU)" if name.startswith("figures") else f"{seconds / command:.0%}"
        print(f"{name:<60} {seconds:8.3f} {share:>7}")
    figures = sum(v for k, v in rows.items() if k.startswith("figures"))
    totals = {
        "sum without figures": sum(rows.values()) - figures,
        "figures, all in one process (the command shares them out)": figures,
        "compute of the replicates, warm, per worker": compute,
        "first run over warm compute (numba load, pool start)": rows[COLD] - compute,
        "the command, timed as a subprocess": command,
    }
    for name, seconds in totals.items():
        print(f"{name:<60} {seconds:8.3f}")


def main(argv: list[str] | None = None) -> int:
    """Time the phases, then the command; print the table and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--replicates", "-n", type=int, default=10)
    parser.add_argument("--workers", "-w", type=int, default=1)
    parser.add_argument("--no-plots", action="store_true", help="skip the figures")
    parser.add_argument("--repeats", type=int, default=3, help="timings of the command")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sim-phases-") as tmp:
        phases = run_phases(args.replicates, args.workers, not args.no_plots, Path(tmp) / "out")
    compute = warm_compute(args.replicates, args.workers)
    import measure  # the engine and the reference with it: imported after the phases

    options = ["run", str(BASELINE), "--out", "{out}", "--quiet"]
    options += ["-n", str(args.replicates), "-w", str(args.workers)]
    command = measure.command_seconds(options + ["--no-plots"] * args.no_plots, args.repeats)
    interpreter = interpreter_seconds()
    print_table(phases, compute, command, interpreter)
    print(json.dumps({"interpreter": interpreter, **phases.seconds, "command": command}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
