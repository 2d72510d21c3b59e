"""Figure of simulation-based calibration: rank histograms with the band of uniform ranks."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from sim.analysis.calibration_checks import RankCheck


def rank_histograms(check: RankCheck, names: Sequence[str], bins: int = 10) -> Figure:
    """One panel per parameter: rank counts, and the 99% binomial band of uniform ranks.

    Each panel's title gives the 50% and 90% intervals' coverage of the true values.
    """
    counts = check.histogram(bins)
    low, high = check.band(bins)
    fig, axes = plt.subplots(1, len(names), figsize=(3 * len(names), 2.8), squeeze=False)
    for j, (ax, name) in enumerate(zip(axes[0], names, strict=True)):
        ax.bar(np.arange(bins), counts[:, j], width=0.9, color="tab:blue", alpha=0.8)
        ax.axhspan(low, high, color="grey", alpha=0.25, lw=0)
        ax.axhline(len(check.ranks) / bins, color="grey", ls="--", lw=0.8)
        ax.set_xticks([])
        ax.set_xlabel("rank of the true value")
        in_50, in_90 = check.coverage["in_50"][j], check.coverage["in_90"][j]
        ax.set_title(f"{name}\n50%: {in_50:.0%}, 90%: {in_90:.0%} cover", fontsize=9)
    axes[0, 0].set_ylabel("simulations")
    fig.tight_layout()
    return fig
