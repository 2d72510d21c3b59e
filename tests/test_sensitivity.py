"""Sensitivity analysis: Sobol' indices of the Ishigami function match the analytical ones,
replicate noise is measured, and a switched-off mechanism's parameter has no influence."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.sensitivity import analyse_model, analyse_results
from sim.cli import main
from sim.inputs.sampling import Design, Parameter
from sim.inputs.sweep import load_sweep
from sim.runs.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# Ishigami & Homma (1990) with a = 7, b = 0.1, inputs uniform on [-pi, pi]
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
X = tuple(Parameter(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3))


def ishigami(points: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    x1, x2, x3 = (points[f"x{i}"].to_numpy() for i in (1, 2, 3))
    return pd.DataFrame({"y": np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)})


def test_sobol_indices_of_the_ishigami_function_match_the_analytical_ones():
    result = analyse_model(Design(X, "sobol", 2048, seed=5), ishigami, ["y"], resamples=100)
    indices = result.indices.set_index("parameter")
    np.testing.assert_allclose(indices["S1"], ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(indices["ST"], ISHIGAMI_ST, atol=0.05)
    assert (indices["ST_conf"] > 0).all() and (indices["ST_conf"] < 0.1).all()
    assert result.noise["replicates"].iloc[0] == 1


def test_morris_elementary_effects_of_a_linear_function_are_its_slopes_over_the_range():
    """y = 1 a + 3 b - 2 c on ranges of widths 1, 2, 1: mu* = 1, 6, 2, sigma = 0, mu = +,+,-."""
    parameters = (Parameter("a", 0, 1), Parameter("b", 5, 7), Parameter("c", 0, 1))

    def linear(points, rng):
        return pd.DataFrame({"y": points["a"] + 3 * points["b"] - 2 * points["c"]})

    result = analyse_model(Design(parameters, "morris", 20, seed=5), linear, ["y"], resamples=50)
    indices = result.indices.set_index("parameter")
    np.testing.assert_allclose(indices["mu_star"], [1, 6, 2], rtol=1e-9)
    np.testing.assert_allclose(indices["mu"], [1, 6, -2], rtol=1e-9)
    np.testing.assert_allclose(indices["sigma"], 0, atol=1e-9)


def test_the_replicate_noise_share_is_measured():
    """y = x + noise: the noise's share of the variance of point means is sd^2/R over it all."""
    sd, replicates = 0.5, 4

    def noisy(points, rng):
        return pd.DataFrame({"y": points["x"].to_numpy() + rng.normal(0, sd, len(points))})

    design = Design((Parameter("x", 0.0, 1.0), Parameter("z", 0.0, 1.0)), "sobol", 256, seed=2)
    result = analyse_model(design, noisy, ["y"], replicates=replicates, resamples=50)
    noise = result.noise.iloc[0]
    expected = (sd**2 / replicates) / (1 / 12 + sd**2 / replicates)
    assert noise["noise_share"] == pytest.approx(expected, rel=0.15)
    assert noise["mc_error"] == pytest.approx(sd / np.sqrt(replicates), rel=0.1)
    # noise independent across points shows as a spurious total index of the inert z,
    # about as large as the noise share: the reason the share is reported
    total = result.indices.set_index("parameter")["ST"]
    assert total["z"] == pytest.approx(expected, abs=0.15)
    assert total["x"] > 0.9


def test_a_parameter_of_a_switched_off_mechanism_has_no_influence(tmp_path, capsys):
    spec = {
        "name": "purge_off",
        "scenario": str(BASELINE),
        "uncertainties": [
            {"key": "rules.purge.w_switch_purge"},
            {"key": "rules.attacks.base_rate"},
        ],
        "levers": {"mechanisms.purge.enabled": [False]},
        "sampler": "sobol",
        "points": 4,
        "replicates": 1,
        "seed": 3,
        "steps": 8,
        "outcomes": ["attacks_total", "isisk_final"],
    }
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    out = run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    total = analyse_results(out, resamples=50).indices.set_index(["outcome", "parameter"])["ST"]
    assert total["attacks_total", "rules.purge.w_switch_purge"] == pytest.approx(0.0, abs=1e-9)
    assert total["attacks_total", "rules.attacks.base_rate"] > 0.5
    assert main(["sensitivity", str(out), "--resamples", "50"]) == 0
    assert "rules.attacks.base_rate" in capsys.readouterr().out
    table = pd.read_csv(out / "sensitivity" / "indices.csv")
    assert set(table["outcome"]) == {"attacks_total", "isisk_final"}
    assert (out / "sensitivity" / "sobol.png").stat().st_size > 1000
    assert (out / "sensitivity" / "noise.csv").exists()


def test_a_grid_sweep_has_no_indices(tmp_path, capsys):
    spec = {
        "name": "grid",
        "scenario": str(BASELINE),
        "uncertainties": [{"key": "policy.crackdown", "values": [0.2, 0.4]}],
        "sampler": "grid",
        "points": 2,
        "replicates": 1,
        "seed": 1,
        "steps": 3,
    }
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(spec))
    out = run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    assert main(["sensitivity", str(out)]) == 2
    assert "sobol or morris" in capsys.readouterr().err
