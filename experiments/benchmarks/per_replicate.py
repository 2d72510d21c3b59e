"""A batch whose replicates each run with their own posterior draw, against a plain batch.

Runs 100 replicates of `scenarios/historical.yaml` in one world twice: plainly, and with
the calibrated posterior's values one draw per replicate (`values=`, each replicate a
different draw), and prints the ratio of their compute times (model build and run; no
start-up, no tables). With `--one-by-one` it also times what a posterior ensemble did
before: one overridden scenario and one world per replicate.

    python experiments/benchmarks/per_replicate.py [--replicates 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_scenario
from sim.rules import new_world
from sim.runs.posterior import read_posterior, with_values

ROOT = Path(__file__).resolve().parents[2]


def posterior_values(scenario, posterior, replicates: int) -> dict[str, np.ndarray]:
    """Draw r of the posterior for replicate r, one array per fitted key (whole where needed)."""
    rows = posterior.values[np.arange(replicates) % len(posterior.weights)]
    values = {}
    for j, key in enumerate(posterior.keys):
        node = scenario.model_dump()
        for part in key.split("."):
            node = node[part]
        values[key] = np.round(rows[:, j]) if isinstance(node, int) else rows[:, j]
    return values


def seconds(run) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    """Time both batches, interleaved, and print each best time and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs each")
    parser.add_argument("--one-by-one", action="store_true", help="also time a world per draw")
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "historical.yaml")
    posterior = read_posterior(ROOT / "scenarios" / "calibrated_posterior.csv", scenario)
    values = posterior_values(scenario, posterior, args.replicates)
    replicates = range(args.replicates)

    def gens():
        return [replicate_rng(scenario.seed, r) for r in replicates]

    def plain():
        new_world(scenario, gens()).run()

    def varied():
        new_world(scenario, gens(), values).run()

    def one_by_one():
        for i, r in enumerate(replicates):
            point = {key: values[key][i].item() for key in posterior.keys}
            new_world(with_values(scenario, point), [replicate_rng(scenario.seed, r)]).run()

    new_world(scenario, gens()[:2], {k: v[:2] for k, v in values.items()}).run()  # compile
    timings = {"plain": [], "per-replicate values": []}
    for _ in range(args.repeats):  # interleaved, so a busy spell hits both alike
        timings["plain"].append(seconds(plain))
        timings["per-replicate values"].append(seconds(varied))
    if args.one_by_one:
        timings["a world per replicate"] = [seconds(one_by_one)]
    best = {name: min(times) for name, times in timings.items()}
    distinct = len({tuple(row) for row in np.column_stack(list(values.values()))})
    print(f"{args.replicates} replicates of historical.yaml, {distinct} distinct posterior draws")
    for name, value in best.items():
        print(f"  {name:24s} {value:7.2f} s  ({value / best['plain']:.2f} x plain)")
    print(f"ratio {best['per-replicate values'] / best['plain']:.3f}")


if __name__ == "__main__":
    main()
