"""The look shared by every figure: titles, tick formats, actor names and colours.

The ensemble plots, the comparisons and the interactive page draw with these, so an
actor has one name and one colour everywhere.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from sim.inputs.actors import ActorStyle, default_label

HEADER_INCHES = 0.75
PALETTE = (  # for actors whose scenario gives no colour
    "tab:olive",
    "tab:pink",
    "tab:gray",
    "gold",
    "navy",
    "teal",
    "tab:blue",
    "tab:green",
)
Styles = Mapping[str, ActorStyle]
TITLE_STYLE = {"ha": "center", "va": "top", "fontsize": 14, "weight": "bold"}
SUBTITLE_STYLE = {"ha": "center", "va": "top", "fontsize": 10, "color": "0.3"}
PANEL_TITLE = {"loc": "left", "fontsize": 11}


def ensemble_label(table: pd.DataFrame, *, pooled: bool, posterior: str = "") -> str:
    """Describe the scenarios and replicate counts of a table, for a subtitle.

    Pooled plots count all runs together; comparisons give N per scenario. `posterior`
    (from `posterior_label`) is added when the parameters were drawn from one.
    """
    label = _counts_label(table, pooled=pooled)
    return f"{label}; {posterior}" if posterior else label


def _counts_label(table: pd.DataFrame, *, pooled: bool) -> str:
    counts = table.groupby("scenario", sort=False, observed=True)["replicate"].nunique()
    names = ", ".join(map(str, counts.index))
    if len(counts) == 1 or pooled:
        prefix = "" if len(counts) == 1 else "pooled "
        return f"{prefix}{names} — N = {_replicates(int(counts.sum()))}"
    if counts.nunique() == 1:
        return f"{names} — N = {_replicates(int(counts.iloc[0]))} each"
    return "; ".join(f"{s}: N = {n:,}" for s, n in counts.items()) + " replicates"


def posterior_label(manifest: Mapping[str, object]) -> str:
    """Where a run's fitted parameters came from, for a subtitle ("" if it used no calibration).

    Drawn from a posterior (`--posterior`), or fixed at the posterior medians of the
    calibrated scenario the run's scenario extends (one set for every replicate).
    """
    source, calibrated = manifest.get("posterior_file"), manifest.get("calibrated_file")
    if source:
        digest = str(manifest.get("posterior_sha256", ""))[:12]
        return f"parameters drawn from the posterior {Path(str(source)).name} (sha256 {digest})"
    if calibrated:
        return (
            f"parameters fixed at the posterior medians of {Path(str(calibrated)).name}, the "
            "same in every replicate (no --posterior)"
        )
    return ""


def _replicates(n: int) -> str:
    return f"{n:,} replicate" + ("" if n == 1 else "s")


def titled_figure(
    shape: tuple[int, int], size: tuple[float, float], title: str, subtitle: str, **kw
) -> tuple[Figure, np.ndarray]:
    """Create a constrained-layout grid of axes under a bold title and a grey subtitle.

    Extra keywords go to `plt.subplots`; the axes come back as a 2-D array.
    """
    fig, axes = plt.subplots(*shape, figsize=size, squeeze=False, layout="constrained", **kw)
    height = size[1]
    fig.get_layout_engine().set(rect=(0, 0, 1, 1 - HEADER_INCHES / height))
    fig.text(0.5, 1 - 0.1 / height, title, **TITLE_STYLE)
    subtitle = textwrap.fill(subtitle, width=int(12 * size[0]))
    fig.text(0.5, 1 - 0.42 / height, subtitle, **SUBTITLE_STYLE)
    return fig, axes


def format_dates(ax: Axes) -> None:
    """Put concise month/year labels on a date x axis."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


class Thousands(Formatter):
    """Tick labels with thousands separators and the decimals the tick step needs.

    75,000 rather than 75000; 0.5 steps keep their decimal instead of repeating labels.
    """

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        """Format all ticks with as many decimals as their smallest step needs."""
        step = float(np.min(np.diff(values))) if len(values) > 1 else 1.0
        exact = (d for d in range(6) if abs(round(step, d) - step) < 1e-6 * abs(step))
        decimals = next(exact, 6)
        return [f"{v:,.{decimals}f}" for v in values]

    def __call__(self, x: float, pos: int | None = None) -> str:
        """Format one value on its own: whole numbers from 10 up, else 3 digits."""
        return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.3g}"


def format_thousands(ax: Axes, axis: str = "y") -> None:
    """Label an axis ("x" or "y") with thousands separators."""
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(Thousands())


def show_no_data(ax: Axes) -> None:
    """Mark a panel that has nothing to show.

    Only the y ticks are cleared: the x axis may be shared with panels that have data.
    """
    ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="0.5")
    ax.set_yticks([])


def actor_name(actor: str, styles: Styles | None = None) -> str:
    """The scenario's label of an actor, or one made from its id."""
    style = (styles or {}).get(actor)
    return style.label if style else default_label(actor)


def actor_colours(actors: Sequence[str], styles: Styles | None = None) -> dict[str, str]:
    """Colour of each actor of one panel: the scenario's, else the next palette colour.

    Shared with the interactive page, so a run there has the colours of the ensemble plots.
    """
    spare = iter(PALETTE * len(actors))
    styles = styles or {}
    return {actor: (actor in styles and styles[actor].colour) or next(spare) for actor in actors}
