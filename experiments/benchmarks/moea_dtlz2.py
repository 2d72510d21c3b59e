"""Three maintained NSGA-II implementations on DTLZ2: distance to the front, evaluations, time.

pymoo's `NSGA2`, optuna's `NSGAIISampler` and platypus' `NSGAII` (the engine of EMA
Workbench's `optimize`) each minimise DTLZ2 with 2 objectives and 11 variables, with
the same population and number of evaluations, over several seeds. DTLZ2's Pareto front
is the quarter of the unit circle, so a point's distance to it is its norm less one;
the generational distance (GD) is the mean distance of the non-dominated set found.

    python experiments/benchmarks/moea_dtlz2.py [--seeds 5] [--population 40] [--generations 60]

Needs pymoo (the `optimize` extra), ema-workbench (brings platypus) and optuna.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

OBJECTIVES, VARIABLES = 2, 11


def dtlz2(x: np.ndarray) -> np.ndarray:
    """DTLZ2's objectives of each row of `x` (in [0, 1]^VARIABLES), to be minimised (pymoo's)."""
    from pymoo.problems import get_problem

    return get_problem("dtlz2", n_var=VARIABLES, n_obj=OBJECTIVES).evaluate(np.atleast_2d(x))


def generational_distance(front: np.ndarray) -> float:
    """Mean distance of the points to DTLZ2's front (the unit sphere's positive part)."""
    return float(np.mean(np.linalg.norm(front, axis=1) - 1))


def non_dominated(f: np.ndarray) -> np.ndarray:
    """The rows of `f` no other row dominates."""
    keep = [
        i for i in range(len(f)) if not ((f <= f[i]).all(axis=1) & (f < f[i]).any(axis=1)).any()
    ]
    return f[keep]


def with_pymoo(seed: int, population: int, generations: int) -> np.ndarray:
    """The objectives of the last population of pymoo's NSGA2."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    class Dtlz2(Problem):
        def __init__(self) -> None:
            super().__init__(n_var=VARIABLES, n_obj=OBJECTIVES, xl=0.0, xu=1.0)

        def _evaluate(self, x, out, *args, **kwargs):
            out["F"] = dtlz2(x)

    result = minimize(Dtlz2(), NSGA2(pop_size=population), ("n_gen", generations), seed=seed)
    return np.asarray(result.F)


def with_optuna(seed: int, population: int, generations: int) -> np.ndarray:
    """The objectives of optuna's best trials (its Pareto set) with NSGAIISampler."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        directions=["minimize"] * OBJECTIVES,
        sampler=optuna.samplers.NSGAIISampler(population_size=population, seed=seed),
    )

    def objective(trial):
        x = np.array([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(VARIABLES)])
        return tuple(dtlz2(x)[0])

    study.optimize(objective, n_trials=population * generations)
    return np.array([t.values for t in study.best_trials])


def with_platypus(seed: int, population: int, generations: int) -> np.ndarray:
    """The objectives of platypus' NSGAII's last population (seeded through `random`)."""
    import random

    import platypus

    random.seed(seed)
    problem = platypus.Problem(VARIABLES, OBJECTIVES)
    problem.types[:] = platypus.Real(0.0, 1.0)
    problem.function = lambda x: list(dtlz2(np.array(x))[0])
    algorithm = platypus.NSGAII(problem, population_size=population)
    algorithm.run(population * generations)
    found = platypus.nondominated(algorithm.result)
    return np.array([s.objectives[:] for s in found])


LIBRARIES: dict[str, Callable[[int, int, int], np.ndarray]] = {
    "pymoo NSGA2": with_pymoo,
    "optuna NSGAIISampler": with_optuna,
    "platypus NSGAII": with_platypus,
}


def main() -> None:
    """Print, for each library, the median GD, front size and seconds over the seeds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--population", type=int, default=40)
    parser.add_argument("--generations", type=int, default=60)
    args = parser.parse_args()
    evaluations = args.population * args.generations
    print(f"DTLZ2, {OBJECTIVES} objectives, {VARIABLES} variables, {evaluations} evaluations")
    print(f"{'library':<22} {'GD median':>10} {'GD worst':>10} {'front':>6} {'seconds':>8}")
    for name, run in LIBRARIES.items():
        gds, sizes, seconds = [], [], []
        for seed in range(1, args.seeds + 1):
            started = time.perf_counter()
            front = non_dominated(run(seed, args.population, args.generations))
            seconds.append(time.perf_counter() - started)
            gds.append(generational_distance(front))
            sizes.append(len(front))
        print(
            f"{name:<22} {np.median(gds):>10.4f} {max(gds):>10.4f} "
            f"{int(np.median(sizes)):>6} {np.median(seconds):>8.2f}"
        )


if __name__ == "__main__":
    main()
