"""Parameters that differ between the replicates of one batch, and how rules read them.

A batch shares one scenario; `values` maps scenario key paths (`rules.attacks.base_rate`,
`taliban.factions.amir.cohesion`) to one value per replicate. The world holds each as a
(replicates,) array in place of the scenario's number, so a rule reads a parameter as one
value (the same for every replicate) or one value per replicate, with the same
elementwise arithmetic: replicate r of a batch gives exactly what it gives alone with
the scenario set to its values. Keys that shape the initial world (fighters, cells,
unit size, starting pressure, frozen funds), switches, names and the mechanisms' scales
cannot vary within a batch (`can_vary_per_replicate`). An event that sets a varied key
wins from its month on, as it does over the scenario's own value.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

import numpy as np
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.inputs.problems import Problem, ScenarioError
from sim.inputs.scenario import event_timeline
from sim.inputs.schema import Scenario

Values = Mapping[str, np.ndarray]
"""One value per replicate of a batch, by scenario key path."""

BLOCKS = ("policy", "economy", "rules", "international", "taliban", "foreign_groups", "isisk")
"""Scenario blocks whose numbers the rules read each month."""

STARTING = (
    "economy.hardship",
    "economy.initial_arrears_months",
    "economy.frozen_funds_musd",
    "international.*.pressure",
    "international.*.engagement",
    "international.*.cares_about.*",  # weights checked for a positive sum by the schema
    "taliban.unit_size",
    "taliban.factions.*.fighters",
    "foreign_groups.*.fighters",
    "isisk.fighters",
    "isisk.cells",
    "isisk.momentum",
)
"""Numbers of those blocks that only the initial world reads (or that size it)."""


def _patterns(model: type[BaseModel], prefix: str) -> Iterator[str]:
    """Key paths (`*` for a name) of every number under a schema block, bools excluded."""
    for name, field in model.model_fields.items():
        yield from _leaf_patterns(field.annotation, f"{prefix}{name}")


def _leaf_patterns(annotation: Any, path: str) -> Iterator[str]:
    if typing.get_origin(annotation) is dict:
        yield from _leaf_patterns(typing.get_args(annotation)[1], f"{path}.*")
    elif typing.get_origin(annotation) is typing.Annotated:
        yield from _leaf_patterns(typing.get_args(annotation)[0], path)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _patterns(annotation, f"{path}.")
    elif annotation in (int, float):
        yield path


PER_REPLICATE = tuple(
    pattern
    for block in BLOCKS
    for pattern in _leaf_patterns(Scenario.model_fields[block].annotation, block)
    if not any(fnmatchcase(pattern, s) for s in STARTING)
)
"""Key paths (`*` for an actor's or a target's name) that may vary within a batch."""


def can_vary_per_replicate(key: str) -> bool:
    """Whether the scenario key path `key` may take one value per replicate in a batch."""
    parts = key.split(".")
    return any(_matches(parts, pattern.split(".")) for pattern in PER_REPLICATE)


def _matches(parts: list[str], pattern: list[str]) -> bool:
    """Whether a key path's parts match a pattern's, `*` standing for any one name."""
    return len(parts) == len(pattern) and all(
        p in (part, "*") for part, p in zip(parts, pattern, strict=True)
    )


def per_replicate_keys(scenario: Scenario) -> tuple[str, ...]:
    """Every key path of `scenario` that may take one value per replicate in a batch."""
    keys = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{path}.{name}")
        elif isinstance(node, dict):
            for name, value in node.items():
                walk(value, f"{path}.{name}")
        elif can_vary_per_replicate(path):
            keys.append(path)

    for block in BLOCKS:
        walk(getattr(scenario, block), block)
    return tuple(keys)


def checked(scenario: Scenario, values: Values | None, replicates: int) -> dict[str, np.ndarray]:
    """`values` as arrays of the scenario's type; raise `ScenarioError` listing every problem.

    Each key must be one that may vary per replicate and exist in `scenario`; each array
    holds one finite value per replicate within the schema's bounds (whole numbers where
    the scenario holds an integer). Cross-checks between keys are the caller's.
    """
    out, problems = {}, []
    for key, given in (values or {}).items():
        array = np.asarray(given)
        try:
            current, field = _leaf(scenario, key)
        except KeyError:
            problems.append(Problem("values", key, "no such key in the scenario"))
            continue
        if not can_vary_per_replicate(key):
            problems.append(
                Problem("values", key, "cannot vary within a batch; see per_replicate_keys()")
            )
        elif array.shape != (replicates,) or not np.issubdtype(array.dtype, np.number):
            problems.append(
                Problem("values", key, f"expected {replicates} numbers, got shape {array.shape}")
            )
        elif (message := _out_of_bounds(array, field, isinstance(current, int))) is not None:
            problems.append(Problem("values", key, message))
        else:
            out[key] = _typed(array, current)
    problems += _cross_checks(scenario, out)
    if problems:
        raise ScenarioError(problems)
    return out


def typed(scenario: Scenario, values: Values | None) -> dict[str, np.ndarray]:
    """`values` as arrays of the scenario's type, unchecked: for values validated already.

    A sweep's points are validated with each point's scenario (`override`) before any
    run, which `checked` would repeat for every replicate of every batch.
    """
    return {
        key: _typed(np.asarray(given), _leaf(scenario, key)[0])
        for key, given in (values or {}).items()
    }


def _typed(array: np.ndarray, current: Any) -> np.ndarray:
    """`array` as integers where the scenario holds an integer, else as floats."""
    return array.astype(np.int64 if isinstance(current, int) else np.float64)


def _cross_checks(scenario: Scenario, arrays: dict[str, np.ndarray]) -> list[Problem]:
    """Problems of the schema's checks between fields, for each replicate's values.

    A block holding varied keys (a Beta trait's mean and sd, the attack rule's
    capabilities and target shares) is validated once per distinct combination of its
    values, as the replicates holding that combination see it.
    """
    by_block: dict[str, list[str]] = {}
    for key in arrays:
        by_block.setdefault(_block_of(scenario, key), []).append(key)
    problems = []
    for path, keys in by_block.items():
        block = _node(scenario, path)
        for row in dict.fromkeys(zip(*(arrays[k].tolist() for k in keys), strict=True)):
            data = block.model_dump()
            for key, value in zip(keys, row, strict=True):
                _set(data, key[len(path) + 1 :].split("."), value)
            try:
                type(block).model_validate(data)
            except ValidationError as exc:
                message = exc.errors()[0]["msg"]
                problems.append(Problem("values", ", ".join(keys), f"{message} (at {row})"))
                break
    return problems


def _block_of(scenario: Scenario, key: str) -> str:
    """Key path of the innermost schema block (a pydantic model) holding `key`."""
    node: Any = scenario
    path: list[str] = []
    block = ""
    for part in key.split(".")[:-1]:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
        path.append(part)
        if isinstance(node, BaseModel):
            block = ".".join(path)
    return block


def _node(scenario: Scenario, path: str) -> Any:
    node: Any = scenario
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def _set(data: dict, parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


def _leaf(scenario: Scenario, key: str) -> tuple[Any, Any]:
    """The value at `key` and the schema's field (or annotated type) that bounds it."""
    node: Any = scenario
    field: Any = None
    for part in key.split("."):
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            field = type(node).model_fields[part]
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            field = typing.get_args(field.annotation)[1] if field is not None else None
            node = node[part]
        else:
            raise KeyError(key)
    return node, field


def _out_of_bounds(array: np.ndarray, field: Any, whole: bool) -> str | None:
    """Why `array` breaks the field's bounds (or is not whole where it must be), else None."""
    if not np.isfinite(array).all():
        return "expected finite numbers"
    if whole and not np.array_equal(array, np.round(array)):
        return "expected whole numbers: the scenario holds an integer"
    if isinstance(field, FieldInfo):
        metadata = field.metadata
    else:
        metadata = [m for a in typing.get_args(field)[1:] for m in getattr(a, "metadata", [a])]
    checks: dict[type, Callable[[Any], bool]] = {
        Ge: lambda m: (array >= m.ge).all(),
        Gt: lambda m: (array > m.gt).all(),
        Le: lambda m: (array <= m.le).all(),
        Lt: lambda m: (array < m.lt).all(),
    }
    for bound in metadata:
        check = checks.get(type(bound))
        if check is not None and not check(bound):
            return f"expected every value {bound!r}; got {array.min()!r}..{array.max()!r}"
    return None


def with_values(scenario: Scenario, values: Values) -> Scenario:
    """A copy of `scenario` holding the arrays of `values` in place of its numbers (unchecked)."""
    for key, array in values.items():
        scenario = _replace(scenario, key.split("."), array)
    return scenario


def _replace(node: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        return {**node, head: _replace(node[head], rest, value)}
    return node.model_copy(update={head: _replace(getattr(node, head), rest, value)})


def timeline_with_values(scenario: Scenario, values: Values) -> dict[int, Scenario]:
    """The scenario in force from each event month on, holding the values no event has set.

    An event that sets a varied key, or a block holding it, wins from its month on.
    """
    timeline = event_timeline(scenario)
    if not values:
        return timeline
    out = {}
    for month, snapshot in timeline.items():
        fixed = [key for e in scenario.events if e.month <= month for key in e.set]
        kept = {
            key: array
            for key, array in values.items()
            if not any(key == f or key.startswith(f + ".") for f in fixed)
        }
        out[month] = with_values(snapshot, kept)
    return out


def column(value: Any, axes: int = 1) -> Any:
    """A per-replicate value shaped to broadcast over `axes` trailing axes; a scalar as is."""
    if _varies(value):
        return value.reshape((-1,) + (1,) * axes)
    return value


def at_row(value: Any, row: int) -> Any:
    """One replicate's value of a parameter (a scalar as is)."""
    return value[row] if _varies(value) else value


def per_actor(values: list[Any]) -> np.ndarray:
    """One parameter of each actor, (actors,), or (replicates, actors) if any varies."""
    if not values:
        return np.zeros(0)
    if np.ndarray not in set(map(type, values)):  # the common case: numbers only
        return np.array(values)
    return stacked(*values)


def stacked(*values: Any) -> np.ndarray:
    """Numbers and arrays broadcast together and stacked along a new last axis.

    `np.stack(np.broadcast_arrays(*values), axis=-1)`, without numpy's Python-level
    broadcasting: a fifth of the time on the rules' small arrays.
    """
    kind = np.result_type(*map(np.asarray, values))  # a number is a 0-d array, as numpy's
    out = np.empty((*np.broadcast(*values).shape, len(values)), kind)
    for k, value in enumerate(values):
        out[..., k] = value
    return out


def _varies(value: Any) -> bool:
    """Whether a parameter holds one value per replicate (a 1-d array) rather than one."""
    return isinstance(value, np.ndarray) and value.ndim == 1


class Reshaped:
    """A view of a parameter block whose numbers read through `how` (e.g. as columns).

    Pure functions of the rules read a block's attributes; through this view a
    per-replicate value broadcasts explicitly over the arrays it is combined with.
    """

    def __init__(self, block: Any, how: Callable[[Any], Any]) -> None:
        self._block, self._how = block, how

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._how(getattr(self._block, name))


def by_slot(block: Any, axes: int = 1) -> Any:
    """`block` with each per-replicate value as a column over `axes` trailing axes."""
    if not _holds_varied(block):
        return block  # nothing to reshape: the rules read the block itself, at no cost
    return Reshaped(block, lambda value: column(value, axes))


def at_rows(block: Any, rows: np.ndarray) -> Any:
    """`block` with each per-replicate value taken at `rows` (a flat list of entries' rows)."""
    if not _holds_varied(block):
        return block
    return Reshaped(block, lambda value: value[rows] if _varies(value) else value)


def _holds_varied(block: Any) -> bool:
    """Whether any number of a parameter block varies per replicate (the block's own fields)."""
    return np.ndarray in set(map(type, vars(block).values()))  # only `with_values` sets arrays


__all__ = [
    "PER_REPLICATE",
    "Values",
    "at_row",
    "at_rows",
    "by_slot",
    "can_vary_per_replicate",
    "checked",
    "column",
    "per_actor",
    "per_replicate_keys",
    "stacked",
    "timeline_with_values",
    "typed",
    "with_values",
]
