"""Figures of scenario discovery: PRIM's coverage/density trade-off, the chosen box, scores.

Each figure is a pure function of the tables of `sim.analysis.discovery.Discovery`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.analysis.discovery import Discovery
from sim.plots.saving import save_figure

SCORED = 25  # parameters drawn in the feature-score figure (the table holds all)


def tradeoff(trajectory: pd.DataFrame, chosen: int, ax: Axes | None = None) -> Figure:
    """Density against coverage of each box on PRIM's trajectory, coloured by dimensions.

    The chosen box is ringed and labelled with its number.
    """
    fig, ax = _axes(ax, (6.5, 5))
    dots = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["restricted"], cmap="viridis"
    )
    fig.colorbar(dots, ax=ax, label="restricted dimensions")
    box = trajectory.iloc[chosen]
    ax.scatter(box["coverage"], box["density"], s=160, facecolors="none", edgecolors="crimson")
    ax.annotate(
        f"box {chosen}", (box["coverage"], box["density"]), xytext=(8, -12),
        textcoords="offset points", color="crimson",
    )  # fmt: skip
    ax.set(xlabel="coverage", ylabel="density", xlim=(0, 1.05), ylim=(0, 1.05))
    ax.set_title("PRIM: coverage against density of each box", loc="left")
    return fig


def box_limits(box: pd.DataFrame, title: str, ax: Axes | None = None) -> Figure:
    """The chosen box on each restricted parameter, as a share of the range sampled.

    A grey bar is the range sampled, the blue one the box; the quasi-p-values of its
    restricted sides are written beside it.
    """
    fig, ax = _axes(ax, (7.5, 0.6 + 0.45 * max(len(box), 1)))
    span = (box["max"] - box["min"]).where(lambda s: s > 0, 1.0)
    low, high = (box["low"] - box["min"]) / span, (box["high"] - box["min"]) / span
    rows = np.arange(len(box))
    ax.barh(rows, 1.0, color="0.9")
    ax.barh(rows, high - low, left=low, color="tab:blue")
    for row, (_, entry) in enumerate(box.iterrows()):
        ax.text(1.02, row, _limits(entry), va="center", fontsize=8)
    ax.set_yticks(rows, box["parameter"])
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="share of the range sampled")
    ax.set_title(title, loc="left")
    return fig


def feature_scores(scores: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """The highest extra-trees feature scores, one bar per parameter."""
    top = scores.head(SCORED)
    fig, ax = _axes(ax, (7, 0.6 + 0.28 * len(top)))
    ax.barh(np.arange(len(top)), top["score"], color="tab:gray")
    ax.set_yticks(np.arange(len(top)), top["parameter"])
    ax.invert_yaxis()
    ax.set(xlabel="feature score (extra trees)")
    shown = f"the {len(top)} highest of {len(scores)}" if len(scores) > len(top) else "all"
    ax.set_title(f"Feature scores: {shown}", loc="left")
    return fig


def write_discovery_plots(folder: Path, found: Discovery) -> list[Path]:
    """The three figures as PNG and SVG in `folder`; the files written."""
    box = found.trajectory.iloc[found.chosen]
    title = (
        f"Box {found.chosen}: coverage {box['coverage']:.2f}, density {box['density']:.2f}"
        f" ({found.condition})"
    )
    return [
        *save_figure(tradeoff(found.trajectory, found.chosen), folder / "prim_tradeoff"),
        *save_figure(box_limits(found.box, title), folder / "prim_box"),
        *save_figure(feature_scores(found.scores), folder / "feature_scores"),
    ]


def _limits(entry: pd.Series) -> str:
    """`low .. high`, with the quasi-p-value of each restricted side."""
    sides = [
        f"qp {side} {entry[f'qp_{side}']:.1g}"
        for side in ("low", "high")
        if not np.isnan(entry[f"qp_{side}"])
    ]
    return f"{entry['low']:.3g} .. {entry['high']:.3g}  " + ", ".join(sides)


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """The given axes and their figure, or a new figure of `size` inches."""
    if ax is not None:
        return ax.get_figure(), ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax
