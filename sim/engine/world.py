"""The simulated world of one or many replicates, stepped together one month at a time.

Every state variable has a leading replicate axis; each replicate draws from its own
stream (`sim.engine.streams`), so replicate r's history is the same in a batch of 1 (the
Mesa model) or of 100 (an ensemble chunk). Units and cells are ragged tables
(`sim.engine.state`). The world does not know the rules: it steps through the schedule
it is given (`sim.rules.SCHEDULE`, through `sim.rules.new_world`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.record import Recorder
from sim.engine.signals import Signals
from sim.engine.state import Cells, Units, beta_draws, split_evenly
from sim.engine.streams import Streams
from sim.engine.values import (
    Values,
    at_row,
    checked,
    per_actor,
    timeline_with_values,
    typed,
    with_values,
)
from sim.inputs.schema import MECHANISMS, PATRONS, Scenario


@dataclass(frozen=True)
class Step:
    """One entry of the monthly schedule: a rule of a mechanism and the state it touches.

    `rule(world, scale)` runs only while its mechanism is switched on, with the
    mechanism's scale; `reads` and `writes` name the world's fields and the scenario
    keys (`params.policy.crackdown`, a whole block, or `*` for every actor) it reads
    and writes, and a test holds each rule to them.
    """

    mechanism: str
    rule: Callable[[World, float], None]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    when_off: Callable[[World], None] | None = None


def scales_in_force(params: Scenario) -> dict[str, float]:
    """Each mechanism's scale, 0 when it is switched off: the one reading of the switches."""
    switches = params.mechanisms
    return {
        m: getattr(switches, m).scale if getattr(switches, m).enabled else 0.0 for m in MECHANISMS
    }


def rescaled(intensity: np.ndarray, scale: float) -> np.ndarray:
    """A policy intensity in force under its mechanism's scale, at most 1."""
    return np.minimum(1.0, intensity * scale)


def starting_agents(spec: Scenario, gens: Sequence[np.random.Generator]) -> tuple[Units, Cells]:
    """Each replicate's units and cells at the start, drawn from its generator (`populate`).

    Also what an ensemble's manifest counts, without building a world and its record.
    The rows' entries go into the tables in one extend each.
    """
    factions = spec.taliban.factions.values()
    total = sum(f.fighters for f in factions)
    rows = len(gens)
    units = Units(rows, 2 * round(total / spec.taliban.unit_size) + 64, len(factions))
    cells = Cells(rows, 4 * spec.isisk.cells)
    drawn = [populate(spec, r, gen) for r, gen in enumerate(gens)]
    for table, k in ((units, 0), (cells, 1)) if drawn else ():
        columns = [row[k] for row in drawn]
        table.extend(
            np.array([len(c["fighters"]) for c in columns]),
            **{name: np.concatenate([c[name] for c in columns]) for name in table.columns},
        )
    return units, cells


def populate(
    spec: Scenario, r: int, gen: np.random.Generator
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Row r's units (each faction's fighters split into units of about `unit_size`) and cells.

    Returned as columns of the units' and the cells' tables. Parameters that vary per
    replicate take replicate r's value.
    """
    economy = spec.economy
    initial_grievance = min(1.0, at_row(economy.grievance_rate, r) * economy.initial_arrears_months)
    fighters, ideology, ties = [], [], []
    for faction in spec.taliban.factions.values():
        n = max(1, round(faction.fighters / spec.taliban.unit_size))
        split = split_evenly(gen, faction.fighters, n)
        believers, tied = (
            beta_draws(gen, at_row(trait.mean, r), at_row(trait.sd, r), n)
            for trait in (faction.ideology, faction.ties_to_isisk)
        )  # drawn in this order: ideology, then ties
        manned = split > 0  # a split of few fighters can leave a unit empty
        fighters.append(split[manned])
        ideology.append(believers[manned])
        ties.append(tied[manned])
    counts = [len(f) for f in fighters]
    units = {
        "fighters": np.concatenate(fighters),
        "faction": np.repeat(np.arange(len(counts)), counts),
        "ideology": np.concatenate(ideology),
        "ties": np.concatenate(ties),
        "grievance": np.full(sum(counts), initial_grievance),
    }
    isisk = spec.isisk
    split = split_evenly(gen, isisk.fighters, isisk.cells)
    manned = split > 0
    cells = {
        "fighters": split[manned],
        "capability": np.full(manned.sum(), at_row(isisk.capability, r)),
        "exposure": np.full(manned.sum(), at_row(isisk.exposure, r)),
        "skill": np.full(manned.sum(), at_row(isisk.capability, r)),
    }
    return units, cells


class World:
    """State and step of `len(gens)` replicates of one scenario."""

    def __init__(
        self,
        scenario: Scenario,
        gens: Sequence[np.random.Generator],
        schedule: Sequence[Step],
        values: Values | None = None,
        *,
        validated: bool = False,
    ) -> None:
        """Draw the initial units and cells of each replicate from its generator.

        The generators then feed `streams`, from which every monthly draw comes.
        `values` gives parameters one value per replicate (`sim.engine.values`); they
        are checked (`ScenarioError` for a key that cannot vary within a batch or a bad
        value) unless `validated` says the caller validated them already.
        """
        unknown = {s.mechanism for s in schedule} - set(MECHANISMS)
        if unknown:
            raise ValueError(f"schedule names unknown mechanisms {sorted(unknown)}")
        self.schedule = tuple(schedule)
        self.gens = list(gens)
        rows = len(self.gens)
        varied = typed(scenario, values) if validated else checked(scenario, values, rows)
        self.spec = self.params = with_values(scenario, varied)
        self.timeline = timeline_with_values(scenario, varied)
        self.scales = scales_in_force(self.params)
        self.month = 0
        scenario = self.spec
        self.faction_names = list(scenario.taliban.factions)
        self.group_names = list(scenario.foreign_groups)
        self.state_names = list(scenario.international)
        self.units, self.cells = starting_agents(scenario, self.gens)
        self.streams = Streams(self.gens)
        nf, ns = len(self.faction_names), len(self.state_names)
        economy = scenario.economy
        self.cohesion = np.broadcast_to(self.faction_values("cohesion"), (rows, nf)).copy()
        self.pay_ratio = np.ones((rows, nf))
        self.arrears = np.full((rows, nf), economy.initial_arrears_months)
        self.broken_month = np.full((rows, nf), -1)
        self.breakaway_to = np.full((rows, nf), -1)  # index into schema.BREAKAWAYS
        self.core = self.faction_names.index(scenario.taliban.core)
        self.momentum = np.full(rows, scenario.isisk.momentum)
        self.safe_areas = np.full(rows, scenario.isisk.safe_areas)  # ISIS-K's sanctuaries
        self.credibility = np.ones(rows)
        self.effort = np.tile([1.0, 0.0, 0.0], (rows, 1))  # ISIS-K's: home, abroad, consolidate
        self.crackdown_intensity = np.full(rows, scenario.policy.crackdown)
        groups = scenario.foreign_groups.values()
        self.group_fighters = np.tile([g.fighters for g in groups], (rows, 1)).astype(np.int64)
        self.patron = np.tile([PATRONS.index(g.patron) for g in groups], (rows, 1))
        states = scenario.international.values()
        self.pressure = np.tile([s.pressure for s in states], (rows, 1)).astype(float)
        self.months_satisfied = np.zeros((rows, ns), dtype=np.int64)
        self.engagement = np.tile([s.engagement for s in states], (rows, 1)).astype(np.int64)
        self.recognized_month = np.full((rows, ns), -1)
        self.frozen_musd = np.full(rows, economy.frozen_funds_musd)
        self.unfrozen = np.full(rows, economy.unfrozen)
        self.hardship = np.full(rows, economy.hardship)
        self.aid_musd = np.zeros(rows)
        self.revenue_musd = np.zeros(rows)
        self.total_pay_ratio = np.ones(rows)
        self.ex_ansf = np.zeros(rows, dtype=np.int64) + scenario.rules.recruitment.ex_ansf_pool
        self.crime = np.zeros(rows)  # deserters in armed crime (banditry, kidnapping, smuggling)
        self.at_home = np.zeros(rows, dtype=np.int64)  # ISIS-K's surrendered, gone home
        self.signals = Signals(rows, nf, len(self.group_names))
        self.recorder = Recorder(
            rows, scenario.steps, self.faction_names, self.group_names, self.state_names
        )
        self.recorder.record(self)
        self._derived: dict[Callable, tuple[Scenario, object]] = {}

    @property
    def replicates(self) -> int:
        """Number of replicates stepped together."""
        return len(self.gens)

    def step(self) -> None:
        """One month: events, fresh signals, each rule of the schedule in order, the record.

        This is the one place where a mechanism's switch is read (`scales_in_force`): a
        rule whose mechanism is off does not run (its `when_off` runs instead, where it
        has one); the others get their scale, and rules that rescale another mechanism's
        intensity read it from `scales`.
        """
        self.month += 1
        self.params = self.timeline.get(self.month, self.params)
        self.scales = scales_in_force(self.params)
        self.signals.start_month()
        for step in self.schedule:
            scale = self.scales[step.mechanism]
            if scale > 0.0:
                step.rule(self, scale)
            elif step.when_off is not None:
                step.when_off(self)
        self.recorder.record(self)

    def run(self) -> Recorder:
        """Step to the scenario's horizon and return the record."""
        while self.month < self.spec.steps:
            self.step()
        return self.recorder

    def derived[T](self, build: Callable[[Scenario, int], T]) -> T:
        """`build(params, replicates)` for the parameters in force, built once while they hold.

        For the loops' tables of parameters: the parameters change only where the
        scenario's timeline says, so most months reuse the last month's tables.
        """
        kept = self._derived.get(build)
        if kept is None or kept[0] is not self.params:
            kept = self._derived[build] = (self.params, build(self.params, self.replicates))
        return kept[1]

    def mechanism_scale(self, name: str) -> float:
        """The scale of a mechanism in force this month, 0 when it is switched off."""
        return self.scales[name]

    def faction_fighters(self) -> np.ndarray:
        """Fighters per replicate and faction."""
        return self.units.by_faction(self.units.fighters)

    @property
    def broken_away(self) -> np.ndarray:
        """Mask of factions that broke away from the Taliban, (replicates, factions)."""
        return self.broken_month >= 0

    def crackdown_effect(self) -> np.ndarray:
        """Crackdown intensity in force per replicate, rescaled (0 when the mechanism is off)."""
        return rescaled(self.crackdown_intensity, self.scales["crackdown"])

    def purge_effect(self) -> np.ndarray:
        """Purge intensity per replicate and group in force: rescaled, 0 when off or not allied."""
        return self.purge_intensity(self.scales["purge"])

    def purge_intensity(self, scale: float) -> np.ndarray:
        """`policy.purge` of each group under this scale, 0 for groups not allied to the Taliban."""
        purge = self.params.policy.purge
        intensity = rescaled(per_actor([purge.get(g, 0.0) for g in self.group_names]), scale)
        return intensity * (self.patron == PATRONS.index("taliban"))

    def recognized_share(self) -> np.ndarray:
        """Share of the international actors that recognise the Taliban, per replicate."""
        return (self.recognized_month >= 0).sum(axis=1) / self.recognized_month.shape[1]

    def faction_values(self, name: str) -> np.ndarray:
        """One numeric field of every faction's scenario block, in faction order.

        (factions,), or (replicates, factions) where the field varies per replicate.
        """
        return per_actor([getattr(f, name) for f in self.params.taliban.factions.values()])
