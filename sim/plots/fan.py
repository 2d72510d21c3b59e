"""Fan charts of fighter strength: each actor's median across replicates with 50% and 90% bands.

Every plot is a pure function of the result tables and returns a matplotlib Figure;
`sim.plots.saving.save_figure` writes it. Overlaid fans of several scenarios live in
`sim.plots.side_by_side`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis.report import quantile_frame
from sim.plots.columns import RUN_KEY, TIMESERIES_COLUMNS, require_columns
from sim.plots.style import (
    PANEL_TITLE,
    Styles,
    actor_colours,
    actor_name,
    ensemble_label,
    format_dates,
    format_thousands,
    show_no_data,
    titled_figure,
)

BAND_ALPHA = {"50%": 0.3, "90%": 0.13}  # the middle 50% darker than the middle 90%
LOG_SPREAD = 20  # a panel whose largest actor is this many times its smallest gets a log axis
LINEAR_UP_TO = 10  # fighters: the symmetric-log axis is linear below this, so 0 stays drawable
STRENGTH_PANELS = (
    ("Taliban factions and total", ("taliban", "faction")),
    ("ISIS-K", ("isisk",)),
    ("Foreign fighter groups", ("foreign_group",)),
)


def quantile_bands(rows: pd.DataFrame, value: str = "fighters") -> pd.DataFrame:
    """Quantiles of `value` across runs at each date: columns are QUANTILES, index dates.

    Runs are keyed by (scenario, replicate), so pooled scenarios never collide.
    """
    wide = rows.set_index(["date", *RUN_KEY])[value].unstack(RUN_KEY).sort_index()
    wide = wide.dropna(how="all")
    return quantile_frame(wide.to_numpy(dtype=float), wide.index)


def draw_fan(
    ax: Axes,
    bands: pd.DataFrame,
    colour: str,
    label: str,
    *,
    linewidth: float = 1.8,
    overlaid: bool = False,
) -> None:
    """Draw a median line with a 50% band and a lighter 90% band.

    Overlaid fans (several scenarios on one panel) draw the 90% band as dotted edges
    so the bands of different scenarios stay tellable apart.
    """
    x = bands.index.to_numpy()
    if overlaid:
        ax.plot(x, bands[[0.05, 0.95]].to_numpy(), color=colour, lw=0.9, ls=":")
    else:
        ax.fill_between(x, bands[0.05], bands[0.95], color=colour, alpha=BAND_ALPHA["90%"], lw=0)
    ax.fill_between(x, bands[0.25], bands[0.75], color=colour, alpha=BAND_ALPHA["50%"], lw=0)
    ax.plot(x, bands[0.5], color=colour, linewidth=linewidth, label=label)


def band_key() -> tuple[list, list[str]]:
    """Legend handles and labels that say what the line and the two shades of a fan are."""
    handles = [
        Line2D([], [], color="0.3", linewidth=1.8),
        Patch(color="0.3", alpha=BAND_ALPHA["50%"], lw=0),
        Patch(color="0.3", alpha=BAND_ALPHA["90%"], lw=0),
    ]
    labels = ["median", "middle 50% of replicates", "middle 90% of replicates"]
    return handles, labels


def scale_fighters_axis(ax: Axes, medians: list[float]) -> None:
    """A fighters axis from 0: logarithmic above 10 when the actors differ in size a lot.

    On a linear axis from 0 to 4,500, groups of 40 and 60 fighters lie on the axis itself.
    """
    sizes = [m for m in medians if m > 0]
    if sizes and max(sizes) > LOG_SPREAD * min(sizes):
        ax.set_yscale("symlog", linthresh=LINEAR_UP_TO, linscale=0.3)
        ax.set_ylabel("fighters (log scale)")
    else:
        ax.set_ylabel("fighters")
    ax.set_ylim(bottom=0)


def actor_bands(timeseries: pd.DataFrame) -> dict[str, tuple[str, pd.DataFrame]]:
    """Per actor with fighters: its actor type and its `quantile_bands` of fighters."""
    rows = timeseries.dropna(subset=["fighters"])
    return {
        str(actor): (str(group["actor_type"].iloc[0]), quantile_bands(group))
        for actor, group in rows.groupby("actor", sort=False, observed=True)
    }


def strength_fan(
    timeseries: pd.DataFrame, *, styles: Styles | None = None, title: str | None = None
) -> Figure:
    """Fan charts of fighters over time: Taliban factions, ISIS-K and foreign groups.

    Each actor gets its median across replicates with 50% and 90% bands; several
    scenarios in the table are pooled (use `compare_strength` to contrast them).
    `styles` (from `sim.inputs.actors.actor_styles`) names and colours the actors.
    """
    require_columns(timeseries, [*TIMESERIES_COLUMNS, "fighters"], "timeseries")
    label = ensemble_label(timeseries, pooled=True)
    return strength_fan_of_bands(actor_bands(timeseries), label, styles=styles, title=title)


def strength_fan_of_bands(
    bands: dict[str, tuple[str, pd.DataFrame]],
    label: str,
    *,
    styles: Styles | None = None,
    title: str | None = None,
) -> Figure:
    """`strength_fan` from bands already computed (e.g. actor by actor, for large ensembles)."""
    subtitle = f"{label}; median, 50% and 90% bands"
    heading = title or "Fighter strength over time"
    fig, axes = titled_figure(
        (3, 1), (11, 11), heading, subtitle, sharex=True, height_ratios=(1.5, 1, 1)
    )
    for ax, (panel, types) in zip(axes[:, 0], STRENGTH_PANELS, strict=True):
        chosen = {a: b for a, (kind, b) in bands.items() if kind in types}
        _strength_panel(ax, chosen, panel, styles or {})
    handles, labels = axes[0, 0].get_legend_handles_labels()
    key_handles, key_labels = band_key()
    _legend(axes[0, 0], [*handles, *key_handles], [*labels, *key_labels])
    fig.align_ylabels(axes[:, 0])
    return fig


def _legend(ax: Axes, handles: list, labels: list[str]) -> None:
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def _strength_panel(ax: Axes, bands: dict[str, pd.DataFrame], panel: str, styles: Styles) -> None:
    ax.set_title(panel, **PANEL_TITLE)
    if not bands:
        show_no_data(ax)
        return
    actors = sorted(bands, key=lambda a: a != "taliban")
    for actor, colour in actor_colours(actors, styles).items():
        width = 2.4 if actor == "taliban" else 1.8
        draw_fan(ax, bands[actor], colour, actor_name(actor, styles), linewidth=width)
    scale_fighters_axis(ax, [float(np.nanmedian(b[0.5])) for b in bands.values()])
    ax.grid(alpha=0.3)
    format_thousands(ax)
    format_dates(ax)
    _legend(ax, *ax.get_legend_handles_labels())
