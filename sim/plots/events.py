"""Probability over time that an event (fragmentation, recognition) has happened.

Shares of replicates by month, drawn as stairs with a 95% Wilson band; the comparisons
draw a line per scenario with the same functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.engine.outcomes import OUTCOMES
from sim.inputs.calendar import month_dates
from sim.plots.columns import RUN_KEY, require_columns
from sim.plots.style import ensemble_label, format_dates, titled_figure

Z_95 = 1.959964
EVENTS = {  # month column -> label of each event drawn as a curve
    OUTCOMES.month_of(name).name: OUTCOMES[name].label for name in OUTCOMES.shown("curve")
}
EVENT_COLOURS = ("tab:red", "tab:blue")
SHADE = 0.18  # opacity of an event's 95% band
MARGIN = 0.02  # of the probability axis below 0 and above 1, so a line at 0 or 1 stays visible


def month_edges(start: str, steps: int) -> np.ndarray:
    """Edges of months 0..steps counted from `start` ("YYYY-MM"): steps + 2 dates.

    Month m spans edges m to m + 1, so stairs show the last month as a full step.
    """
    return month_dates(start, steps + 1)


def event_shares(months: pd.Series, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share of runs whose event month is <= m for m in 0..steps, with a 95% Wilson band.

    A NaN month (the event never happened) counts as "not yet" at every month.
    """
    n = len(months)
    happened = np.sort(months.dropna().to_numpy(dtype=float))
    share = np.searchsorted(happened, np.arange(steps + 1), side="right") / n
    centre = (share + Z_95**2 / (2 * n)) / (1 + Z_95**2 / n)
    spread = np.sqrt(share * (1 - share) / n + Z_95**2 / (4 * n**2))
    half = Z_95 * spread / (1 + Z_95**2 / n)
    return share, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def draw_event(
    ax: Axes,
    edges: np.ndarray,
    months: pd.Series,
    colour: str,
    label: str,
    *,
    shade: float = SHADE,
) -> None:
    """Draw a cumulative event probability as stairs over months, with its 95% band.

    `shade` is the band's opacity: lighter where many bands overlap.
    """
    share, low, high = event_shares(months, len(edges) - 2)
    ax.stairs(high, edges, baseline=low, fill=True, color=colour, alpha=shade, lw=0)
    ax.stairs(share, edges, baseline=None, color=colour, linewidth=2, label=label)


def style_probability_axis(ax: Axes) -> None:
    """Y from 0 to 1 (a little beyond, so lines at 0 and 1 show) as a probability, dates on x."""
    ax.set_ylim(-MARGIN, 1 + MARGIN)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("share of replicates")
    ax.grid(alpha=0.3)
    format_dates(ax)


def event_probability(
    runs: pd.DataFrame,
    *,
    steps: int,
    start: str,
    title: str | None = None,
    ax: Axes | None = None,
    posterior: str = "",
) -> Figure:
    """Probability over time that the Taliban has fragmented, and has been recognised.

    Lines are shares of replicates with the event by month m; bands are 95% Wilson
    intervals. With `ax`, draws there and puts the titles on the axes. `posterior`
    (`sim.plots.style.posterior_label`) says where the parameters came from.
    """
    require_columns(runs, [*RUN_KEY, *EVENTS], "runs")
    heading = title or "Probability of Taliban fragmentation and recognition"
    label = ensemble_label(runs, pooled=True, posterior=posterior)
    subtitle = f"{label}; shaded: 95% Wilson interval"
    if ax is None:
        ax = titled_figure((1, 1), (10, 5.5), heading, subtitle)[1][0, 0]
    else:
        ax.set_title(f"{heading}\n{subtitle}", fontsize=11)
    edges = month_edges(start, steps)
    for (column, label), colour in zip(EVENTS.items(), EVENT_COLOURS, strict=True):
        draw_event(ax, edges, runs[column], colour, label)
    style_probability_axis(ax)
    ax.legend(loc="upper left", frameon=False)
    return ax.get_figure(root=True)
