"""CPU time of each rule of the month over one batch of the baseline, and ns per agent-month.

Steps a world of `--replicates` baseline replicates (default 200, 60 months) through
`sim.rules.SCHEDULE` with each rule timed (`time.process_time`, so other processes on a
busy machine count less than in wall time), `--rounds` times, and prints each rule's
least time, the whole step's, and the step's CPU per agent-month (units and cells at the
start of each month, summed). To compare two versions, run it in each tree in turn.

    python experiments/benchmarks/rules.py [--replicates 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from sim.engine.seeds import replicate_rng
from sim.engine.world import Step, World
from sim.inputs.scenario import load_scenario
from sim.rules import SCHEDULE, load_kernels

ROOT = Path(__file__).resolve().parents[2]


def timed(rule: Callable, spent: dict[str, float]) -> Callable:
    """`rule`, adding its CPU seconds to `spent` under its name."""

    def run(world: World, scale: float) -> None:
        start = time.process_time()
        rule(world, scale)
        spent[rule.__name__] = spent.get(rule.__name__, 0.0) + time.process_time() - start

    return run


def one_round(replicates: int) -> tuple[dict[str, float], int]:
    """CPU seconds of each rule and of the whole run of one batch, and its agent-months."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    spent: dict[str, float] = {}
    schedule = tuple(
        Step(s.mechanism, timed(s.rule, spent), s.reads, s.writes, s.when_off) for s in SCHEDULE
    )
    world = World(scenario, [replicate_rng(scenario.seed, r) for r in range(replicates)], schedule)
    agent_months, start = 0, time.process_time()
    while world.month < scenario.steps:
        agent_months += int(world.units.n.sum() + world.cells.n.sum())
        world.step()
    spent["whole step"] = time.process_time() - start
    return spent, agent_months


def main() -> None:
    """Time the rounds and print each rule's least CPU time and the step's ns per agent-month."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_kernels()
    least: dict[str, float] = {}
    for _ in range(args.rounds):
        spent, agent_months = one_round(args.replicates)
        least = {name: min(least.get(name, seconds), seconds) for name, seconds in spent.items()}
    for name, seconds in sorted(least.items(), key=lambda item: -item[1]):
        print(f"{name:24s} {1000 * seconds:8.1f} ms")
    print(f"{1e9 * least['whole step'] / agent_months:.0f} ns per agent-month (CPU, least)")


if __name__ == "__main__":
    main()
