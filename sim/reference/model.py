"""The rules written the plain Mesa way, as the readable yardstick of the vectorised model.

One `mesa.Agent` per Taliban unit, ISIS-K cell, foreign group, faction and state
(`sim.reference.agents`). Each month the model runs the rules of `sim.rules.SCHEDULE`,
in its order and with its on/off switches, each rule a method of the same name here:
a `do` / `shuffle_do` of an agent method over `agents_by_type[...]`, plus the few
country-wide quantities (revenue, hardship, credibility) the model itself holds.
Agents are created and removed with Mesa's API as units and cells are born, split,
go over and die; a `DataCollector` records the month, and `outcomes()` reads its table.

The arithmetic is the pure functions of `sim.rules`, called on scalars (or small
arrays over states), so the two implementations cannot drift; every draw comes from
the model's own `rng` and has the distribution of the vectorised model's draw.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import mesa
import numpy as np

from sim.engine.seeds import replicate_rng
from sim.engine.state import beta_draws, split_evenly
from sim.inputs.scenario import event_timeline, load_scenario
from sim.inputs.schema import DEMANDS, TARGETS, Scenario
from sim.reference.agents import (
    CellAgent,
    FactionAgent,
    GroupAgent,
    IsisKAgent,
    StateAgent,
    UnitAgent,
)
from sim.reference.record import outcomes, reporters
from sim.rules import SCHEDULE
from sim.rules.attacks import momentum_after
from sim.rules.crackdown import adaptive_intensity, anger, effectiveness, safe_areas_eroded
from sim.rules.defection import abandonment
from sim.rules.economy import (
    aid_received,
    fiscal_revenue,
    hardship_after,
    hardship_target,
    policy_costs,
)
from sim.rules.fragmentation import rivalry_gaps
from sim.rules.maths import clamp
from sim.rules.pressure import demands_met, misconduct, release_chance, share_ahead
from sim.rules.recruitment import (
    armed_crime_after,
    central_asian_rate,
    ex_ansf_chance,
    local_recruits_rate,
    prisoners_released,
)
from sim.rules.strategy import CONSOLIDATE, safe_areas_rebuilt
from sim.rules.surrender import mixed_ties, rejoin_probability, surrender_probability

__all__ = [
    "CellAgent",
    "FactionAgent",
    "GroupAgent",
    "IsisKAgent",
    "ReferenceModel",
    "StateAgent",
    "UnitAgent",
]


class ReferenceModel(mesa.Model):
    """Taliban units, ISIS-K cells, foreign groups, factions and states, one agent each.

    Same scenario, same rules in the same order (`sim.rules.SCHEDULE`) as the
    vectorised model; the loops over agents are Python loops, as a Mesa user writes them.
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
        self.schedule = self._schedule()
        self.factions = [FactionAgent(self, name, f) for name, f in spec.taliban.factions.items()]
        for faction in self.factions:
            self._populate_units(faction)
        for fighters in split_evenly(self.rng, spec.isisk.fighters, spec.isisk.cells):
            if fighters > 0:
                CellAgent(self, fighters, spec.isisk.capability, spec.isisk.exposure)
        self.isisk = IsisKAgent(self, spec.isisk.momentum)
        self.groups = [GroupAgent(self, name, g) for name, g in spec.foreign_groups.items()]
        self.states = [StateAgent(self, name, a) for name, a in spec.international.items()]
        economy = spec.economy
        self.frozen_musd, self.unfrozen = economy.frozen_funds_musd, economy.unfrozen
        self.hardship, self.aid_musd, self.revenue_musd = economy.hardship, 0.0, 0.0
        self.credibility = 1.0
        self.safe_areas = spec.isisk.safe_areas  # ISIS-K's mountain sanctuaries held
        self.crackdown_intensity = spec.policy.crackdown
        self.anger = self.force = 0.0  # this month's indiscriminate force; crackdown force
        self.last_attacks = 0  # last month's attacks in Afghanistan
        self.ex_ansf = spec.rules.recruitment.ex_ansf_pool  # former security forces, a pool
        self.crime = 0.0  # deserters in armed crime
        self.at_home = 0  # ISIS-K's surrendered who went home, a pool it draws back
        self.datacollector = mesa.DataCollector(model_reporters=reporters(self))
        self.datacollector.collect(self)

    def _schedule(self) -> list[tuple[str, Callable[[float], None], Callable[[], None] | None]]:
        """`sim.rules.SCHEDULE` as (mechanism, this model's rule, its when-off) triples."""
        missing = [s.rule.__name__ for s in SCHEDULE if not hasattr(self, s.rule.__name__)]
        if missing:
            raise TypeError(f"ReferenceModel has no method for the scheduled rules {missing}")
        return [
            (
                s.mechanism,
                getattr(self, s.rule.__name__),
                getattr(self, s.when_off.__name__) if s.when_off else None,
            )
            for s in SCHEDULE
        ]

    def _populate_units(self, faction: FactionAgent) -> None:
        """Split the faction's fighters into units of about `unit_size`, traits drawn per unit.

        Units start with the grievance of the months of pay owed at month 0.
        """
        spec, economy = faction.spec, self.spec.economy
        grievance = min(1.0, economy.grievance_rate * economy.initial_arrears_months)
        n = max(1, round(spec.fighters / self.spec.taliban.unit_size))
        for fighters in split_evenly(self.rng, spec.fighters, n):
            ideology = beta_draws(self.rng, spec.ideology.mean, spec.ideology.sd)
            ties = beta_draws(self.rng, spec.ties_to_isisk.mean, spec.ties_to_isisk.sd)
            if fighters > 0:
                UnitAgent(self, faction, fighters, ideology, ties, grievance)

    @property
    def units(self) -> mesa.agent.AbstractAgentSet:
        """The Taliban unit agents."""
        return self.agents_by_type[UnitAgent]

    @property
    def cells(self) -> mesa.agent.AbstractAgentSet:
        """The ISIS-K cell agents."""
        return self.agents_by_type[CellAgent]

    def step(self) -> None:
        """Advance one month: events, fresh tallies, then each scheduled rule that is on."""
        self.month += 1
        self.params = self.timeline.get(self.month, self.params)
        self.last_attacks = self.isisk.attacks_at_home
        for agent in (*self.factions, self.isisk, *self.groups):
            agent.new_month()
        self.anger = self.force = 0.0
        for mechanism, rule, when_off in self.schedule:
            scale = self.mechanism_scale(mechanism)
            if scale > 0.0:
                rule(scale)
            elif when_off is not None:
                when_off()
        self.datacollector.collect(self)
        if self.month >= self.spec.steps:
            self.running = False

    def run(self) -> ReferenceModel:
        """Step to the scenario's horizon."""
        while self.running:
            self.step()
        return self

    def outcomes(self) -> dict[str, float | bool]:
        """Summary outcomes, keyed as `sim.engine.outcomes.OUTCOMES`, from the DataCollector."""
        return outcomes(self)

    # What the rules share: switches, the policy in force, country-wide quantities.

    def mechanism_scale(self, name: str) -> float:
        """The scale of a mechanism in force, 0 when it is switched off."""
        switch = getattr(self.params.mechanisms, name)
        return switch.scale if switch.enabled else 0.0

    def crackdown_effect(self) -> float:
        """Crackdown intensity in force, rescaled (0 when the mechanism is off)."""
        return min(1.0, self.crackdown_intensity * self.mechanism_scale("crackdown"))

    def purge_effect(self, group: GroupAgent) -> float:
        """Purge intensity against a group still allied to the Taliban (else 0), rescaled."""
        if group.patron != "taliban":
            return 0.0
        return min(
            1.0, self.params.policy.purge.get(group.name, 0.0) * self.mechanism_scale("purge")
        )

    def recognized_share(self) -> float:
        """Share of the states that recognise the Taliban."""
        return sum(s.recognized_month is not None for s in self.states) / len(self.states)

    def active_shares(self, name: str) -> dict[str, float]:
        """A faction field (`revenue_share`, `posts`) renormalised over the factions still in."""
        values = {f.name: getattr(f.spec, name) * (not f.broken_away) for f in self.factions}
        total = max(sum(values.values()), 1e-12)
        return {faction: value / total for faction, value in values.items()}

    def perceived_abandonment(self) -> float:
        """Perceived abandonment of jihad: crackdown, concessions, purge, recognition."""
        policy = self.params.policy
        allied = [g for g in self.groups if g.patron == "taliban"]
        mean_purge = sum(self.purge_effect(g) for g in allied) / max(len(allied), 1)
        return float(
            abandonment(
                self.crackdown_effect(),
                policy.joint_with_us,
                policy.concessions,
                mean_purge,
                self.recognized_share(),
                self.params.rules.defection,
            )
        )

    def taliban_action(self) -> dict[str, float]:
        """Taliban action in [0, 1] on each demand, `schema.DEMANDS`, and each group."""
        policy = self.params.policy
        met = demands_met(
            self.crackdown_effect(),
            float(policy.joint_with_us),
            policy.amnesty,
            policy.concessions,
            self.credibility,
            self.hardship,
            self.safe_areas,
            self.crime,
            [s.pressure for s in self.holders()],
            self.params.rules.pressure,
        )
        action = {demand: float(value) for demand, value in zip(DEMANDS, met, strict=True)}
        return action | {g.name: self.purge_effect(g) for g in self.groups}

    def holders(self) -> list[StateAgent]:
        """The states that hold the frozen reserves: the West of `west_distance`."""
        return [s for s in self.states if s.spec.holds_frozen_funds]

    def security_ties(self) -> float:
        """Fighter-weighted ties to ISIS-K of the units of the faction running security."""
        name = self.params.policy.security_faction
        units = [u for u in self.units if u.faction.name == name]
        weight = max(sum(u.fighters for u in units), 1)
        return sum(u.ties * u.fighters for u in units) / weight

    # The rules, named as in `sim.rules.SCHEDULE`.

    def adapt_policy(self, scale: float) -> None:
        """This month's crackdown: the policy's, or adapted to last month's attacks."""
        policy = self.params.policy
        self.crackdown_intensity = (
            float(
                adaptive_intensity(
                    policy.crackdown,
                    policy.adaptive_gain,
                    self.last_attacks,
                    policy.attack_tolerance,
                )
            )
            if policy.adaptive_gain > 0 and self.month > 1
            else policy.crackdown
        )

    def pay_units(self, scale: float) -> None:
        """Reserves released, aid and hardship move, revenue collected; factions pay their units."""
        spec, policy = self.params.economy, self.params.policy
        if self.unfrozen or spec.unfrozen:
            self.frozen_musd -= self.frozen_musd * spec.unfreeze_rate
        states = [s.spec for s in self.states]
        self.aid_musd = float(
            aid_received(
                np.array([s.aid_musd for s in states]),
                np.array([s.aid_conditionality for s in states]),
                np.array([s.pressure for s in self.states]),
            )
        )
        frozen_share = self.frozen_musd / max(spec.frozen_funds_musd, 1e-12)
        target = float(hardship_target(frozen_share, self.aid_musd, spec))
        shock = spec.hardship_noise * self.rng.standard_normal()
        self.hardship = float(hardship_after(self.hardship, target, shock, spec))
        shock = np.exp(spec.revenue_noise * self.rng.standard_normal() - spec.revenue_noise**2 / 2)
        mean_pressure = sum(s.pressure for s in self.states) / len(self.states)
        self.revenue_musd = scale * float(
            fiscal_revenue(self.hardship, mean_pressure, self.recognized_share(), shock, spec)
        )
        budget = max(
            0.0, spec.military_share * self.revenue_musd + spec.aid_fungible * self.aid_musd
        )
        budget = max(
            0.0, budget - float(policy_costs(self.crackdown_effect(), policy.accuracy, spec))
        )
        shares = self.active_shares("revenue_share")
        for faction in self.factions:
            faction.get_budget(budget * shares[faction.name])
        self.units.do("get_paid")

    def pay_in_full(self) -> None:
        """With the economy switched off, every unit is fully paid and grievance stays put."""
        self.revenue_musd = 0.0
        for faction in self.factions:
            faction.pay_ratio = 1.0

    def crack_down(self, scale: float) -> None:
        """Each cell loses fighters and leaders to the crackdown; inaccurate force breeds anger."""
        intensity, policy = self.crackdown_effect(), self.params.policy
        rule = self.params.rules.crackdown
        self.anger = anger(intensity, policy.accuracy, policy.amnesty, rule)
        if intensity == 0.0:
            return
        self.force = intensity * float(
            effectiveness(policy.joint_with_us, self.security_ties(), policy.accuracy, rule)
        )
        self.cells.do("crack_down", self.force, policy.accuracy)
        self.safe_areas = float(safe_areas_eroded(self.safe_areas, self.force, rule))

    def purge_foreign_fighters(self, scale: float) -> None:
        """Each group is purged, leaks, merges or splinters; what it hands over joins ISIS-K."""
        self.agents_by_type[GroupAgent].do("purge")
        handed = sum(g.handed for g in self.groups)
        self.isisk.defected_in += handed
        self.isisk.join_cells(handed)

    def defect(self, scale: float) -> None:
        """In random order, each unit goes over, deserts or stays; those going over join ISIS-K."""
        self.units.shuffle_do("defect_or_desert", self.perceived_abandonment(), scale)
        self.isisk.take_in()

    def surrender(self, scale: float) -> None:
        """Those gone home may rejoin; ISIS-K fighters surrender; the absorbed bring their ties."""
        rule, isisk = self.params.rules.defection, self.isisk
        chance = min(1.0, scale * rejoin_probability(isisk.momentum, isisk.funded(), rule))
        back = int(self.rng.binomial(self.at_home, chance))
        self.at_home -= back + int(self.rng.binomial(self.at_home - back, rule.rejoin_settle))
        isisk.join_cells(back)
        fighters = isisk.fighters()
        loss_share = isisk.removed / max(fighters + isisk.removed, 1.0)
        chance = scale * surrender_probability(
            loss_share, isisk.momentum, 1.0 - isisk.funded(), self.params.policy.amnesty, rule
        )
        for cell in self.cells:
            gave_up = int(self.rng.binomial(cell.fighters, min(1.0, chance)))
            cell.fighters -= gave_up
            isisk.surrendered += gave_up
            if cell.fighters == 0:
                cell.remove()
        absorbed = int(self.rng.binomial(isisk.surrendered, rule.absorbed_share))
        security = self.params.policy.security_faction
        units = [u for u in self.units if u.faction.name == security and not u.faction.broken_away]
        joined = self.spread(absorbed, units)
        for unit, n in zip(units, joined, strict=True):
            unit.ties = float(mixed_ties(unit.ties, unit.fighters, n, rule.absorbed_ties))
            unit.fighters += int(n)
        isisk.gone_home = isisk.surrendered - int(joined.sum())
        self.at_home += isisk.gone_home

    def spread(self, fighters: int, units: list[UnitAgent]) -> np.ndarray:
        """`fighters` spread over `units` in proportion to their size (none if no unit)."""
        weights = np.array([u.fighters for u in units], dtype=float)
        if fighters == 0 or weights.sum() <= 0:
            return np.zeros(len(units), dtype=np.int64)
        return self.rng.multinomial(fighters, weights / weights.sum())

    def choose_strategy(self, scale: float) -> None:
        """ISIS-K's leadership splits this month's effort: home, abroad, consolidation."""
        self.isisk.choose_effort(self.force)

    def attack(self, scale: float) -> None:
        """Cells attack or lie low; successes kill Taliban, raise momentum, erode credibility."""
        rule = self.params.rules.attacks
        shares = np.array([rule.target_shares.get(t, 0.0) for t in TARGETS])
        self.cells.shuffle_do("plan_attacks", scale, self.force)
        self.isisk.choose_targets(shares / shares.sum())
        successes = self.isisk.successes
        on_taliban = int(successes[TARGETS.index("taliban")])
        if on_taliban:
            taliban = sum(u.fighters for u in self.units)
            kill = min(1.0, rule.taliban_killed_per_attack * on_taliban / max(taliban, 1))
            self.units.do("take_losses", kill)
        self.cells.do("learn")
        rebuilding = self.params.rules.strategy.rebuild * self.isisk.effort[CONSOLIDATE]
        self.safe_areas = float(safe_areas_rebuilt(self.safe_areas, rebuilding))
        self.isisk.momentum = float(
            momentum_after(self.isisk.momentum, float(successes.sum()), rule)
        )
        self.credibility = clamp(
            self.credibility
            + rule.credibility_recovery * (1.0 - self.credibility)
            - rule.credibility_loss * float(successes[TARGETS.index("sectarian")])
        )

    def recruit(self, scale: float) -> None:
        """Local recruits (deserters, ex-ANSF, Central Asians), prisoners, arrivals, units; reshape.

        A share of the month's deserters joins the units of rival breakaways, another
        takes to armed crime.
        """
        rule, isisk = self.params.rules.recruitment, self.spec.isisk
        deserters = sum(f.deserted for f in self.factions)
        rate = local_recruits_rate(
            self.isisk.momentum,
            self.hardship,
            self.recognized_share(),
            self.anger,
            deserters,
            self.isisk.effort[CONSOLIDATE],
            rule,
        )
        local = int(self.rng.poisson(scale * rate))
        local += prisoners_released(self.month, isisk.released_prisoners, isisk.release_months)
        chance = min(1.0, scale * ex_ansf_chance(self.hardship, self.anger, rule))
        ex_ansf = int(self.rng.binomial(self.ex_ansf, chance))
        self.ex_ansf -= ex_ansf + int(self.rng.binomial(self.ex_ansf - ex_ansf, rule.ex_ansf_decay))
        arriving = scale * central_asian_rate(self.isisk.momentum, rule)
        local += ex_ansf + int(self.rng.poisson(arriving))
        self.isisk.join_cells(local)
        self.agents_by_type[GroupAgent].do("receive_arrivals", scale)
        joining = int(self.rng.binomial(deserters, min(1.0, scale * rule.deserter_rival_share)))
        rivals = [u for u in self.units if u.faction.breakaway_to == "rival"]
        for unit, n in zip(rivals, self.spread(joining, rivals), strict=True):
            unit.fighters += int(n)
        self.crime = armed_crime_after(self.crime, scale * deserters, rule)
        self.agents_by_type[FactionAgent].do("found_units", scale)
        self.isisk.reshape_cells()
        self.units.do("split", rule.unit_split_factor * self.params.taliban.unit_size)

    def suffer_attrition(self, scale: float) -> None:
        """Every unit, cell and group loses a share of its fighters (not rescaled)."""
        rule = self.params.rules.recruitment
        self.units.do("suffer_attrition", rule.taliban_attrition)
        self.cells.do("suffer_attrition", rule.isisk_attrition)
        self.agents_by_type[GroupAgent].do("suffer_attrition", rule.foreign_attrition)

    def update_pressure(self, scale: float) -> None:
        """Each state moves its pressure and may climb a step; the reserves may be released.

        Whether others are past a state's step is read before anyone climbs this month.
        """
        conduct = misconduct(self.anger, self.params.policy.punishment, self.params.rules.pressure)
        steps, action = [s.engagement for s in self.states], self.taliban_action()
        for state in self.states:
            state.watch(action, conduct, scale)
        for state, draw in zip(self.states, self.rng.random(len(self.states)), strict=True):
            state.climb(share_ahead(state.engagement, steps), float(draw))
        holders = self.holders()
        if holders:
            complied = sum(s.complied for s in holders) / len(holders)
            holders_step = sum(s.engagement for s in holders) / len(holders)
            chance = release_chance(complied, conduct, holders_step, self.params.rules.pressure)
            self.unfrozen |= bool(self.rng.random() < chance)

    def fragment(self, scale: float) -> None:
        """Each faction's cohesion moves and its leaders may leave; those gone to ISIS-K go over."""
        names = [f.name for f in self.factions]
        posts = self.active_shares("posts")
        pairs = [(names.index(a), names.index(b)) for a, b in self.params.taliban.rivalries]
        gaps = rivalry_gaps(np.array([posts[name] for name in names]), pairs)
        active = [f for f in self.factions if not f.broken_away]
        in_taliban = max(sum(f.fighters() for f in active), 1)
        strengths = [f.fighters() / in_taliban for f in self.factions]  # before anyone leaves
        for faction, gap, strength in zip(self.factions, gaps, strengths, strict=True):
            faction.fragment(posts[faction.name] * len(active), float(gap), strength, scale)
        self.isisk.take_in()
