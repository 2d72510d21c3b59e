"""Grid and Latin-hypercube sweeps: response figures and a printed summary from their results."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
from figure_layout import layout_problems
from test_sweeps import sweep_file

from sim.analysis.response import read_responses
from sim.cli import main
from sim.plots.response import response_curves, response_pairs
from sim.runs.sweep import sweep_tables

OUTCOMES_SHOWN = ["isisk_final", "attacks_total", "fragmented"]


def test_a_grid_sweep_writes_response_curves_and_pairs_and_prints_a_summary(tmp_path, capsys):
    path = sweep_file(tmp_path, outcomes=OUTCOMES_SHOWN)
    out = tmp_path / "out"
    assert main(["experiment", str(path), "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    names = sorted(p.name for p in (out / "plots").iterdir())
    assert names == ["response.png", "response.svg", "response_pairs.png", "response_pairs.svg"]
    points, responses, parameters = read_responses(out)
    _, runs = sweep_tables(out)
    # the crackdown's three levels are its bins: the median of the runs at each level
    along = responses[
        (responses["parameter"] == "policy.crackdown") & (responses["outcome"] == "isisk_final")
    ]
    assert len(along) == 3 and along["runs"].tolist() == [6, 6, 6]
    for row in along.itertuples():
        chosen = runs[np.isclose(runs["policy.crackdown"], row.at)]["isisk_final"]
        assert (row.p5, row.median, row.p95) == tuple(chosen.quantile([0.05, 0.5, 0.95]))
    low, high = along["median"].iloc[0], along["median"].iloc[-1]
    assert f"{low:,.0f} at 0.1" in printed and f"{high:,.0f} at 0.7" in printed
    assert f"({high - low:+,.0f})" in printed
    shares = responses[responses["outcome"] == "fragmented"]
    assert shares["median"].between(0, 1).all() and shares["p5"].isna().all()
    for fig in (response_curves(points, responses, parameters), response_pairs(points, parameters)):
        assert layout_problems(fig) == []


def test_a_latin_hypercube_sweep_bins_its_values_and_draws_no_pairs_for_three(tmp_path, capsys):
    uncertainties = [
        {"key": "rules.attacks.base_rate"},
        {"key": "policy.crackdown", "range": [0.1, 0.7]},
        {"key": "policy.concessions", "range": [0.0, 0.5]},
    ]
    path = sweep_file(
        tmp_path, sampler="latin_hypercube", points=40, replicates=1, steps=3,
        uncertainties=uncertainties, outcomes=OUTCOMES_SHOWN,
    )  # fmt: skip
    out = tmp_path / "out"
    assert main(["experiment", str(path), "--out", str(out), "-q"]) == 0
    assert sorted(p.name for p in (out / "plots").iterdir()) == ["response.png", "response.svg"]
    points, responses, parameters = read_responses(out)
    assert len(parameters) == 3
    for _, along in responses.groupby(["parameter", "outcome"]):
        assert 1 < len(along) <= 8 and along["runs"].sum() == 40
        assert (along["low"] < along["high"]).all() and along["at"].is_monotonic_increasing
    assert "policy.concessions" in capsys.readouterr().out
    assert layout_problems(response_curves(points, responses, parameters)) == []


def test_a_sobol_sweep_points_to_the_sensitivity_analysis_instead(tmp_path, capsys):
    path = sweep_file(tmp_path, sampler="sobol", points=4, replicates=1, steps=2)
    out = tmp_path / "out"
    assert main(["experiment", str(path), "--out", str(out), "-q"]) == 0
    assert f"next: sim sensitivity {out}" in capsys.readouterr().out
    assert not (out / "plots").exists()


def test_a_parameter_of_words_is_left_out_of_the_responses(tmp_path):
    uncertainties = [
        {"key": "policy.crackdown", "range": [0.1, 0.7]},
        {"key": "international.us.label", "values": ["US", "United States"]},
    ]
    path = sweep_file(tmp_path, points=2, replicates=1, steps=2, uncertainties=uncertainties)
    assert main(["experiment", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    _, responses, parameters = read_responses(tmp_path / "out")
    assert parameters == ["policy.crackdown"] and set(responses["parameter"]) == {parameters[0]}
    assert (tmp_path / "out" / "plots" / "response.png").exists()
