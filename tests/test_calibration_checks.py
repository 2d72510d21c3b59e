"""Simulation-based calibration and leave-one-pattern-out, on a normal-normal problem.

theta ~ N(0, 1) and K observations y_i ~ N(theta, 1): the exact posterior is
N(sum(y) / (K + 1), 1 / (K + 1)). A fit drawing from it gives uniform ranks and
nominal coverage; a fit too narrow or shifted gives ranks outside the binomial bands,
which the check must catch (else it could not fail).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from sim.analysis.calibration_checks import leave_one_pattern_out, simulation_based_calibration
from sim.plots.calibration_checks import rank_histograms

matplotlib.use("Agg")

K = 5
BINS = 10


def prior(gen):
    return gen.normal(0.0, 1.0, 1)


def simulate(theta, gen):
    return gen.normal(theta[0], 1.0, K)


def exact_fit(scale=1.0, shift=0.0):
    """Posterior draws; `scale` < 1 makes them too narrow, `shift` moves them."""

    def fit(data, draws, gen):
        mean, sd = data.sum() / (K + 1), np.sqrt(1.0 / (K + 1))
        return gen.normal(mean + shift * sd, scale * sd, (draws, 1))

    return fit


def rejection_abc(data, draws, gen):
    """A fast rejection ABC on the sufficient statistic: the check runs on an approximate fit."""
    theta = gen.normal(0.0, 1.0, 200 * draws)
    means = gen.normal(theta, 1.0 / np.sqrt(K))
    keep = np.argsort(np.abs(means - data.mean()))[:draws]
    return theta[keep][:, None]


def check(fit, seed=1):
    return simulation_based_calibration(prior, simulate, fit, simulations=400, draws=99, seed=seed)


def test_an_exact_posterior_gives_uniform_ranks_and_nominal_coverage():
    result = check(exact_fit())
    assert result.ranks.shape == (400, 1) and result.ranks.max() <= 99
    low, high = result.band(BINS)
    counts = result.histogram(BINS)
    assert ((counts >= low) & (counts <= high)).all()
    assert result.uniformity(BINS)[0] > 0.001
    assert result.coverage["in_90"][0] == pytest.approx(0.9, abs=0.045)  # 3 binomial sd
    assert result.coverage["in_50"][0] == pytest.approx(0.5, abs=0.075)


def test_a_rejection_abc_passes_the_check():
    result = check(rejection_abc, seed=2)
    assert result.uniformity(BINS)[0] > 0.001
    assert result.coverage["in_90"][0] == pytest.approx(0.9, abs=0.06)


@pytest.mark.parametrize("scale, shift", [(0.5, 0.0), (1.0, 1.0)], ids=["narrow", "shifted"])
def test_a_wrong_posterior_is_caught(scale, shift):
    result = check(exact_fit(scale, shift))
    low, high = result.band(BINS)
    counts = result.histogram(BINS)
    assert ((counts < low) | (counts > high)).any()
    assert result.uniformity(BINS)[0] < 1e-6


def test_the_same_seed_gives_the_same_ranks():
    assert np.array_equal(check(exact_fit()).ranks, check(exact_fit()).ranks)


def test_the_rank_histogram_has_a_panel_per_parameter():
    fig = rank_histograms(check(exact_fit()), ["theta"])
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 1
    assert "cover" in fig.axes[0].get_title()


def patterns(truth: float, seed: int) -> dict[str, tuple[float, float]]:
    values = np.random.default_rng(seed).normal(truth, 1.0, K)
    return {f"y{i}": (float(v), float(v)) for i, v in enumerate(values)}


def lopo(observed, spread=1.0):
    """Fit the exact posterior to the named patterns; predict a left-out pattern's draws."""
    gen = np.random.default_rng(3)

    def fit(names):
        values = np.array([observed[n][0] for n in names])
        return values.sum() / (len(values) + 1), 1.0 / (len(values) + 1)

    def predict(posterior, _name):
        mean, variance = posterior
        return gen.normal(mean, spread * np.sqrt(variance + 1.0), 4000)

    return leave_one_pattern_out(observed, fit, predict)


def test_leave_one_pattern_out_predicts_each_left_out_series():
    inside = np.concatenate([lopo(patterns(0.7, s))["inside"].to_numpy() for s in range(40)])
    assert inside.mean() == pytest.approx(0.9, abs=0.05)


def test_leave_one_pattern_out_reports_an_outlier_as_a_miss():
    observed = patterns(0.0, 1) | {"far": (25.0, 25.0)}
    table = lopo(observed)
    assert list(table["target"]) == [*(f"y{i}" for i in range(K)), "far"]
    assert not table.set_index("target").loc["far", "inside"]
