"""Figures of one ensemble: strength fans, outcome distributions, event probabilities.

Every plot is a pure function of the result tables (`runs`, `timeseries`) and returns
a matplotlib Figure; `save_figure` writes and closes it. Comparisons across scenarios
live in `sim.plots.compare`.
"""

from __future__ import annotations

import os
import textwrap
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from sim.analysis.report import quantile_frame
from sim.engine.outcomes import OUTCOMES
from sim.inputs.actors import ActorStyle, default_label
from sim.inputs.calendar import month_dates

Z_95 = 1.959964
HEADER_INCHES = 0.75
HEADROOM = 1.18
RUN_KEY = ["scenario", "replicate"]
TIMESERIES_COLUMNS = ["scenario", "replicate", "step", "date", "actor", "actor_type"]
EVENTS = {  # month column -> label of each event drawn as a curve
    OUTCOMES.month_of(name).name: OUTCOMES[name].label for name in OUTCOMES.shown("curve")
}
EVENT_COLOURS = ("tab:red", "tab:blue")
DISTRIBUTIONS = OUTCOMES.shown("histogram")  # the outcomes drawn as histograms
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
MEDIAN_STYLE = {
    "va": "top",
    "color": "tab:red",
    "fontsize": 9,
    "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
}
STRENGTH_PANELS = (
    ("Taliban factions and total", ("taliban", "faction")),
    ("ISIS-K", ("isisk",)),
    ("Foreign fighter groups", ("foreign_group",)),
)


def require_columns(table: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise ValueError naming the columns a plot needs that `table` lacks, or if empty."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{name} table is missing required column(s): {', '.join(missing)} "
            f"(it has: {', '.join(map(str, table.columns))})"
        )
    if table.empty:
        raise ValueError(f"{name} table is empty: nothing to plot")


def ensemble_label(table: pd.DataFrame, *, pooled: bool) -> str:
    """Describe the scenarios and replicate counts of a table, for a subtitle.

    Pooled plots count all runs together; comparisons give N per scenario.
    """
    counts = table.groupby("scenario", sort=False, observed=True)["replicate"].nunique()
    names = ", ".join(map(str, counts.index))
    if len(counts) == 1 or pooled:
        prefix = "" if len(counts) == 1 else "pooled "
        return f"{prefix}{names} — N = {_replicates(int(counts.sum()))}"
    if counts.nunique() == 1:
        return f"{names} — N = {_replicates(int(counts.iloc[0]))} each"
    return "; ".join(f"{s}: N = {n:,}" for s, n in counts.items()) + " replicates"


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


def outcome_distributions(runs: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Histograms of the main outcomes as shares of replicates, each with its ECDF and median."""
    require_columns(runs, [*RUN_KEY, *DISTRIBUTIONS], "runs")
    heading = title or "Distribution of outcomes across replicates"
    subtitle = f"{ensemble_label(runs, pooled=True)}; bars: share per bin, line: cumulative share"
    fig, axes = titled_figure((2, 3), (14, 8), heading, subtitle)
    for ax, column in zip(axes.flat, DISTRIBUTIONS, strict=True):
        values = runs[column].dropna().to_numpy(dtype=float)
        _histogram_panel(ax, values, OUTCOMES[column].label, OUTCOMES[column].unit)
    return fig


def _histogram_panel(ax: Axes, values: np.ndarray, label: str, unit: str) -> None:
    """Bars and ECDF on one share axis: one set of ticks instead of a twin axis per panel."""
    ax.set_title(label, **PANEL_TITLE)
    if values.size == 0:
        show_no_data(ax)
        return
    bins = min(30, max(5, int(np.sqrt(values.size))))
    weights = np.full(values.size, 1 / values.size)
    ax.hist(values, bins=bins, weights=weights, color="tab:blue", alpha=0.6, ec="white")
    ordered = np.sort(values)
    shares = np.arange(1, ordered.size + 1) / ordered.size
    ax.step(ordered, shares, where="post", color="0.2", linewidth=1.3)
    ax.set_ylim(0, HEADROOM)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xlabel(unit)
    ax.set_ylabel("share of replicates")
    median = float(np.median(values))
    ax.axvline(median, color="tab:red", linestyle="--", linewidth=1.3)
    ax.annotate(
        f"median {Thousands()(median)}",
        (median, 0.97),
        xytext=(4, 0),
        xycoords=("data", "axes fraction"),
        textcoords="offset points",
        **MEDIAN_STYLE,
    )
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    format_thousands(ax, "x")


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


def draw_event(ax: Axes, edges: np.ndarray, months: pd.Series, colour: str, label: str) -> None:
    """Draw a cumulative event probability as stairs over months, with its 95% band."""
    share, low, high = event_shares(months, len(edges) - 2)
    ax.stairs(high, edges, baseline=low, fill=True, color=colour, alpha=0.18, lw=0)
    ax.stairs(share, edges, baseline=None, color=colour, linewidth=2, label=label)


def style_probability_axis(ax: Axes) -> None:
    """Y from 0 to 1 labelled as a probability, dates on x, a light grid."""
    ax.set_ylim(0, 1)
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
) -> Figure:
    """Probability over time that the Taliban has fragmented, and has been recognised.

    Lines are shares of replicates with the event by month m; bands are 95% Wilson
    intervals. With `ax`, draws there and puts the titles on the axes.
    """
    require_columns(runs, [*RUN_KEY, *EVENTS], "runs")
    heading = title or "Probability of Taliban fragmentation and recognition"
    subtitle = f"{ensemble_label(runs, pooled=True)}; shaded: 95% Wilson interval"
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


def save_figure(
    fig: Figure,
    path_without_suffix: str | os.PathLike[str],
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Save a figure once per format (dpi 150) atomically, then close it.

    The first format's draw lays the figure out; the layout is then frozen, so every
    format costs one draw. Each file is written to a temporary file in the same
    directory and renamed, so a reader never sees half a figure.
    """
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for fmt in formats:
            written.append(_save_atomically(fig, base.with_name(f"{base.name}.{fmt}"), fmt))
            fig.set_layout_engine("none")  # laid out by the first draw: frozen for the rest
        return written
    finally:
        plt.close(fig)


def _save_atomically(fig: Figure, path: Path, fmt: str) -> Path:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        fig.savefig(temporary, format=fmt, dpi=150)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
