"""The parallel-coordinates figure of a robust search: levers and robustness, one line a policy.

Each axis is one lever or one objective's robustness, scaled from its smallest to its
largest value over the policies drawn (the numbers at the ends of the axis); the Pareto
policies are grey-blue lines, the scenario's own policy and the compared scenarios are
drawn over them in colour, so the trade-offs and where the shipped policies sit show
together.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.inputs.robust import SearchPlan
from sim.plots.saving import save_figure


def parallel_coordinates(
    pareto: pd.DataFrame, compared: pd.DataFrame, columns: list[str], ax: Axes | None = None
) -> Figure:
    """Draw the Pareto policies and the compared ones over `columns`; return the figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(columns)), 4.5), layout="constrained")
    both = pd.concat([pareto[columns], compared[columns]]).astype(float)
    low, high = both.min().to_numpy(), both.max().to_numpy()
    span = np.where(high > low, high - low, 1.0)
    at = np.arange(len(columns))
    for row in pareto[columns].astype(float).to_numpy():
        ax.plot(at, (row - low) / span, color="tab:blue", alpha=0.35, lw=1)
    colours = plt.get_cmap("tab10")(np.linspace(0.1, 0.9, max(len(compared), 1)))
    for colour, (_, row) in zip(colours, compared.iterrows(), strict=False):
        values = (row[columns].to_numpy(float) - low) / span
        ax.plot(at, values, color=colour, lw=2, label=str(row["policy"]))
    for i in at:
        ax.axvline(i, color="black", lw=0.6)
        ax.annotate(f"{low[i]:.3g}", (i, -0.02), ha="center", va="top", fontsize=7)
        ax.annotate(f"{high[i]:.3g}", (i, 1.02), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(at, columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.1, 1.1)
    ax.set_title(f"Robust search: {len(pareto)} Pareto policies (blue) and the shipped ones")
    if len(compared):
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax.figure


def write_search_plots(
    out: Path, pareto: pd.DataFrame, policies: pd.DataFrame, plan: SearchPlan
) -> list[Path]:
    """The parallel-coordinates figure of a search's results, in `out/plots/`."""
    columns = [lever.key for lever in plan.levers] + [o.label for o in plan.search.objectives]
    compared = policies[~policies["policy"].isin(pareto["policy"])]
    figure = parallel_coordinates(pareto, compared, columns)
    return save_figure(figure, Path(out) / "plots" / "parallel_coordinates")
