"""Turn recorded runs into tidy Arrow tables: one row per run, one row per run-step-actor."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sim.engine.outcomes import OUTCOMES
from sim.engine.record import ACTOR_TYPES, COL, COLUMNS
from sim.inputs.calendar import month_dates
from sim.inputs.schema import PATRONS
from sim.runs import arrays


def runs_table(scenario: str, seed: int, replicates: list[int], outcomes: list[dict]) -> pa.Table:
    """One row per replicate: identifiers, seed and the summary outcomes."""
    columns: dict[str, pa.Array] = {
        "scenario": arrays.strings([scenario] * len(replicates)),
        "replicate": arrays.numbers(np.asarray(replicates, np.int32), pa.int32()),
        "seed": arrays.numbers(np.full(len(replicates), seed, np.int64), pa.int64()),
    }
    for name in OUTCOMES.names:
        values = [o[name] for o in outcomes]
        if isinstance(values[0], bool):
            columns[name] = arrays.booleans(np.asarray(values, dtype=bool))
        else:  # None and NaN are null
            columns[name] = arrays.numbers(np.asarray(values, dtype=np.float64), pa.float64())
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
    actor_codes = np.arange(n_actor, dtype=np.int16)
    type_codes = np.array([ACTOR_TYPES.index(t) for t in actor_types], np.int16)
    columns: dict[str, pa.Array] = {
        "scenario": arrays.categories(np.zeros(len(flat), np.int8), [scenario]),
        "replicate": arrays.numbers(
            np.repeat(np.asarray(replicates, np.int32), n_step * n_actor), pa.int32()
        ),
        "step": arrays.numbers(
            np.tile(np.repeat(np.arange(n_step, dtype=np.int16), n_actor), n_rep), pa.int16()
        ),
        "date": arrays.numbers(
            np.tile(np.repeat(month_dates(start, n_step - 1), n_actor), n_rep), pa.timestamp("ms")
        ),
        "actor": arrays.categories(np.tile(actor_codes, n_rep * n_step), actors),
        "actor_type": arrays.categories(np.tile(type_codes, n_rep * n_step), ACTOR_TYPES),
    }
    for name in COLUMNS:
        column = flat[:, COL[name]]
        if name == "patron":
            codes = np.where(np.isnan(column), -1, column).astype(np.int16)
            columns[name] = arrays.categories(codes, PATRONS, valid=codes >= 0)
        else:
            columns[name] = arrays.numbers(column.astype(np.float32), pa.float32())
    return pa.table(columns)
