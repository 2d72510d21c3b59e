"""Read a results directory: runs, fighters, quantile bands over replicates, summaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.inputs.calendar import month_dates

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The quantiles of every band: the median, the middle 50% and the middle 90%."""
FAN_COLUMNS = ["scenario", "replicate", "step", "date", "actor", "actor_type", "fighters"]


def read_runs(out: Path) -> pd.DataFrame:
    """The runs table of a results directory."""
    return pq.read_table(Path(out) / "runs.parquet").to_pandas()


def read_fighters(out: Path, actors: list[str] | None = None) -> pd.DataFrame:
    """Fighters per actor and step, reading only the columns (and actors) needed."""
    filters = [("actor", "in", actors)] if actors else None
    table = pq.read_table(Path(out) / "timeseries.parquet", columns=FAN_COLUMNS, filters=filters)
    return table.to_pandas()


def quantile_frame(values: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Quantiles across runs (columns of `values`) at each row: columns are `QUANTILES`."""
    quantiles = np.nanquantile(np.asarray(values, dtype=float), QUANTILES, axis=1).T
    return pd.DataFrame(quantiles, index=index, columns=list(QUANTILES))


def fighter_bands(
    out: Path, replicates: int, steps: int, start: str
) -> dict[str, tuple[str, pd.DataFrame]]:
    """Quantile bands of fighters per actor, streaming the time series batch by batch.

    Holds one float32 per (actor, month, replicate) — 41 MB for 10,000 replicates of
    the baseline — instead of the whole long table.
    """
    columns = ["replicate", "step", "actor", "actor_type", "fighters"]
    table = pq.ParquetFile(Path(out) / "timeseries.parquet")
    names: dict[str, int] = {}
    kinds: dict[str, str] = {}
    values = np.full((0, steps + 1, replicates), np.nan, dtype=np.float32)
    for batch in table.iter_batches(columns=columns, batch_size=1 << 20):
        actor, kind = batch.column("actor"), batch.column("actor_type")
        labels = actor.dictionary.to_pylist()
        for label in labels:
            names.setdefault(label, len(names))
        if len(names) > len(values):
            grown = np.full((len(names), steps + 1, replicates), np.nan, dtype=np.float32)
            grown[: len(values)] = values
            values = grown
        index = np.array([names[label] for label in labels])[actor.indices.to_numpy()]
        kind_labels = kind.dictionary.to_pylist()
        pairs = np.unique(np.stack([actor.indices.to_numpy(), kind.indices.to_numpy()]), axis=1)
        kinds |= {labels[a]: kind_labels[k] for a, k in pairs.T}
        fighters = batch.column("fighters").to_numpy(zero_copy_only=False)
        values[index, batch.column("step").to_numpy(), batch.column("replicate").to_numpy()] = (
            fighters
        )
    dates = pd.DatetimeIndex(month_dates(start, steps), name="date")
    bands = {}
    for label, i in names.items():
        if not np.isnan(values[i]).all():
            bands[label] = (kinds[label], quantile_frame(values[i], dates))
    return bands
