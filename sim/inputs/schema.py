"""The scenario schema: every key a scenario file may hold, its type and its range.

Numbers have no defaults here: they live in `scenarios/baseline.yaml`, which other
scenarios extend. Only switches (mechanism on/off, scale) default to "as designed".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Probability = Field(ge=0.0, le=1.0)
NonNegative = Field(ge=0.0)
Weight = Annotated[float, Field(ge=0.0)]
PATRONS = ("taliban", "isisk", "independent")
"""Who a foreign-fighter group fights for."""
Patron = Literal[PATRONS]
TARGETS = ("sectarian", "taliban", "foreign", "abroad")
"""What ISIS-K attacks: Shia/Hazara civilians, the Taliban, foreigners in Afghanistan, abroad."""
BREAKAWAYS = ("isisk", "independent", "rival")
"""Where a faction that leaves the Taliban goes: to ISIS-K, its own way, or rival Taliban rule."""
DEMANDS = ("isisk", "joint", "concessions")
"""What a state may ask of the Taliban besides purging a named foreign group."""
Target = Literal[TARGETS]


def _plain(value: Any) -> Any:
    """Numpy scalars (as from a sweep over `np.arange`) as the Python numbers they hold."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Strict(BaseModel):
    """A schema block that rejects unknown keys, listing the valid ones."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {key: _plain(value) for key, value in data.items()}
            unknown = sorted(str(k) for k in data if k not in cls.model_fields)
            if unknown:
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key; valid keys: {valid}",
                    {"keys": unknown, "valid": ", ".join(sorted(cls.model_fields))},
                )
        return data


class Styled(Strict):
    """An actor's optional display name and colour in plots (defaults: from its id, a palette)."""

    label: str | None = Field(default=None, min_length=1, max_length=40)
    colour: str | None = Field(default=None, pattern=r"^(#[0-9a-fA-F]{6}|(tab:)?[a-z]{3,20})$")


class Spread(Strict):
    """A unit trait drawn from a Beta distribution with this mean and sd."""

    mean: float = Field(gt=0.0, lt=1.0)
    sd: float = Field(gt=0.0, lt=0.5)

    @model_validator(mode="after")
    def _feasible(self) -> Spread:
        if self.sd**2 >= self.mean * (1.0 - self.mean):
            raise ValueError(
                f"sd {self.sd} too large for mean {self.mean}: a Beta needs "
                f"sd < {(self.mean * (1 - self.mean)) ** 0.5:.3f}"
            )
        return self


class Mechanism(Strict):
    """Switch a mechanism off, or rescale its effect."""

    enabled: bool = True
    scale: float = Field(default=1.0, ge=0.0)


class Mechanisms(Strict):
    """One switch per mechanism of DESIGN.md section 3."""

    defection: Mechanism = Mechanism()
    crackdown: Mechanism = Mechanism()
    pressure: Mechanism = Mechanism()
    economy: Mechanism = Mechanism()
    purge: Mechanism = Mechanism()
    attacks: Mechanism = Mechanism()
    recruitment: Mechanism = Mechanism()
    fragmentation: Mechanism = Mechanism()


MECHANISMS = tuple(Mechanisms.model_fields)


class Policy(Strict):
    """The Taliban leadership's levers; events change them mid-run. Each has a cost (ODD 7.6)."""

    crackdown: float = Probability
    joint_with_us: bool
    accuracy: float = Probability
    concessions: float = Probability
    punishment: float = Probability
    purge: dict[str, Annotated[float, Probability]]
    security_faction: str
    adaptive_gain: float = NonNegative
    attack_tolerance: float = Field(gt=0.0)


class Faction(Styled):
    """A Taliban faction at month 0."""

    fighters: int = Field(ge=1)
    ideology: Spread
    ties_to_isisk: Spread
    cohesion: float = Probability
    revenue_share: float = Field(gt=0.0)
    posts: float = Field(ge=0.0)
    autonomy: float = Probability


class Taliban(Styled):
    """Taliban factions, the leadership core, and how fighters are split into units."""

    unit_size: float = Field(gt=0.0)
    core: str
    factions: dict[str, Faction] = Field(min_length=1)
    rivalries: list[Annotated[list[str], Field(min_length=2, max_length=2)]] = []


class IsisK(Styled):
    """ISIS-K at month 0, and the prisoners released in August 2021 still joining."""

    fighters: int = Field(ge=0)
    cells: int = Field(ge=1)
    capability: float = Field(gt=0.0)
    exposure: float = Probability
    momentum: float = Probability
    released_prisoners: int = Field(ge=0)
    release_months: int = Field(ge=1)


class ForeignGroup(Styled):
    """A foreign-fighter group at month 0."""

    fighters: int = Field(ge=0)
    patron: Patron
    loyalty: float = Probability
    arrivals_per_month: float = NonNegative


class InternationalActor(Styled):
    """A state or donor pressing the Taliban: what it watches, its sticks and its carrots."""

    cares_about: dict[str, Weight] = Field(min_length=1)
    demand: float = Probability
    pressure: float = Probability
    baseline_pressure: float = Probability
    pressure_decay: float = Probability
    responsiveness: float = NonNegative
    sectarian_sensitivity: float = NonNegative
    attack_sensitivity: float = NonNegative
    conduct_sensitivity: float = NonNegative
    aid_musd: float = NonNegative
    aid_conditionality: float = Probability
    holds_frozen_funds: bool
    satisfied_below: float = Probability
    unfreeze_after: int = Field(ge=1)
    recognize_after: int = Field(ge=1)
    recognition_rate: float = Probability
    min_credibility: float = Probability

    @model_validator(mode="after")
    def _weights(self) -> InternationalActor:
        if sum(self.cares_about.values()) <= 0:
            raise ValueError("cares_about needs a positive weight on at least one target")
        return self


class Economy(Strict):
    """Fiscal revenue, pay and arrears, hardship; USD million per month unless said otherwise."""

    domestic_revenue_musd: float = NonNegative
    revenue_noise: float = NonNegative
    hardship: float = Probability
    hardship_floor: float = Probability
    frozen_hardship: float = Probability
    aid_relief: float = NonNegative
    hardship_adjust: float = Probability
    hardship_revenue_loss: float = Probability
    sanction_damage: float = Probability
    recognition_trade_gain: float = NonNegative
    aid_fungible: float = Probability
    military_share: float = Probability
    wage_usd: float = Field(gt=0.0)
    crackdown_cost_musd: float = NonNegative
    accuracy_cost_musd: float = NonNegative
    initial_arrears_months: float = NonNegative
    frozen_funds_musd: float = NonNegative
    unfrozen: bool
    unfreeze_rate: float = Probability
    grievance_rate: float = Probability
    grievance_relief: float = Probability
    breakaway_pay: float = Probability


class DefectionRule(Strict):
    """Weights of the logistic defection and desertion chances (per unit-month)."""

    base: float
    w_abandonment: float = NonNegative
    w_grievance: float = NonNegative
    w_ties: float = NonNegative
    w_momentum: float = NonNegative
    w_pay: float = NonNegative
    w_cohesion: float = NonNegative
    w_fear: float = NonNegative
    abandonment_crackdown: float = NonNegative
    abandonment_joint: float = NonNegative
    abandonment_concessions: float = NonNegative
    abandonment_purge: float = NonNegative
    abandonment_recognition: float = NonNegative
    punishment_grievance: float = NonNegative
    found_cell: float = Probability
    desertion_base: float
    w_desertion_grievance: float = NonNegative


class CrackdownRule(Strict):
    """How a crackdown removes ISIS-K fighters and leaders, and how leaks blunt it."""

    removal_rate: float = Probability
    accuracy_floor: float = Probability
    leader_hit: float = Probability
    joint_bonus: float = NonNegative
    leak: float = Probability


class PressureRule(Strict):
    """What every state's pressure shares: how conduct is judged, and its monthly noise."""

    punishment_conduct: float = NonNegative
    noise: float = NonNegative


class PurgeRule(Strict):
    """How a purge removes foreign fighters and pushes some of them toward ISIS-K."""

    removal_rate: float = Probability
    switch_base: float
    w_switch_purge: float = NonNegative
    w_switch_pull: float = NonNegative
    w_switch_loyalty: float = NonNegative
    splinter_share: float = Probability
    leak_rate: float = Probability
    merge_rate: float = Probability


class AttackRule(Strict):
    """Attack tempo, suppression, targets, success and severity of ISIS-K cells."""

    base_rate: float = NonNegative
    reference_size: float = Field(gt=0.0)
    size_exponent: float = NonNegative
    lie_low: float = NonNegative
    abroad_shift: float = Probability
    learning: float = NonNegative
    capability_recovery: float = Probability
    min_capability: float = Field(gt=0.0)
    max_capability: float = Field(gt=0.0)
    target_shares: dict[Target, Weight]
    success: float = Probability
    severity_min: float = Field(gt=0.0)
    severity_exponent: float = Field(gt=1.0)
    taliban_killed_per_attack: float = NonNegative
    exposure_per_attack: float = NonNegative
    exposure_decay: float = Probability
    momentum_decay: float = Probability
    momentum_saturation: float = Field(gt=0.0)
    credibility_loss: float = Probability
    credibility_recovery: float = Probability

    @model_validator(mode="after")
    def _shares(self) -> AttackRule:
        if sum(self.target_shares.values()) <= 0:
            raise ValueError("target_shares must have a positive sum")
        if self.min_capability > self.max_capability:
            raise ValueError("min_capability must not exceed max_capability")
        return self


class RecruitmentRule(Strict):
    """Births, splits, deaths and attrition of cells and units."""

    isisk_local_per_month: float = NonNegative
    momentum_boost: float = NonNegative
    hardship_boost: float = NonNegative
    recognition_boost: float = NonNegative
    anger_recruits: float = NonNegative
    cell_split_size: int = Field(ge=2)
    cell_floor: int = Field(ge=0)
    isisk_attrition: float = Probability
    unit_birth_rate: float = Probability
    unit_split_factor: float = Field(gt=1.0)
    taliban_attrition: float = Probability
    foreign_attrition: float = Probability


class FragmentationRule(Strict):
    """Cohesion dynamics and the leaders' choice between staying and each way of leaving."""

    recovery: float = Probability
    legitimacy_cohesion: float = NonNegative
    crackdown_strain: float = NonNegative
    joint_strain: float = NonNegative
    concession_strain: float = NonNegative
    rivalry_strain: float = NonNegative
    defection_strain: float = NonNegative
    pay_strain: float = NonNegative
    decision_rate: float = Probability
    sensitivity: float = Field(gt=0.0)
    stay_base: float
    w_stay_cohesion: float = NonNegative
    w_stay_posts: float = NonNegative
    w_stay_pay: float = NonNegative
    to_isisk_base: float
    w_isisk_ideology: float = NonNegative
    w_isisk_ties: float = NonNegative
    w_isisk_pull: float = NonNegative
    independent_base: float
    w_independent_autonomy: float = NonNegative
    w_independent_exclusion: float = NonNegative
    rival_base: float
    w_rival_strength: float = NonNegative
    w_rival_grievance: float = NonNegative


class Rules(Strict):
    """Parameters of each mechanism, named as in docs/ODD.md."""

    defection: DefectionRule
    crackdown: CrackdownRule
    pressure: PressureRule
    purge: PurgeRule
    attacks: AttackRule
    recruitment: RecruitmentRule
    fragmentation: FragmentationRule


class Event(Strict):
    """A change of policy or parameters at the start of a month."""

    month: int
    set: dict[str, Any] = Field(min_length=1)
    note: str = ""


class Scenario(Strict):
    """A fully resolved scenario (after `extends`), ready to build a model."""

    name: str = Field(min_length=1)
    description: str = ""
    seed: int = Field(ge=0)
    replicates: int = Field(ge=1)
    steps: int = Field(ge=1, le=600)
    start: str = Field(pattern=r"^\d{4}-\d{2}$")
    mechanisms: Mechanisms = Mechanisms()
    policy: Policy
    taliban: Taliban
    isisk: IsisK
    foreign_groups: dict[str, ForeignGroup]
    international: dict[str, InternationalActor] = Field(min_length=1)
    economy: Economy
    rules: Rules
    events: list[Event] = []
