"""Reachability (prior-predictive) checks of the carrots: within the plausible ranges, the
rewards of `sim.rules.pressure` can be earned, and no state's pressure sits at a bound.

Each check runs fixed replicates of a shipped scenario at a point of the declared ranges
(`sim.inputs.pars.international`, `sim.inputs.pars.pressure`) found by a small search and
pinned here; the shares are of replicates.
"""

from pathlib import Path

import pytest
from conftest import outcomes, scenario, values
from mechanism import GROUPS, every_state

from sim.engine.record import COL

SCENARIOS = sorted(p.stem for p in Path(__file__).parents[1].glob("scenarios/*.yaml"))
AT_BOUND = 0.02  # largest share of actor-months with pressure under 0.01 or over 0.99

TOTAL_COMPLIANCE = {
    "policy__crackdown": 1.0,
    "policy__joint_with_us": True,
    "policy__accuracy": 0.9,
    "policy__concessions": 1.0,
    "policy__punishment": 0.1,
    "policy__purge": dict.fromkeys(GROUPS, 0.9),
    "steps": 60,
}
# A point of the plausible ranges at which the West's conditions can be met: a lower
# resting pressure, a higher bar for recognition, quicker decisions.
WESTERN_POINT = {
    f"international__{state}__{key}": value
    for state in ("us", "donors")
    for key, value in {
        "baseline_pressure": 0.2,
        "recognize_below": 0.45,
        "step_after": 3,
        "step_rate": 0.2,
        "min_credibility": 0.2,
    }.items()
} | {"rules__pressure__release_rate": 0.02}


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_state_sits_at_a_bound(name):
    """Pressure under 0.01 or over 0.99 in at most 2% of actor-months of a shipped scenario."""
    vals, rec = values(name, 20, steps=scenario(name).steps)
    pressure = vals[:, 1:, rec.states, COL["pressure"]]
    at_bound = ((pressure < 0.01) | (pressure > 0.99)).mean()
    assert at_bound <= AT_BOUND, f"{name}: {at_bound:.1%} of actor-months at a bound"


def test_total_compliance_releases_the_reserves_and_the_west_can_recognise():
    """Under total compliance the reserves are released in most runs within 60 months, and
    the US or donors recognise in at least 5% of them at `WESTERN_POINT`."""
    out = outcomes("baseline", 60, **TOTAL_COMPLIANCE, **WESTERN_POINT)
    vals, rec = values("baseline", 60, **TOTAL_COMPLIANCE, **WESTERN_POINT)
    west = [rec.actors.index(s) for s in ("us", "donors")]
    recognised = (vals[:, -1, west, COL["recognized"]] > 0).any(axis=1)
    assert out["unfrozen_final"].mean() >= 0.5, out["unfrozen_final"].mean()
    assert recognised.mean() >= 0.05, recognised.mean()


def test_a_state_that_ignores_rights_can_recognise_within_four_years():
    """China (no weight on rights or conduct) recognises within 48 months in at least 5% of
    runs of the baseline, at its shipped values."""
    vals, rec = values("baseline", 40, steps=48, **every_state())
    china = rec.actors.index("china")
    assert (vals[:, -1, china, COL["recognized"]] > 0).mean() >= 0.05
