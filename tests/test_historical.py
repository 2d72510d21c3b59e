"""The historical scenario: the policy timeline's dates as event months, runnable with draws."""

from __future__ import annotations

from conftest import SCENARIO_DIR

from sim.analysis.calibration import horizon
from sim.inputs.scenario import event_timeline, load_scenario
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
