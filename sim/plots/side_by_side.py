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

from sim.engine.outcomes import OUTCOMES
from sim.plots.columns import RUN_KEY, TIMESERIES_COLUMNS, require_columns
from sim.plots.events import EVENTS, SHADE, draw_event, month_edges, style_probability_axis
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
FEW_SCENARIOS = 3  # more than this many event bands on a panel are drawn lighter
HEADROOM = 1.05  # above the highest band of a column
ROW_INCHES = 1.55  # height of one scenario's row of small multiples
FOREIGN_TOTAL = "Foreign fighter groups (total)"
MEDIAN_LABEL = {"xytext": (0, 5), "textcoords": "offset points", "ha": "center", "va": "bottom"}


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
    """Small multiples of fan charts: a row per scenario, a column per actor.

    The foreign fighter groups, summed, get a column too when the table has them, so a
    purge shows. Each panel draws its scenario's fan over the first scenario's median
    (grey, dashed); a column shares one y scale, so rows compare at a glance.
    """
    require_columns(timeseries, [*TIMESERIES_COLUMNS, "fighters"], "timeseries")
    colours = scenario_colours(timeseries)
    columns = {actor_name(a, styles): timeseries[timeseries["actor"] == a] for a in actors}
    groups = timeseries[timeseries["actor_type"] == "foreign_group"]
    if not groups.empty:
        columns[FOREIGN_TOTAL] = _summed(groups)
    subtitle = (
        f"{ensemble_label(timeseries, pooled=False)}; fighters: median, middle 50% and 90% of"
        f" replicates; dashed grey: median of {next(iter(colours))}"
    )
    size = (4.2 * len(columns) + 1.2, ROW_INCHES * len(colours) + 0.6 + HEADER_INCHES)
    fig, axes = titled_figure(
        (len(colours), len(columns)),
        size,
        title or "Fighter strength by scenario",
        subtitle,
        sharex=True,
        sharey="col",
    )
    for column, (name, rows) in enumerate(columns.items()):
        rows = rows.dropna(subset=["fighters"])
        reference = _bands_of(rows, next(iter(colours)))
        axes[0, column].set_title(name, fontsize=11, weight="bold")
        for row, (scenario, colour) in enumerate(colours.items()):
            bands = _bands_of(rows, scenario)
            _strength_cell(axes[row, column], bands, reference if row else None, colour)
        top = max(ax.dataLim.y1 for ax in axes[:, column] if ax.has_data())
        axes[0, column].set_ylim(0, HEADROOM * top)  # the column's scale: every row's data
    for row, (scenario, colour) in enumerate(colours.items()):
        axes[row, 0].set_ylabel(
            str(scenario), color=colour, weight="bold", rotation=0, ha="right", va="center"
        )
    return fig


def _summed(groups: pd.DataFrame) -> pd.DataFrame:
    """Fighters of all foreign groups per run and month, as one actor."""
    keys = ["scenario", "replicate", "step", "date"]
    total = groups.groupby(keys, sort=False, observed=True)["fighters"].sum(min_count=1)
    return total.reset_index().assign(actor="foreign_groups", actor_type="foreign_group")


def _bands_of(rows: pd.DataFrame, scenario: str) -> pd.DataFrame | None:
    chosen = rows[rows["scenario"] == scenario]
    return quantile_bands(chosen) if not chosen.empty else None


def _strength_cell(
    ax: Axes, bands: pd.DataFrame | None, reference: pd.DataFrame | None, colour: str
) -> None:
    if bands is None:
        show_no_data(ax)
        return
    if reference is not None:
        ax.plot(reference.index, reference[0.5], color="0.45", lw=1.1, ls="--")
    draw_fan(ax, bands, colour, "", linewidth=1.6)
    ax.grid(alpha=0.3)
    format_thousands(ax)
    format_dates(ax)


def compare_outcomes(
    runs: pd.DataFrame,
    *,
    outcomes: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Violins of each outcome per scenario, a row per scenario, median and quartiles marked.

    By default the outcomes shown as violins (`Outcome.shown`). The scenarios run down the
    rows in the order given (names read level, however many); outcomes not in
    `sim.engine.outcomes.OUTCOMES` are titled by their column name, no unit.
    """
    outcomes = OUTCOMES.shown("violin") if outcomes is None else outcomes
    require_columns(runs, [*RUN_KEY, *outcomes], "runs")
    ncols = int(np.ceil(np.sqrt(len(outcomes))))
    nrows = int(np.ceil(len(outcomes) / ncols))
    colours = scenario_colours(runs)
    subtitle = f"{ensemble_label(runs, pooled=False)}; dot and number: median, bar: middle 50%"
    size = (5.2 * ncols + 1.4, (0.55 * len(colours) + 1.2) * nrows + HEADER_INCHES)
    heading = title or "Outcomes by scenario"
    fig, axes = titled_figure((nrows, ncols), size, heading, subtitle, sharey=True)
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
    rows = len(colours)
    for position, (scenario, colour) in zip(range(rows - 1, -1, -1), colours.items(), strict=True):
        values = runs.loc[runs["scenario"] == scenario, column].dropna()
        _draw_violin(ax, position, values.to_numpy(dtype=float), colour)
    ax.set_yticks(range(rows - 1, -1, -1), list(map(str, colours)))
    ax.set_ylim(-0.6, rows - 0.2)  # room above the top violin for its median's number
    ax.set_xlabel(unit)
    format_thousands(ax, "x")
    ax.grid(axis="x", alpha=0.3)


def _draw_violin(ax: Axes, position: int, values: np.ndarray, colour: str) -> None:
    if values.size == 0:
        where = ax.get_yaxis_transform()
        ax.text(0.5, position, "no data", transform=where, ha="center", color="0.5")
        return
    if np.unique(values).size > 1:
        parts = ax.violinplot(
            [values], [position], widths=0.8, showextrema=False, orientation="horizontal"
        )
        body = parts["bodies"][0]
        body.set_facecolor(colour)
        body.set_edgecolor(colour)
        body.set_alpha(0.45)
    low, median, high = np.quantile(values, (0.25, 0.5, 0.75))
    ax.hlines(position, low, high, color="0.15", linewidth=5)
    ax.scatter([median], [position], color="white", edgecolor="0.15", s=30, zorder=3)
    ax.annotate(f"{median:,.0f}", (median, position), fontsize=8, **MEDIAN_LABEL)


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
    shade = SHADE if len(colours) <= FEW_SCENARIOS else SHADE * FEW_SCENARIOS / len(colours)
    for ax, (column, label) in zip(axes[0], EVENTS.items(), strict=True):
        ax.set_title(f"{label}, by month", **PANEL_TITLE)
        for scenario, colour in colours.items():
            months = runs.loc[runs["scenario"] == scenario, column]
            draw_event(ax, edges, months, colour, str(scenario), shade=shade)
        style_probability_axis(ax)
    axes[0, 1].set_ylabel("")
    axes[0, 1].legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="scenario")
    return fig
