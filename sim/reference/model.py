"""The baseline rules written the plain Mesa way, as the yardstick of the vectorised model.

One `mesa.Agent` per Taliban unit, ISIS-K cell, foreign group, faction and state
(`reference_agents`); each month the model calls the mechanisms in the order of
`AfghanistanModel.step`, each one a `do` / `shuffle_do` of an agent method over
`agents_by_type[...]`; agents are created and removed with Mesa's API as units and
cells are born, split, defect and die; a `DataCollector` records fighters per actor
and the monthly tallies, and `outcomes()` is computed from its table.

The arithmetic is the pure functions of `sim.rules` (and the model's own small
helpers), called on scalars, so the two implementations cannot drift; every draw has
the same distribution as in the vectorised model, though the random streams differ.
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np

from sim.engine.seeds import replicate_rng
from sim.engine.state import beta_draws, split_evenly
from sim.inputs.scenario import event_timeline, load_scenario
from sim.inputs.schema import Scenario
from sim.reference.agents import (
    CellAgent,
    FactionAgent,
    GroupAgent,
    IsisKAgent,
    StateAgent,
    UnitAgent,
)
from sim.rules.attacks import TARGETS, momentum_after
from sim.rules.crackdown import adaptive_intensity, effectiveness
from sim.rules.defection import abandonment
from sim.rules.economy import monthly_revenue, pay_ratio
from sim.rules.fragmentation import rivalry_gaps
from sim.rules.maths import clamp
from sim.rules.recruitment import local_recruits_rate

__all__ = ["CellAgent", "FactionAgent", "GroupAgent", "ReferenceModel", "StateAgent", "UnitAgent"]


class ReferenceModel(mesa.Model):
    """Taliban units, ISIS-K cells, foreign groups, factions and states, one agent each.

    Same scenario, same mechanisms in the same order as `sim.model.AfghanistanModel`;
    the loops over agents are Python loops, as a Mesa user would write them.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        replicate: int = 0,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        """Build the model at month 0.

        Args:
            scenario: a loaded scenario or the path of a scenario file.
            replicate: replicate number; with the scenario seed it fixes the random stream.
            rng: a generator or seed to use instead of the scenario-derived stream.
        """
        spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        super().__init__(rng=replicate_rng(spec.seed, replicate) if rng is None else rng)
        self.spec = self.params = spec
        self.timeline = event_timeline(spec)
        self.month = 0
        self.factions = [FactionAgent(self, name, f) for name, f in spec.taliban.factions.items()]
        for faction in self.factions:
            self._populate_units(faction)
        for fighters in split_evenly(self.rng, spec.isisk.fighters, spec.isisk.cells):
            CellAgent(self, fighters, spec.isisk.capability, spec.isisk.exposure)
        self.isisk = IsisKAgent(self, spec.isisk.momentum)
        self.groups = [GroupAgent(self, name, g) for name, g in spec.foreign_groups.items()]
        self.states = [StateAgent(self, name, a) for name, a in spec.international.items()]
        self.frozen_musd = spec.economy.frozen_funds_musd
        self.unfrozen = spec.economy.unfrozen
        self.credibility = 1.0
        self.anger = 0.0
        self.crackdown = spec.policy.crackdown
        self.last_attacks = 0
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self.datacollector.collect(self)

    def _populate_units(self, faction: FactionAgent) -> None:
        """Split the faction's fighters into units of about `unit_size`, traits drawn per unit."""
        spec = self.spec.taliban.factions[faction.name]
        n = max(1, round(spec.fighters / self.spec.taliban.unit_size))
        for fighters in split_evenly(self.rng, spec.fighters, n):
            ideology = beta_draws(self.rng, spec.ideology.mean, spec.ideology.sd, 1)[0]
            ties = beta_draws(self.rng, spec.ties_to_isisk.mean, spec.ties_to_isisk.sd, 1)[0]
            if fighters > 0:
                UnitAgent(self, faction, fighters, ideology, ties)

    def _reporters(self) -> dict:
        """Fighters per actor and the monthly tallies, read from the agents."""
        reporters = {
            "fighters_taliban": lambda m: sum(
                f.fighters() for f in m.factions if not f.broken_away
            ),
        }
        for faction in self.factions:
            reporters[f"fighters_{faction.name}"] = lambda m, f=faction: f.fighters()
        reporters["fighters_isisk"] = lambda m: m.isisk.fighters()
        for group in self.groups:
            reporters[f"fighters_{group.name}"] = lambda m, g=group: g.fighters
        reporters |= {
            "cells": lambda m: len(m.agents_by_type[CellAgent]),
            "attacks": lambda m: m.isisk.attacks,
            "sectarian_attacks": lambda m: m.isisk.sectarian_attacks,
            "casualties": lambda m: m.isisk.casualties,
            "defected_in": lambda m: m.isisk.defected_in,
            "defections_foreign": lambda m: sum(g.handed for g in m.groups),
            "deserted": lambda m: sum(f.deserted for f in m.factions),
        }
        return reporters

    def mechanism_scale(self, name: str) -> float:
        """The scale of a mechanism in force, 0 when it is switched off."""
        switch = getattr(self.params.mechanisms, name)
        return switch.scale if switch.enabled else 0.0

    def crackdown_effect(self) -> float:
        """Crackdown intensity in force, rescaled (0 when the mechanism is off)."""
        return min(1.0, self.crackdown * self.mechanism_scale("crackdown"))

    def purge_effect(self, group: GroupAgent) -> float:
        """Purge intensity against a group still allied to the Taliban (else 0), rescaled."""
        if group.patron != "taliban":
            return 0.0
        return min(
            1.0, self.params.policy.purge.get(group.name, 0.0) * self.mechanism_scale("purge")
        )

    def taliban_action(self) -> dict[str, float]:
        """Taliban action in [0, 1] on each possible demand: ISIS-K, each group, concessions."""
        policy = self.params.policy
        joint = 1.0 + self.params.rules.crackdown.joint_bonus * float(policy.joint_with_us)
        action = {
            "isisk": min(1.0, self.crackdown_effect() * joint),
            "concessions": policy.concessions,
        }
        return action | {g.name: self.purge_effect(g) for g in self.groups}

    @property
    def units(self) -> mesa.agent.AbstractAgentSet:
        """The Taliban unit agents."""
        return self.agents_by_type[UnitAgent]

    @property
    def cells(self) -> mesa.agent.AbstractAgentSet:
        """The ISIS-K cell agents."""
        return self.agents_by_type[CellAgent]

    def step(self) -> None:
        """Advance one month: events, then the mechanisms in `AfghanistanModel.step`'s order."""
        self.month += 1
        self.params = self.timeline.get(self.month, self.params)
        for agent in (*self.factions, self.isisk, *self.groups):
            agent.new_month()
        self.adapt_policy()
        self.pay_units()
        self.crack_down()
        self.purge_foreign_fighters()
        self.defect()
        self.attack()
        self.recruit()
        self.suffer_attrition()
        self.update_pressure()
        self.fragment()
        self.datacollector.collect(self)
        self.last_attacks = self.isisk.attacks
        if self.month >= self.spec.steps:
            self.running = False

    def run(self) -> ReferenceModel:
        """Step to the scenario's horizon."""
        while self.running:
            self.step()
        return self

    def adapt_policy(self) -> None:
        """This month's crackdown: the policy's, or adapted to last month's attacks."""
        policy = self.params.policy
        self.crackdown = (
            adaptive_intensity(
                policy.crackdown, policy.adaptive_gain, self.last_attacks, policy.attack_tolerance
            )
            if policy.adaptive_gain > 0 and self.month > 1
            else policy.crackdown
        )

    def pay_units(self) -> None:
        """Revenue, split by active factions' shares, sets each faction's pay; units get paid."""
        scale = self.mechanism_scale("economy")
        if scale == 0.0:
            for faction in self.factions:
                faction.pay_ratio = 1.0
            return
        spec = self.params.economy
        released = 0.0
        if self.unfrozen or spec.unfrozen:
            released = self.frozen_musd * spec.unfreeze_rate
            self.frozen_musd -= released
        aid = sum(
            self.params.international[s.name].aid_musd * (1.0 - s.pressure) for s in self.states
        )
        mean_pressure = sum(s.pressure for s in self.states) / len(self.states)
        budget = (
            spec.military_share
            * scale
            * monthly_revenue(
                spec.domestic_revenue_musd, spec.sanction_damage, mean_pressure, aid, released
            )
        )
        shares = {
            f.name: self.params.taliban.factions[f.name].revenue_share
            for f in self.factions
            if not f.broken_away
        }
        total = max(sum(shares.values()), 1e-12)
        for faction in self.factions:
            faction.pay_ratio = (
                spec.breakaway_pay
                if faction.broken_away
                else float(
                    pay_ratio(
                        budget * shares[faction.name] / total, faction.fighters(), spec.wage_usd
                    )
                )
            )
        self.units.do("get_paid")

    def security_ties(self) -> float:
        """Fighter-weighted ties to ISIS-K of the units of the faction running security."""
        name = self.params.policy.security_faction
        units = [u for u in self.units if u.faction.name == name]
        weight = sum(u.fighters for u in units)
        return sum(u.ties * u.fighters for u in units) / weight if weight > 0 else 0.0

    def crack_down(self) -> None:
        """Each cell loses fighters to the crackdown; inaccurate force breeds anger."""
        intensity = self.crackdown_effect()
        self.anger = intensity * (1.0 - self.params.policy.accuracy)
        if intensity == 0.0 or len(self.cells) == 0:
            return
        rule = self.params.rules.crackdown
        effect = effectiveness(self.params.policy.joint_with_us, self.security_ties(), rule)
        self.cells.do("crack_down", intensity, effect)

    def purge_foreign_fighters(self) -> None:
        """Each group is purged (or merges with ISIS-K); what leaks joins ISIS-K's cells."""
        scale = self.mechanism_scale("purge")
        if scale == 0.0:
            return
        for group in self.groups:
            group.purge()
        handed = sum(g.handed for g in self.groups)
        self.isisk.defected_in += handed
        self.isisk.join_cells(handed)

    def defect(self) -> None:
        """In random order, each unit defects (founding a cell), deserts or stays."""
        scale = self.mechanism_scale("defection")
        if scale == 0.0 or len(self.units) == 0:
            return
        policy = self.params.policy
        purges = [self.purge_effect(g) for g in self.groups if g.patron == "taliban"]
        crackdown = self.crackdown_effect()
        abandon = abandonment(
            crackdown,
            policy.joint_with_us and crackdown > 0,
            policy.concessions,
            float(np.mean(purges)) if purges else 0.0,
            self.params.rules.defection,
        )
        self.units.shuffle_do("defect_or_desert", abandon, scale)

    def attack(self) -> None:
        """Cells attack in random order; units take losses; momentum and credibility move."""
        scale = self.mechanism_scale("attacks")
        if scale == 0.0 or len(self.cells) == 0:
            return
        rule = self.params.rules.attacks
        shares = np.array([rule.target_shares.get(t, 0.0) for t in TARGETS])
        self.cells.shuffle_do("attack", scale, shares / shares.sum())
        successes = self.isisk.successes
        if successes[1] and len(self.units):
            taliban = sum(u.fighters for u in self.units)
            kill = min(1.0, rule.taliban_killed_per_attack * successes[1] / max(taliban, 1))
            self.units.do("take_losses", kill)
        self.isisk.momentum = momentum_after(self.isisk.momentum, float(successes.sum()), rule)
        self.credibility = clamp(
            self.credibility
            + rule.credibility_recovery * (1.0 - self.credibility)
            - rule.credibility_loss * float(successes[0])
        )

    def recruit(self) -> None:
        """Local recruits and foreign arrivals; new Taliban units; cells and units reshape."""
        scale = self.mechanism_scale("recruitment")
        if scale == 0.0:
            return
        rule = self.params.rules.recruitment
        rate = local_recruits_rate(
            rule.isisk_local_per_month,
            self.isisk.momentum,
            rule.momentum_boost,
            self.anger,
            rule.anger_recruits,
        )
        self.isisk.join_cells(int(self.rng.poisson(scale * rate)))
        for group in self.groups:
            group.receive_arrivals(scale)
        for faction in self.factions:
            faction.found_units(scale)
        self.isisk.reshape_cells()
        self.units.do("split", rule.unit_split_factor * self.params.taliban.unit_size)

    def suffer_attrition(self) -> None:
        """Every unit, cell and group loses a share of its fighters (off with recruitment)."""
        if self.mechanism_scale("recruitment") == 0.0:
            return
        rule = self.params.rules.recruitment
        self.units.do("suffer_attrition", rule.taliban_attrition)
        self.cells.do("suffer_attrition", rule.isisk_attrition)
        for group in self.groups:
            group.suffer_attrition(rule.foreign_attrition)

    def update_pressure(self) -> None:
        """Each state moves its pressure on Taliban action and this month's sectarian attacks."""
        scale = self.mechanism_scale("pressure")
        if scale == 0.0:
            return
        states = self.agents_by_type[StateAgent]
        states.do("step", self.taliban_action(), self.isisk.sectarian_attacks, scale)
        holders = [s for s in self.states if self.params.international[s.name].holds_frozen_funds]
        if holders and all(
            s.months_satisfied >= self.params.international[s.name].unfreeze_after for s in holders
        ):
            self.unfrozen = True

    def fragment(self) -> None:
        """Each faction's cohesion moves under strain; one below the threshold breaks away."""
        scale = self.mechanism_scale("fragmentation")
        if scale == 0.0:
            return
        fighters = dict.fromkeys(self.factions, 0)
        weighted = dict.fromkeys(self.factions, 0.0)
        for unit in self.units:
            fighters[unit.faction] += unit.fighters
            weighted[unit.faction] += unit.fighters * unit.ideology
        names = [f.name for f in self.factions]
        shares = np.array(
            [
                self.params.taliban.factions[f.name].revenue_share * (not f.broken_away)
                for f in self.factions
            ]
        )
        shares = shares / max(shares.sum(), 1e-12)
        pairs = [(names.index(a), names.index(b)) for a, b in self.params.taliban.rivalries]
        gaps = rivalry_gaps(shares, pairs)
        for faction, gap in zip(self.factions, gaps, strict=True):
            n = fighters[faction]
            faction.fragment(n, weighted[faction] / max(n, 1.0), float(gap), scale)

    def outcomes(self) -> dict[str, float | bool]:
        """Summary outcomes from the DataCollector's table, keyed as `Recorder.outcomes`."""
        table = self.datacollector.get_model_vars_dataframe()
        breaks = [f.broken_month for f in self.factions if f.broken_month is not None]
        recognitions = [s.recognized_month for s in self.states if s.recognized_month is not None]
        defected, foreign = table["defected_in"].sum(), table["defections_foreign"].sum()
        return {
            "isisk_final": float(table["fighters_isisk"].iloc[-1]),
            "isisk_peak": float(table["fighters_isisk"].max()),
            "isisk_cells_final": float(table["cells"].iloc[-1]),
            "taliban_final": float(table["fighters_taliban"].iloc[-1]),
            "attacks_total": float(table["attacks"].sum()),
            "sectarian_attacks_total": float(table["sectarian_attacks"].sum()),
            "casualties_total": float(table["casualties"].sum()),
            "defections_total": float(defected),
            "defections_taliban": float(defected - foreign),
            "defections_foreign": float(foreign),
            "desertions_total": float(table["deserted"].sum()),
            "fragmented": bool(breaks),
            "fragmented_month": float(min(breaks)) if breaks else np.nan,
            "recognized": bool(recognitions),
            "recognized_month": float(min(recognitions)) if recognitions else np.nan,
            "recognitions_final": float(len(recognitions)),
        }
