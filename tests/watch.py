"""A view of the world that notes every attribute path a rule reads through it.

`watched(world, seen)` hands a rule the world as it is, but each attribute it reaches
is noted in `seen` as a path: a field of the world (`crackdown`), of the signals
(`signals.anger`), a column of the units or cells (`units.ties`, or `units` for their
layout: counts, live slots, sums by faction), or a scenario key down to the number
read (`params.rules.attacks.base_rate`, `spec.isisk.capability`). The world's methods
and properties run on the view, so what they read is noted too. Names of actors and
targets are written `*` (`params.taliban.factions.*.cohesion`), so the paths do not
depend on the scenario.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from sim.engine.signals import Signals
from sim.engine.state import Ragged
from sim.engine.world import World

NAMED = (
    "taliban.factions",
    "foreign_groups",
    "international",
    "international.*.cares_about",
    "policy.purge",
    "rules.attacks.target_shares",
)
"""Scenario blocks keyed by an actor's or a target's name (key paths below the scenario)."""


def watched(world: World, seen: set[str]) -> Any:
    """`world` as a rule sees it, noting in `seen` every path read through it."""
    return _Watched(world, "", seen)


def _watch(value: Any, path: str, seen: set[str]) -> Any:
    """The value at `path`, watched further if it holds more to read, else noted as read."""
    if isinstance(value, BaseModel | Signals | World):
        return _Watched(value, f"{path}.", seen)
    if isinstance(value, Ragged):
        return _Table(value, path, seen)
    if isinstance(value, dict):
        return _Keyed(value, path, seen)
    seen.add(_anonymous(path))
    return value


def _anonymous(path: str) -> str:
    """A path with each name under a scenario block of `NAMED` written `*`."""
    root, *parts = path.split(".")
    for i in range(1, len(parts)):
        if ".".join(parts[:i]) in NAMED:
            parts[i] = "*"
    return ".".join([root, *parts])


class _Watched:
    """An object whose attributes are watched; its methods and properties run on the view."""

    def __init__(self, target: Any, path: str, seen: set[str]) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_seen", seen)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # machinery (`World.derived`'s tables), not state: as is
            return getattr(self._target, name)
        attribute = getattr(type(self._target), name, None)
        if isinstance(attribute, property):
            return attribute.fget(self)
        if callable(attribute) and not isinstance(self._target, BaseModel):
            return attribute.__get__(self)
        return _watch(getattr(self._target, name), f"{self._path}{name}", self._seen)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)


class _Table(_Watched):
    """Units or cells: a column read is noted by name, anything else as the table's layout."""

    def __getattr__(self, name: str) -> Any:
        column = name in self._target.columns
        self._seen.add(f"{self._path}.{name}" if column else self._path)
        return getattr(self._target, name)


class _Keyed(Mapping):
    """A scenario mapping (actors by name, weights by target) whose entries are watched."""

    def __init__(self, target: dict, path: str, seen: set[str]) -> None:
        self._target, self._path, self._seen = target, path, seen

    def __getitem__(self, key: str) -> Any:
        return _watch(self._target[key], f"{self._path}.{key}", self._seen)

    def __iter__(self) -> Iterator[str]:
        return iter(self._target)

    def __len__(self) -> int:
        return len(self._target)
