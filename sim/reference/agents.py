"""The agents of the plain-Mesa reference: one `mesa.Agent` per unit, cell, group and state.

Each method applies one rule of `sim.rules` to this one agent, calling the same pure
functions as the vectorised model with scalar arguments; only the iteration differs.
Monthly flows (defections, desertions, attacks) are kept as counters on the agents that
own them, for the model's `DataCollector` to read; `new_month` zeroes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.engine.state import beta_draws
from sim.inputs.schema import BREAKAWAYS, TARGETS
from sim.rules.attacks import (
    attack_rate,
    capability_after,
    exposure_after_attacks,
    founded_capability,
    returns_to_scale,
    severities,
    skill_after,
    suppression,
    target_odds,
)
from sim.rules.crackdown import exposure_after, leadership_loss, removal_probability
from sim.rules.defection import (
    defection_probability,
    desertion_probability,
    funded_share,
    pay_gap,
)
from sim.rules.economy import arrears_after, grievance_after_pay, pay_ratio
from sim.rules.fragmentation import choice_values, leaving_chances, strain
from sim.rules.maths import clamp
from sim.rules.pressure import (
    TOP,
    compliance,
    pressure_after,
    pressure_change,
    step_chance,
    step_threshold,
)
from sim.rules.purge import switch_probability
from sim.rules.strategy import (
    ABROAD_EFFORT,
    CONSOLIDATE,
    EFFORTS,
    HOME,
    effort_shares,
    funds,
    money_factor,
    operations_funds,
    sanctuary_lost,
    utilities,
)

if TYPE_CHECKING:
    from sim.inputs.schema import Faction, ForeignGroup
    from sim.inputs.schema import InternationalActor as ActorSpec
    from sim.reference.model import ReferenceModel


class UnitAgent(mesa.Agent):
    """A Taliban unit (commander and band) of one faction.

    Each month it is paid (grievance follows its faction's pay ratio), may go over to
    ISIS-K or desert, loses fighters to attacks and attrition, and splits in two when
    it outgrows `unit_split_factor` x `unit_size`.
    """

    def __init__(
        self,
        model: ReferenceModel,
        faction: FactionAgent,
        fighters: int,
        ideology: float,
        ties: float,
        grievance: float = 0.0,
    ) -> None:
        """Create a unit of `faction` with its fighters and traits."""
        super().__init__(model)
        self.faction = faction
        self.fighters = int(fighters)
        self.ideology = float(ideology)
        self.ties = float(ties)
        self.grievance = float(grievance)

    def get_paid(self) -> None:
        """Grievance rises with the faction's pay shortfall and is relieved by pay."""
        econ = self.model.params.economy
        self.grievance = float(
            grievance_after_pay(
                self.grievance, self.faction.pay_ratio, econ.grievance_rate, econ.grievance_relief
            )
        )

    def defect_or_desert(self, abandon: float, scale: float) -> None:
        """Punishment adds grievance; then one uniform draw: go over to ISIS-K, desert, or stay."""
        model = self.model
        rule, policy = model.params.rules.defection, model.params.policy
        self.grievance = min(1.0, self.grievance + rule.punishment_grievance * policy.punishment)
        pay = self.faction.pay_ratio
        isisk_pay = model.params.isisk.pay_usd
        gap = pay_gap(model.isisk.funded(), isisk_pay, model.params.economy.wage_usd, pay)
        p_defect = min(
            1.0,
            scale
            * defection_probability(
                self.ideology,
                self.grievance,
                self.ties,
                pay,
                self.faction.cohesion,
                abandon,
                model.isisk.momentum,
                policy.punishment,
                rule,
                gap,
            ),
        )
        p_desert = min(
            1.0 - p_defect,
            scale * desertion_probability(self.ideology, self.grievance, pay, rule),
        )
        draw = model.rng.random()
        if draw < p_defect:
            model.isisk.going_over.append(self)
        elif draw < p_defect + p_desert:
            self.faction.deserted += self.fighters
            self.remove()

    def take_losses(self, kill_probability: float) -> None:
        """Each fighter is killed by this month's successful attacks with the given chance."""
        self.fighters -= int(self.model.rng.binomial(self.fighters, kill_probability))

    def split(self, limit: float) -> None:
        """Above `limit` fighters a sub-commander leaves with half the band and its traits."""
        if self.fighters > limit:
            half = self.fighters // 2
            self.fighters -= half
            UnitAgent(self.model, self.faction, half, self.ideology, self.ties, self.grievance)

    def suffer_attrition(self, rate: float) -> None:
        """Lose fighters to illness, accidents and other fighting; a unit of none is gone."""
        self.fighters -= int(self.model.rng.binomial(self.fighters, rate))
        if self.fighters == 0:
            self.remove()


class CellAgent(mesa.Agent):
    """An ISIS-K cell: hunted by the crackdown, attacks or lies low, learns, splits when large.

    A cell emptied by the crackdown lingers (newcomers may still join it) until the
    month's reshaping or attrition removes it, as in the vectorised model.
    """

    def __init__(
        self,
        model: ReferenceModel,
        fighters: int,
        capability: float,
        exposure: float,
        skill: float | None = None,
    ) -> None:
        """Create a cell with its fighters, capability, exposure and skill (its capability)."""
        super().__init__(model)
        self.fighters = int(fighters)
        self.capability = float(capability)
        self.exposure = float(exposure)
        self.skill = self.capability if skill is None else float(skill)
        self.attacks = 0

    @classmethod
    def founded(cls, model: ReferenceModel, fighters: int) -> CellAgent:
        """A new cell of defectors or newcomers: degraded capability, the starting skill."""
        spec, rule = model.spec.isisk, model.params.rules.attacks
        capability = float(founded_capability(spec.capability, rule))
        return cls(model, fighters, capability, spec.exposure, spec.capability)

    def crack_down(self, force: float, accuracy: float) -> None:
        """Security removes fighters as the cell is exposed, cuts leaders and gathers leads."""
        rule = self.model.params.rules.crackdown
        p = float(removal_probability(force, self.exposure, accuracy, rule))
        removed = int(self.model.rng.binomial(self.fighters, p))
        removed_share = removed / max(self.fighters, 1)
        self.fighters -= removed
        self.model.isisk.removed += removed
        loss = float(leadership_loss(force, self.exposure, accuracy, rule))
        self.capability *= 1.0 - loss
        self.skill *= 1.0 - rule.skill_loss * loss
        self.exposure = float(
            exposure_after(
                self.exposure, force, accuracy, removed_share, self.model.safe_areas, rule
            )
        )

    def plan_attacks(self, scale: float, force: float) -> None:
        """Poisson attacks: the command's effort at home (less what is held back) and abroad."""
        rule, isisk = self.model.params.rules.attacks, self.model.isisk
        full = scale * float(attack_rate(self.fighters, self.capability, isisk.multiplier, rule))
        home = full * isisk.effort[HOME] * (1.0 - float(suppression(force, self.exposure, rule)))
        abroad = full * isisk.effort[ABROAD_EFFORT]
        self.attacks = int(self.model.rng.poisson(home + abroad))
        isisk.expected += home + abroad
        isisk.shifted_abroad += abroad

    def learn(self) -> None:
        """Experience from this month's attacks, recovery toward skill; exposure moves."""
        rules = self.model.params.rules
        rule, rebuilding = (
            rules.attacks,
            rules.strategy.rebuild * self.model.isisk.effort[CONSOLIDATE],
        )
        self.capability = float(
            capability_after(self.capability, self.skill, self.attacks, rebuilding, rule)
        )
        self.skill = float(skill_after(self.skill, self.attacks, rule))
        self.exposure = float(exposure_after_attacks(self.exposure, self.attacks, rule))

    def split(self, split_size: int) -> None:
        """Above `split_size` fighters half leave to form a new cell, as exposed as its parent."""
        if self.fighters > split_size:
            half = self.fighters // 2
            self.fighters -= half
            CellAgent(self.model, half, self.capability, self.exposure, self.skill)

    def suffer_attrition(self, rate: float) -> None:
        """Lose fighters to attrition; a cell of none dissolves."""
        self.fighters -= int(self.model.rng.binomial(self.fighters, rate))
        if self.fighters == 0:
            self.remove()


class IsisKAgent(mesa.Agent):
    """ISIS-K's command: momentum, the month's tallies, targets, and where newcomers go."""

    def __init__(self, model: ReferenceModel, momentum: float) -> None:
        """Create the command with its starting momentum."""
        super().__init__(model)
        self.momentum = momentum
        self.effort = np.zeros(len(EFFORTS))
        self.multiplier = 1.0  # returns to scale x money this month
        self.new_month()

    def new_month(self) -> None:
        """Zero this month's tallies."""
        self.defected_in = self.removed = self.surrendered = self.gone_home = 0
        self.expected = self.shifted_abroad = self.casualties = 0.0
        self.by_target = np.zeros(len(TARGETS), dtype=np.int64)
        self.successes = np.zeros(len(TARGETS), dtype=np.int64)
        self.going_over: list[UnitAgent] = []

    @property
    def attacks_at_home(self) -> int:
        """This month's attacks in Afghanistan (every target but `abroad`)."""
        return int(self.by_target.sum() - self.by_target[TARGETS.index("abroad")])

    def cells(self) -> list[CellAgent]:
        """The cells alive now."""
        return list(self.model.agents_by_type[CellAgent])

    def fighters(self) -> int:
        """Fighters across all cells."""
        return sum(cell.fighters for cell in self.model.agents_by_type[CellAgent])

    def funded(self) -> float:
        """`funded_share` of ISIS-K's pay for its fighters now, from its one budget."""
        isisk = self.model.params.isisk
        return float(funded_share(self.fighters(), isisk.pay_usd, funds(isisk)))

    def choose_effort(self, force: float) -> None:
        """The leadership splits effort (home, abroad, consolidate) from pressure, losses, money."""
        model = self.model
        rules, cells = model.params.rules, self.cells()
        cadre = sum(cell.fighters for cell in cells)
        weight = max(cadre, 1)
        exposure = sum(cell.fighters * cell.exposure for cell in cells) / weight
        capable = sum(cell.fighters * cell.capability for cell in cells)
        skilled = max(sum(cell.fighters * cell.skill for cell in cells), 1e-12)
        gap = max(0.0, 1.0 - capable / skilled) * (cadre > 0)
        gone = self.removed + self.gone_home  # lost so far this month, as the engine counts
        lost = gone / max(cadre + gone, 1)
        lost += float(sanctuary_lost(model.safe_areas, model.spec.isisk.safe_areas))
        money = float(
            money_factor(operations_funds(cadre, model.params.isisk), cadre, rules.strategy)
        )
        self.multiplier = float(returns_to_scale(cadre, rules.attacks)) * money
        values = utilities(force * exposure, lost + gap, money, rules.strategy)
        noise = model.rng.standard_normal(len(EFFORTS))
        self.effort = np.array(effort_shares(values, noise, rules.strategy))

    def choose_targets(self, shares: np.ndarray) -> None:
        """Each of the month's attacks gets a (target, success) pair; successes have casualties.

        Attacks go abroad in the share of the month's expected attacks that are external
        operations (effort abroad, `target_odds`); a success's severity is a Pareto draw.
        """
        model, rule = self.model, self.model.params.rules.attacks
        total = sum(cell.attacks for cell in model.agents_by_type[CellAgent])
        shifted = np.array([self.shifted_abroad / max(self.expected, 1e-12)])
        outcome = model.rng.multinomial(total, target_odds(shares, shifted, rule)[0])
        self.successes = outcome[: len(TARGETS)]
        self.by_target = self.successes + outcome[len(TARGETS) :]
        self.casualties = float(severities(model.rng.random(self.successes.sum()), rule).sum())

    def take_in(self) -> None:
        """Units going over this month: each founds a cell with chance `found_cell`, else joins.

        The founders' cells come first; the others are spread over all cells at once.
        """
        model = self.model
        found_cell = model.params.rules.defection.found_cell
        joining = 0
        for unit in self.going_over:
            unit.faction.defected_out += unit.fighters
            self.defected_in += unit.fighters
            if model.rng.random() < found_cell:
                CellAgent.founded(model, unit.fighters)
            else:
                joining += unit.fighters
            unit.remove()
        self.going_over = []
        self.join_cells(joining)

    def join_cells(self, fighters: int) -> None:
        """Spread newcomers over the cells in proportion to size + 1 (or found a cell)."""
        if fighters == 0:
            return
        cells = self.cells()
        if not cells:
            CellAgent.founded(self.model, fighters)
            return
        weights = np.array([cell.fighters + 1.0 for cell in cells])
        joined = self.model.rng.multinomial(fighters, weights / weights.sum())
        for cell, n in zip(cells, joined, strict=True):
            cell.fighters += int(n)

    def reshape_cells(self) -> None:
        """Large cells split; cells below the floor fold into the largest; empty cells go."""
        rule = self.model.params.rules.recruitment
        self.model.agents_by_type[CellAgent].do("split", rule.cell_split_size)
        cells = self.cells()
        small = [cell for cell in cells if cell.fighters < rule.cell_floor]
        if small and len(small) < len(cells):
            largest = max(cells, key=lambda cell: cell.fighters)  # the first of the largest
            largest.fighters += sum(cell.fighters for cell in small)
            for cell in small:
                cell.fighters = 0
        for cell in cells:
            if cell.fighters == 0:
                cell.remove()


class GroupAgent(mesa.Agent):
    """A foreign-fighter group: purged if allied to the Taliban; splinters may go over."""

    def __init__(self, model: ReferenceModel, name: str, spec: ForeignGroup) -> None:
        """Create the group from its scenario block."""
        super().__init__(model)
        self.name = name
        self.fighters = spec.fighters
        self.patron = spec.patron
        self.new_month()

    def new_month(self) -> None:
        """Zero this month's tally of fighters handed to ISIS-K."""
        self.handed = 0

    def purge(self) -> None:
        """Purged fighters are removed or leak; ISIS-K's allies merge; a splinter may go over."""
        model, rng = self.model, self.model.rng
        rule, pull = model.params.rules.purge, model.isisk.momentum
        purge = model.purge_effect(self)
        p_leak = min(1.0, rule.leak_rate * purge * (1 + pull))
        p_merge = rule.merge_rate * (self.patron == "isisk")
        loyalty = model.params.foreign_groups[self.name].loyalty
        removed = int(rng.binomial(self.fighters, rule.removal_rate * purge))
        handed = int(rng.binomial(self.fighters - removed, p_leak + (1.0 - p_leak) * p_merge))
        splitting = self.patron == "taliban" and rng.random() < float(
            switch_probability(purge, pull, loyalty, rule)
        )
        if splitting:
            handed += int(rng.binomial(self.fighters - removed - handed, rule.splinter_share))
        self.handed = handed
        self.fighters -= removed + handed

    def receive_arrivals(self, scale: float) -> None:
        """Foreign fighters arrive at the scenario's monthly rate (Poisson)."""
        rate = self.model.params.foreign_groups[self.name].arrivals_per_month
        self.fighters += int(self.model.rng.poisson(scale * rate))

    def suffer_attrition(self, rate: float) -> None:
        """Lose fighters to attrition."""
        self.fighters -= int(self.model.rng.binomial(self.fighters, rate))


class FactionAgent(mesa.Agent):
    """A Taliban faction: pay, arrears, cohesion, new units; its leaders may take it out."""

    def __init__(self, model: ReferenceModel, name: str, spec: Faction) -> None:
        """Create the faction from its scenario block."""
        super().__init__(model)
        self.name = name
        self.cohesion = spec.cohesion
        self.pay_ratio = 1.0
        self.arrears = model.spec.economy.initial_arrears_months
        self.broken_month: int | None = None
        self.breakaway_to: str | None = None  # one of schema.BREAKAWAYS
        self.new_month()

    def new_month(self) -> None:
        """Zero this month's tallies."""
        self.defected_out = self.deserted = 0

    @property
    def broken_away(self) -> bool:
        """Whether the faction has left the Taliban."""
        return self.broken_month is not None

    @property
    def spec(self) -> Faction:
        """The faction's scenario block in force this month."""
        return self.model.params.taliban.factions[self.name]

    def units(self) -> list[UnitAgent]:
        """The faction's units alive now."""
        return [u for u in self.model.agents_by_type[UnitAgent] if u.faction is self]

    def fighters(self) -> int:
        """Fighters across the faction's units."""
        return sum(u.fighters for u in self.units())

    def mean_of(self, trait: str) -> float:
        """Fighter-weighted mean of a unit trait (`ideology`, `ties`, `grievance`)."""
        units = self.units()
        weight = max(sum(u.fighters for u in units), 1.0)
        return sum(u.fighters * getattr(u, trait) for u in units) / weight

    def get_budget(self, owed_musd: float) -> None:
        """Its share of the budget sets its pay ratio and arrears; a breakaway pays its own way."""
        econ = self.model.params.economy
        if self.broken_away:
            self.pay_ratio = econ.breakaway_pay
            return
        fighters = self.fighters()
        self.pay_ratio = float(pay_ratio(owed_musd, fighters, econ.wage_usd))
        self.arrears = float(arrears_after(self.arrears, owed_musd, fighters, econ.wage_usd))

    def found_units(self, scale: float) -> None:
        """While paid, new units appear: Poisson(birth rate x units x pay ratio), traits drawn."""
        if self.broken_away:
            return
        model, rng, spec = self.model, self.model.rng, self.spec
        rate = model.params.rules.recruitment.unit_birth_rate * len(self.units()) * self.pay_ratio
        for _ in range(int(rng.poisson(scale * rate))):
            UnitAgent(
                model,
                self,
                max(1, int(rng.poisson(model.params.taliban.unit_size))),
                beta_draws(rng, spec.ideology.mean, spec.ideology.sd),
                beta_draws(rng, spec.ties_to_isisk.mean, spec.ties_to_isisk.sd),
            )

    def fragment(self, posts: float, rivalry_gap: float, strength: float, scale: float) -> None:
        """Cohesion moves under strain; the leaders may weigh leaving, and choose where to go.

        `posts` is the faction's share of posts relative to an equal share, `strength` its
        share of the Taliban's fighters; both are the month's, before anyone leaves.
        """
        if self.broken_away:
            return
        model = self.model
        rule, policy = model.params.rules.fragmentation, model.params.policy
        fighters, ideology = self.fighters(), self.mean_of("ideology")
        crackdown = model.crackdown_effect()
        lost = scale * strain(
            ideology,
            crackdown,
            policy.joint_with_us,
            policy.concessions,
            policy.amnesty,
            rivalry_gap,
            self.defected_out / max(fighters + self.defected_out, 1.0),
            self.deserted / max(fighters + self.deserted, 1.0),
            self.pay_ratio,
            rule,
        )
        target = self.spec.cohesion + rule.legitimacy_cohesion * model.recognized_share()
        self.cohesion = clamp(self.cohesion + rule.recovery * (target - self.cohesion) - lost)
        if self.name == model.params.taliban.core:
            return
        values = choice_values(
            self.cohesion,
            posts,
            self.pay_ratio,
            ideology,
            model.perceived_abandonment(),
            self.mean_of("ties"),
            model.isisk.momentum,
            self.spec.autonomy,
            strength,
            self.mean_of("grievance"),
            rule,
        )
        chances = np.minimum(1.0, scale * np.array(leaving_chances(values, rule)))
        u = model.rng.random()
        if u < chances.sum():
            self.leave(BREAKAWAYS[int((u >= np.cumsum(chances)).sum())])

    def leave(self, to: str) -> None:
        """Break away for good; a faction gone to ISIS-K takes each unit with its ideology."""
        model = self.model
        self.broken_month, self.breakaway_to = model.month, to
        if to == "isisk":
            going = [u for u in self.units() if model.rng.random() < u.ideology]
            model.isisk.going_over.extend(going)


class StateAgent(mesa.Agent):
    """A state or donor: watches the Taliban and ISIS-K, moves its pressure, climbs the ladder."""

    def __init__(self, model: ReferenceModel, name: str, spec: ActorSpec) -> None:
        """Create the state from its scenario block."""
        super().__init__(model)
        self.name = name
        self.pressure = spec.pressure
        self.engagement = spec.engagement
        self.months_satisfied = 0
        self.recognized_month: int | None = None
        self.complied = 0.0

    @property
    def spec(self) -> ActorSpec:
        """The state's scenario block in force this month."""
        return self.model.params.international[self.name]

    def watch(self, action: dict[str, float], conduct: float, scale: float) -> None:
        """Move pressure on action, attacks and conduct (a shock drawn from the model's rng)."""
        model, spec = self.model, self.spec
        isisk = model.isisk
        sectarian = float(isisk.by_target[TARGETS.index("sectarian")])
        on_foreigners = float(
            isisk.by_target[TARGETS.index("foreign")] + isisk.by_target[TARGETS.index("abroad")]
        )
        cares = spec.cares_about
        self.complied = float(compliance(list(cares.values()), [action[t] for t in cares]))
        change = pressure_change(self.complied, sectarian, on_foreigners, conduct, spec)
        shock = model.params.rules.pressure.noise * model.rng.standard_normal()
        self.pressure = float(pressure_after(self.pressure, change, shock, spec, scale))

    def climb(self, ahead: float, draw: float) -> None:
        """Count months under the next step's threshold; take that step with its chance."""
        model, spec = self.model, self.spec
        low = self.pressure <= step_threshold(self.engagement, spec)
        self.months_satisfied = self.months_satisfied + 1 if low else 0
        if self.engagement >= TOP or self.months_satisfied < spec.step_after:
            return
        rule = model.params.rules.pressure
        if draw < step_chance(self.engagement, ahead, model.credibility, spec, rule.contagion):
            self.engagement += 1
            self.months_satisfied = 0
            if self.engagement == TOP:
                self.recognized_month = model.month
