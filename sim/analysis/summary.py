"""The summary `sim run` prints: median and 90% interval of each outcome shown in the summary.

Read with pyarrow and numpy only, so that printing it costs no pandas import.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.engine.outcomes import OUTCOMES


class Summary(NamedTuple):
    """One outcome over the replicates; for yes/no outcomes `median` is the share of runs."""

    outcome: str
    median: float
    p5: float | None
    p95: float | None


def summarise(runs: pa.Table, outcomes: tuple[str, ...] | None = None) -> list[Summary]:
    """Median and 90% interval (linear interpolation) of each outcome, NaN skipped.

    By default the outcomes shown in the summary (`Outcome.shown`).

    Yes/no outcomes have no nulls (`sim.runs.arrays.booleans`): their share is a plain mean.
    """
    rows = []
    for name in OUTCOMES.shown("summary") if outcomes is None else outcomes:
        column = runs.column(name)
        # Through Python values: pyarrow's `to_numpy` imports pandas. Nulls become NaN.
        values = np.array(column.to_pylist(), dtype=float)
        if pa.types.is_boolean(column.type):
            rows.append(Summary(name, float(np.mean(values)), None, None))
        else:
            median, p5, p95 = np.nanquantile(values, [0.5, 0.05, 0.95])
            rows.append(Summary(name, float(median), float(p5), float(p95)))
    return rows


def read_summary(out: Path) -> tuple[int, list[Summary]]:
    """The number of replicates in a results directory and the summary of its outcomes."""
    # Not `pq.read_table`: it goes through pyarrow.dataset, which imports pandas.
    with pq.ParquetFile(Path(out) / "runs.parquet") as file:
        runs = file.read(columns=list(OUTCOMES.shown("summary")))
    return runs.num_rows, summarise(runs)
