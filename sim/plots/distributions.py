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
FENCE = 3.0  # interquartile ranges beyond the quartiles where a panel's x axis stops
RIGHT_SIDE = 0.6  # a median past this share of the axis is labelled on its left
DISTRIBUTIONS = OUTCOMES.shown("histogram")  # the outcomes drawn as histograms
MEDIAN_STYLE = {
    "va": "top",
    "color": "tab:red",
    "fontsize": 9,
    "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
}


def outcome_distributions(
    runs: pd.DataFrame, *, title: str | None = None, posterior: str = ""
) -> Figure:
    """Histograms of the main outcomes as shares of replicates, each with its ECDF and median.

    `posterior` (`sim.plots.style.posterior_label`) says where the parameters came from.
    """
    require_columns(runs, [*RUN_KEY, *DISTRIBUTIONS], "runs")
    heading = title or "Distribution of outcomes across replicates"
    subtitle = (
        f"{ensemble_label(runs, pooled=True, posterior=posterior)}; bars: share per bin,"
        " line: cumulative share;"
        f" x axes stop {FENCE:g} interquartile ranges beyond the quartiles"
    )
    fig, axes = titled_figure((2, 3), (14, 8), heading, subtitle)
    for ax, column in zip(axes.flat, DISTRIBUTIONS, strict=True):
        values = runs[column].dropna().to_numpy(dtype=float)
        _histogram_panel(ax, values, OUTCOMES[column].label, OUTCOMES[column].unit)
    return fig


def bulk_range(values: np.ndarray) -> tuple[float, float]:
    """The x range of a panel: the data, cut at FENCE interquartile ranges beyond the quartiles.

    One extreme run would otherwise squeeze the other replicates into a few bins.
    """
    low, high = float(values.min()), float(values.max())
    q1, q3 = np.quantile(values, (0.25, 0.75))
    spread = FENCE * (q3 - q1)
    if spread > 0:
        low, high = max(low, q1 - spread), min(high, q3 + spread)
    return low, high


def _histogram_panel(ax: Axes, values: np.ndarray, label: str, unit: str) -> None:
    """Bars and ECDF on one share axis: one set of ticks instead of a twin axis per panel."""
    ax.set_title(label, **PANEL_TITLE)
    if values.size == 0:
        show_no_data(ax)
        return
    low, high = bulk_range(values)
    bins = min(30, max(5, int(np.sqrt(values.size))))
    weights = np.full(values.size, 1 / values.size)
    edges = np.linspace(low, high, bins + 1) if high > low else bins
    inside = (values >= low) & (values <= high)
    ax.hist(values[inside], bins=edges, weights=weights[inside], color="tab:blue", alpha=0.6,
            ec="white")  # fmt: skip
    ordered = np.sort(values)
    shares = np.arange(1, ordered.size + 1) / ordered.size
    ax.step(ordered, shares, where="post", color="0.2", linewidth=1.3)
    ax.set_ylim(0, HEADROOM)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xlabel(unit)
    ax.set_ylabel("share of replicates")
    if high > low:
        margin = 0.03 * (high - low)
        ax.set_xlim(low - margin, high + margin)
    median = float(np.median(values))
    ax.axvline(median, color="tab:red", linestyle="--", linewidth=1.3)
    left, right = ax.get_xlim()
    on_left = (median - left) > RIGHT_SIDE * (right - left)
    ax.annotate(
        f"median {Thousands()(median)}",
        (median, 0.97),
        xytext=(-4, 0) if on_left else (4, 0),
        xycoords=("data", "axes fraction"),
        textcoords="offset points",
        ha="right" if on_left else "left",
        **MEDIAN_STYLE,
    )
    _note_beyond(ax, values, low, high)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    format_thousands(ax, "x")


def _note_beyond(ax: Axes, values: np.ndarray, low: float, high: float) -> None:
    """Say how many replicates lie beyond the axis, and the most extreme, at the panel's sides."""
    below, above = values[values < low], values[values > high]
    for beyond, extreme, x, ha in ((below, "min", 0.02, "left"), (above, "max", 0.98, "right")):
        if beyond.size:
            value = beyond.min() if extreme == "min" else beyond.max()
            text = f"{beyond.size} beyond the axis,\n{extreme} {Thousands()(value)}"
            ax.text(x, 0.55, text, transform=ax.transAxes, ha=ha, fontsize=8, color="0.3")
