"""A sweep's responses: how each outcome moves along each swept parameter, with replicate spread.

For grid and Latin-hypercube sweeps, which have no sensitivity indices: each point's
replicates summarised (median and 5-95%), and the runs binned along each parameter
(by value for a grid's few levels, by quantile otherwise) with the median and the
5-95% of the runs in each bin. Yes/no outcomes are shares of runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.core.groupby import SeriesGroupBy

from sim.engine.outcomes import OUTCOMES
from sim.inputs.sampling import Design
from sim.runs.sweep import sweep_tables

LEVELS = 12  # a parameter with at most this many values is binned by value (a grid's levels)
BINS = 8  # quantile bins along a parameter with more values (a Latin hypercube's)
SPREAD = (0.05, 0.5, 0.95)  # the quantiles reported: 5%, median, 95%


def read_responses(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """A sweep's point summary, its responses and its swept parameters, from its folder.

    Parameters with values that are not numbers (discrete words) have no axis: left out.
    """
    out = Path(out)
    manifest = json.loads((out / "manifest.json").read_text())
    points, runs = sweep_tables(out)
    parameters = [
        name
        for name in Design.from_description(manifest["design"]).names
        if pd.api.types.is_numeric_dtype(points[name])
    ]
    outcomes = list(manifest["outcomes"])
    return (
        point_summary(points, runs, outcomes),
        responses(points, runs, parameters, outcomes),
        parameters,
    )


def point_summary(points: pd.DataFrame, runs: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """One row per point and outcome: the point's values, and its replicates' 5%, median, 95%.

    A yes/no outcome gives the share of the point's runs (its 5% and 95% are NaN).
    """
    rows = []
    for outcome in outcomes:
        low, mid, high = _spread(runs.groupby("point")[outcome], outcome)
        rows.append(
            points.assign(
                outcome=outcome,
                median=points["point"].map(mid),
                p5=points["point"].map(low),
                p95=points["point"].map(high),
            )
        )
    return pd.concat(rows, ignore_index=True)


def responses(
    points: pd.DataFrame, runs: pd.DataFrame, parameters: list[str], outcomes: list[str]
) -> pd.DataFrame:
    """The outcomes along each parameter: per bin of its values, the runs' 5%, median, 95%.

    Columns: lever_set, parameter, outcome, at (the bin's middle value), low and high
    (its ends), runs, p5, median, p95. The other parameters vary within a bin, so the
    band holds their effect as well as the replicates'.
    """
    lever_sets = points.set_index("point")["lever_set"]
    rows = []
    for parameter in parameters:
        bins = _bins(points.set_index("point")[parameter])
        table = runs.assign(bin=runs["point"].map(bins), lever_set=runs["point"].map(lever_sets))
        for (lever_set, ends), group in table.groupby(["lever_set", "bin"], sort=True):
            for outcome in outcomes:
                low, mid, high = (float(v) for v in _spread(group[outcome], outcome))
                rows.append({
                    "lever_set": lever_set, "parameter": parameter, "outcome": outcome,
                    "at": _middle(ends), "low": ends[0], "high": ends[1],
                    "runs": len(group), "p5": low, "median": mid, "p95": high,
                })  # fmt: skip
    return pd.DataFrame(rows)


def summary_lines(table: pd.DataFrame, lever_set: int = 0) -> list[str]:
    """For each outcome, the parameters by how far its median moves from their low to high end."""
    lines = []
    chosen = table[table["lever_set"] == lever_set]
    for outcome, rows in chosen.groupby("outcome", sort=False):
        ends = rows.groupby("parameter", sort=False).agg(
            first=("median", "first"), last=("median", "last"), at_low=("at", "first"),
            at_high=("at", "last"),
        )  # fmt: skip
        ends = ends.assign(change=ends["last"] - ends["first"])
        what = "share" if outcome in OUTCOMES.events else "median"
        lines.append(f"\n{outcome} ({what} of the runs at each end of each parameter):")
        for parameter, row in ends.sort_values("change", key=abs, ascending=False).iterrows():
            shown = [_shown(outcome, row["first"]), _shown(outcome, row["last"])]
            shown.append(_shown(outcome, row["change"], "+"))
            lines.append(
                f"  {parameter:<44} {shown[0]:>8} at {row['at_low']:<8.4g} -> {shown[1]:>8} "
                f"at {row['at_high']:<8.4g} ({shown[2]})"
            )
    return lines


def _spread(values: SeriesGroupBy | pd.Series, outcome: str) -> tuple:
    """5%, median and 95% of the values (per point, if grouped); for a yes/no, the share."""
    if outcome in OUTCOMES.events:
        share = values.mean()
        return share * np.nan, share, share * np.nan
    return tuple(values.quantile(q) for q in SPREAD)


def _bins(values: pd.Series) -> pd.Series:
    """Each point's bin along one parameter, as (low, high): its value, or a quantile bin."""
    if values.nunique() <= LEVELS:
        return values.map(lambda v: (v, v))
    cut = pd.qcut(values.astype(float), BINS, duplicates="drop")
    return cut.map(lambda interval: (interval.left, interval.right)).astype(object)


def _middle(ends: tuple[float, float]) -> float:
    return (ends[0] + ends[1]) / 2


def _shown(outcome: str, value: float, sign: str = "") -> str:
    return f"{value:{sign}.0%}" if outcome in OUTCOMES.events else f"{value:{sign},.0f}"
