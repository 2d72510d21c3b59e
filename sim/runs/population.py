"""A population of candidate policies run on the same states of the world, as one sweep.

Every candidate (one row of lever values) meets every SOW (one row of uncertain values)
with the same replicate numbers: replicate r of every (candidate, SOW) draws from
`SeedSequence(seed, spawn_key=(r,))`, common random numbers, so two candidates differ
by their levers only. The pairs are the points of one sweep (`sim.runs.sweep.run_points`),
batched on the executor given, and stored in `out`, which resumes an interrupted run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.engine.outcomes import OUTCOMES
from sim.inputs.schema import Scenario
from sim.runs.executor import Executor
from sim.runs.states import SOW_COLUMN, state_keys
from sim.runs.sweep import run_points, sweep_tables

POLICY_COLUMN = "policy"


def run_population(
    scenario: Scenario,
    policies: pd.DataFrame,
    states: pd.DataFrame,
    out: Path,
    *,
    replicates: int,
    executor: Executor,
    label: str,
    progress: bool = True,
) -> pd.DataFrame:
    """Each policy on each SOW, `replicates` times; one row per run with every outcome.

    Args:
        scenario: the base scenario (seed and steps of every run).
        policies: one row per policy, a column per lever key (no column: the scenario's own).
        states: the SOWs (`sim.runs.states.draw_states`).
        out: the sweep's results directory (resumed if it holds this population).
        replicates: runs per policy and SOW.
        executor: where the runs go.
        label: the progress bar's title.
        progress: show the progress bar.

    Returns:
        Columns `policy`, `sow`, `replicate` and every outcome, in that order of rows.
    """
    keys = state_keys(states)
    pairs = policies.reset_index(drop=True).merge(states[keys], how="cross")
    points = pd.concat([pd.DataFrame({"point": np.arange(len(pairs))}), pairs], axis=1)
    folder = run_points(
        scenario,
        points,
        out,
        replicates=replicates,
        executor=executor,
        progress=progress,
        name=label,
        describe={"kind": "population"},
    )
    _, runs = sweep_tables(folder)
    runs = runs.sort_values("run")
    point = runs["point"].to_numpy()
    table = pd.DataFrame(
        {
            POLICY_COLUMN: point // len(states),
            SOW_COLUMN: states[SOW_COLUMN].to_numpy()[point % len(states)],
            "replicate": runs["replicate"].to_numpy(),
        }
    )
    return pd.concat([table, runs[list(OUTCOMES.names)].reset_index(drop=True)], axis=1)
