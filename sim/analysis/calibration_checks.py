"""Checks of a calibration method: simulation-based calibration and leave-one-pattern-out.

Simulation-based calibration (Talts et al. 2018): draw parameters from the prior,
simulate data from them, fit the data, and rank each true value among its posterior
draws. A method that gets the posterior right gives uniform ranks, and its 50% and 90%
intervals hold the truth 50% and 90% of the time. A fit returns a weighted sample (an
importance sampler's or ABC-SMC's particles): ranks and intervals use the weights, as
the unweighted particles of a later SMC generation are not a posterior sample.
Leave-one-pattern-out fits without one target at a time and asks whether the fit
predicts the target left out.
Both take the prior sampler, simulator, fit and predictor as functions, so the same
code checks a fast synthetic problem (the tests) and the model's calibration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binom, chisquare

from sim.analysis.scores import LEVELS

PriorSampler = Callable[[np.random.Generator], np.ndarray]  # one parameter vector
Simulator = Callable[[np.ndarray, np.random.Generator], np.ndarray]  # parameters -> data
WeightedSample = tuple[np.ndarray, np.ndarray]  # values (n, params), weights (n,)
Fitter = Callable[[np.ndarray, np.random.Generator], WeightedSample]  # data -> posterior


@dataclass(frozen=True)
class RankCheck:
    """Ranks of the true parameters among `draws` posterior draws, per simulation and parameter."""

    ranks: np.ndarray  # (simulations, parameters), each in 0..draws
    draws: int
    coverage: dict[str, np.ndarray]  # "in_50", "in_90": share of truths inside, per parameter
    ess: np.ndarray  # (simulations,): each fit's effective sample size

    def histogram(self, bins: int) -> np.ndarray:
        """Counts of ranks in `bins` equal bins of 0..draws, per parameter (bins, parameters)."""
        if (self.draws + 1) % bins:
            raise ValueError(f"{self.draws + 1} rank values do not fall into {bins} equal bins")
        edges = np.linspace(0, self.draws + 1, bins + 1)
        return np.stack(
            [np.histogram(self.ranks[:, j], edges)[0] for j in range(self.ranks.shape[1])], axis=1
        )

    def band(self, bins: int, level: float = 0.99) -> tuple[float, float]:
        """Each bin's count range under uniform ranks (binomial quantiles at `level`)."""
        n = len(self.ranks)
        tail = (1.0 - level) / 2.0
        low, high = binom.ppf([tail, 1.0 - tail], n, 1.0 / bins)
        return float(low), float(high)

    def uniformity(self, bins: int) -> np.ndarray:
        """Chi-square p-value of uniform ranks, per parameter."""
        return np.array([chisquare(counts).pvalue for counts in self.histogram(bins).T])


def simulation_based_calibration(
    sample_prior: PriorSampler,
    simulate: Simulator,
    fit: Fitter,
    *,
    simulations: int,
    draws: int,
    seed: int,
) -> RankCheck:
    """Rank each true parameter among `draws` posterior draws, over `simulations` replications.

    Replication i draws from `SeedSequence(seed).spawn(simulations)[i]`: its truth, its
    data, its fit, and the `draws` taken from the fit's weighted sample by weight, in that
    order. A truth is inside an interval when its weighted posterior CDF (`posterior_cdf`)
    lies within the interval's tails, so coverage carries no resampling noise.
    """
    ranks, ess, inside = [], [], {f"in_{round(100 * lv)}": [] for lv in LEVELS}
    for child in np.random.SeedSequence(seed).spawn(simulations):
        gen = np.random.default_rng(child)
        truth = np.atleast_1d(sample_prior(gen))
        values, weights = _weighted(fit(simulate(truth, gen), gen), len(truth))
        ess.append(effective_sample_size(weights))
        ranks.append(_rank(values[gen.choice(len(weights), size=draws, p=weights)], truth, gen))
        cdf = posterior_cdf(values, weights, truth)
        for level in LEVELS:
            tail = (1.0 - level) / 2.0
            inside[f"in_{round(100 * level)}"].append((tail <= cdf) & (cdf <= 1.0 - tail))
    coverage = {name: np.mean(hits, axis=0) for name, hits in inside.items()}
    return RankCheck(np.array(ranks), draws, coverage, np.array(ess))


def posterior_cdf(values: np.ndarray, weights: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per parameter: the posterior weight below the truth, and half the weight equal to it."""
    below = weights @ (values < truth)
    return below + 0.5 * (weights @ (values == truth))


def effective_sample_size(weights: np.ndarray) -> float:
    """How many equal-weight draws importance weights are worth (Kish): 1 / sum(w ** 2)."""
    w = np.asarray(weights, float) / np.sum(weights)
    return float(1.0 / np.sum(w**2))


def _weighted(sample: WeightedSample, parameters: int) -> WeightedSample:
    """A fit's sample as values (n, parameters) and weights summing to 1."""
    values, weights = sample
    weights = np.asarray(weights, float)
    return np.asarray(values, float).reshape(len(weights), parameters), weights / weights.sum()


def _rank(draws: np.ndarray, truth: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """Draws below the truth, per parameter; draws equal to it count below at random."""
    ties = (draws == truth).sum(axis=0)
    return (draws < truth).sum(axis=0) + gen.integers(0, ties + 1)


def leave_one_pattern_out(
    observed: Mapping[str, tuple[float, float]],
    fit: Callable[[Sequence[str]], object],
    predict: Callable[[object, str], np.ndarray],
    level: float = 0.9,
) -> pd.DataFrame:
    """Per target: fit to all the others, predict it, and say whether its band meets the range.

    `observed` maps each target to its observed range; `fit(names)` fits to those targets
    only and returns a posterior; `predict(posterior, name)` gives simulated draws of the
    target left out.
    """
    rows = []
    tail = (1.0 - level) / 2.0
    for name, (low, high) in observed.items():
        posterior = fit([other for other in observed if other != name])
        predicted = np.asarray(predict(posterior, name), float)
        band_low, median, band_high = np.quantile(predicted, [tail, 0.5, 1.0 - tail])
        rows.append(
            {
                "target": name,
                "observed_low": low,
                "observed_high": high,
                "median": median,
                "low": band_low,
                "high": band_high,
                "inside": bool(band_low <= high and low <= band_high),
            }
        )
    return pd.DataFrame(rows)
