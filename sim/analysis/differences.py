"""Comparison statistics: differences in medians between scenarios, paired by replicate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.outcomes import OUTCOMES


def median_differences(
    runs: pd.DataFrame, reference: str, *, resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Median of each outcome minus the reference's, with a 95% paired bootstrap interval.

    The outcomes are those shown in the summary (`Outcome.shown`); for yes/no outcomes
    (fragmented, recognized) the difference is in probability. Rows follow the order of
    the scenarios in `runs` (the order they were given in).

    Replicates are resampled together across scenarios, which keeps the pairing that
    common random numbers create (replicate r of every scenario starts from one stream).
    """
    rng = np.random.default_rng(seed)
    wide = {
        name: group.set_index("replicate").sort_index() for name, group in runs.groupby("scenario")
    }
    base = wide[reference]
    rows = []
    for name, table in wide.items():
        if name == reference:
            continue
        common = base.index.intersection(table.index)
        idx = rng.integers(0, len(common), (resamples, len(common)))
        for outcome in OUTCOMES.shown("summary"):
            stat = np.mean if outcome in OUTCOMES.events else np.median
            a = table.loc[common, outcome].to_numpy(float)
            b = base.loc[common, outcome].to_numpy(float)
            boot = stat(a[idx], axis=1) - stat(b[idx], axis=1)
            low, high = np.percentile(boot, [2.5, 97.5])
            rows.append(
                {
                    "scenario": name,
                    "reference": reference,
                    "outcome": outcome,
                    "difference": stat(a) - stat(b),
                    "ci_low": low,
                    "ci_high": high,
                    "n": len(common),
                }
            )
    given = {name: i for i, name in enumerate(runs["scenario"].unique())}
    table = pd.DataFrame(rows)  # resampled in name order, so the intervals stay as they were
    return table.sort_values(
        "scenario", key=lambda s: s.map(given), kind="stable", ignore_index=True
    )
