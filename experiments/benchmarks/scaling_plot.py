"""The scaling figure: runs/s and cost per agent-update against the number of units."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def plot_scaling(rows: list[dict], axes: tuple[Axes, Axes] | None = None) -> Figure:
    """Log-log runs/s (left) and microseconds per agent-update (right) against units.

    `rows` holds one dict per size with `units`, `runs_per_s`, `us_per_update` and
    `compiled_us_per_update`. A dashed line of slope -1 through the largest size shows
    what cost linear in units would look like.
    """
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    else:
        fig = axes[0].figure
    units = np.array([r["units"] for r in rows], dtype=float)
    runs = np.array([r["runs_per_s"] for r in rows])
    left, right = axes
    left.loglog(units, runs, "o-", label="vectorised model")
    left.loglog(
        units, runs[-1] * units[-1] / units, "--", color="grey", label="linear cost (slope -1)"
    )
    left.set(
        xlabel="Taliban units at month 0",
        ylabel="replicates per second",
        title="Throughput (one process)",
    )
    right.loglog(units, [r["us_per_update"] for r in rows], "o-", label="vectorised model")
    right.loglog(
        units, [r["compiled_us_per_update"] for r in rows], "s-", label="compiled month (limit)"
    )
    right.set(
        xlabel="Taliban units at month 0",
        ylabel="µs per agent-update",
        title="Cost per agent-update (units + cells per step)",
    )
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    return fig
