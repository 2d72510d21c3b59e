"""The Mesa model: Afghanistan after August 2021, one replicate, one step per month."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa import DataCollector

from sim.agents import ForeignFighterGroup, ForeignPower, IsisKCommand, TalibanFaction
from sim.engine.record import COL, Recorder
from sim.engine.seeds import replicate_seed
from sim.inputs.scenario import load_scenario, override
from sim.inputs.schema import Scenario
from sim.rules import new_world


class AfghanistanModel(mesa.Model):
    """Taliban factions, ISIS-K, foreign-fighter groups and international actors.

    Each step is one month and applies the eight mechanisms of docs/design.md §3 in a fixed
    order (see `World.step`); the agents are views onto this replicate's state.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        replicate: int | None = None,
        rng: np.random.Generator | int | None = None,
        collect: bool = True,
        **overrides: Any,
    ) -> None:
        """Build the model at month 0.

        Given neither `replicate` nor `rng`, the run draws fresh entropy (Mesa's
        convention, so Mesa's batch runner repeats no run) and keeps it as `entropy`:
        `rng=model.entropy` repeats the run.

        Args:
            scenario: a loaded scenario or the path of a scenario file.
            replicate: replicate number; with the scenario seed it fixes the random stream.
            rng: a generator or seed to use instead of the scenario-derived stream.
            collect: fill a Mesa `DataCollector` each step (off in ensembles: it is slower).
            **overrides: scenario keys to change, nested keys joined by `__`
                (e.g. `policy__crackdown=0.8`), so Mesa's batch runner can sweep them.
        """
        spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        if overrides:
            spec = override(spec, {k.replace("__", "."): v for k, v in overrides.items()})
        entropy = None
        if rng is None and replicate is None:
            rng = entropy = np.random.SeedSequence().entropy
        elif rng is None:
            rng = np.random.default_rng(replicate_seed(spec.seed, replicate))
        super().__init__(rng=rng)
        self.spec, self.replicate = spec, replicate
        self.entropy: int | None = entropy  # the fresh entropy drawn, if no seed was given
        self.world = new_world(spec, [self.rng])
        self.factions = [TalibanFaction(self, i) for i in range(len(self.world.faction_names))]
        self.isisk = IsisKCommand(self)
        self.groups = [ForeignFighterGroup(self, j) for j in range(len(self.world.group_names))]
        self.states = [ForeignPower(self, k) for k in range(len(self.world.state_names))]
        self.datacollector = _datacollector(self.recorder) if collect else None
        self._collect()

    @property
    def recorder(self) -> Recorder:
        """The per-step record (row 0 of `recorder.values` is this replicate)."""
        return self.world.recorder

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.world.month

    def step(self) -> None:
        """Advance one month."""
        self.world.step()
        self._collect()
        self.running = self.world.month < self.spec.steps

    def run(self) -> Recorder:
        """Step to the scenario's horizon and return the record."""
        while self.running:
            self.step()
        return self.recorder

    def outcomes(self) -> dict[str, float | bool]:
        """Summary outcomes of this run."""
        return self.recorder.outcomes()[0]

    def _collect(self) -> None:
        if self.datacollector is not None:
            self.datacollector.collect(self)


def _datacollector(recorder: Recorder) -> DataCollector:
    """A Mesa DataCollector reporting each actor's fighters and the main indicators."""
    reporters = {
        f"fighters_{a}": _reader(i, "fighters")
        for i, a in enumerate(recorder.actors[: recorder.states.start])
    }
    reporters |= {
        name: _reader(recorder.isisk, name) for name in ("cells", "attacks", "casualties")
    }
    reporters |= {name: _reader(0, name) for name in ("revenue", "pressure", "recognized")}
    return DataCollector(model_reporters=reporters)


def _reader(actor: int, column: str):
    def read(model: AfghanistanModel) -> float:
        return float(model.recorder.values[0, model.month, actor, COL[column]])

    return read
