"""Simulation-based calibration and leave-one-pattern-out, on a normal-normal problem.

theta ~ N(0, 1) and K observations y_i ~ N(theta, 1): the exact posterior is
N(sum(y) / (K + 1), 1 / (K + 1)). A fit drawing from it gives uniform ranks and
nominal coverage; a fit too narrow or shifted gives ranks outside the binomial bands,
which the check must catch (else it could not fail). A fit returns a weighted sample,
as ABC-SMC does: the check must use the weights.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from scipy.stats import norm

from sim.analysis.calibration_checks import leave_one_pattern_out, simulation_based_calibration
from sim.plots.calibration_checks import rank_histograms

matplotlib.use("Agg")

K = 5
BINS = 10


def prior(gen):
    return gen.normal(0.0, 1.0, 1)


def simulate(theta, gen):
    return gen.normal(theta[0], 1.0, K)


SAMPLE = 200  # posterior draws each fit returns


def exact_posterior(data):
    """Mean and sd of the exact posterior given the K observations."""
    return data.sum() / (K + 1), np.sqrt(1.0 / (K + 1))


def exact_fit(scale=1.0, shift=0.0):
    """Posterior draws, equally weighted; `scale` < 1 makes them too narrow, `shift` moves them."""

    def fit(data, gen):
        mean, sd = exact_posterior(data)
        return gen.normal(mean + shift * sd, scale * sd, (SAMPLE, 1)), np.ones(SAMPLE)

    return fit


def importance_fit(weighted=True):
    """Draws from a proposal three times as wide as the posterior, weighted posterior/proposal.

    Like ABC-SMC's later generations: the particles alone are too wide, their weights
    make them the posterior. `weighted=False` drops the weights.
    """

    def fit(data, gen):
        mean, sd = exact_posterior(data)
        values = gen.normal(mean, 3.0 * sd, 4 * SAMPLE)
        weights = norm.pdf(values, mean, sd) / norm.pdf(values, mean, 3.0 * sd)
        return values[:, None], weights if weighted else np.ones_like(weights)

    return fit


def rejection_abc(data, gen):
    """A fast rejection ABC on the sufficient statistic: the check runs on an approximate fit."""
    theta = gen.normal(0.0, 1.0, 200 * SAMPLE)
    means = gen.normal(theta, 1.0 / np.sqrt(K))
    keep = np.argsort(np.abs(means - data.mean()))[:SAMPLE]
    return theta[keep][:, None], np.ones(SAMPLE)


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


def test_a_weighted_sample_is_ranked_and_covered_by_its_weights():
    result = check(importance_fit())
    low, high = result.band(BINS)
    counts = result.histogram(BINS)
    assert ((counts >= low) & (counts <= high)).all()
    assert result.coverage["in_90"][0] == pytest.approx(0.9, abs=0.045)
    assert result.coverage["in_50"][0] == pytest.approx(0.5, abs=0.075)
    assert (result.ess < 4 * SAMPLE).all() and (result.ess > SAMPLE).all()


def test_the_same_particles_without_their_weights_are_caught():
    result = check(importance_fit(weighted=False))
    assert result.coverage["in_50"][0] > 0.8  # the proposal, three times too wide
    assert result.uniformity(BINS)[0] < 1e-6


def test_draws_equal_to_the_truth_get_a_random_rank():
    """Ties are broken at random (Talts et al. 2018), so a point posterior on the truth passes."""

    def point_fit(data, gen):
        return np.ones((SAMPLE, 1)), np.ones(SAMPLE)

    result = simulation_based_calibration(
        lambda gen: np.ones(1), simulate, point_fit, simulations=400, draws=99, seed=4
    )
    low, high = result.band(BINS)
    counts = result.histogram(BINS)
    assert ((counts >= low) & (counts <= high)).all()
    assert result.coverage["in_50"][0] == 1.0
    np.testing.assert_allclose(result.ess, SAMPLE)


def test_ranks_that_do_not_fill_equal_bins_are_refused():
    with pytest.raises(ValueError, match="100 rank values do not fall into 7 equal bins"):
        check(exact_fit()).histogram(7)


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
