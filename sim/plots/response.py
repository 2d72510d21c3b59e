"""Figures of a grid or Latin-hypercube sweep: each outcome against each swept parameter.

`response_curves`: a panel per outcome (row) and parameter (column); grey, each point's
median with its replicates' 5-95%; blue, the median and 5-95% of the runs along the
parameter. `response_pairs`, for two parameters: the points on the plane of the two,
coloured by each outcome's median. Yes/no outcomes are shares of runs.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.engine.outcomes import OUTCOMES
from sim.plots.style import HEADER_INCHES, PANEL_TITLE, Thousands, titled_figure

SHOWN = 6  # parameters drawn at most: those the outcomes move most along
TICKS = 4  # ticks per axis, so that long numbers do not run into each other


def response_curves(points: pd.DataFrame, responses: pd.DataFrame, parameters: list[str]) -> Figure:
    """Each outcome (rows) along each parameter (columns), with the replicates' spread."""
    shown = _strongest(responses, parameters)
    outcomes = list(responses["outcome"].unique())
    size = (2.9 * len(shown) + 0.8, 2.2 * len(outcomes) + HEADER_INCHES + 0.3)
    more = (
        f"; the {len(shown)} of {len(parameters)} parameters the outcomes move most along"
        if len(shown) < len(parameters)
        else ""
    )
    subtitle = (
        f"{points['point'].nunique():,} points; grey: a point's median (share, for yes/no) with "
        f"its replicates' 5-95%; blue: median and 5-95% of the runs along the parameter{more}"
    )
    fig, grid = titled_figure(
        (len(outcomes), len(shown)),
        size,
        "How the outcomes respond to the swept parameters",
        subtitle,
        sharey="row",
    )
    for row, outcome in enumerate(outcomes):
        event = outcome in OUTCOMES.events
        at_points = points[points["outcome"] == outcome]
        for col, parameter in enumerate(shown):
            ax = grid[row, col]
            x = at_points[parameter]
            if not event:
                ax.vlines(x, at_points["p5"], at_points["p95"], color="0.6", lw=0.8, alpha=0.5)
            ax.plot(x, at_points["median"], "o", ms=3, color="0.45", alpha=0.6)
            line = responses[
                (responses["outcome"] == outcome) & (responses["parameter"] == parameter)
            ]
            ax.plot(line["at"], line["median"], "-", color="tab:blue", lw=2)
            if not event:
                ax.fill_between(
                    line["at"], line["p5"], line["p95"], color="tab:blue", alpha=0.15, lw=0
                )
            ax.xaxis.set_major_locator(MaxNLocator(TICKS))
            ax.yaxis.set_major_locator(MaxNLocator(TICKS))
            ax.yaxis.set_major_formatter(Thousands())
            if event:
                ax.set_ylim(-0.05, 1.05)
            if row == len(outcomes) - 1:
                ax.set_xlabel(parameter, fontsize=8)
            if col == 0:
                ax.set_ylabel(_label(outcome), fontsize=9)
    return fig


def response_pairs(points: pd.DataFrame, parameters: list[str]) -> Figure:
    """The points on the plane of two parameters, a panel per outcome, coloured by its median."""
    x, y = parameters
    outcomes = list(points["outcome"].unique())
    fig, grid = titled_figure(
        (1, len(outcomes)),
        (3.6 * len(outcomes) + 0.6, 3.4 + HEADER_INCHES),
        "Pairs: the outcomes over the two swept parameters",
        f"{points['point'].nunique():,} points, each coloured by its replicates' median "
        "(share of runs, for yes/no)",
    )
    for ax, outcome in zip(grid[0], outcomes, strict=True):
        chosen = points[points["outcome"] == outcome]
        limits = {"vmin": 0, "vmax": 1} if outcome in OUTCOMES.events else {}
        dots = ax.scatter(chosen[x], chosen[y], c=chosen["median"], s=40, cmap="viridis", **limits)
        bar = fig.colorbar(dots, ax=ax, shrink=0.9)
        bar.ax.yaxis.set_major_formatter(Thousands())
        ax.set_xlabel(x, fontsize=8)
        ax.set_ylabel(y, fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(TICKS))
        ax.yaxis.set_major_locator(MaxNLocator(TICKS))
        ax.set_title(_label(outcome), **PANEL_TITLE)
    return fig


def _strongest(responses: pd.DataFrame, parameters: list[str]) -> list[str]:
    """At most SHOWN parameters, by how far the outcomes' medians move along them."""
    if len(parameters) <= SHOWN:
        return parameters
    span = responses.groupby(["outcome", "parameter"])["median"].agg(lambda m: m.max() - m.min())
    scale = span.groupby(level="outcome").transform("max").where(lambda s: s > 0)
    order = (span / scale).groupby(level="parameter").max().sort_values(ascending=False)
    return [p for p in order.index if p in parameters][:SHOWN]


def _label(outcome: str) -> str:
    row = OUTCOMES.get(outcome)
    return row.label if row else outcome
