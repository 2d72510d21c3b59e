"""What a parameter declaration holds: `Par`, its `Bound` and `Range`, and the `Block` of them.

A bound is hard (the schema refuses a value beyond it, and says why it is there); a
range is soft (where the value plausibly lies, and the source or reasoning for it; the
sampling ranges of sweeps, sensitivity analyses and calibrations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REQUIRED: Any = ...
"""The default of a parameter whose value is actor data, kept in the baseline scenario."""


@dataclass(frozen=True)
class Bound:
    """The values the schema accepts: [low, high], each end open if said so, and why.

    Attributes:
        low: lower end.
        high: upper end.
        why: why the bound is there (every bound keeps runs sane; this says how).
        open_low: the lower end itself is refused.
        open_high: the upper end itself is refused.
    """

    low: float
    high: float
    why: str
    open_low: bool = False
    open_high: bool = False

    def constraints(self) -> dict[str, float]:
        """The bound as pydantic's `ge`/`gt` and `le`/`lt` arguments."""
        return {
            "gt" if self.open_low else "ge": self.low,
            "lt" if self.open_high else "le": self.high,
        }

    def text(self) -> str:
        """The bound as an interval, e.g. "[0, 1]" or "(0, 100]"."""
        left, right = "(" if self.open_low else "[", ")" if self.open_high else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"


@dataclass(frozen=True)
class Range:
    """Where a parameter plausibly lies, and on what basis.

    Attributes:
        low: lower end.
        high: upper end.
        source: a citation, "lever" (the user's choice), "calibrated", or
            "judgement: <the reasoning>" when no source gives the number.
    """

    low: float
    high: float
    source: str

    def __post_init__(self) -> None:
        if not self.source.strip() or self.source.strip() == "judgement:":
            raise ValueError(f"range {self.low}-{self.high}: a source, or a judgement's reasoning")


@dataclass(frozen=True)
class Par:
    """One parameter of a scenario block, declared once.

    Attributes:
        name: key inside its block.
        kind: float, int, bool, str, a `Literal`, or a `Block` (a nested block, e.g. a Beta
            spread).
        description: what it is, in one line.
        unit: what it counts or measures ("" for a plain number).
        default: its value in the baseline; `REQUIRED` for actor data kept in the baseline.
        bound: the values the schema accepts (numbers only).
        range: its plausible range (numbers only), for any actor or key of a mapping.
        actors: ranges that differ for one actor id (or key of a mapping), with their source.
        parts: the ranges of the numbers of a nested block, or of a mapping's keys, by name.
        keys: for a mapping of numbers (one per target, foreign group...), the type of its keys.
        items: for a mapping, the fewest and most entries the schema accepts.
    """

    name: str
    kind: Any
    description: str
    unit: str = ""
    default: Any = REQUIRED
    bound: Bound | None = None
    range: Range | None = None
    actors: Mapping[str, Range] = field(default_factory=dict)
    parts: Mapping[str, Range] = field(default_factory=dict)
    keys: Any = None
    items: tuple[int, int] | None = None


@dataclass(frozen=True)
class Block:
    """The parameters of one scenario block, in the order a scenario file lists them.

    Attributes:
        path: key path of the block; `*` stands for any actor id ("foreign_groups.*").
        pars: its parameters.
        switch_defaults: whether the schema fills in missing keys with the defaults
            (only the mechanism switches: every number of a scenario is written out).
    """

    path: str
    pars: tuple[Par, ...]
    switch_defaults: bool = False

    def __getitem__(self, name: str) -> Par:
        """The parameter called `name`."""
        for par in self.pars:
            if par.name == name:
                return par
        raise KeyError(f"{self.path} declares no {name!r}")

    def names(self) -> tuple[str, ...]:
        """The names of its parameters, in order."""
        return tuple(par.name for par in self.pars)


def judgement(reasoning: str) -> str:
    """A range's source when no source gives it: the modeller's reasoning."""
    return f"judgement: {reasoning}"


PROBABILITY = Bound(0.0, 1.0, "a share, chance or level on a 0..1 scale")
COEFFICIENT = Bound(0.0, 1e3, "a dimensionless coefficient (strain, bonus, gain): far beyond use")
LOGIT_WEIGHT = Bound(0.0, 100.0, "100 on a 0..1 input saturates any logistic")
LOGIT_BASE = Bound(-100.0, 100.0, "exp(100) = 3e43: a chance of 0 or 1 already")
MONEY = Bound(0.0, 1e6, "USD million a month: $1 trillion, 1,000x Afghanistan's GDP")
MAX_FIGHTERS = 1_000_000
FIGHTERS = Bound(0, MAX_FIGHTERS, "of one faction or group: ten times all the Taliban's fighters")
PER_MONTH = Bound(0.0, 10_000.0, "fighters a month: all of ISIS-K in half a year")
MONTHS = Bound(1, 10_000, "anything beyond the longest run (600) means never")
WEIGHT = Bound(0.0, 1e6, "relative weights, normalised by their sum")
NAMES = (1, 100)
"""Actors of a kind: at least one, and more than any war has had."""
