"""The head of docs/parameters.md counts the declared ranges by basis, as they are declared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sim.inputs.pars.bases import BASES, basis_of, block_of, judgement_by_block, tally
from sim.inputs.ranges import RANGES, ParameterRange, range_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("judgement: a rule half or half again as strong", "judgement"),
        ("judgement: Oppenheim et al. 2015: the economic trigger", "judgement"),
        ("lever", "lever"),
        ("lever; HRW 2022: low", "lever"),
        ("calibrated", "calibrated"),
        ("a unit of measure, not a parameter", "unit of measure"),
        ("MT 24th report: ~100", "sourced"),
        ("Coggins 2014: recognitions follow others'; size: judgement", "sourced in part"),
    ],
)
def test_each_source_has_its_kind_of_basis(source, kind):
    assert basis_of(source) == kind


def test_a_tiny_tally_counts_each_range_once_and_fitted_judgement_only():
    ranges = [
        ParameterRange("a", 0, 1, "judgement: why"),
        ParameterRange("b.*.c", 0, 1, "judgement: why"),
        ParameterRange("b.x.c", 0, 1, "MT report"),
        ParameterRange("d", 0, 1, "lever"),
    ]
    counts = tally(ranges, {"b.*.c", "b.x.c", "d"})
    assert counts.counts["judgement"] == 2 and counts.counts["sourced"] == 1
    assert counts.total == 4 and counts.fitted == 1 and counts.judgement_alone == 1


def test_the_head_of_the_parameter_table_holds_the_declared_counts():
    """Counted here from the declarations and the calibration's list, by the sources' words."""
    text = (ROOT / "docs" / "parameters.md").read_text()
    shown = {
        kind: int(n) for kind, n in re.findall(r"^\| ([a-z ]+) \|[^|]*\| (\d+) \|$", text, re.M)
    }
    judgement = [r for r in RANGES if r.basis.startswith("judgement:")]
    listed = yaml.safe_load((ROOT / "experiments" / "calibration_parameters.yaml").read_text())
    fitted = {range_of(p["key"]) for p in listed["parameters"]} - {None}
    assert set(shown) == {*BASES, "all"}
    assert shown["all"] == len(RANGES) == sum(shown[kind] for kind in BASES)
    assert shown["judgement"] == len(judgement)
    assert shown["lever"] == sum(r.basis.startswith("lever") for r in RANGES)
    alone = len(judgement) - len(fitted.intersection(judgement))
    sentence = f"leaves {alone} ({alone / len(RANGES):.0%}) resting on judgement alone"
    assert sentence in text


def test_each_range_is_counted_in_one_block():
    blocks = judgement_by_block(RANGES)
    assert sum(n for _, _, n in blocks) == len(RANGES)
    assert sum(j for _, j, _ in blocks) == sum(r.basis.startswith("judgement:") for r in RANGES)
    assert (
        block_of(ParameterRange("taliban.factions.*.cohesion", 0, 1, "x")) == "taliban.factions.*"
    )
    assert block_of(ParameterRange("taliban.unit_size", 0, 1, "x")) == "taliban"
