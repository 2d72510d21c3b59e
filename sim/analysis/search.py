"""The optimiser's loop: NSGA-II (pymoo) asks for a generation, an evaluator scores it.

The evaluator is any function of the generation's candidates (rows of coordinates in
the search box) and its number, returning one row of objectives (to minimise) per
candidate: a plain function (DTLZ2 in the tests) or the model's robust evaluation. The
loop is deterministic given the seed and the scores, so a search replayed from stored
scores asks for the same candidates again: that is how an interrupted search resumes.

pymoo (the `optimize` extra) was chosen over optuna's NSGAIISampler and platypus'
NSGAII (EMA Workbench's engine) on DTLZ2: the closest to the front, the fastest, and
it asks for a whole generation at once (experiments/benchmarks/moea_dtlz2.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Evaluator = Callable[[np.ndarray, int], np.ndarray]
"""(candidates, generation) -> objectives: (n, variables) -> (n, objectives), minimised."""


@dataclass(frozen=True)
class SearchResult:
    """Every candidate the search evaluated, by generation, and the Pareto set among them.

    Attributes:
        x: (evaluations, variables) coordinates, generation by generation.
        f: (evaluations, objectives) the evaluator's scores (minimised).
        generation: (evaluations,) the generation of each row (0 first).
        pareto: indices of the rows no other row dominates, duplicates left out.
    """

    x: np.ndarray
    f: np.ndarray
    generation: np.ndarray
    pareto: np.ndarray


def nsga2(
    low: np.ndarray,
    high: np.ndarray,
    objectives: int,
    evaluate: Evaluator,
    *,
    population: int,
    generations: int,
    seed: int,
) -> SearchResult:
    """Minimise `objectives` scores over the box [low, high] with NSGA-II; every evaluation kept."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.evaluator import Evaluator as Scorer
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    problem = Problem(n_var=len(low), n_obj=objectives, xl=low, xu=high)
    algorithm = NSGA2(pop_size=population, eliminate_duplicates=True)
    algorithm.setup(problem, termination=("n_gen", generations), seed=seed, verbose=False)
    xs, fs, gens = [], [], []
    while algorithm.has_next():
        offspring = algorithm.ask()
        x = offspring.get("X")
        f = np.asarray(evaluate(x, len(xs)), dtype=float)
        Scorer().eval(StaticProblem(problem, F=f), offspring)
        algorithm.tell(infills=offspring)
        xs.append(x)
        fs.append(f)
        gens.append(np.full(len(x), len(gens)))
    x, f = np.concatenate(xs), np.concatenate(fs)
    return SearchResult(x, f, np.concatenate(gens), non_dominated(x, f))


def non_dominated(x: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Indices of the rows of `f` that no other row dominates, the first of any repeated `x`."""
    _, first = np.unique(x, axis=0, return_index=True)
    rows = np.sort(first)
    scores = f[rows]
    keep = [
        i
        for i in range(len(rows))
        if not ((scores <= scores[i]).all(axis=1) & (scores < scores[i]).any(axis=1)).any()
    ]
    return rows[keep]
