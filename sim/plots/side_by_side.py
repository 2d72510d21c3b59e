"""Figures contrasting scenarios: strength fans, outcome violins, event probabilities.

One colour per scenario, in the order scenarios first appear in the table, the same in
every figure. Save with `sim.plots.saving.save_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.engine.outcomes import OUTCOMES
from sim.plots.columns import RUN_KEY, TIMESERIES_COLUMNS, require_columns
from sim.plots.events import EVENTS, draw_event, month_edges, style_probability_axis
from sim.plots.fan import draw_fan, quantile_bands
from sim.plots.style import (
    HEADER_INCHES,
    PANEL_TITLE,
    Styles,
    actor_name,
    ensemble_label,
    format_dates,
    format_thousands,
    show_no_data,
    titled_figure,
)

SCENARIO_COLOURS = tuple(colormaps["tab10"].colors)
LONG_LABEL = 10
MEDIAN_LABEL = {"xytext": (7, 0), "textcoords": "offset points", "va": "center"}


def scenario_colours(table: pd.DataFrame) -> dict[str, str]:
    """Map each scenario, in order of first appearance, to a colour."""
    scenarios = pd.unique(table["scenario"])
    n = len(SCENARIO_COLOURS)
    return {s: SCENARIO_COLOURS[i % n] for i, s in enumerate(scenarios)}


def compare_strength(
    timeseries: pd.DataFrame,
    *,
    actors: Sequence[str] = ("isisk", "taliban"),
    styles: Styles | None = None,
    title: str | None = None,
) -> Figure:
    """Overlaid fan charts across scenarios: a panel per actor, a colour per scenario."""
    require_columns(timeseries, [*TIMESERIES_COLUMNS, "fighters"], "timeseries")
    label = ensemble_label(timeseries, pooled=False)
    subtitle = f"{label}; median, 50% band, 90% band dotted"
    heading = title or "Fighter strength by scenario"
    size = (11, 3.8 * len(actors) + HEADER_INCHES)
    fig, axes = titled_figure((len(actors), 1), size, heading, subtitle, sharex=True)
    colours = scenario_colours(timeseries)
    for ax, actor in zip(axes[:, 0], actors, strict=True):
        rows = timeseries[timeseries["actor"] == actor]
        _compare_strength_panel(ax, rows, actor_name(actor, styles), colours)
    handles = [Line2D([], [], color=c, linewidth=1.8) for c in colours.values()]
    axes[0, 0].legend(
        handles,
        list(map(str, colours)),
        title="scenario",
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    fig.align_ylabels(axes[:, 0])
    return fig


def _compare_strength_panel(
    ax: Axes, rows: pd.DataFrame, name: str, colours: dict[str, str]
) -> None:
    ax.set_title(name, **PANEL_TITLE)
    rows = rows.dropna(subset=["fighters"])
    if rows.empty:
        show_no_data(ax)
        return
    for scenario, colour in colours.items():
        chosen = rows[rows["scenario"] == scenario]
        if not chosen.empty:
            draw_fan(ax, quantile_bands(chosen), colour, str(scenario), overlaid=True)
    ax.set_ylabel("fighters")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    format_thousands(ax)
    format_dates(ax)


def compare_outcomes(
    runs: pd.DataFrame,
    *,
    outcomes: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Violins of each outcome per scenario, side by side, median and quartiles marked.

    By default the outcomes shown as violins (`Outcome.shown`); outcomes not in
    `sim.engine.outcomes.OUTCOMES` are titled by their column name, no unit.
    """
    outcomes = OUTCOMES.shown("violin") if outcomes is None else outcomes
    require_columns(runs, [*RUN_KEY, *outcomes], "runs")
    ncols = int(np.ceil(np.sqrt(len(outcomes))))
    nrows = int(np.ceil(len(outcomes) / ncols))
    subtitle = f"{ensemble_label(runs, pooled=False)}; dot: median, bar: middle 50%"
    size = (5.2 * ncols, 4.4 * nrows + HEADER_INCHES)
    fig, axes = titled_figure((nrows, ncols), size, title or "Outcomes by scenario", subtitle)
    colours = scenario_colours(runs)
    for ax, column in zip(axes.flat, outcomes, strict=False):
        _violin_panel(ax, runs, column, colours)
    for ax in axes.flat[len(outcomes) :]:
        ax.remove()
    return fig


def _violin_panel(ax: Axes, runs: pd.DataFrame, column: str, colours: dict[str, str]) -> None:
    outcome = OUTCOMES.get(column)
    label = outcome.label if outcome else column.replace("_", " ")
    unit = outcome.unit if outcome else ""
    ax.set_title(label, **PANEL_TITLE)
    for position, (scenario, colour) in enumerate(colours.items()):
        values = runs.loc[runs["scenario"] == scenario, column].dropna()
        _draw_violin(ax, position, values.to_numpy(dtype=float), colour)
    names = list(map(str, colours))
    rotate = len(names) > 4 or max(map(len, names)) > LONG_LABEL
    tilt = {"rotation": 30, "ha": "right"} if rotate else {}
    ax.set_xticks(range(len(names)), names, **tilt)
    ax.set_ylabel(unit)
    format_thousands(ax)
    ax.grid(axis="y", alpha=0.3)


def _draw_violin(ax: Axes, position: int, values: np.ndarray, colour: str) -> None:
    if values.size == 0:
        where = ax.get_xaxis_transform()
        ax.text(position, 0.5, "no data", transform=where, ha="center", color="0.5")
        return
    if np.unique(values).size > 1:
        parts = ax.violinplot([values], [position], widths=0.8, showextrema=False)
        body = parts["bodies"][0]
        body.set_facecolor(colour)
        body.set_edgecolor(colour)
        body.set_alpha(0.45)
    low, median, high = np.quantile(values, (0.25, 0.5, 0.75))
    ax.vlines(position, low, high, color="0.15", linewidth=5)
    ax.scatter([position], [median], color="white", edgecolor="0.15", s=30, zorder=3)
    ax.annotate(f"{median:,.0f}", (position, median), fontsize=8, **MEDIAN_LABEL)


def compare_event_probability(
    runs: pd.DataFrame, *, steps: int, start: str, title: str | None = None
) -> Figure:
    """Probability over time of fragmentation and of recognition, a line per scenario.

    Shaded bands are 95% Wilson intervals of each scenario's share of replicates.
    """
    require_columns(runs, [*RUN_KEY, *EVENTS], "runs")
    subtitle = f"{ensemble_label(runs, pooled=False)}; shaded: 95% Wilson interval"
    heading = title or "Fragmentation and recognition by scenario"
    fig, axes = titled_figure((1, 2), (14, 5.2), heading, subtitle, sharey=True)
    edges = month_edges(start, steps)
    colours = scenario_colours(runs)
    for ax, (column, label) in zip(axes[0], EVENTS.items(), strict=True):
        ax.set_title(f"{label}, by month", **PANEL_TITLE)
        for scenario, colour in colours.items():
            months = runs.loc[runs["scenario"] == scenario, column]
            draw_event(ax, edges, months, colour, str(scenario))
        style_probability_axis(ax)
    axes[0, 1].set_ylabel("")
    axes[0, 0].legend(loc="upper left", frameon=False, title="scenario")
    return fig
