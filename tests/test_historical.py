"""The historical scenario: the policy timeline's dates as event months, runnable with draws."""

from __future__ import annotations

import json

import pytest
from conftest import SCENARIO_DIR

from sim.analysis.calibration import horizon
from sim.cli import main
from sim.inputs.scenario import event_timeline, load_scenario
from sim.plots.style import posterior_label
from sim.runs.ensemble import Replicates
from sim.runs.posterior import read_posterior


def event_month(year: int, month: int) -> int:
    """Step of a calendar month: October 2021 is step 1."""
    return (year - 2021) * 12 + month - 10 + 1


def test_events_fall_in_the_months_of_the_policy_timeline():
    scenario = load_scenario(SCENARIO_DIR / "historical.yaml")
    timeline = event_timeline(scenario)
    assert sorted(timeline) == [event_month(2023, 2), event_month(2024, 1), event_month(2025, 1)]
    assert timeline[17].policy.crackdown > scenario.policy.crackdown
    assert not timeline[17].policy.joint_with_us
    assert (
        timeline[28].international["china"].baseline_pressure
        < scenario.international["china"].baseline_pressure
    )
    assert timeline[40].international["us"].aid_musd < scenario.international["us"].aid_musd
    assert not scenario.economy.unfrozen and scenario.policy.purge["ttp"] == 0.0


def test_the_historical_scenario_runs_with_the_posterior_draws():
    scenario = horizon(load_scenario(SCENARIO_DIR / "historical.yaml"), 2)
    draws = read_posterior(SCENARIO_DIR / "calibrated_posterior.csv", scenario)
    runs, _ = Replicates(scenario, draws).run([0, 1, 2])
    assert runs.column("posterior_draw").to_pylist() == [
        draws.draw_of(scenario.seed, r) for r in range(3)
    ]


@pytest.mark.parametrize(
    ("scenario", "posterior", "said"),
    [
        ("historical", False, "parameters fixed at the posterior medians of calibrated.yaml"),
        ("historical", True, "parameters drawn from the posterior calibrated_posterior.csv"),
        ("baseline", False, ""),
    ],
)
def test_a_run_says_where_its_fitted_parameters_came_from(tmp_path, scenario, posterior, said):
    """Without --posterior a historical run has the posterior medians, in every replicate."""
    out = tmp_path / "out"
    command = ["run", str(SCENARIO_DIR / f"{scenario}.yaml"), "-n", "2", "--steps", "40"]
    command += ["-q", "-w", "1", "--no-plots", "--out", str(out)]
    if posterior:
        command += ["--posterior", str(SCENARIO_DIR / "calibrated_posterior.csv")]
    assert main(command) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    label = posterior_label(manifest)
    assert label.startswith(said) if said else label == ""
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert ("Posterior used" in page) == (scenario == "historical")
    assert ("the posterior medians of calibrated.yaml" in page) == (
        said.startswith("parameters fixed")
    )
