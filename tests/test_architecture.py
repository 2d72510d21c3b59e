"""The package's layers and its single lists of names.

A module imports only from its own layer or below (inputs, engine, rules, runs,
analysis, plots, then the top: the Mesa model and agents, the reference, the CLI);
the mechanisms of the schedule are those of the scenario schema; rules talk to each
other through the world's signals, never through the record.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.inputs.schema import MECHANISMS
from sim.rules import SCHEDULE

PACKAGE = Path(__file__).resolve().parents[1] / "sim"
LAYERS = ("inputs", "engine", "rules", "runs", "analysis", "plots")
TOP = len(LAYERS)


def layer_of(module: str) -> int:
    """Layer index of a dotted module name inside `sim` (the top for anything else)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return TOP


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `sim.` import in a file, lazy imports inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(node.lineno, n) for n in names if n.split(".")[0] == "sim"]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "sim"]
    return found


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


def upward_imports(path: Path, module: str) -> list[str]:
    """The imports in `path` (as module `module`) of a layer above the module's own."""
    own = layer_of(module)
    return [f"line {line}: {name}" for line, name in imports_of(path) if layer_of(name) > own]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=module_name)
def test_no_module_imports_a_higher_layer(path):
    assert not upward_imports(path, module_name(path))


def test_the_layer_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "world.py"
    bad.write_text("import numpy\n\ndef f():\n    from sim.plots.fan import draw_fan\n")
    assert upward_imports(bad, "sim.engine.world") == [
        "line 4: sim.plots.fan",
        "line 4: sim.plots.fan.draw_fan",
    ]
    assert upward_imports(bad, "sim.cli") == []


def test_the_schedule_and_the_schema_name_the_same_mechanisms():
    assert {step.mechanism for step in SCHEDULE} == set(MECHANISMS)


@pytest.mark.parametrize("path", sorted((PACKAGE / "rules").glob("*.py")), ids=lambda p: p.stem)
def test_rules_never_touch_the_record(path):
    names = {
        node.attr
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
    } | {node.id for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Name)}
    assert "recorder" not in names and "Recorder" not in names


def import_cycle(modules: dict[str, list[str]]) -> list[str]:
    """A cycle in the graph module -> the modules it imports (within the graph), or []."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        for imported in modules[module]:
            if cycle := visit(imported, [*path, module]):
                return cycle
        done.add(module)
        return []

    for module in modules:
        if cycle := visit(module, []):
            return cycle
    return []


def runs_imports() -> dict[str, list[str]]:
    """Each module of `sim.runs` and the modules of `sim.runs` it imports, lazily or not."""
    paths = {module_name(p): p for p in sorted((PACKAGE / "runs").glob("*.py"))}
    graph = {}
    for module, path in paths.items():
        named = {name for _, name in imports_of(path)}
        graph[module] = sorted(m for m in paths if m != module and m in named)
    return graph


def test_the_runs_modules_import_each_other_without_a_cycle():
    graph = runs_imports()
    assert "sim.runs.executor" in graph["sim.runs.local_pool"], "the graph must see imports"
    assert import_cycle(graph) == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert import_cycle(graph) == ["a", "b", "c", "a"]
    assert import_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) == []
