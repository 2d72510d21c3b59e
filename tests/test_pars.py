"""Parameters declared once: the generated files are fresh, each rule points at its declarations.

The schema's fields, the sampling ranges, `scenarios/baseline.yaml` and
`docs/parameters.md` are built from `sim.inputs.pars`; the tests of the ranges and
of the hostile inputs check what the schema and the ranges then hold.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.inputs.pars import Range
from sim.inputs.pars.generate import COMMAND, generate
from sim.rules import COMPILED

ROOT = Path(__file__).resolve().parents[1]
# modules of `sim.rules` without parameters
NOT_MECHANISMS = ("__init__", "maths", *COMPILED)
RULES = sorted(p for p in (ROOT / "sim" / "rules").glob("*.py") if p.stem not in NOT_MECHANISMS)


def test_the_generated_files_are_fresh(tmp_path):
    for written in generate(ROOT, tmp_path):
        committed = ROOT / written.relative_to(tmp_path)
        assert committed.read_text() == written.read_text(), (
            f"{committed.relative_to(ROOT)} is stale: run `{COMMAND}`"
        )


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_each_rules_module_points_at_its_declarations(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert f"`sim.inputs.pars.{path.stem}`" in docstring
    assert (ROOT / "sim" / "inputs" / "pars" / f"{path.stem}.py").is_file()


@pytest.mark.parametrize("source", ["", "  ", "judgement:", "judgement: "])
def test_a_range_without_a_source_or_reasoning_is_refused(source):
    with pytest.raises(ValueError, match="a source, or a judgement's reasoning"):
        Range(0.0, 1.0, source)


def test_the_keys_listed_for_events_are_those_the_loader_accepts():
    """docs/events.md lists every scalar key events may set, and none the loader refuses."""
    import re

    from sim.inputs.scenario import ScenarioError, load_scenario, override
    from sim.inputs.sweep import scalar_leaves

    listed = re.findall(r"^\| `([^`]+)` \|", (ROOT / "docs" / "events.md").read_text(), re.M)
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    leaves = scalar_leaves(base)
    assert "policy.crackdown" in listed and "economy.frozen_funds_musd" not in listed
    accepted = {key: leaves[key] for key in listed}  # every listed key, in one event
    override(base, {"steps": 2, "events": [{"month": 1, "set": accepted}]})
    for key in sorted(set(leaves) - set(listed)):  # every other key is refused if changed
        changed = not leaves[key] if isinstance(leaves[key], bool) else leaves[key]
        changed = changed * 0.5 if isinstance(changed, float) and changed else changed
        with pytest.raises(ScenarioError):
            override(base, {"steps": 2, "events": [{"month": 1, "set": {key: changed}}]})
