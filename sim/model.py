"""The Mesa model: Afghanistan after August 2021, one step per month."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim import rules
from sim.actors import ForeignFighterGroup, InternationalActor, IsisKCommand, TalibanFaction
from sim.record import Recorder
from sim.scenario import event_timeline, load_scenario, override
from sim.schema import Scenario
from sim.state import Cells, Units, beta_draws, split_evenly


def replicate_rng(seed: int, replicate: int) -> np.random.Generator:
    """The generator of one replicate: `SeedSequence(seed).spawn(n)[replicate]`, any n."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replicate,)))


class AfghanistanModel(mesa.Model):
    """Taliban factions, ISIS-K, foreign-fighter groups and international actors.

    Each step is one month and calls the eight mechanisms of DESIGN.md in a fixed
    order; `series` holds the per-step record and `outcomes()` the run summary.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        replicate: int = 0,
        rng: np.random.Generator | int | None = None,
        collect: bool = True,
        **overrides: Any,
    ) -> None:
        """Build the model at month 0.

        Args:
            scenario: a loaded scenario or the path of a scenario file.
            replicate: replicate number; with the scenario seed it fixes the random stream.
            rng: a generator or seed to use instead of the scenario-derived stream.
            collect: also fill a Mesa `DataCollector` each step (slower; off in ensembles).
            **overrides: scenario keys to change, nested keys joined by `__`
                (e.g. `policy__crackdown=0.8`), so Mesa's batch runner can sweep them.
        """
        spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        if overrides:
            spec = override(spec, {k.replace("__", "."): v for k, v in overrides.items()})
        super().__init__(rng=replicate_rng(spec.seed, replicate) if rng is None else rng)
        self.spec = spec
        self.params = spec
        self.replicate = replicate
        self.timeline = event_timeline(spec)
        self.month = 0
        total = sum(f.fighters for f in spec.taliban.factions.values())
        self.units = Units(capacity=2 * round(total / spec.taliban.unit_size) + 64)
        self.factions = [
            TalibanFaction(self, name, i, f) for i, (name, f) in enumerate(spec.taliban.factions.items())
        ]
        self._populate_units()
        self.isisk = IsisKCommand(self, spec.isisk, self._initial_cells())
        self.groups = [ForeignFighterGroup(self, n, g) for n, g in spec.foreign_groups.items()]
        self.states = [InternationalActor(self, n, a) for n, a in spec.international.items()]
        self.economy = rules.EconomyState(frozen_musd=spec.economy.frozen_funds_musd,
                                          unfrozen=spec.economy.unfrozen)
        self.credibility = 1.0
        self.anger = 0.0
        self.crackdown = spec.policy.crackdown
        self.recorder = Recorder(self, spec.steps)
        self.datacollector = self.recorder.datacollector() if collect else None
        self._record()

    def _populate_units(self) -> None:
        """Split each faction's fighters into units of about `unit_size` fighters."""
        size = self.spec.taliban.unit_size
        for faction, spec in zip(self.factions, self.spec.taliban.factions.values(), strict=True):
            n = max(1, round(spec.fighters / size))
            fighters = split_evenly(self.rng, spec.fighters, n)
            self.units.append(
                fighters=fighters,
                faction=np.full(n, faction.index),
                ideology=beta_draws(self.rng, spec.ideology.mean, spec.ideology.sd, n),
                ties=beta_draws(self.rng, spec.ties_to_isisk.mean, spec.ties_to_isisk.sd, n),
                grievance=np.zeros(n),
            )
        self.units.keep(self.units.fighters > 0)

    def _initial_cells(self) -> Cells:
        spec = self.spec.isisk
        cells = Cells(capacity=4 * spec.cells)
        cells.append(
            fighters=split_evenly(self.rng, spec.fighters, spec.cells),
            capability=np.full(spec.cells, spec.capability),
            exposure=np.full(spec.cells, spec.exposure),
        )
        return cells

    def step(self) -> None:
        """Advance one month: events, then the eight mechanisms, then the record."""
        self.month += 1
        self.params = self.timeline.get(self.month, self.params)
        self.recorder.start_step()
        rules.adapt_policy(self)
        rules.pay_units(self)
        rules.crack_down(self)
        rules.purge_foreign_fighters(self)
        rules.defect(self)
        rules.attack(self)
        rules.recruit(self)
        rules.suffer_attrition(self)
        rules.update_pressure(self)
        rules.fragment(self)
        self._record()
        if self.month >= self.spec.steps:
            self.running = False

    def _record(self) -> None:
        self.recorder.record(self.month)
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def run(self) -> Recorder:
        """Step to the scenario's horizon and return the record."""
        while self.running:
            self.step()
        return self.recorder

    def mechanism_scale(self, name: str) -> float:
        """The scale of a mechanism in force, 0 when it is switched off."""
        switch = getattr(self.params.mechanisms, name)
        return switch.scale if switch.enabled else 0.0

    def faction_fighters(self) -> np.ndarray:
        """Fighters per faction, summed over its units."""
        units = self.units
        return np.bincount(units.faction, weights=units.fighters, minlength=len(self.factions))

    def group_fighters(self) -> np.ndarray:
        """Fighters per foreign-fighter group."""
        return np.array([g.fighters for g in self.groups], dtype=np.int64)

    def set_group_fighters(self, fighters: np.ndarray) -> None:
        """Write fighters back to the foreign-fighter group agents."""
        for group, n in zip(self.groups, fighters, strict=True):
            group.fighters = int(n)

    def active_factions(self) -> np.ndarray:
        """Mask of factions still inside the Taliban (not broken away)."""
        return np.array([not f.broken_away for f in self.factions])

    def crackdown_effect(self) -> float:
        """Crackdown intensity in force, rescaled (0 when the mechanism is off)."""
        return min(1.0, self.crackdown * self.mechanism_scale("crackdown"))

    def purge_effect(self, group: str) -> float:
        """Purge intensity against `group` in force (0 when the mechanism is off)."""
        return min(1.0, self.params.policy.purge.get(group, 0.0) * self.mechanism_scale("purge"))
