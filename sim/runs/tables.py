"""Turn recorded runs into tidy Arrow tables: one row per run, one row per run-step-actor."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sim.engine.outcomes import NAMES
from sim.engine.record import ACTOR_TYPES, COL, COLUMNS
from sim.inputs.calendar import month_dates
from sim.inputs.schema import PATRONS


def runs_table(scenario: str, seed: int, replicates: list[int], outcomes: list[dict]) -> pa.Table:
    """One row per replicate: identifiers, seed and the summary outcomes."""
    columns: dict[str, pa.Array] = {
        "scenario": pa.array([scenario] * len(replicates), pa.string()),
        "replicate": pa.array(replicates, pa.int32()),
        "seed": pa.array([seed] * len(replicates), pa.int64()),
    }
    for name in NAMES:
        values = [o[name] for o in outcomes]
        kind = pa.bool_() if isinstance(values[0], bool) else pa.float64()
        columns[name] = pa.array(values, kind, from_pandas=True)
    return pa.table(columns)


def timeseries_table(
    scenario: str,
    replicates: list[int],
    values: np.ndarray,
    actors: list[str],
    actor_types: list[str],
    start: str,
) -> pa.Table:
    """Long table with one row per (replicate, step, actor) from `values[rep, step, actor, col]`."""
    n_rep, n_step, n_actor, _ = values.shape
    flat = values.reshape(-1, len(COLUMNS))
    columns: dict[str, pa.Array] = {
        "scenario": pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(len(flat), np.int8)), pa.array([scenario])
        ),
        "replicate": pa.array(np.repeat(np.asarray(replicates, np.int32), n_step * n_actor)),
        "step": pa.array(np.tile(np.repeat(np.arange(n_step, dtype=np.int16), n_actor), n_rep)),
        "date": pa.array(np.tile(np.repeat(month_dates(start, n_step - 1), n_actor), n_rep)),
        "actor": _categories(np.tile(np.arange(n_actor, dtype=np.int16), n_rep * n_step), actors),
        "actor_type": _categories(
            np.tile(
                np.array([ACTOR_TYPES.index(t) for t in actor_types], np.int16), n_rep * n_step
            ),
            list(ACTOR_TYPES),
        ),
    }
    for name in COLUMNS:
        column = flat[:, COL[name]]
        if name == "patron":
            codes = np.where(np.isnan(column), -1, column).astype(np.int16)
            columns[name] = pa.DictionaryArray.from_arrays(
                pa.array(codes, mask=codes < 0), pa.array(PATRONS)
            )
        else:
            columns[name] = pa.array(column.astype(np.float32), from_pandas=True)
    return pa.table(columns)


def _categories(codes: np.ndarray, labels: list[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels))
