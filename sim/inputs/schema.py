"""The scenario schema: every key a scenario file may hold, its type and its range.

The fields of each block of parameters are built from their declarations in
`sim.inputs.pars` (type and bound, with why); the classes here add what ties several
keys together. Numbers have no defaults here: a scenario file is complete after
`extends` (`scenarios/baseline.yaml`, which other scenarios extend, is written from the
declarations). Only switches (mechanism on/off, scale) default to "as designed". Every
number is finite and bounded above: the bounds are far outside any plausible scenario
and keep memory and draws sane.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sim.inputs.names import MAX_NAME, NAME_RULE, is_safe_name
from sim.inputs.pars import (
    ATTACKS,
    CRACKDOWN,
    DEFECTION,
    ECONOMY,
    FACTION,
    FOREIGN_GROUP,
    FRAGMENTATION,
    INTERNATIONAL,
    ISISK,
    MECHANISM,
    POLICY,
    PRESSURE,
    PURGE,
    RECRUITMENT,
    STRATEGY,
    TALIBAN,
)
from sim.inputs.pars.attacks import TARGETS as TARGETS  # re-exported: the rules read them here
from sim.inputs.pars.declare import MAX_FIGHTERS as MAX_FIGHTERS
from sim.inputs.pars.declare import NAMES, Block
from sim.inputs.pars.fields import schema_fields
from sim.inputs.pars.foreign_groups import PATRONS as PATRONS
from sim.inputs.pars.taliban import SPREAD

Names = Field(min_length=NAMES[0], max_length=NAMES[1])  # actors of a kind
MAX_UNITS = 100_000  # Taliban units at month 0 over all factions: 200x the baseline's 500
BREAKAWAYS = ("isisk", "independent", "rival")
"""Where a faction that leaves the Taliban goes: to ISIS-K, its own way, or rival Taliban rule."""
DEMANDS = ("isisk", "joint", "concessions", "stability", "trade", "rivalry")
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
            fields = cls.model_fields  # once: each read goes through a pydantic descriptor
            unknown = sorted(str(k) for k in data if k not in fields)
            if unknown:
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key; valid keys: {valid}",
                    {"keys": unknown, "valid": ", ".join(sorted(fields))},
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


def declared(block: Block, base: type[Strict] = Strict, **nested: type[Strict]) -> type[Strict]:
    """A schema base class whose fields are the parameters declared in `block`.

    Args:
        block: the declarations (type, bound, and default for the switches).
        base: the class it extends.
        **nested: the schema class of each parameter that is a nested block.
    """
    return create_model(f"Declared{base.__name__}", __base__=base, **schema_fields(block, nested))


class Spread(declared(SPREAD)):
    """A unit trait drawn from a Beta distribution with this mean and sd."""

    @model_validator(mode="after")
    def _feasible(self) -> Spread:
        if self.sd**2 >= self.mean * (1.0 - self.mean):
            raise ValueError(
                f"sd {self.sd} too large for mean {self.mean}: a Beta needs "
                f"sd < {(self.mean * (1 - self.mean)) ** 0.5:.3f}"
            )
        return self


class Mechanism(declared(MECHANISM)):
    """Switch a mechanism off, or rescale its effect."""


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


class Policy(declared(POLICY)):
    """The leadership's levers; events change them mid-run. Each has a cost (design.md §4)."""


class Faction(declared(FACTION, Styled, ideology=Spread, ties_to_isisk=Spread)):
    """A Taliban faction at month 0."""


class Taliban(declared(TALIBAN, Styled)):
    """Taliban factions, the leadership core, and how fighters are split into units."""

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


class IsisK(declared(ISISK, Styled)):
    """ISIS-K at month 0, and the prisoners released in August 2021 still joining."""


class ForeignGroup(declared(FOREIGN_GROUP, Styled)):
    """A foreign-fighter group at month 0."""


class InternationalActor(declared(INTERNATIONAL, Styled)):
    """A state or donor pressing the Taliban: what it watches, its sticks and its carrots."""

    @model_validator(mode="after")
    def _weights(self) -> InternationalActor:
        if sum(self.cares_about.values()) <= 0:
            raise ValueError("cares_about needs a positive weight on at least one target")
        return self


class Economy(declared(ECONOMY)):
    """Fiscal revenue, pay and arrears, hardship; USD million per month unless said otherwise."""


class DefectionRule(declared(DEFECTION)):
    """Weights of the logistic defection and desertion chances (per unit-month)."""


class CrackdownRule(declared(CRACKDOWN)):
    """How a crackdown removes ISIS-K fighters and leaders, and how leaks blunt it."""


class PressureRule(declared(PRESSURE)):
    """What every state's pressure shares: how conduct is judged, and its monthly noise."""


class PurgeRule(declared(PURGE)):
    """How a purge removes foreign fighters and pushes some of them toward ISIS-K."""


class StrategyRule(declared(STRATEGY)):
    """How ISIS-K's leadership splits its effort, and what money buys."""


class AttackRule(declared(ATTACKS)):
    """Attack tempo, suppression, targets, success and severity of ISIS-K cells."""

    @model_validator(mode="after")
    def _shares(self) -> AttackRule:
        if sum(self.target_shares.values()) <= 0:
            raise ValueError("target_shares must have a positive sum")
        if self.min_capability > self.max_capability:
            raise ValueError("min_capability must not exceed max_capability")
        return self


class RecruitmentRule(declared(RECRUITMENT)):
    """Births, splits, deaths and attrition of cells and units."""


class FragmentationRule(declared(FRAGMENTATION)):
    """Cohesion dynamics and the leaders' choice between staying and each way of leaving."""


class Rules(Strict):
    """Parameters of each mechanism, named as in docs/ODD.md."""

    defection: DefectionRule
    crackdown: CrackdownRule
    pressure: PressureRule
    purge: PurgeRule
    strategy: StrategyRule
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
