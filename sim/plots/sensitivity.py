"""Figures of a sensitivity analysis: Sobol' indices with intervals, Morris mu*-sigma scatter."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.engine.outcomes import OUTCOMES


def _panels(outcomes: list[str], height: float) -> tuple[Figure, np.ndarray]:
    """A figure with one panel per outcome, two columns."""
    cols = min(2, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig = Figure(figsize=(6.5 * cols, height * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    return fig, axes


def _title(outcome: str) -> str:
    return OUTCOMES[outcome].label if outcome in OUTCOMES else outcome


def sobol_indices(indices: pd.DataFrame, noise: pd.DataFrame | None = None) -> Figure:
    """First-order and total Sobol' indices per parameter with 95% intervals, one panel each.

    Parameters are sorted by total index; the panel title gives the replicate noise's
    share of the variance of the point means when `noise` is given.
    """
    outcomes = list(dict.fromkeys(indices["outcome"]))
    n_params = indices["parameter"].nunique()
    fig, axes = _panels(outcomes, 1.2 + 0.28 * n_params)
    for ax, outcome in zip(axes, outcomes, strict=False):
        chosen = indices[indices["outcome"] == outcome].sort_values("ST")
        y = np.arange(len(chosen))
        ax.barh(y + 0.2, chosen["ST"], 0.4, xerr=chosen["ST_conf"], label="total (ST)",
                color="tab:blue", capsize=2)  # fmt: skip
        ax.barh(y - 0.2, chosen["S1"], 0.4, xerr=chosen["S1_conf"], label="first order (S1)",
                color="tab:orange", capsize=2)  # fmt: skip
        ax.set_yticks(y, chosen["parameter"], fontsize=7)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel("Sobol' index (95% interval)")
        title = _title(outcome)
        if noise is not None:
            share = noise.loc[noise["outcome"] == outcome, "noise_share"]
            if len(share) and np.isfinite(share.iloc[0]):
                title += f"\nreplicate noise: {share.iloc[0]:.0%} of the variance"
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    return fig


def morris_scatter(indices: pd.DataFrame) -> Figure:
    """Morris mu* against sigma per parameter (mu* with its 95% interval), one panel each.

    Far right: influential; high up: non-linear or interacting; near the origin: negligible.
    """
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = _panels(outcomes, 4.5)
    for ax, outcome in zip(axes, outcomes, strict=False):
        chosen = indices[indices["outcome"] == outcome]
        ax.errorbar(chosen["mu_star"], chosen["sigma"], xerr=chosen["mu_star_conf"], fmt="o",
                    ms=4, capsize=2, color="tab:blue")  # fmt: skip
        for _, row in chosen.iterrows():
            ax.annotate(row["parameter"], (row["mu_star"], row["sigma"]), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")  # fmt: skip
        top = float(np.nanmax([chosen["mu_star"].max(), chosen["sigma"].max(), 0.0]))
        ax.plot([0, top], [0, top], color="grey", lw=0.5, ls="--")
        ax.set_xlabel("mu* (mean absolute elementary effect)")
        ax.set_ylabel("sigma")
        ax.set_title(_title(outcome), fontsize=9)
    return fig
