"""Every model parameter of the baseline has a plausible range, with a basis, that holds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.inputs.ranges import RANGES, ParameterRange, parameters, range_of
from sim.inputs.scenario import ScenarioError, load_scenario, override

BASELINE = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml")
CROSS_CHECKS = ("min_capability must not exceed", "a Beta needs sd")
PARAMETERS = parameters(BASELINE)


@pytest.mark.parametrize(("key", "value"), PARAMETERS, ids=[k for k, _ in PARAMETERS])
def test_each_baseline_parameter_has_a_range_that_holds_it(key, value):
    entry = range_of(key)
    assert entry is not None, f"{key} has no range declared in sim/inputs/pars"
    assert entry.low <= value <= entry.high, f"{key} = {value} outside {entry}"
    assert entry.basis.strip()


def test_every_range_is_used_and_accepted_by_the_schema():
    keys = [k for k, _ in PARAMETERS]
    for entry in RANGES:
        matched = [k for k in keys if range_of(k) is entry]
        assert matched, f"{entry.key} matches no parameter (or is shadowed by an earlier entry)"
        for end in (entry.low, entry.high):
            value = int(end) if isinstance(dict(PARAMETERS)[matched[0]], int) else float(end)
            try:
                override(BASELINE, {matched[0]: value})
            except ScenarioError as error:  # only cross-checks of several keys may refuse
                assert any(m in str(error) for m in CROSS_CHECKS), error


def test_a_range_with_its_ends_swapped_is_refused():
    with pytest.raises(ValueError, match="above high"):
        ParameterRange("x", 2.0, 1.0, "judgement")
