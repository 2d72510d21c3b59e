"""Figures: every plot draws, saves and is titled with its ensemble; edge cases."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.inputs.actors import ActorStyle, actor_styles
from sim.inputs.scenario import load_scenario
from sim.plots.distributions import outcome_distributions
from sim.plots.events import event_probability
from sim.plots.fan import strength_fan
from sim.plots.saving import save_figure
from sim.plots.side_by_side import (
    compare_event_probability,
    compare_outcomes,
    compare_strength,
)
from sim.plots.style import posterior_label

SCENARIOS = ("baseline", "sanctions")
REPLICATES = 5
ROOT = Path(__file__).resolve().parents[1]
START = "2021-10"
STEPS = 12
ACTORS = {
    "taliban": ("taliban", 75_000),
    "haqqani": ("faction", 30_000),
    "kandahari": ("faction", 20_000),
    "doha": ("faction", 15_000),
    "northern": ("faction", 5_000),
    "isisk": ("isisk", 2_000),
    "ttp": ("foreign_group", 4_000),
    "etim_tip": ("foreign_group", 1_000),
    "us": ("international", np.nan),
    "china": ("international", np.nan),
}


def make_timeseries(
    rng: np.random.Generator,
    scenarios: tuple[str, ...] = SCENARIOS,
    actors: dict[str, tuple[str, float]] = ACTORS,
    replicates: int = REPLICATES,
    steps: int = STEPS,
) -> pd.DataFrame:
    """Long time series, one row per (scenario, replicate, step, actor): random walks."""
    dates = pd.date_range(f"{START}-01", periods=steps + 1, freq="MS")
    frames = []
    for scenario in scenarios:
        for replicate in range(replicates):
            for actor, (actor_type, start) in actors.items():
                path = start * np.exp(np.cumsum(rng.normal(0, 0.05, steps + 1)))
                frames.append(
                    pd.DataFrame(
                        {
                            "scenario": scenario,
                            "replicate": replicate,
                            "step": range(steps + 1),
                            "date": dates,
                            "actor": actor,
                            "actor_type": actor_type,
                            "fighters": path,
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


def make_runs(rng: np.random.Generator) -> pd.DataFrame:
    """One row per replicate with the scalar outcomes and event months."""
    n = len(SCENARIOS) * REPLICATES
    fragmented_month = np.where(rng.random(n) < 0.4, rng.integers(0, STEPS + 1, n), np.nan)
    recognized_month = np.where(rng.random(n) < 0.6, rng.integers(0, STEPS + 1, n), np.nan)
    return pd.DataFrame(
        {
            "scenario": np.repeat(SCENARIOS, REPLICATES),
            "replicate": np.tile(np.arange(REPLICATES), len(SCENARIOS)),
            "seed": rng.integers(0, 2**31, n),
            "isisk_final": rng.normal(3_000, 500, n),
            "isisk_peak": rng.normal(4_000, 500, n),
            "taliban_final": rng.normal(70_000, 4_000, n),
            "attacks_total": rng.poisson(120, n),
            "casualties_total": rng.gamma(5, 200, n),
            "defections_total": rng.poisson(300, n),
            "fragmented": ~np.isnan(fragmented_month),
            "fragmented_month": fragmented_month,
            "recognized": ~np.isnan(recognized_month),
            "recognized_month": recognized_month,
        }
    )


@pytest.fixture(scope="module")
def timeseries() -> pd.DataFrame:
    """Synthetic time series of 2 scenarios x 5 replicates x 13 steps."""
    return make_timeseries(np.random.default_rng(0))


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    """Synthetic runs table matching the time series."""
    return make_runs(np.random.default_rng(0))


def baseline(table: pd.DataFrame) -> pd.DataFrame:
    """Keep the rows of the baseline scenario."""
    return table[table["scenario"] == "baseline"]


def header(fig) -> str:
    """Join the figure-level texts (title and subtitle)."""
    return " | ".join(t.get_text() for t in fig.texts)


def titled_axes(fig) -> list:
    """Axes carrying a panel title: the data panels (twin ECDF axes have none)."""
    return [ax for ax in fig.axes if ax.get_title(loc="left") or ax.get_title()]


def event_stairs(ax) -> dict:
    """Map the label of each event line (unfilled stairs) to its monthly values."""
    stairs = [p for p in ax.patches if not p.get_fill()]
    return {p.get_label(): p.get_data().values for p in stairs}


def assert_saved(fig, path, formats=("png",)) -> None:
    """Save the figure; check files written, no temporary left, figure closed.

    PNG only by default: rendering twice per figure would double the runtime.
    """
    written = save_figure(fig, path, formats)
    assert written == [path.with_name(f"{path.name}.{fmt}") for fmt in formats]
    assert written[0].stat().st_size > 1_000
    assert all(p.stat().st_size > 0 for p in written)
    assert not plt.fignum_exists(fig.number)
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_strength_fan(timeseries, tmp_path):
    """Three panels, Taliban total first, titled with scenario and N; saves."""
    styles = actor_styles(load_scenario(ROOT / "scenarios" / "baseline.yaml"))
    fig = strength_fan(baseline(timeseries), styles=styles)
    assert "Fighter strength over time" in header(fig)
    assert "baseline — N = 5 replicates" in header(fig)
    assert len(titled_axes(fig)) == 3
    handles, labels = fig.axes[0].get_legend_handles_labels()
    assert labels[0] == "Taliban (total)" and "Haqqani" in labels
    assert handles[labels.index("Haqqani")].get_color() == "tab:blue"  # the scenario's colour
    assert "TTP" in fig.axes[2].get_legend_handles_labels()[1]
    assert_saved(fig, tmp_path / "strength")


def test_an_actor_the_scenario_does_not_style_gets_a_name_and_a_colour(timeseries):
    rows = baseline(timeseries)
    renamed = rows.assign(actor=rows["actor"].astype(str).replace("doha", "new_wing"))
    fig = strength_fan(renamed, styles={"haqqani": ActorStyle("Haqqani network", "tab:blue")})
    handles, labels = fig.axes[0].get_legend_handles_labels()
    assert "New Wing" in labels and "Haqqani network" in labels
    colours = [h.get_color() for h in handles]
    assert len(set(colours)) == len(colours)


def test_outcome_distributions(runs, tmp_path):
    """Six outcome panels, titled with scenario and N; saves."""
    fig = outcome_distributions(baseline(runs))
    assert "baseline — N = 5 replicates" in header(fig)
    assert len(titled_axes(fig)) == 6
    assert_saved(fig, tmp_path / "outcomes")


def test_event_probability(runs, tmp_path):
    """One panel with both events over months 0..steps, y in [0, 1]; saves PNG+SVG."""
    fig = event_probability(baseline(runs), steps=STEPS, start=START)
    assert "baseline — N = 5 replicates" in header(fig)
    (ax,) = fig.axes
    low, high = ax.get_ylim()
    assert low < 0 and high > 1  # a line at 0 or 1 is drawn above the axis, not on it
    assert ax.get_yticks()[0] == 0  # ticks from 0, not from the margin below it
    values = event_stairs(ax)
    assert list(values) == ["Taliban fragmented", "Taliban recognised"]
    assert all(len(v) == STEPS + 1 for v in values.values())
    assert_saved(fig, tmp_path / "events", formats=("png", "svg"))


def test_compare_strength(timeseries, tmp_path):
    """A row per scenario, a column per actor and one for the foreign groups summed; saves."""
    styles = actor_styles(load_scenario(ROOT / "scenarios" / "baseline.yaml"))
    fig = compare_strength(timeseries, styles=styles)
    assert "baseline, sanctions — N = 5 replicates each" in header(fig)
    assert "dashed grey: median of baseline" in header(fig)
    top = [ax.get_title() for ax in fig.axes[:3]]
    assert top == ["ISIS-K", "Taliban (total)", "Foreign fighter groups (total)"]
    assert [fig.axes[i].get_ylabel() for i in (0, 3)] == list(SCENARIOS)
    groups = timeseries[(timeseries["actor_type"] == "foreign_group")]
    chosen = groups[groups["scenario"] == "sanctions"]
    summed = chosen.groupby(["date", "replicate"])["fighters"].sum().unstack()
    median = fig.axes[5].get_lines()[-1].get_ydata()  # sanctions' row, foreign groups' column
    np.testing.assert_allclose(median, summed.median(axis=1))
    reference = fig.axes[3].get_lines()[0]  # the first scenario's median under the second's
    assert reference.get_linestyle() == "--"
    assert_saved(fig, tmp_path / "compare_strength")


def test_compare_outcomes(runs, tmp_path):
    """One panel per outcome with the scenarios as rows, first on top; saves."""
    fig = compare_outcomes(runs)
    assert "baseline, sanctions — N = 5 replicates each" in header(fig)
    assert len(titled_axes(fig)) == 4
    labels = sorted(fig.axes[0].get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in labels] == list(SCENARIOS)
    assert_saved(fig, tmp_path / "compare_outcomes")


def test_compare_event_probability(runs, tmp_path):
    """Two panels, one line per scenario in each; saves."""
    fig = compare_event_probability(runs, steps=STEPS, start=START)
    assert "baseline, sanctions — N = 5 replicates each" in header(fig)
    assert len(titled_axes(fig)) == 2
    assert all(list(event_stairs(ax)) == list(SCENARIOS) for ax in fig.axes)
    assert_saved(fig, tmp_path / "compare_events")


def test_single_replicate_and_empty_panel(timeseries, runs):
    """One replicate: median is the run itself; a panel without rows says "no data"."""
    one = baseline(timeseries)[lambda t: t["replicate"] == 0]
    fig = strength_fan(one[one["actor_type"] != "foreign_group"])
    assert "N = 1 replicate;" in header(fig)
    isisk = one[one["actor"] == "isisk"].sort_values("step")["fighters"].to_numpy()
    np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), isisk)
    assert [t.get_text() for t in fig.axes[2].texts] == ["no data"]
    fig.canvas.draw()  # a shared date axis once crashed on an empty panel
    plt.close(fig)
    outcome_distributions(baseline(runs).head(1))
    compare_outcomes(runs.groupby("scenario").head(1))
    plt.close("all")


def test_several_scenarios_are_pooled(timeseries):
    """A single-ensemble plot of several scenarios says it pools them, and counts all."""
    fig = strength_fan(timeseries)
    assert "pooled baseline, sanctions — N = 10 replicates" in header(fig)
    plt.close(fig)


def test_never_fragmented_gives_zero_line(runs):
    """All-NaN fragmentation months give a probability of 0 at every month."""
    never = baseline(runs).assign(fragmented=False, fragmented_month=np.nan)
    fig = event_probability(never, steps=STEPS, start=START)
    assert np.all(event_stairs(fig.axes[0])["Taliban fragmented"] == 0)
    plt.close(fig)


def test_event_probability_counts_by_month():
    """The share at month m counts the runs with an event month <= m."""
    table = pd.DataFrame(
        {
            "scenario": "s",
            "replicate": range(4),
            "fragmented_month": [0, 2, np.nan, 2],
            "recognized_month": np.nan,
        }
    )
    fig = event_probability(table, steps=3, start=START)
    shares = event_stairs(fig.axes[0])["Taliban fragmented"]
    np.testing.assert_allclose(shares, [0.25, 0.25, 0.75, 0.75])
    plt.close(fig)


def test_event_probability_draws_into_given_axes(runs):
    """Given an axes, the plot draws there and titles the axes."""
    fig, ax = plt.subplots()
    assert event_probability(baseline(runs), steps=STEPS, start=START, ax=ax) is fig
    assert "baseline — N = 5" in ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize(
    ("plot", "table", "column"),
    [
        (strength_fan, "timeseries", "fighters"),
        (outcome_distributions, "runs", "isisk_peak"),
        (compare_outcomes, "runs", "attacks_total"),
        (compare_strength, "timeseries", "date"),
    ],
)
def test_missing_column_is_named(plot, table, column, request):
    """A missing column raises ValueError naming it."""
    frame = request.getfixturevalue(table).drop(columns=column)
    with pytest.raises(ValueError, match=f"missing required column.*{column}"):
        plot(frame)


def test_missing_event_column_is_named(runs):
    """The event plots name a missing event-month column."""
    with pytest.raises(ValueError, match="recognized_month"):
        event_probability(runs.drop(columns="recognized_month"), steps=STEPS, start=START)
    with pytest.raises(ValueError, match="fragmented_month"):
        compare_event_probability(runs.drop(columns="fragmented_month"), steps=STEPS, start=START)


def test_small_foreign_groups_get_a_log_axis_and_the_legend_names_the_bands(timeseries):
    """TTP at 4,000 and ETIM/TIP at 1,000 fit one linear axis; add a group of 40 and it is log."""
    rows = baseline(timeseries)
    fig = strength_fan(rows)
    assert fig.axes[2].get_yscale() == "linear"
    labels = fig.axes[0].get_legend_handles_labels()[1]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[len(labels) :] == [
        "median",
        "middle 50% of replicates",
        "middle 90% of replicates",
    ]
    plt.close(fig)
    tiny = rows[rows["actor"] == "etim_tip"].assign(
        actor="imu", fighters=lambda t: t["fighters"] / 25
    )
    fig = strength_fan(pd.concat([rows, tiny]))
    assert fig.axes[2].get_yscale() == "symlog"
    assert fig.axes[2].get_ylabel() == "fighters (log scale)"
    plt.close(fig)


def test_an_extreme_run_does_not_stretch_the_outcome_axis(runs):
    """One ISIS-K peak of 10,800 among peaks near 4,000: the axis stops short and says so."""
    rows = baseline(runs).copy()
    rows.loc[rows.index[0], "isisk_peak"] = 10_800
    fig = outcome_distributions(rows)
    peak = fig.axes[1]
    assert peak.get_xlim()[1] < 6_000
    assert "1 beyond the axis,\nmax 10,800" in [t.get_text() for t in peak.texts]
    plt.close(fig)


def test_the_posterior_a_run_drew_from_is_named_in_the_subtitles(runs):
    manifest = {
        "posterior_file": "scenarios/calibrated_posterior.csv",
        "posterior_sha256": "ab" * 32,
    }
    label = posterior_label(manifest)
    assert (
        label
        == "parameters drawn from the posterior calibrated_posterior.csv (sha256 abababababab)"
    )
    assert posterior_label({}) == ""
    for fig in (
        outcome_distributions(baseline(runs), posterior=label),
        event_probability(baseline(runs), steps=STEPS, start=START, posterior=label),
    ):
        assert "calibrated_posterior.csv" in header(fig)
        plt.close(fig)
