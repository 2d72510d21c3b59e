"""Figures of a calibration: the posterior's marginals and pairs, and the posterior predictive."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.inputs.calibration import Prior, Target
from sim.plots.saving import save_figure


def posterior_pairs(values: np.ndarray, weights: np.ndarray, priors: Sequence[Prior]) -> Figure:
    """Corner plot: weighted marginal histograms on the diagonal, weighted pairs below it.

    Axes span each parameter's prior, so the reader sees how far the data narrowed it.
    """
    n = len(priors)
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
                ax.set_xlabel(_short(column.key), fontsize=8)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(_short(row.key), fontsize=8)
            elif j > 0:
                ax.set_yticklabels([])
            ax.tick_params(labelsize=7)
    fig.suptitle("Posterior (ABC-SMC): marginals, pairs; dashed = uniform prior")
    fig.tight_layout()
    return fig


def predictive_check(simulated: pd.DataFrame, targets: Sequence[Target]) -> Figure:
    """Per target: the posterior-predictive distribution, its 90% band, the observed range."""
    fig, axes = plt.subplots(1, len(targets), figsize=(3.2 * len(targets), 3.0), squeeze=False)
    for ax, target in zip(axes[0], targets, strict=True):
        sims = simulated[target.name].to_numpy(float)
        low, high = np.quantile(sims, [0.05, 0.95])
        ax.hist(sims, bins=30, color="tab:blue", alpha=0.6, label="simulated")
        ax.axvspan(low, high, color="tab:blue", alpha=0.12, label="90% band")
        if target.value[0] == target.value[1]:
            ax.axvline(target.value[0], color="black", lw=2, label="observed")
        else:
            ax.axvspan(
                *target.value,
                facecolor="none",
                edgecolor="black",
                hatch="//",
                lw=1.2,
                label="observed range",
            )
        ax.set_title(target.name.replace("_", " "), fontsize=9)
        ax.set_yticks([])
        ax.tick_params(labelsize=8)
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Posterior predictive of each calibration target")
    fig.tight_layout()
    return fig


def write_calibration_plots(
    out: Path,
    values: np.ndarray,
    weights: np.ndarray,
    priors: Sequence[Prior],
    simulated: pd.DataFrame,
    targets: Sequence[Target],
) -> list[Path]:
    """Save both figures under `out/plots/`; return the files."""
    return [
        *save_figure(posterior_pairs(values, weights, priors), out / "plots" / "posterior"),
        *save_figure(predictive_check(simulated, targets), out / "plots" / "predictive"),
    ]


def _short(key: str) -> str:
    """The last two parts of a key path, enough to tell the parameters apart."""
    return ".".join(key.split(".")[-2:])
