"""Load scenario files: safe YAML, `extends` chains, overrides, validation, events.

Every problem is reported before any run starts, as a `ScenarioError` whose lines
name the file, the key path, the bad value and what was expected.
"""

from __future__ import annotations

import copy
import hashlib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from sim.inputs.limits import runaway_rates
from sim.inputs.problems import Problem, ScenarioError, quote, refuse
from sim.inputs.reading import is_file, read_yaml
from sim.inputs.schema import DEMANDS, Event, Scenario

__all__ = [
    "Problem",
    "ScenarioError",
    "event_may_set",
    "event_timeline",
    "load_scenario",
    "load_with_origin",
    "override",
]

EVENT_KEYS = ("policy", "mechanisms", "rules", "international", "economy")
"""Top-level blocks whose keys events may change (the rest are the run's starting point)."""
STARTING_STATES = ("international.*.pressure", "economy.frozen_funds_musd")
"""Keys of those blocks read at month 0 only (`*`: any one actor): events cannot change them."""
SUFFIXES = (".yaml", ".yml")  # `extends` reads scenario files only, never any file at all
MAX_CHAIN = 16  # files in one `extends` chain; the shipped ones have two
Provenance = dict[tuple[str, ...], Path]


def _merge(base: dict, top: dict, prov: Provenance, src: Path, at: tuple[str, ...]) -> dict:
    """Deep-merge mapping `top` over `base`; lists and scalars are replaced whole.

    Linear in the size of both: a replaced block forgets the origins of its own keys only.
    """
    merged = dict(base)
    for key, value in top.items():
        path = (*at, str(key))
        old = merged.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            merged[key] = _merge(old, value, prov, src, path)
        else:
            if isinstance(old, dict):
                _forget(old, prov, path)
            merged[key] = value
        prov[path] = src
    return merged


def _forget(block: dict, prov: Provenance, at: tuple[str, ...]) -> None:
    """Drop the origins of every key under `block` (at key path `at`), which is replaced."""
    for key, value in block.items():
        path = (*at, str(key))
        prov.pop(path, None)
        if isinstance(value, dict):
            _forget(value, prov, path)


def resolve(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict, Provenance, list[Path]]:
    """Read `path` and the files it `extends`, returning merged data, key origins and files."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise refuse(chain[-1], "extends", f"extends cycle: {cycle}")
    if len(chain) >= MAX_CHAIN:
        raise refuse(chain[-1], "extends", f"more than {MAX_CHAIN} files in the extends chain")
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        prov: Provenance = {}
        return _merge({}, data, prov, path, ()), prov, [path]
    target = _parent_file(path, parent)
    base, prov, files = resolve(target, (*chain, path))
    return _merge(base, data, prov, path, ()), prov, [*files, path]


def _parent_file(path: Path, parent: Any) -> Path:
    """The scenario file that `extends: parent` in `path` names, checked to be one."""
    if not isinstance(parent, str) or not parent or "\0" in parent:
        raise refuse(path, "extends", f"got {quote(parent)}; expected a file name (string)")
    if not parent.endswith(SUFFIXES):
        raise refuse(
            path,
            "extends",
            f"got {quote(parent)}; expected a scenario file (.yaml or .yml)",
        )
    try:
        target = (path.parent / parent).resolve()
        is_dir = target.is_dir()
    except (OSError, ValueError):  # too long for the file system
        raise refuse(path, "extends", f"got {quote(parent)}; not a usable file name") from None
    if is_dir:
        raise refuse(path, "extends", f"got {quote(parent)}; {target} is a directory, not a file")
    if not is_file(target):
        raise refuse(path, "extends", f"got {quote(parent)}; no such file {target}")
    return target


def _origin(prov: Provenance, loc: tuple[str, ...], default: Path) -> str:
    for n in range(len(loc), 0, -1):
        if loc[:n] in prov:
            return str(prov[loc[:n]])
    return str(default)


def _format_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_file_as[M: BaseModel](path: Path, model: type[M]) -> M:
    """Read a YAML file (an experiment, sweep or calibration file) and validate it as `model`.

    Raises `ScenarioError` naming the file, each key path and what was expected. Unknown
    top-level keys stop the model's own checks, so the known keys are then checked
    alone too: every problem of the file is reported at once.
    """
    data = read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, {}, path, "")
    if isinstance(data, dict):
        known = {key: value for key, value in data.items() if key in model.model_fields}
        try:
            if len(known) < len(data):
                model.model_validate(known)
        except ValidationError as exc:
            problems += validation_problems(exc, {}, path, "")
    raise ScenarioError(problems)


def validation_problems(
    exc: ValidationError, prov: Provenance, file: Path, prefix: str
) -> list[Problem]:
    """One `Problem` per pydantic error: origin file, key path, value quoted short, expectation.

    A block is not quoted: a rule about a whole block names the block instead.
    """
    problems = []
    for err in exc.errors():
        loc = tuple(str(p) if not isinstance(p, int) else p for p in err["loc"])
        loc = tuple(p for p in loc if p not in ("function-after", "function-before"))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "unknown_key":
            for key in err["ctx"]["keys"]:
                where = (*loc, key)
                origin = _origin(prov, tuple(map(str, where)), file)
                problems.append(Problem(origin, prefix + _format_path(where), msg))
            continue
        if err["type"] == "missing":
            message = "missing required key"
        elif not isinstance(err["input"], (dict, list)):
            message = f"got {quote(err['input'])}; {msg.replace('Input should be', 'expected')}"
        elif err["type"] == "value_error":
            message = msg
        else:
            kind = type(err["input"]).__name__
            message = f"got a {kind}; {msg.replace('Input should be', 'expected')}"
        origin = _origin(prov, tuple(str(p) for p in loc), file)
        path = _format_path(loc)
        problems.append(Problem(origin, f"{prefix}{path}" if prefix else path, message))
    return problems


def _set_dotted(data: dict, dotted: str, value: Any) -> str | None:
    """Set `a.b.c` in nested `data`; return an error text if the path does not exist."""
    *parents, leaf = dotted.split(".")
    node = data
    for i, key in enumerate(parents):
        if not isinstance(node, dict) or key not in node:
            return f"no key {'.'.join(parents[: i + 1])!r} in the scenario"
        node = node[key]
    if not isinstance(node, dict) or leaf not in node:
        return f"no key {dotted!r} in the scenario"
    node[leaf] = value
    return None


def _cross_check(s: Scenario, prov: Provenance, file: Path, prefix: str = "") -> list[Problem]:
    """Check names that refer to other parts of the scenario."""
    factions, groups = set(s.taliban.factions), set(s.foreign_groups)
    problems = []

    def bad(loc: tuple[str, ...], message: str) -> None:
        problems.append(Problem(_origin(prov, loc, file), prefix + _format_path(loc), message))

    if s.policy.security_faction not in factions:
        bad(
            ("policy", "security_faction"),
            f"got {quote(s.policy.security_faction)}; expected one of {sorted(factions)}",
        )
    for group in s.policy.purge:
        if group not in groups:
            bad(
                ("policy", "purge", group),
                f"unknown foreign group; expected one of {sorted(groups)}",
            )
    for i, pair in enumerate(s.taliban.rivalries):
        for name in pair:
            if name not in factions:
                bad(
                    ("taliban", "rivalries", str(i)),
                    f"got {quote(name)}; expected one of {sorted(factions)}",
                )
    if s.taliban.core not in factions:
        bad(("taliban", "core"), f"got {quote(s.taliban.core)}; expected one of {sorted(factions)}")
    for loc, message in runaway_rates(s):
        bad(loc, message)
    for actor, spec in s.international.items():
        for target in spec.cares_about:
            if target not in groups | set(DEMANDS):
                bad(
                    ("international", actor, "cares_about", target),
                    f"unknown target; expected one of {[*DEMANDS, *sorted(groups)]}",
                )
    return problems


def _validate(data: dict, prov: Provenance, file: Path, prefix: str = "") -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, prov, file, prefix)) from None
    problems = _cross_check(scenario, prov, file, prefix)
    if problems:
        raise ScenarioError(problems)
    return scenario


def event_timeline(scenario: Scenario, file: Path | str = "<scenario>") -> dict[int, Scenario]:
    """The scenario in force from each event month on: resolved and validated once, then kept.

    The loader resolves it when the file loads; for a scenario built otherwise it is
    resolved on first use (raising `ScenarioError` if an event is bad).
    """
    if scenario._timeline is None:
        scenario._timeline = _resolve_events(scenario, Path(file))
    return dict(scenario._timeline)


def _resolve_events(scenario: Scenario, file: Path) -> tuple[tuple[int, Scenario], ...]:
    """Apply the events in month order, validating the scenario after each.

    An event with a problem is left out of what later events build on, so each problem is
    blamed once, on the event that set the bad value; every event is checked, and the
    problems are listed in the order of the events in the file.
    """
    data = scenario.model_dump()
    data["events"] = []
    timeline: dict[int, Scenario] = {}
    problems = _same_month_clashes(scenario, file)
    for i, event in _in_month_order(scenario.events):
        changed = copy.deepcopy(data)  # validated as it is: later events change a new copy
        found = [(i, p) for p in _month_problems(i, event, scenario.steps, file)]
        found += [(i, p) for p in _apply_event(i, event, changed, file)]
        try:
            snapshot = _validate(changed, {}, file, f"events[{i}].set: ")
        except ScenarioError as exc:
            found += [(i, p) for p in exc.problems]
        else:
            changes = _starting_state_changes(scenario, snapshot)
            found += [(i, Problem(str(file), f"events[{i}].set", m)) for m in changes]
        if found:
            problems += found
            continue
        snapshot._timeline = ()
        timeline[event.month] = snapshot
        data = changed
    if problems:
        raise ScenarioError(_in_file_order(problems))
    return tuple(timeline.items())


def _in_month_order(events: list[Event]) -> list[tuple[int, Event]]:
    """The events with their index in the file, by month (those of one month in file order)."""
    return sorted(enumerate(events), key=lambda ie: ie[1].month)


def _in_file_order(found: list[tuple[int, Problem]]) -> list[Problem]:
    """The problems of events by their index in the file (those of one event as found)."""
    return [p for _, p in sorted(found, key=lambda ip: ip[0])]


def _month_problems(i: int, event: Event, steps: int, file: Path) -> list[Problem]:
    """The event's month, if it is not one of the run's months."""
    if 1 <= event.month <= steps:
        return []
    message = f"got {quote(event.month)}; expected 1..{steps}"
    return [Problem(str(file), f"events[{i}].month", message)]


def _apply_event(i: int, event: Event, data: dict, file: Path | str) -> list[Problem]:
    """Set the event's keys in `data`; the keys it may not change, or that do not exist."""
    problems = []
    for key, value in event.set.items():
        if not _in_event_blocks(key):
            message = f"events may change only keys under {', '.join(EVENT_KEYS)}"
        elif (error := _set_dotted(data, key, value)) is not None:
            message = error
        else:
            continue
        problems.append(Problem(str(file), f"events[{i}].set.{key}", message))
    return problems


def _unchecked_event_keys(data: dict, file: str) -> list[Problem]:
    """The events' keys that are refused, in a file whose scenario is itself invalid.

    Found on the file's data alone, so a problem of the scenario hides none of its events'.
    """
    try:
        events = TypeAdapter(list[Event]).validate_python(data.get("events", []))
    except ValidationError:
        return []  # the events themselves are malformed: among the scenario's problems
    changed = copy.deepcopy(data)
    found = [
        (i, p)
        for i, event in _in_month_order(events)
        for p in _apply_event(i, event, changed, file)
    ]
    return _in_file_order(found)


def _same_month_clashes(scenario: Scenario, file: Path) -> list[tuple[int, Problem]]:
    """Two events of one month that set the same key, or one a block holding the other's key.

    Which would win is an accident of their order in the file, so it is refused.
    """
    exact: dict[tuple[int, tuple[str, ...]], tuple[int, str]] = {}  # (month, key): who set it
    within: dict[tuple[int, tuple[str, ...]], tuple[int, str]] = {}  # ... or a key inside it
    problems = []
    for i, event in enumerate(scenario.events):
        keys = [(key, tuple(key.split("."))) for key in event.set]
        for key, parts in keys:
            setters = [exact.get((event.month, parts[:n])) for n in range(1, len(parts))]
            setters.append(within.get((event.month, parts)))
            clash = next((s for s in setters if s is not None), None)
            if clash is not None:
                message = (
                    f"events[{clash[0]}].set.{clash[1]} also sets it in month "
                    f"{event.month}; which applies would depend on their order: "
                    "merge them into one event"
                )
                problems.append((i, Problem(str(file), f"events[{i}].set.{key}", message)))
        for key, parts in keys:
            exact.setdefault((event.month, parts), (i, key))
            for n in range(1, len(parts) + 1):
                within.setdefault((event.month, parts[:n]), (i, key))
    return problems


def _starting_state_changes(start: Scenario, later: Scenario) -> list[str]:
    """What an event changed that only month 0 reads: actors, their pressure, frozen funds."""
    if list(later.international) != list(start.international):
        return ["events may not add, remove or reorder international actors"]
    before, after = start.model_dump(), later.model_dump()
    changes = []
    for pattern in STARTING_STATES:
        was = _values_at(pattern, before)
        changes += [
            f"{key} is a starting state; events cannot change it"
            for key, value in _values_at(pattern, after).items()
            if value != was.get(key)
        ]
    return changes


def event_may_set(key: str) -> bool:
    """Whether events may set the key path `key`: under `EVENT_KEYS`, not a starting state.

    The rule the loader applies to every event (besides the key's existing), and the one
    docs/events.md is generated from.
    """
    return _in_event_blocks(key) and not any(_matches(key, p) for p in STARTING_STATES)


def _in_event_blocks(key: str) -> bool:
    return key.split(".")[0] in EVENT_KEYS


def _matches(key: str, pattern: str) -> bool:
    """Whether a key path matches a pattern part by part (`*`: any one part)."""
    keys, parts = key.split("."), pattern.split(".")
    return len(keys) == len(parts) and all(map(fnmatchcase, keys, parts))


def _values_at(pattern: str, data: dict) -> dict[str, Any]:
    """The values of nested `data` at the key paths matching `pattern`, by key path."""
    found: dict[str, Any] = {"": data}
    for part in pattern.split("."):
        found = {
            f"{at}.{key}" if at else key: node[key]
            for at, node in found.items()
            if isinstance(node, dict)
            for key in node
            if fnmatchcase(key, part)
        }
    return found


def override(scenario: Scenario, changes: dict[str, Any]) -> Scenario:
    """A copy of `scenario` with dotted keys changed (`policy.crackdown`), re-validated."""
    data = scenario.model_dump()
    problems = [
        Problem("override", key, error)
        for key, value in changes.items()
        if (error := _set_dotted(data, key, value)) is not None
    ]
    if problems:
        raise ScenarioError(problems)
    changed = _validate(data, {}, Path("override"))
    event_timeline(changed, "override")
    return changed


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file; raise `ScenarioError` if bad."""
    return load_with_origin(path, overrides)[0]


def load_with_origin(
    path: str | Path, overrides: dict[str, Any] | None = None
) -> tuple[Scenario, str]:
    """Like `load_scenario`, also returning a SHA-256 of every file in the extends chain."""
    path = Path(path)
    if not is_file(path):
        raise refuse(quote(str(path)), "", "no such scenario file")
    data, prov, files = resolve(path)
    problems = []
    for key, value in (overrides or {}).items():
        if (error := _set_dotted(data, key, value)) is not None:
            problems.append(Problem("override", key, error))
        prov[tuple(key.split("."))] = Path("override")
    if problems:
        raise ScenarioError(problems)
    events_file = _origin(prov, ("events",), path)
    try:
        scenario = _validate(data, prov, path)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems + _unchecked_event_keys(data, events_file)) from None
    event_timeline(scenario, events_file)
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return scenario, digest.hexdigest()
