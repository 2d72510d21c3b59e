"""Figures of a hindcast: simulated bands over calendar time with the observations on them.

One figure per scored series, and the PIT histogram of every scored entry.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots.saving import save_figure
from sim.plots.style import format_dates

PIT_BINS = 10


def series_figure(entries: pd.DataFrame, bands: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """One series: monthly bands, each entry's simulated bands over its window, the observations.

    The monthly 50% and 90% bands are drawn for series read month by month (stocks and
    per-month means); the observed ranges go on top, red when outside the 90% band.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    fig = ax.figure
    if len(bands):
        dates = pd.to_datetime(bands["date"])
        ax.fill_between(dates, bands["p5"], bands["p95"], color="tab:blue", alpha=0.2, lw=0)
        ax.fill_between(dates, bands["p25"], bands["p75"], color="tab:blue", alpha=0.35, lw=0)
        ax.plot(dates, bands["p50"], color="tab:blue", lw=1, label="simulated median, 50%, 90%")
    for row in entries.itertuples():
        start = pd.Timestamp(row.first_month)
        end = pd.Timestamp(row.last_month) + pd.offsets.MonthEnd(0)
        span = [start, end]
        ax.fill_between(span, row.p5, row.p95, color="tab:orange", alpha=0.2, lw=0)
        ax.fill_between(span, row.p25, row.p75, color="tab:orange", alpha=0.4, lw=0)
        colour = "black" if row.in_90 else "tab:red"
        middle = start + (end - start) / 2
        low, high = row.observed_low, row.observed_high
        ax.errorbar(
            [middle], [(low + high) / 2], yerr=[[(high - low) / 2], [(high - low) / 2]],
            fmt="o", color=colour, capsize=3, ms=4,
        )  # fmt: skip
        ax.plot(span, [(low + high) / 2] * 2, color=colour, lw=1)
    first = entries.iloc[0]
    ax.set_title(f"{first.series} ({first.observation}, {first.actor})", fontsize=10)
    ax.set_ylabel(first.observation)
    format_dates(ax)
    ax.text(
        0.01, 0.98, "orange: simulated 50%/90% over each entry's window; "
        "dots: observed (red: outside the 90% band)",
        transform=ax.transAxes, fontsize=7, va="top",
    )  # fmt: skip
    return fig


def pit_histogram(pits: np.ndarray, ax: Axes | None = None) -> Figure:
    """Histogram of PIT values, with the flat line of a calibrated model and its 90% band."""
    from scipy.stats import binom

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    fig = ax.figure
    ax.hist(pits, bins=np.linspace(0, 1, PIT_BINS + 1), color="tab:blue", alpha=0.8)
    n = len(pits)
    low, high = binom.ppf([0.05, 0.95], n, 1 / PIT_BINS)
    ax.axhspan(low, high, color="grey", alpha=0.2, label="90% band if calibrated")
    ax.axhline(n / PIT_BINS, color="grey", ls="--", lw=0.8)
    ax.set_xlabel("PIT")
    ax.set_ylabel("entries")
    ax.set_title(f"PIT of {n} scored entries", fontsize=10)
    ax.legend(fontsize=7)
    return fig


def write_hindcast_plots(out: Path, table: pd.DataFrame, bands: pd.DataFrame) -> list[Path]:
    """A figure per scored series, actor and observation model, and the PIT histogram.

    Written into `out/plots`, named after the series, then the actor and the model
    where a series has several.
    """
    scored = table[table["scored"]]
    keys = ["series", "actor", "observation"]
    written = []
    for key, entries in scored.groupby(keys, sort=False):
        own = bands.loc[(bands[keys] == key).all(axis=1)] if len(bands) else bands
        varied = scored[scored["series"] == key[0]][keys[1:]].nunique()
        name = "_".join(
            ["hindcast", key[0], *(k for k, n in zip(key[1:], varied, strict=True) if n > 1)]
        )
        written += save_figure(series_figure(entries, own), out / "plots" / name)
    if len(scored):
        pits = scored["pit"].to_numpy(float)
        written += save_figure(pit_histogram(pits), out / "plots" / "hindcast_pit")
    return written
