"""Fan charts of fighter strength: each actor's median across replicates with 50% and 90% bands.

Every plot is a pure function of the result tables and returns a matplotlib Figure;
`sim.plots.saving.save_figure` writes it. Overlaid fans of several scenarios live in
`sim.plots.side_by_side`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

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
        ax.fill_between(x, bands[0.05], bands[0.95], color=colour, alpha=0.1, lw=0)
    ax.fill_between(x, bands[0.25], bands[0.75], color=colour, alpha=0.2, lw=0)
    ax.plot(x, bands[0.5], color=colour, linewidth=linewidth, label=label)


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
    fig.align_ylabels(axes[:, 0])
    return fig


def _strength_panel(ax: Axes, bands: dict[str, pd.DataFrame], panel: str, styles: Styles) -> None:
    ax.set_title(panel, **PANEL_TITLE)
    if not bands:
        show_no_data(ax)
        return
    actors = sorted(bands, key=lambda a: a != "taliban")
    for actor, colour in actor_colours(actors, styles).items():
        width = 2.4 if actor == "taliban" else 1.8
        draw_fan(ax, bands[actor], colour, actor_name(actor, styles), linewidth=width)
    ax.set_ylabel("fighters")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    format_thousands(ax)
    format_dates(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
