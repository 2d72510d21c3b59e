"""EMA Workbench through `sim.ema`: the batched evaluator against single Mesa runs.

    python experiments/benchmarks/ema_adapter.py             # 1-3 minutes on 2 cores
    python experiments/benchmarks/ema_adapter.py --mesa 10 --batched 200 --workers 1

Both run EMA's own `perform_experiments` on the baseline (its full horizon) over the
same uncertainties and levers (`sim.ema.model`), one replicate per experiment. The
single-run way is what an EMA user could do before: an `ema_workbench.Model` whose
function builds and runs one `sim.model.AfghanistanModel` per experiment, on EMA's
`SequentialEvaluator`. The adapter's way is `sim.ema.BatchedEvaluator` on the local
pool, whose processes start when the evaluator is entered (as EMA's own evaluators
start theirs) and serve every call: the timed call finds them ready, and the seconds of
entering and warming up are printed apart. Each first runs a few experiments untimed
(numba's compilation, imports). The two alternate for `--rounds` rounds, so that other
work on the machine weighs on both alike; prints each round's runs/s, the medians'
ratio (the goal: at least 10), the ratio with the pool's start counted in the batched
call, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from ema_workbench import Model, ScalarOutcome, SequentialEvaluator, perform_experiments

from sim import ema
from sim.engine.outcomes import OUTCOMES
from sim.inputs.scenario import load_scenario
from sim.model import AfghanistanModel

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
WARM_UP = 3  # experiments each way runs before the timing


def mesa_model(batched: ema.SimModel) -> Model:
    """The same uncertainties and levers, each experiment one `AfghanistanModel` run."""
    scenario = batched.scenario

    def one_run(**values: float) -> dict:
        overrides = {key.replace(".", "__"): value for key, value in values.items()}
        return AfghanistanModel(scenario, replicate=0, **overrides).run().outcomes()[0]

    single = Model("single_mesa_runs", function=one_run)
    single.uncertainties = list(batched.uncertainties)
    single.levers = list(batched.levers)
    single.outcomes = [ScalarOutcome(name) for name in OUTCOMES.names]
    return single


def runs_per_second(model: Model, evaluator, experiments: int) -> tuple[float, float]:
    """Runs/s of `perform_experiments`, and the seconds of entering and warming up before it.

    The timed call runs two policies, the rest scenarios.
    """
    policies = 2
    entered = time.perf_counter()
    with evaluator as running:
        perform_experiments(model, scenarios=WARM_UP, evaluator=running)
        started = time.perf_counter()
        perform_experiments(
            model, scenarios=experiments // policies, policies=policies, evaluator=running
        )
        seconds = time.perf_counter() - started
        return (experiments // policies * policies) / seconds, started - entered


def main() -> None:
    """Time both ways and print their runs/s and ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mesa", type=int, default=20, help="experiments of single runs")
    parser.add_argument("--batched", type=int, default=1000, help="experiments of the adapter")
    parser.add_argument("--workers", type=int, default=2, help="processes of the local pool")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both")
    args = parser.parse_args()
    batched = ema.model(load_scenario(BASELINE))
    mesa = mesa_model(batched)
    print(
        f"baseline, {batched.scenario.steps} months; {len(batched.uncertainties)} uncertainties,"
        f" {len(batched.levers)} levers; one replicate per experiment;"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    single, fast, with_start = [], [], []
    for round_ in range(args.rounds):
        single.append(runs_per_second(mesa, SequentialEvaluator(mesa), args.mesa)[0])
        evaluator = ema.BatchedEvaluator(batched, workers=args.workers)
        rate, start = runs_per_second(batched, evaluator, args.batched)
        fast.append(rate)
        with_start.append(args.batched / (args.batched / rate + start))
        print(
            f"round {round_ + 1}: single Mesa runs {single[-1]:6.2f} runs/s ({args.mesa}),"
            f" batched on {args.workers} workers {fast[-1]:6.2f} runs/s ({args.batched};"
            f" pool start and warm-up {start:.1f} s before it)"
        )
    ratio = statistics.median(fast) / statistics.median(single)
    ratio_with_start = statistics.median(with_start) / statistics.median(single)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"ratio of the medians: {ratio:.1f}x (goal: >= 10)")
    print(f"with the pool's start and warm-up in the batched call: {ratio_with_start:.1f}x")


if __name__ == "__main__":
    main()
