"""Distributions of an ensemble's outcomes: a histogram per outcome with its ECDF and median."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.engine.outcomes import OUTCOMES
from sim.plots.columns import RUN_KEY, require_columns
from sim.plots.style import (
    PANEL_TITLE,
    Thousands,
    ensemble_label,
    format_thousands,
    show_no_data,
    titled_figure,
)

HEADROOM = 1.18
DISTRIBUTIONS = OUTCOMES.shown("histogram")  # the outcomes drawn as histograms
MEDIAN_STYLE = {
    "va": "top",
    "color": "tab:red",
    "fontsize": 9,
    "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
}


def outcome_distributions(runs: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Histograms of the main outcomes as shares of replicates, each with its ECDF and median."""
    require_columns(runs, [*RUN_KEY, *DISTRIBUTIONS], "runs")
    heading = title or "Distribution of outcomes across replicates"
    subtitle = f"{ensemble_label(runs, pooled=True)}; bars: share per bin, line: cumulative share"
    fig, axes = titled_figure((2, 3), (14, 8), heading, subtitle)
    for ax, column in zip(axes.flat, DISTRIBUTIONS, strict=True):
        values = runs[column].dropna().to_numpy(dtype=float)
        _histogram_panel(ax, values, OUTCOMES[column].label, OUTCOMES[column].unit)
    return fig


def _histogram_panel(ax: Axes, values: np.ndarray, label: str, unit: str) -> None:
    """Bars and ECDF on one share axis: one set of ticks instead of a twin axis per panel."""
    ax.set_title(label, **PANEL_TITLE)
    if values.size == 0:
        show_no_data(ax)
        return
    bins = min(30, max(5, int(np.sqrt(values.size))))
    weights = np.full(values.size, 1 / values.size)
    ax.hist(values, bins=bins, weights=weights, color="tab:blue", alpha=0.6, ec="white")
    ordered = np.sort(values)
    shares = np.arange(1, ordered.size + 1) / ordered.size
    ax.step(ordered, shares, where="post", color="0.2", linewidth=1.3)
    ax.set_ylim(0, HEADROOM)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xlabel(unit)
    ax.set_ylabel("share of replicates")
    median = float(np.median(values))
    ax.axvline(median, color="tab:red", linestyle="--", linewidth=1.3)
    ax.annotate(
        f"median {Thousands()(median)}",
        (median, 0.97),
        xytext=(4, 0),
        xycoords=("data", "axes fraction"),
        textcoords="offset points",
        **MEDIAN_STYLE,
    )
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    format_thousands(ax, "x")
