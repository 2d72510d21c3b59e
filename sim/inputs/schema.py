"""The scenario schema: every key a scenario file may hold, its type and its range.

Numbers have no defaults here: they live in `scenarios/baseline.yaml`, which other
scenarios extend. Only switches (mechanism on/off, scale) default to "as designed".
Every number is finite and bounded above: the bounds are far outside any plausible
scenario and keep memory and draws sane (each says why).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from sim.inputs.names import MAX_NAME, NAME_RULE, is_safe_name

Probability = Field(ge=0.0, le=1.0)
NonNegative = Field(ge=0.0, le=1e3)  # dimensionless coefficients: strains, bonuses, gains
LogitWeight = Field(ge=0.0, le=100.0)  # 100 on a 0..1 input saturates any logistic
LogitBase = Field(ge=-100.0, le=100.0)  # exp(100) = 3e43: a chance of 0 or 1 already
Money = Field(ge=0.0, le=1e6)  # USD million a month: $1 trillion, 1,000x Afghanistan's GDP
MAX_FIGHTERS = 1_000_000  # of one faction or group: ten times all the Taliban's fighters
Fighters = Field(ge=0, le=MAX_FIGHTERS)
PerMonth = Field(ge=0.0, le=10_000.0)  # fighters a month: all of ISIS-K in half a year
Months = Field(ge=1, le=10_000)  # anything beyond the longest run (600) means never
Weight = Annotated[float, Field(ge=0.0, le=1e6)]  # relative weights, normalised by their sum
Names = Field(min_length=1, max_length=100)  # actors of a kind: more than any war has had
MAX_UNITS = 100_000  # Taliban units at month 0 over all factions: 200x the baseline's 500
PATRONS = ("taliban", "isisk", "independent")
"""Who a foreign-fighter group fights for."""
Patron = Literal[PATRONS]
TARGETS = ("sectarian", "taliban", "foreign", "abroad")
"""What ISIS-K attacks: Shia/Hazara civilians, the Taliban, foreigners in Afghanistan, abroad."""
Target = Literal[TARGETS]
BREAKAWAYS = ("isisk", "independent", "rival")
"""Where a faction that leaves the Taliban goes: to ISIS-K, its own way, or rival Taliban rule."""
DEMANDS = ("isisk", "joint", "concessions")
"""What a state may ask of the Taliban besides purging a named foreign group."""


def _plain(value: Any) -> Any:
    """Numpy scalars (as from a sweep over `np.arange`) as the Python numbers they hold."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Strict(BaseModel):
    """A schema block that rejects unknown keys, listing the valid ones."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

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


def _safe_name(name: str) -> str:
    if not is_safe_name(name):
        raise ValueError(f"expected {NAME_RULE}")
    return name


def _year_month(text: str) -> str:
    year, dash, month = text.partition("-")
    if not (len(year) == 4 and year.isascii() and year.isdigit() and dash and month.isascii()):
        raise ValueError("expected a month as 'YYYY-MM', e.g. '2021-10'")
    if not (month.isdigit() and len(month) == 2 and 1 <= int(month) <= 12):
        raise ValueError("expected a month as 'YYYY-MM' with MM from 01 to 12")
    if not 1900 <= int(year) <= 2199:
        raise ValueError("expected a year from 1900 to 2199")
    return text


class Styled(Strict):
    """An actor's optional display name and colour in plots (defaults: from its id, a palette)."""

    label: str | None = Field(default=None, min_length=1, max_length=40)
    colour: str | None = Field(default=None, pattern=r"^(#[0-9a-fA-F]{6}|(tab:)?[a-z]{3,20})$")


SafeName = Annotated[str, Field(max_length=MAX_NAME), AfterValidator(_safe_name)]
YearMonth = Annotated[str, AfterValidator(_year_month)]


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
    scale: float = Field(default=1.0, ge=0.0, le=10.0)  # ten times as designed is a stress test


class Mechanisms(Strict):
    """One switch per mechanism of docs/design.md §3."""

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
    """The leadership's levers; events change them mid-run. Each has a cost (design.md §4)."""

    crackdown: float = Probability
    joint_with_us: bool
    accuracy: float = Probability
    concessions: float = Probability
    punishment: float = Probability
    purge: dict[str, Annotated[float, Probability]] = Field(max_length=100)
    security_faction: str
    adaptive_gain: float = NonNegative
    attack_tolerance: float = Field(gt=0.0, le=1e6)  # attacks a month


class Faction(Styled):
    """A Taliban faction at month 0."""

    fighters: int = Field(ge=1, le=MAX_FIGHTERS)
    ideology: Spread
    ties_to_isisk: Spread
    cohesion: float = Probability
    revenue_share: float = Field(gt=0.0, le=1e6)  # a relative weight
    posts: float = Field(ge=0.0, le=1e6)  # a relative weight
    autonomy: float = Probability


class Taliban(Styled):
    """Taliban factions, the leadership core, and how fighters are split into units."""

    unit_size: float = Field(ge=1.0, le=1e5)  # fighters per unit: one at least
    core: str
    factions: dict[str, Faction] = Names
    rivalries: list[Annotated[list[str], Field(min_length=2, max_length=2)]] = Field(
        default=[], max_length=1000
    )

    @model_validator(mode="after")
    def _units(self) -> Taliban:
        units = sum(f.fighters for f in self.factions.values()) / self.unit_size
        if units > MAX_UNITS:
            raise ValueError(
                f"{units:,.0f} units at month 0 (fighters / unit_size); expected at most "
                f"{MAX_UNITS:,}: raise unit_size"
            )
        return self


class IsisK(Styled):
    """ISIS-K at month 0, and the prisoners released in August 2021 still joining."""

    fighters: int = Fighters
    cells: int = Field(ge=1, le=10_000)  # cell arrays are sized from it; the baseline has 24
    capability: float = Field(gt=0.0, le=100.0)  # a multiplier of the attack rate
    exposure: float = Probability
    momentum: float = Probability
    released_prisoners: int = Fighters
    release_months: int = Field(ge=1, le=600)


class ForeignGroup(Styled):
    """A foreign-fighter group at month 0."""

    fighters: int = Fighters
    patron: Patron
    loyalty: float = Probability
    arrivals_per_month: float = PerMonth


class InternationalActor(Styled):
    """A state or donor pressing the Taliban: what it watches, its sticks and its carrots."""

    cares_about: dict[str, Weight] = Names
    demand: float = Probability
    pressure: float = Probability
    baseline_pressure: float = Probability
    pressure_decay: float = Probability
    responsiveness: float = NonNegative
    sectarian_sensitivity: float = NonNegative
    attack_sensitivity: float = NonNegative
    conduct_sensitivity: float = NonNegative
    aid_musd: float = Money
    aid_conditionality: float = Probability
    holds_frozen_funds: bool
    satisfied_below: float = Probability
    unfreeze_after: int = Months
    recognize_after: int = Months
    recognition_rate: float = Probability
    min_credibility: float = Probability

    @model_validator(mode="after")
    def _weights(self) -> InternationalActor:
        if sum(self.cares_about.values()) <= 0:
            raise ValueError("cares_about needs a positive weight on at least one target")
        return self


class Economy(Strict):
    """Fiscal revenue, pay and arrears, hardship; USD million per month unless said otherwise."""

    domestic_revenue_musd: float = Money
    revenue_noise: float = Field(ge=0.0, le=2.0)  # sd of log revenue: 2 is a 7x swing
    hardship: float = Probability
    hardship_floor: float = Probability
    frozen_hardship: float = Probability
    aid_relief: float = Field(ge=0.0, le=100.0)  # per $100M a month
    hardship_adjust: float = Probability
    hardship_revenue_loss: float = Probability
    sanction_damage: float = Probability
    recognition_trade_gain: float = Field(ge=0.0, le=10.0)  # x revenue
    aid_fungible: float = Probability
    military_share: float = Probability
    wage_usd: float = Field(ge=1.0, le=1e6)  # USD a fighter-month
    crackdown_cost_musd: float = Money
    accuracy_cost_musd: float = Money
    initial_arrears_months: float = Field(ge=0.0, le=600.0)
    frozen_funds_musd: float = Money
    unfrozen: bool
    unfreeze_rate: float = Probability
    grievance_rate: float = Probability
    grievance_relief: float = Probability
    breakaway_pay: float = Probability


class DefectionRule(Strict):
    """Weights of the logistic defection and desertion chances (per unit-month)."""

    base: float = LogitBase
    w_abandonment: float = LogitWeight
    w_grievance: float = LogitWeight
    w_ties: float = LogitWeight
    w_momentum: float = LogitWeight
    w_pay: float = LogitWeight
    w_cohesion: float = LogitWeight
    w_fear: float = LogitWeight
    abandonment_crackdown: float = NonNegative
    abandonment_joint: float = NonNegative
    abandonment_concessions: float = NonNegative
    abandonment_purge: float = NonNegative
    abandonment_recognition: float = NonNegative
    punishment_grievance: float = NonNegative
    found_cell: float = Probability
    desertion_base: float = LogitBase
    w_desertion_grievance: float = LogitWeight


class CrackdownRule(Strict):
    """How a crackdown removes ISIS-K fighters and leaders, and how leaks blunt it."""

    removal_rate: float = Probability
    accuracy_floor: float = Probability
    accuracy_tempo: float = Probability
    leader_hit: float = Probability
    joint_bonus: float = NonNegative
    leak: float = Probability


class PressureRule(Strict):
    """What every state's pressure shares: how conduct is judged, and its monthly noise."""

    punishment_conduct: float = NonNegative
    noise: float = Field(ge=0.0, le=1.0)  # pressure is bounded to [0, 1] anyway


class PurgeRule(Strict):
    """How a purge removes foreign fighters and pushes some of them toward ISIS-K."""

    removal_rate: float = Probability
    switch_base: float = LogitBase
    w_switch_purge: float = LogitWeight
    w_switch_pull: float = LogitWeight
    w_switch_loyalty: float = LogitWeight
    splinter_share: float = Probability
    leak_rate: float = Probability
    merge_rate: float = Probability


class AttackRule(Strict):
    """Attack tempo, suppression, targets, success and severity of ISIS-K cells."""

    base_rate: float = Field(ge=0.0, le=30.0)  # per cell-month: a cell attacking daily
    reference_size: float = Field(ge=1.0, le=1e6)  # fighters
    size_exponent: float = Field(ge=0.0, le=2.0)  # observed 0.7; 2 is already explosive
    lie_low: float = Field(ge=0.0, le=100.0)
    abroad_shift: float = Probability
    learning: float = Field(ge=0.0, le=1.0)  # capability gained per attack
    capability_recovery: float = Probability
    min_capability: float = Field(gt=0.0, le=100.0)
    max_capability: float = Field(gt=0.0, le=100.0)
    target_shares: dict[Target, Weight]
    success: float = Probability
    severity_min: float = Field(gt=0.0, le=1e4)  # people
    # observed tails are 2-3; below 1.5 one draw can exceed 1e30 people, and inf below 1.05
    severity_exponent: float = Field(ge=1.5, le=10.0)
    taliban_killed_per_attack: float = Field(ge=0.0, le=1e4)
    exposure_per_attack: float = Probability
    exposure_decay: float = Probability
    momentum_decay: float = Probability
    momentum_saturation: float = Field(gt=0.0, le=1e6)  # successes a month
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

    isisk_local_per_month: float = PerMonth
    momentum_boost: float = Field(ge=0.0, le=10.0)  # recruits x (1 + boost) at full momentum
    hardship_boost: float = Field(ge=0.0, le=10.0)
    recognition_boost: float = Field(ge=0.0, le=10.0)
    anger_recruits: float = PerMonth
    cell_split_size: int = Field(ge=2, le=100_000)  # fighters; a cell is a few dozen
    cell_floor: int = Field(ge=0, le=100_000)  # fighters
    isisk_attrition: float = Probability
    unit_birth_rate: float = Field(ge=0.0, le=0.1)  # per unit-month: doubling in 7 months
    unit_split_factor: float = Field(gt=1.0, le=100.0)  # x unit_size
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
    sensitivity: float = Field(gt=0.0, le=100.0)  # logit precision
    stay_base: float = LogitBase
    w_stay_cohesion: float = LogitWeight
    w_stay_posts: float = LogitWeight
    w_stay_pay: float = LogitWeight
    to_isisk_base: float = LogitBase
    w_isisk_ideology: float = LogitWeight
    w_isisk_ties: float = LogitWeight
    w_isisk_pull: float = LogitWeight
    independent_base: float = LogitBase
    w_independent_autonomy: float = LogitWeight
    w_independent_exclusion: float = LogitWeight
    rival_base: float = LogitBase
    w_rival_strength: float = LogitWeight
    w_rival_grievance: float = LogitWeight


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

    month: int  # checked against `steps` when the timeline is resolved
    set: dict[str, Any] = Field(min_length=1)
    note: str = Field(default="", max_length=10_000)


class Scenario(Strict):
    """A fully resolved scenario (after `extends`), ready to build a model."""

    name: SafeName
    description: str = Field(default="", max_length=10_000)
    seed: int = Field(ge=0, lt=2**63)  # stored as a 64-bit integer
    replicates: int = Field(ge=1, le=1_000_000)
    steps: int = Field(ge=1, le=600)
    start: YearMonth
    mechanisms: Mechanisms = Mechanisms()
    policy: Policy
    taliban: Taliban
    isisk: IsisK
    foreign_groups: dict[str, ForeignGroup] = Field(max_length=100)
    international: dict[str, InternationalActor] = Names
    economy: Economy
    rules: Rules
    events: list[Event] = Field(default=[], max_length=1000)
    _timeline: tuple[tuple[int, Scenario], ...] | None = PrivateAttr(default=None)
