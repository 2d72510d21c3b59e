"""Checks of a sensitivity analysis: replicate noise, indices outside [0, 1], wide intervals."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.analysis.convergence import morris_warnings, noise_warning, sobol_warnings
from sim.analysis.sensitivity import analyse_model
from sim.inputs.sampling import Design, Parameter


def test_noise_of_90_percent_asks_for_the_replicates_that_bring_it_to_10():
    # variance 1 of which noise 0.9 at R = 2: sd^2 = 1.8, signal 0.1;
    # 1.8 / R' = 0.1 / 0.9 x 0.1 gives R' = 162
    said = noise_warning(variance=1.0, noise=0.9, replicates=2)
    assert said.startswith("replicate noise is 90% of the variance")
    assert "about 162 replicates per point" in said
    share = (1.8 / 162) / (0.1 + 1.8 / 162)
    assert share == pytest.approx(0.1)
    assert noise_warning(variance=1.0, noise=0.05, replicates=2) == ""


def test_noise_as_large_as_the_variance_says_the_effect_is_not_measurable():
    said = noise_warning(variance=1.0, noise=1.06, replicates=2)
    assert "not measurable with 2 replicates" in said


def test_indices_outside_0_1_and_wide_intervals_are_named_with_the_base_samples_needed():
    indices = pd.DataFrame(
        {"S1": [-0.05, 0.3], "S1_conf": [0.1, 0.05], "ST": [1.2, 0.4], "ST_conf": [0.4, 0.05]}
    )
    said = sobol_warnings(indices, base_samples=64)
    assert said[0].startswith("2 of 4 indices outside [0, 1]")
    assert "about 1024 base samples (now 64)" in said[1]  # 64 x (0.4 / 0.1)^2
    narrow = indices.assign(S1=0.2, ST=0.3, S1_conf=0.02, ST_conf=0.05)
    assert sobol_warnings(narrow, base_samples=64) == []


def test_wide_morris_intervals_ask_for_more_trajectories():
    indices = pd.DataFrame({"mu_star": [10.0, 2.0], "mu_star_conf": [2.0, 1.0]})
    assert "about 40 trajectories (now 10)" in morris_warnings(indices, trajectories=10)[0]
    assert morris_warnings(indices.assign(mu_star_conf=0.5), trajectories=10) == []


def test_a_noisy_outcome_gets_a_note_in_the_noise_table():
    """y = x + N(0, 0.5) at R = 2: noise 0.125 against 1/12, so about 27 replicates for 10%."""

    def noisy(points, rng):
        return pd.DataFrame({"y": points["x"].to_numpy() + rng.normal(0, 0.5, len(points))})

    design = Design((Parameter("x", 0.0, 1.0), Parameter("z", 0.0, 1.0)), "sobol", 256, seed=2)
    note = analyse_model(design, noisy, ["y"], replicates=2, resamples=50).noise["note"].iloc[0]
    needed = re.search(r"replicate noise is (\d+)% .* about (\d+) replicates per point", note)
    assert needed is not None, note
    assert 50 <= int(needed[1]) <= 70
    assert 18 <= int(needed[2]) <= 40
