"""The scenario's ensemble band behind a run: median and 90% band of each actor's fighters.

The band's replicates are 0..n-1 of the scenario as the run is set up (same levers), so
the run of replicate r < n is one of them; a user sees whether it is typical.
"""

from __future__ import annotations

import numpy as np

from sim.engine.record import COL
from sim.engine.seeds import replicate_rng
from sim.inputs.schema import Scenario
from sim.rules import new_world

LEVELS = (0.05, 0.5, 0.95)


class Band:
    """Quantiles (5%, median, 95%) across replicates of each actor's fighters per month."""

    def __init__(self, scenario: Scenario, replicates: int) -> None:
        """Run `replicates` replicates of `scenario` to its horizon, batched."""
        gens = [replicate_rng(scenario.seed, r) for r in range(replicates)]
        recorder = new_world(scenario, gens).run()
        armed = [i for i, kind in enumerate(recorder.actor_types) if kind != "international"]
        fighters = recorder.values[:, :, armed, COL["fighters"]]
        self.actors = [recorder.actors[i] for i in armed]
        self.quantiles = np.nanquantile(fighters, LEVELS, axis=0)
        self.label = f"the median and 90% band of {replicates} replicates"

    def fighters(self, actor: str) -> np.ndarray:
        """(low, median, high) fighters of one actor over months 0..horizon."""
        return self.quantiles[:, :, self.actors.index(actor)]
