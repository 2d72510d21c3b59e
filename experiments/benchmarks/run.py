"""Speed benchmarks of `sim` on the baseline: one entry point, a table and a JSON line.

    python experiments/benchmarks/run.py --quick   # CI-sized, about 2 minutes on 2 cores
    python experiments/benchmarks/run.py           # full mode (10-15 minutes)

Measures the vectorised model against the plain-Mesa reference and a compiled kernel
of the whole month (the limit), ensembles on 1 and 2 workers, peak memory of `sim run`,
and how cost grows with units, steps and replicates; prints a table, writes
`results.json` and `scaling.png` into `--out`, and ends with the results as one JSON line.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import measure
import numpy as np
from scaling_plot import plot_scaling

from sim.inputs.scenario import load_scenario, override
from sim.runs.chunked import default_chunk_size

BASELINE = measure.ROOT / "scenarios" / "baseline.yaml"
UNITS = (100, 1_000, 10_000, 100_000)
STEPS = (15, 30, 60, 120)
TARGETS = {  # the issues' goals, the latest where two set one: (key, test, threshold)
    "vs_mesa_reference": (">=", 80.0),
    "ns_per_agent_month_vectorised": ("<=", 100.0),
    "seconds_1000_reps_2_workers": ("<=", 10.0),
    "speedup_2_workers": (">=", 1.8),
    "peak_rss_mb_10k": ("<", 1024.0),
    "seconds_sim_help": ("<", 0.5),
    "seconds_sim_run_10_reps": ("<", 1.5),
    "seconds_sim_run_1000_reps_2_workers": ("<=", 5.0),
}
RUN = ["run", str(BASELINE), "--out", "{out}", "--quiet"]  # `sim run` as a user types it


ROUNDS = 3  # the engine and the reference are each timed this often; the median counts


@dataclass(frozen=True)
class Plan:
    """How many replicates and steps each measurement uses."""

    mode: str
    mesa_replicates: int  # vectorised vs reference, baseline, 60 steps
    ensemble_replicates: int  # run_ensemble with 1 and 2 workers
    memory_replicates: tuple[int, ...]  # `sim run` subprocesses, 2 workers
    scaling_steps: int
    scaling_replicates: tuple[int, ...]  # one per entry of UNITS
    steps_replicates: int  # at 60 steps; scaled so each entry of STEPS runs as many steps


PLANS = {
    "quick": Plan("quick", 5, 100, (200,), 24, (10, 5, 2, 1), 5),
    "full": Plan("full", 20, 1_000, (1_000, 10_000), 60, (40, 20, 5, 2), 20),
}


def compare_implementations(scenario, plan: Plan) -> dict:
    """Engine vs plain-Mesa reference vs the compiled kernel, serial, on the baseline.

    The engine is timed on the reference's replicates in one batch (the issues' targets
    were set on this) and on one batch of the size an ensemble of the plan's replicates
    steps together on 2 workers (`default_chunk_size`: 167 of 1,000), where each step's
    fixed cost weighs less (the `_ensemble_batch` figures, compared per agent-month).
    """
    measure.vectorised(override(scenario, {"steps": 3}), 1)  # warm caches and imports
    measure.reference(override(scenario, {"steps": 3}), 1)
    n, batch = plan.mesa_replicates, default_chunk_size(plan.ensemble_replicates, 2)
    # interleaved rounds, so a slow spell of a shared machine hits all alike
    rounds = [
        (
            measure.vectorised(scenario, n),
            measure.vectorised(scenario, batch, chunk=batch),
            measure.reference(scenario, n),
        )
        for _ in range(ROUNDS)
    ]
    vec, wide, ref = (measure.median_timing(list(t)) for t in zip(*rounds, strict=True))
    compiled_ns = measure.compiled_limit(scenario, vec)
    compiled_2_ns = measure.compiled_limit(scenario, vec, threads=2)
    return {
        "vs_mesa_reference": vec.runs_per_s / ref.runs_per_s,
        "vs_mesa_reference_ensemble_batch": ref.us_per_update / wide.us_per_update,
        "vs_compiled_limit": 1e3 * vec.us_per_update / compiled_ns,
        "vs_compiled_limit_ensemble_batch": 1e3 * wide.us_per_update / compiled_ns,
        "ns_per_agent_month_vectorised": 1e3 * vec.us_per_update,
        "ns_per_agent_month_ensemble_batch": 1e3 * wide.us_per_update,
        "ns_per_agent_month_compiled": compiled_ns,
        "ns_per_agent_month_compiled_2_threads": compiled_2_ns,
        "compiled_speedup_2_threads": compiled_ns / compiled_2_ns,
        "engine_batch": batch,
        "reps_per_s_vectorised_serial": vec.runs_per_s,
        "reps_per_s_ensemble_batch": wide.runs_per_s,
        "reps_per_s_mesa_reference": ref.runs_per_s,
        "mesa_replicates": plan.mesa_replicates,
        "us_per_agent_update_vectorised": vec.us_per_update,
        "us_per_agent_update_ensemble_batch": wide.us_per_update,
        "us_per_agent_update_mesa_reference": ref.us_per_update,
        "ms_per_step_vectorised": 1e3 * vec.seconds / (vec.replicates * vec.steps),
        "mean_units": vec.mean_units,
        "mean_cells": vec.mean_cells,
    }


def ensembles(scenario, plan: Plan) -> dict:
    """`run_ensemble` on 1 and 2 workers, and peak memory of `sim run` subprocesses."""
    n = plan.ensemble_replicates
    one, two = measure.ensemble(scenario, n, 1), measure.ensemble(scenario, n, 2)
    result = {
        "reps_per_s_1_worker": n / one,
        "reps_per_s_2_workers": n / two,
        "speedup_2_workers": one / two,
        "machine_parallel_ceiling": measure.parallel_ceiling(),
        "ensemble_replicates": n,
    }
    result |= dask_ensembles(scenario, n, two)
    if n == 1_000:
        result["seconds_1000_reps_2_workers"] = two
    else:
        result["seconds_1000_reps_2_workers_estimated"] = 1_000 * two / n
    replicates = [
        {"replicates": n, "workers": 1, "how": "run_ensemble", "seconds": one},
        {"replicates": n, "workers": 2, "how": "run_ensemble", "seconds": two},
    ]
    for reps in plan.memory_replicates:
        memory = measure.peak_memory(BASELINE, reps, workers=2)
        key = {1_000: "1k", 10_000: "10k"}.get(reps, str(reps))
        result[f"peak_rss_mb_{key}"] = memory["tree_rss_mb"]
        result[f"peak_pss_mb_{key}"] = memory["tree_pss_mb"]
        result[f"largest_process_rss_mb_{key}"] = memory["largest_process_mb"]
        replicates.append(
            {
                "replicates": reps,
                "workers": 2,
                "how": "sim run (subprocess)",
                "seconds": memory["seconds"],
            }
        )
    result.setdefault("peak_rss_mb_10k", None)  # full mode only
    for row in replicates:
        row["runs_per_s"] = row["replicates"] / row["seconds"]
    result["replicate_scaling"] = replicates
    return result


def dask_ensembles(scenario, replicates: int, local_seconds: float) -> dict:
    """The same ensemble on a Dask LocalCluster of 2 workers, against the local pool's time."""
    if importlib.util.find_spec("distributed") is None:  # the optional dask extra
        return {"reps_per_s_dask_2_workers": None}
    cluster_start, seconds = measure.dask_ensemble(scenario, replicates, 2)
    return {
        "reps_per_s_dask_2_workers": replicates / seconds,
        "reps_per_s_dask_2_workers_with_start": replicates / (seconds + cluster_start),
        "dask_cluster_start_seconds": cluster_start,
        "dask_vs_local_pool_2_workers": local_seconds / seconds,
    }


def startup() -> dict:
    """What a user waits for: `sim --help`, a 10-replicate run, 1,000 replicates on 2 workers."""
    return {
        "seconds_sim_help": measure.command_seconds(["--help"], 5),
        "seconds_sim_run_10_reps": measure.command_seconds([*RUN, "-n", "10", "-w", "1"], 3),
        "seconds_sim_run_10_reps_no_plots": measure.command_seconds(
            [*RUN, "-n", "10", "-w", "1", "--no-plots"], 3
        ),
        "seconds_sim_run_1000_reps_2_workers": measure.command_seconds(
            [*RUN, "-n", "1000", "-w", "2", "--no-plots"], 1
        ),
    }


def scaling(scenario, plan: Plan) -> dict:
    """Runs/s and cost per agent-update at 100 to 100,000 units; runs/s against steps."""
    units_rows = []
    for units, replicates in zip(UNITS, plan.scaling_replicates, strict=True):
        spec = override(measure.scaled(scenario, units), {"steps": plan.scaling_steps})
        timing = measure.vectorised(spec, replicates)
        compiled_us = 1e-3 * measure.compiled_limit(spec, timing)
        units_rows.append(
            {
                "units": measure.initial_units(spec),
                "replicates": replicates,
                "steps": plan.scaling_steps,
                "mean_units": timing.mean_units,
                "mean_cells": timing.mean_cells,
                "runs_per_s": timing.runs_per_s,
                "us_per_update": timing.us_per_update,
                "compiled_us_per_update": compiled_us,
                "vs_compiled": timing.us_per_update / compiled_us,
                "ms_per_step": 1e3 * timing.seconds / (timing.replicates * timing.steps),
            }
        )
    steps_rows = []
    for steps in STEPS:
        replicates = max(1, round(plan.steps_replicates * 60 / steps))
        timing = measure.vectorised(override(scenario, {"steps": steps}), replicates)
        steps_rows.append(
            {
                "steps": steps,
                "replicates": replicates,
                "runs_per_s": timing.runs_per_s,
                "ms_per_step": 1e3 * timing.seconds / (timing.replicates * steps),
                "agents_per_step": timing.mean_units + timing.mean_cells,
                "us_per_update": timing.us_per_update,
            }
        )
    # Cost per step = fixed + marginal x agents, fitted on relative errors across sizes.
    agents = np.array([r["mean_units"] + r["mean_cells"] for r in units_rows])
    per_step = np.array([r["ms_per_step"] for r in units_rows])
    marginal, fixed = np.polyfit(agents, per_step, 1, w=1 / per_step)
    last, first = units_rows[-1], units_rows[-2]
    slope = np.log(last["runs_per_s"] / first["runs_per_s"]) / np.log(
        last["units"] / first["units"]
    )
    return {
        "units_scaling": units_rows,
        "units_scaling_method": (
            f"unit_size kept at {scenario.taliban.unit_size:g} fighters; every extensive quantity "
            "(fighters of factions, ISIS-K and groups, ISIS-K cells, arrivals, local recruits, "
            "revenue, aid, frozen funds, momentum saturation, attack tolerance) multiplied by "
            f"k = units / {measure.initial_units(scenario)}, per-attack credibility loss and "
            "sectarian sensitivity divided by k"
        ),
        "runs_per_s_slope_10k_to_100k_units": float(slope),
        "fixed_ms_per_step": float(fixed),
        "marginal_us_per_agent_update": float(1e3 * marginal),
        "steps_scaling": steps_rows,
    }


def verdicts(results: dict) -> dict[str, bool | None]:
    """Which of the issue's targets the measured figures meet (None: not measured)."""
    out = {}
    for key, (test, limit) in TARGETS.items():
        value = results.get(key)
        out[key] = (
            None
            if value is None
            else {">=": value >= limit, "<=": value <= limit, "<": value < limit}[test]
        )
    return out


def print_table(r: dict) -> None:
    """The results as a readable table."""
    print(f"\n== sim speed benchmarks ({r['mode']} mode, {r['cpu_count']} CPUs) ==")
    if r["other_processes_cpu_share"] > 0.05:
        print(
            f"  warning: other processes used {r['other_processes_cpu_share']:.0%} of the CPUs "
            "during the run: times are inflated, parallel speedups most"
        )
    print(
        f"\nBaseline, 60 steps, one process; the reference runs {r['mesa_replicates']} replicates "
        f"(mean {r['mean_units']:.0f} units + {r['mean_cells']:.0f} cells per step):"
    )
    print(f"  {'implementation':<34} {'reps/s':>9} {'µs/agent-update':>16}")
    for name, rps, us in (
        (
            f"engine (World, a batch of {r['mesa_replicates']})",
            r["reps_per_s_vectorised_serial"],
            r["us_per_agent_update_vectorised"],
        ),
        (
            f"engine (World, a batch of {r['engine_batch']})",
            r["reps_per_s_ensemble_batch"],
            r["us_per_agent_update_ensemble_batch"],
        ),
        (
            "plain Mesa reference (+DataCollector)",
            r["reps_per_s_mesa_reference"],
            r["us_per_agent_update_mesa_reference"],
        ),
        ("compiled month, 1 thread (limit)", None, 1e-3 * r["ns_per_agent_month_compiled"]),
    ):
        print(f"  {name:<34} {'' if rps is None else f'{rps:9.2f}':>9} {us:16.3f}")
    print(
        f"  vs_mesa_reference = {r['vs_mesa_reference']:.1f}x   "
        f"vs_compiled_limit = {r['vs_compiled_limit']:.1f}x   "
        f"({r['ns_per_agent_month_vectorised']:.0f} against "
        f"{r['ns_per_agent_month_compiled']:.0f} ns per agent-month per core; the kernel on "
        f"2 threads {r['ns_per_agent_month_compiled_2_threads']:.0f} ns, "
        f"{r['compiled_speedup_2_threads']:.2f}x)"
    )
    print(
        f"  at the ensemble's batch of {r['engine_batch']}: "
        f"{r['vs_mesa_reference_ensemble_batch']:.1f}x the reference per agent-month, "
        f"{r['ns_per_agent_month_ensemble_batch']:.0f} ns, "
        f"{r['vs_compiled_limit_ensemble_batch']:.1f}x the limit"
    )
    print(f"\nEnsembles ({r['ensemble_replicates']} replicates, run_ensemble into a temp dir):")
    print(
        f"  1 worker {r['reps_per_s_1_worker']:.1f} reps/s, 2 workers "
        f"{r['reps_per_s_2_workers']:.1f} reps/s, speedup {r['speedup_2_workers']:.2f}x "
        f"(pure-CPU speedup of 2 processes on this machine: {r['machine_parallel_ceiling']:.2f}x)"
    )
    if r["reps_per_s_dask_2_workers"] is None:
        print("  Dask LocalCluster: not measured (pip install -e '.[dask]')")
    else:
        print(
            f"  Dask LocalCluster, 2 workers {r['reps_per_s_dask_2_workers']:.1f} reps/s "
            f"({r['dask_vs_local_pool_2_workers']:.2f}x the local pool's; the cluster's start, "
            f"{r['dask_cluster_start_seconds']:.1f} s, not counted; counted: "
            f"{r['reps_per_s_dask_2_workers_with_start']:.1f} reps/s)"
        )
    key = next(k for k in r if k.startswith("seconds_1000_reps_2_workers"))
    print(f"  {key} = {r[key]:.1f}")
    print(
        f"\nStart-up (`sim` as a subprocess, median): --help {r['seconds_sim_help']:.2f} s; "
        f"run -n 10 -w 1 {r['seconds_sim_run_10_reps']:.2f} s "
        f"({r['seconds_sim_run_10_reps_no_plots']:.2f} s with --no-plots); "
        f"run -n 1000 -w 2 --no-plots {r['seconds_sim_run_1000_reps_2_workers']:.2f} s"
    )
    print("\nReplicates (runs/s should stay flat if cost is linear in replicates):")
    for row in r["replicate_scaling"]:
        print(
            f"  {row['replicates']:>7,} reps  {row['workers']} worker(s)  {row['how']:<22} "
            f"{row['seconds']:8.1f} s  {row['runs_per_s']:7.1f} runs/s"
        )
    for key in sorted(k for k in r if k.startswith("peak_rss_mb_") and r[k] is not None):
        n = key.removeprefix("peak_rss_mb_")
        print(
            f"  `sim run` {n} reps, 2 workers, process tree: peak RSS {r[key]:.0f} MB, "
            f"peak PSS {r[f'peak_pss_mb_{n}']:.0f} MB, "
            f"largest process {r[f'largest_process_rss_mb_{n}']:.0f} MB"
        )
    print(f"\nUnits ({r['units_scaling'][0]['steps']} steps; {r['units_scaling_method']}):")
    print(
        f"  {'units':>8} {'reps':>5} {'units/step':>11} {'cells/step':>11} {'runs/s':>9} "
        f"{'µs/update':>10} {'limit µs':>9} {'vs limit':>9}"
    )
    for row in r["units_scaling"]:
        print(
            f"  {row['units']:>8,} {row['replicates']:>5} {row['mean_units']:>11,.0f} "
            f"{row['mean_cells']:>11,.0f} {row['runs_per_s']:>9.2f} "
            f"{row['us_per_update']:>10.3f} {row['compiled_us_per_update']:>9.3f} "
            f"{row['vs_compiled']:>8.1f}x"
        )
    print(
        f"  log-log slope of runs/s, 10k to 100k units: "
        f"{r['runs_per_s_slope_10k_to_100k_units']:.2f} (-1 = linear)"
    )
    print(
        f"  cost per step ~ {r['fixed_ms_per_step']:.2f} ms fixed + "
        f"{r['marginal_us_per_agent_update']:.3f} µs x (units + cells)"
    )
    print("\nSteps (baseline):")
    for row in r["steps_scaling"]:
        print(
            f"  {row['steps']:>4} steps  {row['replicates']} reps  "
            f"{row['runs_per_s']:7.1f} runs/s  {row['ms_per_step']:.2f} ms/step  "
            f"{row['agents_per_step']:.0f} agents/step  {row['us_per_update']:.2f} µs/update"
        )
    print(
        "\nTargets of the issue: "
        + ", ".join(
            f"{k} {'met' if v else 'not measured' if v is None else 'NOT met'}"
            for k, v in r["targets_met"].items()
        )
    )
    print(f"\nwrote {r['plot']} and {r['results_file']} in {r['wall_seconds']:.0f} s\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks of the chosen mode; print the table and the final JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized runs (under 2 minutes)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("results/benchmarks"),
        help="directory for results.json and scaling.png",
    )
    args = parser.parse_args(argv)
    plan = PLANS["quick" if args.quick else "full"]
    started = time.perf_counter()
    scenario = load_scenario(BASELINE)
    results: dict = {
        "mode": plan.mode,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {p: metadata.version(p) for p in ("sim", "mesa", "numpy")},
    }
    with measure.OtherLoad() as others:
        results |= compare_implementations(scenario, plan)
        results |= ensembles(scenario, plan)
        results |= startup()
        results |= scaling(scenario, plan)
    results["other_processes_cpu_share"] = others.cpu_seconds / (others.seconds * os.cpu_count())
    results["targets_met"] = verdicts(results)
    args.out.mkdir(parents=True, exist_ok=True)
    fig = plot_scaling(results["units_scaling"])
    results["plot"] = str(args.out / "scaling.png")
    fig.savefig(results["plot"], dpi=120)
    results["results_file"] = str(args.out / "results.json")
    results["wall_seconds"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(json.dumps(results, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
