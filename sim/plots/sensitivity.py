"""Figures of a sensitivity analysis: Sobol' indices and Morris screening, a panel per outcome.

The panels share the parameter axis (parameters in one order, most influential on top)
and one x scale, so outcomes compare at a glance; the title gives the design's size and
each panel's title the replicate noise and any warning of `sim.analysis.convergence`.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.engine.outcomes import OUTCOMES
from sim.plots.style import HEADER_INCHES, PANEL_TITLE, Thousands, titled_figure

COLUMNS = 4  # panels per row
SOBOL_RANGE = (-0.1, 1.1)  # the x axis of every Sobol' panel: [0, 1] and a margin of error
OFF_AXIS = 0.07  # where, beyond the axis, a triangle marks an estimate off it (axes share)
TITLE_WIDTH = 44  # characters per line of a panel title


def sobol_indices(indices: pd.DataFrame, noise: pd.DataFrame | None = None) -> Figure:
    """First-order and total Sobol' indices per parameter with 95% intervals, a panel each.

    True indices lie in [0, 1]; estimates beyond it (sampling error) sit in the grey
    margins or, further out, are marked by a triangle at the edge.
    """
    subtitle = (
        f"{_design(indices, noise, 'sobol')}; bars: index, whiskers: 95% bootstrap interval;"
        " grey: outside [0, 1], where only sampling error puts an estimate"
    )
    fig, axes, order = _panels(indices, "ST", "Sobol' indices: what drives each outcome", subtitle)
    y = np.arange(len(order))
    for ax, (outcome, chosen) in zip(axes, indices.groupby("outcome", sort=False), strict=False):
        chosen = chosen.set_index("parameter").reindex(order)
        for column, colour, shift, label in (
            ("ST", "tab:blue", 0.2, "total (ST)"),
            ("S1", "tab:orange", -0.2, "first order (S1)"),
        ):
            _bars(ax, y + shift, chosen[column], chosen[f"{column}_conf"], colour, label)
        for edge in ((SOBOL_RANGE[0], 0), (1, SOBOL_RANGE[1])):
            ax.axvspan(*edge, color="0.9", lw=0, zorder=0)
        ax.set_xlim(*SOBOL_RANGE)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel("Sobol' index")
        ax.set_title(_title(str(outcome), noise), **PANEL_TITLE)
    _legend(axes, len(indices["outcome"].unique()))
    return fig


def morris_scatter(indices: pd.DataFrame, noise: pd.DataFrame | None = None) -> Figure:
    """Morris mu* (with its 95% interval) and sigma per parameter, a panel per outcome.

    Both are shares of the outcome's largest mu*, so every panel has one scale. Far
    right: influential; sigma above mu*: non-linear or interacting; both near 0: negligible.
    """
    scaled = indices.copy()
    largest = scaled.groupby("outcome", sort=False)["mu_star"].transform("max")
    for column in ("mu_star", "mu_star_conf", "sigma"):
        scaled[column] = scaled[column] / largest.where(largest > 0)
    subtitle = (
        f"{_design(indices, noise, 'morris')}; dot: mu* (mean absolute elementary effect) with"
        " its 95% interval; diamond: sigma (their spread; above mu*: non-linear or interacting);"
        " both as shares of the outcome's largest mu*"
    )
    heading = "Morris screening: what drives each outcome"
    fig, axes, order = _panels(scaled, "mu_star", heading, subtitle)
    y = np.arange(len(order))
    top = float(np.nanmax([1.0, *scaled["sigma"], *(scaled["mu_star"] + scaled["mu_star_conf"])]))
    for ax, (outcome, chosen) in zip(axes, scaled.groupby("outcome", sort=False), strict=False):
        chosen = chosen.set_index("parameter").reindex(order)
        ax.errorbar(chosen["mu_star"], y, xerr=chosen["mu_star_conf"], fmt="o", ms=4,
                    capsize=2, color="tab:blue", label="mu*")  # fmt: skip
        ax.plot(chosen["sigma"], y, "D", ms=4, mfc="none", color="tab:red", label="sigma")
        ax.set_xlim(0, 1.05 * top)
        ax.set_xlabel("share of the largest mu*")
        ax.set_title(_title(str(outcome), noise, _largest(indices, str(outcome))), **PANEL_TITLE)
    _legend(axes, len(indices["outcome"].unique()))
    return fig


def _panels(
    indices: pd.DataFrame, column: str, heading: str, subtitle: str
) -> tuple[Figure, list[Axes], list[str]]:
    """A grid of panels sharing the parameter axis, parameters by their largest index."""
    order = list(
        indices.groupby("parameter", sort=False)[column].max().sort_values(ascending=True).index
    )
    outcomes = len(indices["outcome"].unique())
    cols = min(COLUMNS, outcomes)
    rows = math.ceil(outcomes / cols)
    size = (3.4 * cols + 4.6, (0.22 * len(order) + 1.6) * rows + HEADER_INCHES + 0.3)
    fig, grid = titled_figure((rows, cols), size, heading, subtitle, sharey=True, sharex=True)
    axes = list(grid.flat)
    for ax in axes:
        ax.set_yticks(range(len(order)), order, fontsize=8)
        ax.set_ylim(-0.7, len(order) - 0.3)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[outcomes:]:
        ax.set_visible(False)
    return fig, axes, order


def _bars(
    ax: Axes, y: np.ndarray, values: pd.Series, conf: pd.Series, colour: str, label: str
) -> None:
    """Bars with whiskers, clipped to the axis; a triangle marks a value beyond it."""
    low, high = SOBOL_RANGE
    shown = values.clip(low, high)
    ax.barh(y, shown, 0.4, xerr=conf, color=colour, capsize=2, label=label,
            error_kw={"lw": 0.8})  # fmt: skip
    for side, beyond, marker in ((low, values < low, "<"), (high, values > high, ">")):
        if beyond.any():
            x = side + (OFF_AXIS if side == low else -OFF_AXIS) * (high - low) / 2
            ax.plot(np.full(beyond.sum(), x), y[beyond.to_numpy()], marker, color="black", ms=5)


def _design(indices: pd.DataFrame, noise: pd.DataFrame | None, sampler: str) -> str:
    """The design's size, for the subtitle: parameters, points, base samples, replicates."""
    parameters = indices["parameter"].nunique()
    if noise is None or noise.empty:
        return f"{parameters} parameters"
    points, replicates = int(noise["points"].iloc[0]), int(noise["replicates"].iloc[0])
    per = parameters + 2 if sampler == "sobol" else parameters + 1
    unit = "base samples N x (D + 2)" if sampler == "sobol" else "trajectories x (D + 1)"
    return (
        f"D = {parameters} parameters, {points:,} points ({points // per} {unit}),"
        f" {replicates} replicate{'s' if replicates != 1 else ''} each"
    )


def _title(outcome: str, noise: pd.DataFrame | None, extra: str = "") -> str:
    """The outcome's label, its replicate noise, and a warning when the note has one."""
    lines = [OUTCOMES[outcome].label if outcome in OUTCOMES else outcome]
    if extra:
        lines.append(extra)
    row = None if noise is None else noise[noise["outcome"] == outcome]
    if row is not None and len(row):
        share = row["noise_share"].iloc[0]
        if np.isfinite(share):
            lines.append(f"replicate noise: {share:.0%} of the variance")
        note = row["note"].iloc[0]
        if isinstance(note, str) and note:
            lines.append("warning: see noise.csv")
    return "\n".join(textwrap.fill(line, TITLE_WIDTH) for line in lines)


def _largest(indices: pd.DataFrame, outcome: str) -> str:
    largest = float(indices.loc[indices["outcome"] == outcome, "mu_star"].max())
    unit = OUTCOMES[outcome].unit if outcome in OUTCOMES else ""
    return f"largest mu* = {Thousands()(largest)} {unit}".rstrip()


def _legend(axes: list[Axes], outcomes: int) -> None:
    """One legend, right of the first row."""
    last = axes[min(COLUMNS, outcomes) - 1]
    last.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=8)
