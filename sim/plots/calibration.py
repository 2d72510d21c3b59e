"""Figures of a calibration: the posterior's marginals and pairs, and the posterior predictive."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.inputs.calibration import Prior, Target
from sim.plots.saving import save_figure
from sim.plots.style import (
    HEADER_INCHES,
    PANEL_TITLE,
    Styles,
    Thousands,
    actor_name,
    format_thousands,
    titled_figure,
)

PREDICTIVE_COLUMNS = 3  # panels per row of the predictive check
PAIRS = 10  # parameters in the corner plot: the ones the data narrowed most
MARGINAL_COLUMNS = 7  # panels per row of the marginals


def posterior_pairs(values: np.ndarray, weights: np.ndarray, priors: Sequence[Prior]) -> Figure:
    """Corner plot: weighted marginal histograms on the diagonal, weighted pairs below it.

    Axes span each parameter's prior, so the reader sees how far the data narrowed it.
    """
    n = len(priors)
    labels = short_labels([p.key for p in priors])
    fig, axes = plt.subplots(n, n, figsize=(2.2 * n, 2.2 * n), squeeze=False)
    sizes = 4 + 40 * weights / weights.max()
    for i, row in enumerate(priors):
        for j, column in enumerate(priors):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                bins = np.linspace(row.low, row.high, 21)
                ax.hist(values[:, i], bins=bins, weights=weights, color="tab:blue", alpha=0.8)
                ax.axhline(1 / 20, color="grey", ls="--", lw=0.8)  # the uniform prior
                ax.set_yticks([])
            else:
                ax.scatter(values[:, j], values[:, i], s=sizes, alpha=0.3, color="tab:blue", lw=0)
                ax.set_ylim(row.low, row.high)
            ax.set_xlim(column.low, column.high)
            if i == n - 1:
                ax.set_xlabel(labels[j], fontsize=8)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(labels[i], fontsize=8)
            elif j > 0:
                ax.set_yticklabels([])
            ax.tick_params(labelsize=7)
    fig.suptitle("Posterior: marginals, pairs; dashed = uniform prior")
    fig.tight_layout()
    return fig


def posterior_marginals(values: np.ndarray, weights: np.ndarray, priors: Sequence[Prior]) -> Figure:
    """Every parameter's weighted marginal over its prior, the most narrowed first."""
    order = np.argsort(narrowing(values, weights, priors), kind="stable")
    labels = short_labels([p.key for p in priors])
    rows = math.ceil(len(priors) / MARGINAL_COLUMNS)
    fig, axes = plt.subplots(
        rows, MARGINAL_COLUMNS, figsize=(2.4 * MARGINAL_COLUMNS, 1.9 * rows), squeeze=False
    )
    for ax in axes.flat[len(priors) :]:
        ax.set_visible(False)
    for ax, j in zip(axes.flat, order, strict=False):
        prior = priors[j]
        ax.hist(
            values[:, j],
            bins=np.linspace(prior.low, prior.high, 21),
            weights=weights,
            color="tab:blue",
            alpha=0.8,
        )
        ax.axhline(1 / 20, color="grey", ls="--", lw=0.8)  # the uniform prior
        ax.set_xlim(prior.low, prior.high)
        ax.set_yticks([])
        ax.set_title(labels[j], fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("Posterior marginals, most narrowed by the data first; dashed = uniform prior")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))  # room for the title
    return fig


def narrowing(values: np.ndarray, weights: np.ndarray, priors: Sequence[Prior]) -> np.ndarray:
    """Per parameter: the posterior's weighted sd over the uniform prior's (1: not narrowed)."""
    mean = weights @ values
    sd = np.sqrt(weights @ (values - mean) ** 2)
    return sd / np.array([(p.high - p.low) / math.sqrt(12.0) for p in priors])


def predictive_check(
    simulated: pd.DataFrame, targets: Sequence[Target], styles: Styles | None = None
) -> Figure:
    """Per target: the posterior-predictive distribution, its 90% band, the observed range.

    Panels are titled from what the target measures (actor, named as in `styles`, column,
    statistic, months, observed month 0 being October 2021); one legend names every mark.
    """
    cols = min(PREDICTIVE_COLUMNS, math.ceil(math.sqrt(len(targets))))
    rows = math.ceil(len(targets) / cols)
    fig, axes = titled_figure(
        (rows, cols),
        (3.6 * cols + 2.2, 3.0 * rows + HEADER_INCHES),
        "Posterior predictive of each calibration target",
        f"{len(simulated):,} runs with posterior draws; observed month 0 = October 2021",
    )
    for ax, target in zip(axes.flat, targets, strict=False):
        sims = simulated[target.name].to_numpy(float)
        low, high = np.quantile(sims, [0.05, 0.95])
        ax.hist(sims, bins=30, color="tab:blue", alpha=0.6)
        ax.axvspan(low, high, color="tab:blue", alpha=0.12)
        if target.value[0] == target.value[1]:
            ax.axvline(target.value[0], color="black", lw=2)
        else:
            ax.axvspan(*target.value, facecolor="none", edgecolor="black", hatch="//", lw=1.2)
        ax.set_title(_target_title(target, styles), **PANEL_TITLE)
        ax.set_ylabel("runs")
        format_thousands(ax, "x")
        ax.tick_params(labelsize=8)
    for ax in axes.flat[len(targets) :]:
        ax.set_visible(False)
    handles = [
        Patch(color="tab:blue", alpha=0.6),
        Patch(color="tab:blue", alpha=0.12),
        Line2D([], [], color="black", lw=2),
        Patch(facecolor="none", edgecolor="black", hatch="//"),
    ]
    labels = ["simulated runs", "middle 90% of them", "observed value", "observed range"]
    axes[0, cols - 1].legend(
        handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False, fontsize=8
    )
    return fig


def _target_title(target: Target, styles: Styles | None) -> str:
    """What a target measures, and the observed figure: no snake_case names."""
    first, last = target.months
    months = f"month {first}" if first == last else f"months {first}-{last}"
    reading = {
        "mean": "monthly mean",
        "sum": "total",
        "end": "at the end",
        "spread": "sd between months",
    }[target.statistic]
    counted = target.observation or target.column
    what = f"{actor_name(target.actor, styles)} {counted.replace('_', ' ')}"
    low, high = (Thousands()(v) for v in target.value)
    observed = low if low == high else f"{low}-{high}"
    return f"{what}, {reading}\n{months}; observed {observed}"


def calibration_figures(
    values: np.ndarray,
    weights: np.ndarray,
    priors: Sequence[Prior],
    simulated: pd.DataFrame,
    targets: Sequence[Target],
    styles: Styles | None = None,
) -> dict[str, Figure]:
    """A calibration's figures, by file name: the corner, every marginal, the predictive check.

    The corner plot holds at most `PAIRS` parameters, those the data narrowed most (a
    corner of 87 would be 3,700 panels); the marginals figure holds them all.
    """
    chosen = np.sort(np.argsort(narrowing(values, weights, priors), kind="stable")[:PAIRS])
    return {
        "posterior": posterior_pairs(values[:, chosen], weights, [priors[j] for j in chosen]),
        "marginals": posterior_marginals(values, weights, priors),
        "predictive": predictive_check(simulated, targets, styles),
    }


def write_calibration_plots(out: Path, figures: dict[str, Figure]) -> list[Path]:
    """Save a calibration's figures (`calibration_figures`) under `out/plots/`; return the files."""
    plots = out / "plots"
    return [path for name, fig in figures.items() for path in save_figure(fig, plots / name)]


def short_labels(keys: Sequence[str]) -> list[str]:
    """Each key path's shortest ending (two parts at least) that no other key shares."""
    parts = [key.split(".") for key in keys]
    labels = []
    for mine in parts:
        n = min(2, len(mine))
        while n < len(mine) and sum(other[-n:] == mine[-n:] for other in parts) > 1:
            n += 1
        labels.append(".".join(mine[-n:]))
    return labels
