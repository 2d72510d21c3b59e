"""Every figure the package draws keeps its texts apart and inside the frame.

The figures are drawn from tables shaped like real results (the shipped scenarios' and
parameters' names, seven scenarios, twenty parameters, a long-tailed outcome), then
checked with the renderer's extents (`figure_layout.layout_problems`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from figure_layout import layout_problems
from test_plots import make_timeseries

from sim.inputs.actors import actor_styles
from sim.inputs.calibration import load_calibration
from sim.inputs.scenario import load_scenario
from sim.plots.calibration import calibration_figures
from sim.plots.distributions import outcome_distributions
from sim.plots.events import event_probability
from sim.plots.fan import strength_fan
from sim.plots.sensitivity import morris_scatter, sobol_indices
from sim.plots.side_by_side import compare_event_probability, compare_outcomes, compare_strength

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = yaml.safe_load((ROOT / "experiments" / "policy_comparison.yaml").read_text())
NAMES = [Path(s).stem for s in SCENARIOS["scenarios"]]
SENSITIVITY = yaml.safe_load((ROOT / "experiments" / "sensitivity.yaml").read_text())
PARAMETERS = [u["key"] for u in SENSITIVITY["uncertainties"]]
START, STEPS, REPLICATES = "2021-10", 24, 30
BASELINE = load_scenario(ROOT / "scenarios" / "baseline.yaml")
STYLES = actor_styles(BASELINE)
SIZES = {  # fighters at the start: a large total, tiny foreign groups
    "taliban": ("taliban", 75_000),
    "haqqani": ("faction", 6_000),
    "kandahari": ("faction", 40_000),
    "isisk": ("isisk", 2_200),
    "ttp": ("foreign_group", 4_500),
    "imu": ("foreign_group", 60),
    "katibat_imam_al_bukhari": ("foreign_group", 40),
    "jamaat_ansarullah": ("foreign_group", 50),
}


@pytest.fixture(scope="module")
def timeseries() -> pd.DataFrame:
    """Random walks of fighters per scenario, replicate, month and actor."""
    return make_timeseries(np.random.default_rng(1), tuple(NAMES), SIZES, REPLICATES, STEPS)


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    """Outcomes per run with a long right tail (one run far above the rest) and events."""
    rng = np.random.default_rng(2)
    n = len(NAMES) * REPLICATES
    table = pd.DataFrame(
        {
            "scenario": np.repeat(NAMES, REPLICATES),
            "replicate": np.tile(np.arange(REPLICATES), len(NAMES)),
            "isisk_final": rng.normal(1_900, 200, n),
            "isisk_peak": rng.normal(3_600, 150, n),
            "taliban_final": rng.normal(71_600, 1_500, n),
            "attacks_total": rng.normal(1_900, 120, n),
            "defections_total": rng.gamma(4, 500, n),
            "casualties_total": rng.normal(3_800, 400, n),
            "fragmented_month": np.where(rng.random(n) < 0.3, rng.integers(1, STEPS, n), np.nan),
            "recognized_month": np.nan,
        }
    )
    table.loc[0, ["isisk_peak", "taliban_final"]] = (10_800, 53_000)  # the outliers
    return table.assign(
        fragmented=table["fragmented_month"].notna(), recognized=table["recognized_month"].notna()
    )


def sensitivity_tables(kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indices of four outcomes over the twenty parameters, some outside [0, 1], and noise."""
    rng = np.random.default_rng(3)
    outcomes = SENSITIVITY["outcomes"]
    rows = []
    for outcome in outcomes:
        for parameter in PARAMETERS:
            if kind == "sobol":
                first, total = rng.uniform(-0.1, 0.5), rng.uniform(-0.05, 1.4)
                values = {"S1": first, "S1_conf": 0.2, "ST": total, "ST_conf": 0.3}
            else:
                mu_star = rng.gamma(1, 300)
                values = {
                    "mu": mu_star,
                    "mu_star": mu_star,
                    "mu_star_conf": 50,
                    "sigma": 0.8 * mu_star,
                }
            rows.append({"lever_set": 0, "outcome": outcome, "parameter": parameter} | values)
    noise = pd.DataFrame(
        {
            "lever_set": 0,
            "outcome": outcomes,
            "points": 1408,
            "replicates": 5,
            "noise_share": [0.05, 0.9, 0.2, np.nan],
            "note": "",
        }
    )
    return pd.DataFrame(rows), noise


def the_plans_calibration_figures() -> dict[str, plt.Figure]:
    """What a calibration of the shipped plan draws (`calibration_figures`), on made-up draws."""
    plan = load_calibration(ROOT / "experiments" / "calibration.yaml")
    rng = np.random.default_rng(4)
    low = np.array([p.low for p in plan.priors])
    high = np.array([p.high for p in plan.priors])
    values = low + (high - low) * rng.beta(3, 3, (300, len(plan.priors)))
    targets = plan.calibration.targets
    simulated = pd.DataFrame({t.name: rng.normal(np.mean(t.value), t.scale, 200) for t in targets})
    styles = actor_styles(plan.scenario)
    return calibration_figures(values, rng.random(300), plan.priors, simulated, targets, styles)


def every_figure(timeseries: pd.DataFrame, runs: pd.DataFrame) -> dict[str, plt.Figure]:
    one = runs[runs["scenario"] == "baseline"]
    sobol, noise = sensitivity_tables("sobol")
    morris, _ = sensitivity_tables("morris")
    return {
        "strength": strength_fan(timeseries[timeseries["scenario"] == "baseline"], styles=STYLES),
        "outcomes": outcome_distributions(one),
        "events": event_probability(one, steps=STEPS, start=START),
        "compare_strength": compare_strength(timeseries, styles=STYLES),
        "compare_outcomes": compare_outcomes(runs),
        "compare_events": compare_event_probability(runs, steps=STEPS, start=START),
        "sobol": sobol_indices(sobol, noise),
        "morris": morris_scatter(morris, noise),
    } | the_plans_calibration_figures()


def test_no_figure_has_overlapping_texts_or_texts_outside_its_frame(timeseries, runs):
    problems = {}
    for name, fig in every_figure(timeseries, runs).items():
        if found := layout_problems(fig):
            problems[name] = found
        plt.close(fig)
    assert problems == {}


def test_the_check_sees_a_planted_overlap_and_a_text_outside_the_frame():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("a title")
    ax.text(0.5, 0.5, "one label", transform=ax.transAxes)
    ax.text(0.52, 0.5, "another label", transform=ax.transAxes)
    assert layout_problems(fig) == ["'one label' overlaps 'another label'"]
    ax.annotate("beyond the edge", (1.0, 0.2), xycoords="axes fraction", xytext=(30, 0),
                textcoords="offset points")  # fmt: skip
    assert any("'beyond the edge' reaches outside" in p for p in layout_problems(fig))
    ax.bar([0.5], [0.9], width=0.5)
    ax.legend(["bars"], loc="center")
    assert any("hides a bar" in p for p in layout_problems(fig))
    plt.close(fig)
