"""Panels of one run as it unfolds, read from its `Recorder`'s named columns.

Each function draws on the axes it is given the months recorded so far, on an x axis
spanning the scenario's horizon, so the lines grow across the panel; names and colours
are the ensemble plots' (`sim.plots.style`). `PANELS` lists them with their titles.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes

from sim.engine.record import Recorder
from sim.plots.style import Styles, actor_colours, actor_name, format_thousands
from sim.viz.band import Band

RUN_WIDTH = 1.8


def _months(recorder: Recorder) -> np.ndarray:
    return np.arange(recorder.month + 1)


def _style(ax: Axes, horizon: int, ylabel: str) -> None:
    ax.set_xlim(0, horizon)
    ax.set_xlabel("month")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def actors_of(recorder: Recorder, *types: str) -> list[str]:
    """The recorder's actors of the given actor types, in record order."""
    return [a for a, t in zip(recorder.actors, recorder.actor_types, strict=True) if t in types]


def draw_strength(
    ax: Axes,
    recorder: Recorder,
    horizon: int,
    types: tuple[str, ...],
    band: Band | None,
    styles: Styles | None = None,
) -> None:
    """Fighters of the actors of `types`, as in one panel of the ensemble strength fan.

    With a `band`, each actor's ensemble median (dashed) and 90% band sit behind the run.
    """
    months = _months(recorder)
    for actor, colour in actor_colours(actors_of(recorder, *types), styles).items():
        if band is not None:
            low, median, high = band.fighters(actor)
            x = np.arange(len(median))
            ax.fill_between(x, low, high, color=colour, alpha=0.12, lw=0)
            ax.plot(x, median, color=colour, lw=1.0, ls="--")
        width = 2.4 if actor == "taliban" else RUN_WIDTH
        values = recorder.series(actor, "fighters")
        ax.plot(months, values, color=colour, lw=width, label=actor_name(actor, styles))
    ax.set_ylim(bottom=0)
    format_thousands(ax)
    _style(ax, horizon, "fighters")


def draw_attacks(ax: Axes, recorder: Recorder, horizon: int, styles: Styles | None = None) -> None:
    """ISIS-K attacks per month, sectarian ones darker."""
    months = _months(recorder)
    ax.bar(months, recorder.series("isisk", "attacks"), color="tab:red", label="all")
    sectarian = recorder.series("isisk", "sectarian_attacks")
    ax.bar(months, sectarian, color="darkred", label="sectarian")
    _style(ax, horizon, "attacks")


def draw_moves(ax: Axes, recorder: Recorder, horizon: int, styles: Styles | None = None) -> None:
    """Fighters defecting to ISIS-K and Taliban fighters deserting, per month."""
    months = _months(recorder)
    defections = recorder.series("isisk", "defected_in")
    ax.bar(months - 0.2, defections, width=0.4, color="tab:red", label="defections\nto ISIS-K")
    deserted = recorder.series("taliban", "deserted")
    ax.bar(months + 0.2, deserted, width=0.4, color="0.5", label="Taliban\ndesertions")
    _style(ax, horizon, "fighters")


def draw_cohesion(ax: Axes, recorder: Recorder, horizon: int, styles: Styles | None = None) -> None:
    """Cohesion of each Taliban faction; a cross marks the month a faction left."""
    _lines_with_marks(ax, recorder, styles, "faction", "cohesion", "broken_away", MARK_LEFT)
    ax.set_ylim(0, 1)
    _style(ax, horizon, "cohesion")


def draw_pressure(ax: Axes, recorder: Recorder, horizon: int, styles: Styles | None = None) -> None:
    """Pressure of each international actor on the Taliban; a star marks its recognition."""
    _lines_with_marks(
        ax, recorder, styles, "international", "pressure", "recognized", MARK_RECOGNISED
    )
    ax.plot([], [], marker="*", ls="", ms=10, color="white", mec="black", label="recognised")
    ax.set_ylim(0, 1.05)
    _style(ax, horizon, "pressure")


MARK_LEFT = {"marker": "x", "ms": 9, "mew": 2}
MARK_RECOGNISED = {"marker": "*", "ms": 14, "mec": "black"}


def _lines_with_marks(
    ax: Axes,
    recorder: Recorder,
    styles: Styles | None,
    kind: str,
    column: str,
    event: str,
    mark: dict,
) -> None:
    """One line per actor of `kind`, marked where its `event` column first turns on."""
    months = _months(recorder)
    for actor, colour in actor_colours(actors_of(recorder, kind), styles).items():
        values = recorder.series(actor, column)
        ax.plot(months, values, color=colour, lw=RUN_WIDTH, label=actor_name(actor, styles))
        happened = np.flatnonzero(recorder.series(actor, event) > 0)
        if happened.size:
            first = happened[0]
            ax.plot(months[first], values[first], ls="", color=colour, **mark)


def draw_revenue(ax: Axes, recorder: Recorder, horizon: int, styles: Styles | None = None) -> None:
    """Taliban revenue per month."""
    revenue = recorder.series("taliban", "revenue")
    ax.plot(_months(recorder), revenue, color="black", lw=RUN_WIDTH)
    ax.set_ylim(bottom=0)
    format_thousands(ax)
    _style(ax, horizon, "USD million / month")


def draw_pay(ax: Axes, recorder: Recorder, horizon: int, styles: Styles | None = None) -> None:
    """Share of the wage bill paid, for the Taliban as a whole and for each faction."""
    months = _months(recorder)
    for actor, colour in actor_colours(actors_of(recorder, "taliban", "faction"), styles).items():
        width = 2.4 if actor == "taliban" else 1.2
        values = recorder.series(actor, "pay_ratio")
        ax.plot(months, values, color=colour, lw=width, label=actor_name(actor, styles))
    ax.set_ylim(0, 1.05)
    _style(ax, horizon, "share paid")


Draw = Callable[..., None]  # (ax, recorder, horizon, styles=None)
PANELS: dict[str, Draw] = {
    "ISIS-K attacks per month": draw_attacks,
    "Fighters moving per month": draw_moves,
    "International pressure and recognition": draw_pressure,
    "Taliban revenue": draw_revenue,
    "Pay: share of the wage bill paid": draw_pay,
}
