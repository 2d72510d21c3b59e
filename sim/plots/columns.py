"""The columns the figures read from the result tables, and the check that a table has them."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

RUN_KEY = ["scenario", "replicate"]
TIMESERIES_COLUMNS = ["scenario", "replicate", "step", "date", "actor", "actor_type"]


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
