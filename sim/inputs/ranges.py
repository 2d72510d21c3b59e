"""The plausible range of every model parameter, with its source or the reasoning behind it.

One machine-readable table, built from the declarations of `sim.inputs.pars`: the
scenario tests check that every number of the baseline has a range here and lies
inside it, and sweeps, sensitivity analyses and calibrations sample from it by default.
Keys are scenario key paths; `*` stands for any one actor (a faction, a foreign group,
a state). A range is not a hard bound: the schema's bounds (`sim.inputs.schema`) only
keep runs sane.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from fnmatch import fnmatchcase

from sim.inputs.pars import BLOCKS, Block
from sim.inputs.problems import quote
from sim.inputs.schema import Scenario

RUN_SETTINGS = ("seed", "replicates", "steps")


@dataclass(frozen=True)
class ParameterRange:
    """A plausible interval of one parameter and why.

    Attributes:
        key: scenario key path, `*` for any one actor.
        low: lower end.
        high: upper end.
        basis: the source of the interval, or "judgement: ..." with the reasoning.
    """

    key: str
    low: float
    high: float
    basis: str

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"{self.key}: low {self.low} above high {self.high}")


def _entries(block: Block) -> Iterator[ParameterRange]:
    """The ranges declared in `block`: an actor's own and a part's before the fallback (`*`)."""
    for par in block.pars:
        key = f"{block.path}.{par.name}"
        every = f"{key}.*" if par.keys is not None else key
        for actor, span in par.actors.items():
            own = f"{key}.{actor}" if "*" not in block.path else every.replace("*", actor, 1)
            yield ParameterRange(own, span.low, span.high, span.source)
        for part, span in par.parts.items():
            yield ParameterRange(f"{key}.{part}", span.low, span.high, span.source)
        if par.range is not None:
            yield ParameterRange(every, par.range.low, par.range.high, par.range.source)


RANGES = tuple(entry for block in BLOCKS for entry in _entries(block))
"""Every declared range (`sim.inputs.pars`), an actor's own before the fallback."""


def parameters(scenario: Scenario) -> list[tuple[str, float]]:
    """(key path, value) of every number of a scenario that is a model parameter.

    Run settings (seed, replicates, steps), switches (booleans), names and events are not.
    """
    return [
        (key, value)
        for key, value in _numbers(scenario.model_dump(exclude={"events"}))
        if key not in RUN_SETTINGS
    ]


def parameter_problem(key: str, known: dict[str, float]) -> str | None:
    """Why `key` is not one of the model parameters `known` (from `parameters`), or None.

    Calibrations and posterior files set model parameters only: a run setting or a
    switch there would change what a run is, not a value it runs with.
    """
    if key in known:
        return None
    if key in RUN_SETTINGS:
        return f"{quote(key)} is a run setting, not a model parameter"
    close = get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{quote(key)} is not a model parameter (a number of sim/inputs/pars){hint}"


def _numbers(data: dict, at: str = ""):
    for key, value in data.items():
        path = f"{at}{key}"
        if isinstance(value, dict):
            yield from _numbers(value, f"{path}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield path, value


def range_of(key: str) -> ParameterRange | None:
    """The range for a key path: the first entry whose pattern matches it, or None."""
    for entry in RANGES:
        if fnmatchcase(key, entry.key):
            return entry
    return None
