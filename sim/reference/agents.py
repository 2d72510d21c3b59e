"""Agents of the plain-Mesa reference: one `mesa.Agent` per unit, cell, group, faction, state.

Each agent applies the rules of `sim.rules` to itself, calling the same pure functions
as the vectorised model with scalar arguments; only the iteration differs. Monthly
flows (defections, desertions, attacks) are kept as counters on the agents that
own them, for the model's `DataCollector` to read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.engine.state import beta_draws
from sim.rules.attacks import attack_rate, severities
from sim.rules.crackdown import removal_probability
from sim.rules.defection import defection_probability, desertion_probability
from sim.rules.economy import grievance_after_pay
from sim.rules.fragmentation import strain
from sim.rules.maths import clamp
from sim.rules.pressure import compliance, pressure_after
from sim.rules.purge import switch_probability

if TYPE_CHECKING:
    from sim.inputs.schema import Faction, ForeignGroup
    from sim.inputs.schema import InternationalActor as ActorSpec
    from sim.reference.model import ReferenceModel


class UnitAgent(mesa.Agent):
    """A Taliban unit (commander and band) of one faction.

    Each month it is paid (grievance follows its faction's pay ratio), may defect to
    ISIS-K (founding a cell) or desert, loses fighters to attacks and attrition, and
    splits in two when it outgrows `unit_split_factor` x `unit_size`.
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
        """One uniform draw: go over to ISIS-K (found a cell), desert, or stay."""
        model = self.model
        rule, policy = model.params.rules.defection, model.params.policy
        pay, cohesion = self.faction.pay_ratio, self.faction.cohesion
        p_defect = min(
            1.0,
            scale
            * defection_probability(
                self.ideology,
                self.grievance,
                self.ties,
                pay,
                cohesion,
                abandon,
                model.isisk.momentum,
                policy.punishment,
                rule,
            ),
        )
        p_desert = min(
            1.0 - p_defect, scale * desertion_probability(self.ideology, self.grievance, pay, rule)
        )
        draw = model.rng.random()
        if draw < p_defect:
            self.faction.defected_out += self.fighters
            model.isisk.defected_in += self.fighters
            CellAgent(model, self.fighters, model.spec.isisk.capability, model.spec.isisk.exposure)
            self.remove()
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
    """An ISIS-K cell: attacks, learns, is exposed and hunted, splits when large."""

    def __init__(
        self, model: ReferenceModel, fighters: int, capability: float, exposure: float
    ) -> None:
        """Create a cell with its fighters, attack capability and exposure."""
        super().__init__(model)
        self.fighters = int(fighters)
        self.capability = float(capability)
        self.exposure = float(exposure)

    def crack_down(self, intensity: float, effect: float) -> None:
        """Taliban security removes fighters in proportion to the cell's exposure."""
        rule = self.model.params.rules.crackdown
        p = removal_probability(intensity, effect, self.exposure, rule)
        self.fighters -= int(self.model.rng.binomial(self.fighters, p))

    def attack(self, scale: float, shares: np.ndarray) -> None:
        """Poisson attacks, each on a target, succeeding or not; experience and exposure grow."""
        model, rule = self.model, self.model.params.rules.attacks
        rng, isisk = model.rng, model.isisk
        attacks = int(rng.poisson(scale * attack_rate(self.fighters, self.capability, rule)))
        if attacks:
            by_target = rng.multinomial(attacks, shares)
            successes = rng.binomial(by_target, rule.success)
            isisk.attacks += attacks
            isisk.sectarian_attacks += int(by_target[0])
            isisk.successes += successes
            isisk.casualties += float(severities(rng.random(successes.sum()), rule).sum())
        self.capability = min(rule.max_capability, self.capability + rule.learning * attacks)
        self.exposure = clamp(
            self.exposure * (1.0 - rule.exposure_decay) + rule.exposure_per_attack * attacks
        )

    def split(self, split_size: int) -> None:
        """Above `split_size` fighters half leave to form a new cell, as exposed as its parent."""
        if self.fighters > split_size:
            half = self.fighters // 2
            self.fighters -= half
            CellAgent(self.model, half, self.capability, self.exposure)

    def suffer_attrition(self, rate: float) -> None:
        """Lose fighters to attrition; a cell of none dissolves."""
        lost = int(self.model.rng.binomial(self.fighters, rate))
        self.fighters -= lost
        if self.fighters == 0:
            self.remove()


class IsisKAgent(mesa.Agent):
    """ISIS-K as an organisation: momentum, monthly tallies, and the cells it places recruits in."""

    def __init__(self, model: ReferenceModel, momentum: float) -> None:
        """Create the command with its starting momentum."""
        super().__init__(model)
        self.momentum = momentum
        self.new_month()

    def new_month(self) -> None:
        """Zero this month's tallies."""
        self.attacks = self.sectarian_attacks = self.defected_in = 0
        self.casualties = 0.0
        self.successes = np.zeros(3, dtype=np.int64)

    def cells(self) -> list[CellAgent]:
        """The cells alive now."""
        return list(self.model.agents_by_type[CellAgent])

    def fighters(self) -> int:
        """Fighters across all cells."""
        return sum(cell.fighters for cell in self.model.agents_by_type[CellAgent])

    def join_cells(self, fighters: int) -> None:
        """Spread newcomers over the cells in proportion to size + 1 (or found a cell)."""
        if fighters == 0:
            return
        cells = self.cells()
        if not cells:
            spec = self.model.spec.isisk
            CellAgent(self.model, fighters, spec.capability, spec.exposure)
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
    """A foreign-fighter group: purged if allied to the Taliban, may switch to ISIS-K."""

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
        """Purged fighters are removed or leak to ISIS-K; its allies merge; the group may switch."""
        model, rng = self.model, self.model.rng
        rule, pull = model.params.rules.purge, model.isisk.momentum
        allied, with_isisk = self.patron == "taliban", self.patron == "isisk"
        purge = model.purge_effect(self)
        removed = int(rng.binomial(self.fighters, rule.removal_rate * purge))
        leaked = int(
            rng.binomial(self.fighters - removed, min(1.0, rule.leak_rate * purge * (1 + pull)))
        )
        merged = int(rng.binomial(self.fighters - removed - leaked, rule.merge_rate * with_isisk))
        self.handed = leaked + merged
        self.fighters -= removed + self.handed
        loyalty = model.params.foreign_groups[self.name].loyalty
        if allied and rng.random() < switch_probability(purge, pull, loyalty, rule):
            self.patron = "isisk"

    def receive_arrivals(self, scale: float) -> None:
        """Foreign fighters arrive at the scenario's monthly rate (Poisson)."""
        rate = self.model.params.foreign_groups[self.name].arrivals_per_month
        self.fighters += int(self.model.rng.poisson(scale * rate))

    def suffer_attrition(self, rate: float) -> None:
        """Lose fighters to attrition."""
        self.fighters -= int(self.model.rng.binomial(self.fighters, rate))


class FactionAgent(mesa.Agent):
    """A Taliban faction: pay ratio, cohesion, new units; breaks away below the threshold."""

    def __init__(self, model: ReferenceModel, name: str, spec: Faction) -> None:
        """Create the faction from its scenario block."""
        super().__init__(model)
        self.name = name
        self.cohesion = self.baseline_cohesion = spec.cohesion
        self.pay_ratio = 1.0
        self.broken_away = False
        self.broken_month: int | None = None
        self.new_month()

    def new_month(self) -> None:
        """Zero this month's tallies."""
        self.defected_out = self.deserted = 0

    def units(self) -> list[UnitAgent]:
        """The faction's units alive now."""
        return [u for u in self.model.agents_by_type[UnitAgent] if u.faction is self]

    def fighters(self) -> int:
        """Fighters across the faction's units."""
        return sum(u.fighters for u in self.model.agents_by_type[UnitAgent] if u.faction is self)

    def found_units(self, scale: float) -> None:
        """While paid, new units appear: Poisson(birth rate x units x pay ratio), traits drawn."""
        if self.broken_away:
            return
        model, rng = self.model, self.model.rng
        rate = model.params.rules.recruitment.unit_birth_rate * len(self.units()) * self.pay_ratio
        spec = model.params.taliban.factions[self.name]
        for _ in range(int(rng.poisson(scale * rate))):
            UnitAgent(
                model,
                self,
                max(1, int(rng.poisson(model.params.taliban.unit_size))),
                beta_draws(rng, spec.ideology.mean, spec.ideology.sd, 1)[0],
                beta_draws(rng, spec.ties_to_isisk.mean, spec.ties_to_isisk.sd, 1)[0],
            )

    def fragment(self, fighters: int, ideology: float, rivalry_gap: float, scale: float) -> None:
        """Cohesion recovers toward its start, loses this month's strain; below threshold, break."""
        if self.broken_away:
            return
        model = self.model
        rule, policy = model.params.rules.fragmentation, model.params.policy
        crackdown = model.crackdown_effect()
        lost = scale * strain(
            ideology,
            crackdown,
            policy.joint_with_us and crackdown > 0,
            policy.concessions,
            rivalry_gap,
            self.defected_out / max(fighters + self.defected_out, 1.0),
            self.pay_ratio,
            rule,
        )
        recovered = rule.recovery * (self.baseline_cohesion - self.cohesion)
        self.cohesion = clamp(self.cohesion + recovered - float(lost))
        if self.cohesion < rule.threshold:
            self.broken_away, self.broken_month = True, model.month


class StateAgent(mesa.Agent):
    """A state or donor: watches Taliban action on what it cares about and moves its pressure."""

    def __init__(self, model: ReferenceModel, name: str, spec: ActorSpec) -> None:
        """Create the state from its scenario block."""
        super().__init__(model)
        self.name = name
        self.pressure = spec.pressure
        self.months_satisfied = 0
        self.recognized = False
        self.recognized_month: int | None = None

    def step(self, action: dict[str, float], sectarian: float, scale: float) -> None:
        """Move pressure; count months satisfied; unfreeze funds; recognise the Taliban."""
        model = self.model
        spec = model.params.international[self.name]
        complied = compliance(spec.cares_about, action)
        self.pressure = pressure_after(self.pressure, complied, sectarian, spec, scale)
        self.months_satisfied = self.months_satisfied + 1 if complied >= spec.demand else 0
        if (
            not self.recognized
            and self.months_satisfied >= spec.recognize_after
            and model.credibility >= spec.min_credibility
        ):
            self.recognized, self.recognized_month = True, model.month
