"""The text of `scenarios/baseline.yaml`: every key with its value and, above it, its declaration.

Values of the global blocks are the declared defaults; the actors (factions, foreign
groups, states), the purge of each group, the run settings and the events are data,
read from the current file. Each parameter's comment says what it is, its unit, its
plausible range and the source of that range (an actor's own where it has one).
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from sim.inputs.pars import (
    ECONOMY,
    FACTION,
    FOREIGN_GROUP,
    INTERNATIONAL,
    ISISK,
    MECHANISM,
    POLICY,
    REQUIRED,
    RULES,
    TALIBAN,
    Block,
    Par,
)
from sim.inputs.ranges import ParameterRange, range_of

WIDTH = 92  # of a comment line, indent included
STYLE = ("label", "colour")
RUN_SETTINGS = {
    "seed": "",
    "replicates": "",
    "steps": "months; one step = one month",
    "start": "month 0",
}
HEADER = """\
# Baseline: Afghanistan from October 2021 as it stood, policies as observed in late 2021.
# Every other scenario `extends` this file and overrides a few keys.
#
# Written by `python -m sim.inputs.pars.generate` from the declarations in
# sim/inputs/pars/ (one module per block: what each key is, its unit, bound, plausible
# range and its source); regenerate after changing them. Values of the global blocks
# are the declared defaults; the actors (factions, foreign groups, states) are data of
# this file: edit them here, then regenerate. Initial sizes come from
# data/observed.yaml (UN Monitoring Team reports and others, with their citations); a
# range whose source starts "judgement:" has no direct source. `label` and `colour`
# are optional, for plots (default: from the id, a palette). See docs/ODD.md for each
# parameter's role and docs/parameters.md for the table."""
NOTES = {
    "mechanisms": "each: {enabled: true|false, scale: 1.0}; all on as designed",
    "policy": "the Taliban leadership's levers (events may change them)",
    "taliban.core": "the Amir's circle: the Taliban itself, it cannot break away",
    "taliban.factions": "at month 0; 75,000 fighters in all (MT: 58,000-100,000)",
    "taliban.rivalries": "pairs whose power (posts) gap strains the weaker side",
    "foreign_groups": "MT reports 2019-2022 (data/observed.yaml)",
    "international": "states and donors: their pressure (0..1), aid, reserves, recognition",
    "economy": "USD million a month unless noted",
}


def baseline_text(current: dict[str, Any]) -> str:
    """The baseline file, from the declarations and the data of the `current` file."""
    lines = [HEADER, ""]
    lines += [f"name: {_flow(current['name'])}", "description: >"]
    lines += textwrap.wrap(current["description"], 86, initial_indent="  ", subsequent_indent="  ")
    lines += [_line(key, current[key], 0, note) for key, note in RUN_SETTINGS.items()]
    lines += ["", _head("mechanisms", 0), *_comment(MECHANISM["scale"], "mechanisms.*.scale", 2)]
    for name in current["mechanisms"]:
        switch = {par.name: par.default for par in MECHANISM.pars}
        lines.append(f"  {name}: {_flow(switch)}")
    lines += ["", _head("policy", 0), *_pars(POLICY, current["policy"], "policy", 2)]
    lines += ["", *_taliban(current["taliban"])]
    lines += ["", "isisk:", *_style(current["isisk"], 2), *_pars(ISISK, {}, "isisk", 2)]
    lines += ["", *_actors(FOREIGN_GROUP, current["foreign_groups"], "foreign_groups")]
    lines += ["", *_actors(INTERNATIONAL, current["international"], "international")]
    lines += ["", _head("economy", 0), *_pars(ECONOMY, {}, "economy", 2)]
    lines += ["", "rules:"]
    for block in RULES:
        lines += [f"  {block.path.removeprefix('rules.')}:", *_pars(block, {}, block.path, 4)]
    lines += ["", f"events: {_flow(current.get('events', []))}"]
    return "\n".join(lines) + "\n"


def _taliban(data: dict[str, Any]) -> list[str]:
    """The `taliban` block: its style, unit size, core, factions and rivalries."""
    lines = ["taliban:", *_style(data, 2), *_pars(TALIBAN, data, "taliban", 2)]
    lines.append(_line("core", data["core"], 2, NOTES["taliban.core"]))
    lines += _actors(FACTION, data["factions"], "taliban.factions", 2)
    lines.append(_head("rivalries", 2, NOTES["taliban.rivalries"]))
    lines += [f"    - {_flow(pair)}" for pair in data.get("rivalries", [])]
    return lines


def _actors(block: Block, actors: dict[str, Any], at: str, indent: int = 0) -> list[str]:
    """A block of actors: what each key is, once, then each actor with its own sources."""
    pad = " " * indent
    lines = [_head(at.rpartition(".")[2], indent, NOTES[at])]
    for par in block.pars:
        lines += _comment(par, f"{at}.*.{par.name}", indent + 2, f"{par.name}: ")
    for name, data in actors.items():
        lines += [f"{pad}  {name}:", *_style(data, indent + 4)]
        for par in block.pars:
            own = par.actors.get(name)
            note = _span(range_of(f"{at}.{name}.{par.name}")) if own else ""
            lines.append(_line(par.name, data[par.name], indent + 4, note))
    return lines


def _pars(block: Block, data: dict[str, Any], at: str, indent: int) -> list[str]:
    """Each parameter of `block` under key path `at`: its comment, then `name: value`."""
    lines = []
    for par in block.pars:
        value = data[par.name] if par.default is REQUIRED else par.default
        lines += [*_comment(par, f"{at}.{par.name}", indent), _line(par.name, value, indent)]
    return lines


def _comment(par: Par, key: str, indent: int, name: str = "") -> list[str]:
    """What a parameter is, its unit, plausible range and source, as comment lines."""
    text = name + par.description + (f" [{par.unit}]" if par.unit else "")
    spans = [_span(range_of(f"{key}.{part}"), part) for part in par.parts]
    if par.keys is not None and par.range is not None:
        text += "; plausible " + "; ".join([_span(range_of(f"{key}.*"), "each"), *spans])
        text += "".join(f"; {actor}: {span.source}" for actor, span in par.actors.items())
    elif par.parts:
        text += "; plausible " + "; ".join(spans)
    elif (entry := range_of(key)) is not None and par.kind in (int, float):
        text += "; plausible " + _span(entry)
    pad = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=f"{pad}# ", subsequent_indent=f"{pad}#   ")


def _span(entry: ParameterRange | None, name: str = "") -> str:
    """A range as "name low-high (basis)"."""
    if entry is None:
        raise ValueError(f"no range declared for {name}")
    label = f"{name} " if name else ""
    return f"{label}{entry.low:g}-{entry.high:g} ({entry.basis})"


def _style(data: dict[str, Any], indent: int) -> list[str]:
    """An actor's optional label and colour, as the current file gives them."""
    return [_line(key, data[key], indent) for key in STYLE if data.get(key) is not None]


def _head(key: str, indent: int, note: str | None = None) -> str:
    """A block's key line, with its note."""
    note = NOTES.get(key) if note is None else note
    return f"{' ' * indent}{key}:" + (f"  # {note}" if note else "")


def _line(key: str, value: Any, indent: int, note: str = "") -> str:
    """`key: value` at `indent`, with a trailing note if any."""
    return f"{' ' * indent}{key}: {_flow(value)}" + (f"  # {note}" if note else "")


def _flow(value: Any) -> str:
    """A value as one line of YAML (mappings and lists in flow style)."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return text.removesuffix("\n...\n").strip()
