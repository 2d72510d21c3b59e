"""Load scenario files: safe YAML, `extends` chains, overrides, validation, events.

Every problem is reported before any run starts, as a `ScenarioError` whose lines
name the file, the key path, the bad value and what was expected.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.inputs.schema import DEMANDS, Scenario

EVENT_KEYS = ("policy", "mechanisms", "rules", "international", "economy")
Provenance = dict[tuple[str, ...], Path]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is and what was expected."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be run; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that also refuses a key given twice in one mapping."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse one YAML file with the safe loader into a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read file ({exc.strerror})")]) from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        raise ScenarioError([Problem(str(path), "", f"not valid safe YAML: {detail}")]) from exc
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(str(path), "", f"expected a mapping of keys, got {type(data).__name__}")]
        )
    return data


def _merge(base: dict, top: dict, prov: Provenance, src: Path, at: tuple[str, ...]) -> dict:
    """Deep-merge mapping `top` over `base`; lists and scalars are replaced whole."""
    merged = dict(base)
    for key, value in top.items():
        path = (*at, str(key))
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, prov, src, path)
        else:
            merged[key] = value
            for old in [p for p in prov if p[: len(path)] == path]:
                del prov[old]
        prov[path] = src
    return merged


def resolve(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict, Provenance, list[Path]]:
    """Read `path` and the files it `extends`, returning merged data, key origins and files."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError([Problem(str(chain[-1]), "extends", f"extends cycle: {cycle}")])
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        prov: Provenance = {}
        return _merge({}, data, prov, path, ()), prov, [path]
    if not isinstance(parent, str):
        raise ScenarioError(
            [Problem(str(path), "extends", f"got {parent!r}; expected a file name (string)")]
        )
    target = (path.parent / parent).resolve()
    if not target.is_file():
        raise ScenarioError(
            [Problem(str(path), "extends", f"got {parent!r}; no such file {target}")]
        )
    base, prov, files = resolve(target, (*chain, path))
    return _merge(base, data, prov, path, ()), prov, [*files, path]


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


def _problems(exc: ValidationError, prov: Provenance, file: Path, prefix: str) -> list[Problem]:
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
        else:
            msg = msg.replace("Input should be", "expected")
            message = f"got {err['input']!r}; {msg}"
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


def _cross_check(s: Scenario, prov: Provenance, file: Path) -> list[Problem]:
    """Check names that refer to other parts of the scenario."""
    factions, groups = set(s.taliban.factions), set(s.foreign_groups)
    problems = []

    def bad(loc: tuple[str, ...], message: str) -> None:
        problems.append(Problem(_origin(prov, loc, file), _format_path(loc), message))

    if s.policy.security_faction not in factions:
        bad(
            ("policy", "security_faction"),
            f"got {s.policy.security_faction!r}; expected one of {sorted(factions)}",
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
                    f"got {name!r}; expected one of {sorted(factions)}",
                )
    if s.taliban.core not in factions:
        bad(("taliban", "core"), f"got {s.taliban.core!r}; expected one of {sorted(factions)}")
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
        raise ScenarioError(_problems(exc, prov, file, prefix)) from None
    problems = _cross_check(scenario, prov, file)
    if problems:
        raise ScenarioError(problems)
    return scenario


def event_timeline(scenario: Scenario, file: Path | str = "<scenario>") -> dict[int, Scenario]:
    """The scenario in force from each event month on, each snapshot validated."""
    file = Path(file)
    data = scenario.model_dump()
    data["events"] = []
    timeline: dict[int, Scenario] = {}
    problems: list[Problem] = []
    for i, event in sorted(enumerate(scenario.events), key=lambda ie: ie[1].month):
        where = f"events[{i}]"
        if not 1 <= event.month <= scenario.steps:
            problems.append(
                Problem(
                    str(file), f"{where}.month", f"got {event.month}; expected 1..{scenario.steps}"
                )
            )
            continue
        for key, value in event.set.items():
            if key.split(".")[0] not in EVENT_KEYS:
                problems.append(
                    Problem(
                        str(file),
                        f"{where}.set.{key}",
                        f"events may change only keys under {', '.join(EVENT_KEYS)}",
                    )
                )
            elif (error := _set_dotted(data, key, value)) is not None:
                problems.append(Problem(str(file), f"{where}.set.{key}", error))
        try:
            snapshot = _validate(copy.deepcopy(data), {}, file, f"{where}.set: ")
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        problems += [
            Problem(str(file), f"{where}.set", m)
            for m in _starting_state_changes(scenario, snapshot)
        ]
        timeline[event.month] = snapshot
    if problems:
        raise ScenarioError(problems)
    return timeline


def _starting_state_changes(start: Scenario, later: Scenario) -> list[str]:
    """What an event changed that only month 0 reads: actors, their pressure, frozen funds."""
    if list(later.international) != list(start.international):
        return ["events may not add, remove or reorder international actors"]
    changes = [
        f"international.{name}.pressure is a starting state; events cannot change it"
        for name, actor in later.international.items()
        if actor.pressure != start.international[name].pressure
    ]
    if later.economy.frozen_funds_musd != start.economy.frozen_funds_musd:
        changes.append("economy.frozen_funds_musd is a starting state; events cannot change it")
    return changes


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
    if not path.is_file():
        raise ScenarioError([Problem(str(path), "", "no such scenario file")])
    data, prov, files = resolve(path)
    problems = []
    for key, value in (overrides or {}).items():
        if (error := _set_dotted(data, key, value)) is not None:
            problems.append(Problem("override", key, error))
        prov[tuple(key.split("."))] = Path("override")
    if problems:
        raise ScenarioError(problems)
    scenario = _validate(data, prov, path)
    event_timeline(scenario, _origin(prov, ("events",), path))
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return scenario, digest.hexdigest()
