"""One batch: replicates of a scenario stepped together, each with its own parameter values.

A batch is a scenario, the replicate numbers to run (replicate r draws from
`SeedSequence(seed, spawn_key=(r,))`) and, optionally, per-replicate values: a dict
from scenario key path to an array of one value per replicate (a posterior draw, a
sweep point). A replicate's results do not depend on the others in its batch, so a
batch gives the rows each replicate would give alone. The values may change
parameters only, never the world's shape (its actors or months).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from sim.engine.seeds import replicate_rng
from sim.engine.values import Values, can_vary_per_replicate
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario
from sim.rules import new_world
from sim.runs.tables import runs_table, timeseries_table


def run_batch(
    scenario: Scenario,
    replicates: list[int],
    values: Values | None = None,
    *,
    validated: bool = False,
) -> tuple[pa.Table, pa.Table]:
    """Run the replicates, each with its own `values` if given; their runs and time series.

    The rows follow the order of `replicates`, which may repeat a number (replicate r of
    two sweep points). Keys that may vary within a batch (`can_vary_per_replicate`)
    step together in one world; the others split the batch into one world per value.
    `validated`: each replicate's values were validated with its scenario already (a
    sweep's points, by `override`), so the world does not check them again.
    """
    varied = {k: v for k, v in (values or {}).items() if can_vary_per_replicate(k)}
    groups = value_groups(
        scenario, len(replicates), {k: values[k] for k in values or {} if k not in varied}
    )
    parts = [
        _run(
            group,
            [replicates[i] for i in positions],
            {k: np.asarray(v)[positions] for k, v in varied.items()},
            validated,
        )
        for group, positions in groups
    ]
    if len(parts) == 1:
        return parts[0]
    return _in_order(parts, [positions for _, positions in groups])


def value_groups(
    scenario: Scenario, count: int, values: Values | None
) -> list[tuple[Scenario, list[int]]]:
    """The positions 0..count-1 grouped by identical values, each with its scenario.

    Each group costs a validated `override` of the scenario; groups come in the order
    of their first position.
    """
    if not values:
        return [(scenario, list(range(count)))]
    keys = list(values)
    columns = [np.asarray(values[key]).tolist() for key in keys]  # plain Python values
    groups: dict[tuple[Any, ...], list[int]] = {}
    for position, row in enumerate(zip(*columns, strict=True)):
        groups.setdefault(row, []).append(position)
    return [
        (override(scenario, dict(zip(keys, row, strict=True))), positions)
        for row, positions in groups.items()
    ]


def _run(
    scenario: Scenario, replicates: list[int], values: Values, validated: bool
) -> tuple[pa.Table, pa.Table]:
    """Step the replicates of one scenario together as one world; their two tables."""
    gens = [replicate_rng(scenario.seed, r) for r in replicates]
    recorder = new_world(scenario, gens, values, validated=validated).run()
    runs = runs_table(scenario.name, scenario.seed, replicates, recorder.outcomes())
    series = timeseries_table(
        scenario.name,
        replicates,
        recorder.values,
        recorder.actors,
        recorder.actor_types,
        scenario.start,
    )
    return runs, series


def _in_order(
    parts: list[tuple[pa.Table, pa.Table]], positions: list[list[int]]
) -> tuple[pa.Table, pa.Table]:
    """The groups' tables put back in the batch's order (a time series row block per run)."""
    order = np.argsort(np.concatenate(positions), kind="stable")
    if (order == np.arange(len(order))).all():  # the groups came in order already
        return pa.concat_tables([p[0] for p in parts]), pa.concat_tables([p[1] for p in parts])
    runs = pa.concat_tables([p[0] for p in parts]).take(order)
    blocks, start = [], 0
    for (_, series), group in zip(parts, positions, strict=True):
        size = series.num_rows // len(group)
        blocks += [np.arange(start + i * size, start + (i + 1) * size) for i in range(len(group))]
        start += series.num_rows
    rows = np.concatenate([blocks[i] for i in order])
    return runs, pa.concat_tables([p[1] for p in parts]).take(rows)
