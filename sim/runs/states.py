"""States of the world for a robust search: posterior draws and sampled ranges, fixed by a seed.

A state of the world (SOW) is one set of values of the uncertain parameters. A search
draws its SOWs once, from its own seed: from a posterior file (`sim calibrate`'s draws,
chosen by weight) and/or uniformly within the plausible ranges of the keys it names
(`sim.inputs.ranges`), so every candidate policy meets the same SOWs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.inputs.ranges import range_of
from sim.inputs.schema import Scenario
from sim.runs.posterior import DRAW_COLUMN, read_posterior, values_used

SOW_COLUMN = "sow"


def draw_states(
    scenario: Scenario,
    count: int,
    seed: int,
    *,
    posterior: Path | None = None,
    uncertainties: tuple[str, ...] = (),
) -> pd.DataFrame:
    """`count` SOWs: a `sow` number, the posterior draw (-1 without one) and a column per key.

    The posterior's draws come first from the generator of `seed`, then the uniform
    values of `uncertainties` in their order; a key in both keeps the posterior's value.
    Integers are rounded as the scenario holds them.
    """
    gen = np.random.default_rng(np.random.SeedSequence(seed))
    table = pd.DataFrame({SOW_COLUMN: np.arange(count)})
    rows: list[dict[str, float]] = [{} for _ in range(count)]
    if posterior is not None:
        draws = read_posterior(posterior, scenario)
        chosen = gen.choice(len(draws.weights), size=count, p=draws.weights)
        table[DRAW_COLUMN] = chosen
        rows = [draws.point(int(k)) for k in chosen]
    else:
        table[DRAW_COLUMN] = -1
    for key in uncertainties:
        span = range_of(key)
        sampled = gen.uniform(span.low, span.high, size=count)
        for row, value in zip(rows, sampled, strict=True):
            row.setdefault(key, float(value))
    used = pd.DataFrame([values_used(scenario, row) for row in rows])
    return pd.concat([table, used], axis=1)


def state_keys(states: pd.DataFrame) -> list[str]:
    """The scenario key paths the SOWs set (every column but the numbering)."""
    return [c for c in states.columns if c not in (SOW_COLUMN, DRAW_COLUMN)]
