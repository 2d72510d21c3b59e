"""One run from Python: a scenario in, the month-by-month series out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_scenario, override
from sim.inputs.schema import Scenario
from sim.rules import new_world
from sim.runs.tables import timeseries_table


def run(
    scenario: Scenario | str | Path,
    *,
    seed: int | None = None,
    replicate: int = 0,
    steps: int | None = None,
    **changes: Any,
) -> pd.DataFrame:
    """Run one replicate and return its long per-step table (one row per step and actor).

    Args:
        scenario: a loaded scenario or the path of a scenario file.
        seed: scenario seed to use instead of the file's.
        replicate: replicate number (with the seed, it fixes the random stream).
        steps: horizon in months instead of the file's.
        **changes: further scenario keys, nested keys joined by `__`.
    """
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    updates = {k.replace("__", "."): v for k, v in changes.items()}
    updates |= {k: v for k, v in (("seed", seed), ("steps", steps)) if v is not None}
    if updates:
        spec = override(spec, updates)
    recorder = new_world(spec, [replicate_rng(spec.seed, replicate)]).run()
    table = timeseries_table(
        spec.name, [replicate], recorder.values, recorder.actors, recorder.actor_types, spec.start
    )
    return table.to_pandas()
