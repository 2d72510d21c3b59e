"""Invariants on every step: of every scenario file, of stress cases, of random overrides.

Fighters are never negative; each actor's fighters change exactly by its recorded
flows; defections and switches move fighters between actors without creating or
destroying any; shares stay in [0, 1]; the taliban row is the sum of the factions
that have not broken away (broken-away factions keep their own rows).
"""

import numpy as np
import pytest
from conftest import SCENARIO_FILES, scenario, summarise
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim import AfghanistanModel, load_scenario
from sim.actors import PATRONS
from sim.record import COL, FLOWS
from sim.scenario import override
from sim.schema import MECHANISMS

STEPS = 24
FACTIONS = ("haqqani", "kandahari", "doha", "northern")
GROUPS = ("ttp", "al_qaeda", "etim_tip", "imu", "katibat_imam_al_bukhari", "jamaat_ansarullah")


class Layout:
    """Row indices of one record."""

    def __init__(self, rec) -> None:
        types = rec.actor_types
        self.factions = [i for i, t in enumerate(types) if t == "faction"]
        self.isisk = types.index("isisk")
        self.groups = [i for i, t in enumerate(types) if t == "foreign_group"]
        self.states = [i for i, t in enumerate(types) if t == "international"]
        self.holders = [*self.factions, self.isisk, *self.groups]  # rows that hold fighters


def check_state(model: AfghanistanModel) -> None:
    """The live arrays and agents after a step: nothing negative, traits in range."""
    units, cells = model.units, model.isisk.cells
    assert np.all(units.fighters >= 0), "negative unit"
    assert np.all(cells.fighters >= 0), "negative cell"
    assert all(g.fighters >= 0 for g in model.groups), "negative foreign group"
    assert np.all((units.grievance >= 0) & (units.grievance <= 1))
    assert np.all((units.ideology > 0) & (units.ideology < 1))
    assert np.all((units.ties > 0) & (units.ties < 1))
    assert np.all((units.faction >= 0) & (units.faction < len(model.factions)))
    assert np.all((cells.exposure >= 0) & (cells.exposure <= 1))
    assert np.all(cells.capability > 0)
    # the record holds what the arrays hold
    row = model.recorder.values[model.month]
    rec = model.recorder
    assert row[rec.isisk, COL["fighters"]] == cells.fighters.sum()
    assert row[rec.isisk, COL["cells"]] == len(cells)
    np.testing.assert_array_equal(
        row[1 : 1 + len(model.factions), COL["fighters"]], model.faction_fighters()
    )
    for i, group in enumerate(model.groups, start=rec.first_group):
        assert row[i, COL["fighters"]] == group.fighters


def check_record(rec) -> None:
    """Every invariant of a finished run's record `values[step, actor, column]`."""
    v, lay = rec.values, Layout(rec)
    assert not np.isnan(v[:, [*lay.holders, 0], COL["fighters"]]).any()
    assert np.isnan(v[:, lay.states, COL["fighters"]]).all()
    fighters = v[:, :, COL["fighters"]]
    assert np.all(fighters[:, [*lay.holders, 0]] >= 0), "negative fighters in the record"
    flows = {f: v[1:, :, COL[f]] for f in FLOWS}
    for flow, amount in flows.items():
        assert np.all(amount[:, [*lay.holders, 0]] >= 0), f"negative {flow}"

    # stock and flow: per actor, exactly
    change = np.diff(fighters[:, lay.holders], axis=0)
    booked = (flows["recruits"] - flows["losses"] + flows["defected_in"] - flows["defected_out"])[
        :, lay.holders
    ]
    bad = np.argwhere(change != booked)
    assert bad.size == 0, (
        f"fighters do not match flows at (month, actor) "
        f"{[(int(t) + 1, rec.actors[lay.holders[a]]) for t, a in bad[:5]]}"
    )
    # defections and switches conserve fighters across actors
    np.testing.assert_array_equal(
        flows["defected_in"][:, lay.holders].sum(axis=1),
        flows["defected_out"][:, lay.holders].sum(axis=1),
    )
    assert np.all(flows["deserted"] <= flows["losses"])

    # shares in [0, 1]
    def in_unit(rows, column):
        x = v[:, rows, COL[column]]
        assert not np.isnan(x).any(), column
        assert np.all((x >= 0) & (x <= 1)), f"{column} outside [0, 1]: {x.min()}..{x.max()}"

    in_unit([0, *lay.factions], "cohesion")
    in_unit([0, *lay.factions], "pay_ratio")
    in_unit([0, *lay.states], "pressure")
    in_unit([0, *lay.states], "recognized")
    in_unit([0], "credibility")
    in_unit([0], "crackdown")
    in_unit([lay.isisk], "momentum")
    in_unit(lay.factions, "broken_away")

    # the taliban row: the factions still inside
    broken = v[:, lay.factions, COL["broken_away"]]
    assert set(np.unique(broken)) <= {0.0, 1.0}
    assert np.all(np.diff(broken, axis=0) >= 0), "a faction came back"
    inside = broken == 0
    for column in ("fighters", *FLOWS):
        np.testing.assert_array_equal(
            v[:, 0, COL[column]],
            (v[:, lay.factions, COL[column]] * inside).sum(axis=1),
            err_msg=f"taliban row {column} is not the sum of factions inside",
        )
    # nothing comes back: patrons only move to ISIS-K; recognition is not withdrawn
    patrons = v[:, lay.groups, COL["patron"]]
    assert set(np.unique(patrons)) <= set(range(len(PATRONS)))
    to_isisk = patrons == PATRONS.index("isisk")
    assert np.all(to_isisk[1:] >= to_isisk[:-1]), "a group left ISIS-K"
    assert np.all(np.diff(v[:, lay.states, COL["recognized"]], axis=0) >= 0)

    isisk = v[:, lay.isisk]
    assert np.all(isisk[:, COL["cells"]] >= 0)
    assert np.all(isisk[:, COL["attacks"]] >= isisk[:, COL["sectarian_attacks"]])
    assert np.all(isisk[:, COL["sectarian_attacks"]] >= 0)
    assert np.all(isisk[:, COL["casualties"]] >= 0)


def run_checked(spec, replicate: int):
    """Run step by step, checking the live state after each step and the record at the end."""
    model = AfghanistanModel(spec, replicate=replicate, collect=False)
    check_state(model)
    while model.running:
        model.step()
        check_state(model)
    assert model.month == spec.steps
    check_record(model.recorder)
    return model.recorder


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("replicate", [0, 1, 2])
def test_invariants_of_every_scenario_file(path, replicate):
    spec = override(load_scenario(path), {"steps": STEPS})
    run_checked(spec, replicate)


# Cases that drive the model to its edges: breakaways, ISIS-K wiped out, groups switching,
# every mechanism at triple strength, no revenue at all.
STRESS = {
    "breakaways": {
        "rules.fragmentation.threshold": 0.6,
        "policy.crackdown": 0.9,
        "policy.joint_with_us": True,
    },
    "isisk_wiped_out": {
        "rules.crackdown.removal_rate": 1.0,
        "rules.crackdown.leak": 0.0,
        "policy.crackdown": 1.0,
        "isisk.exposure": 1.0,
        "rules.attacks.exposure_decay": 0.0,
        "rules.recruitment.isisk_local_per_month": 0.0,
        "rules.recruitment.anger_recruits": 0.0,
        "mechanisms.defection.enabled": False,
        "mechanisms.purge.enabled": False,
    },
    "purge_and_switch": {
        "policy.purge": dict.fromkeys(GROUPS, 1.0),
        "rules.purge.switch_base": 2.0,
        "rules.purge.merge_rate": 0.5,
        "foreign_groups.imu.patron": "isisk",
        "foreign_groups.ttp.patron": "independent",
    },
    "everything_triple": {f"mechanisms.{m}.scale": 3.0 for m in MECHANISMS},
    "broke": {
        "economy.domestic_revenue_musd": 0.0,
        "economy.wage_usd": 5000.0,
        "rules.defection.desertion_base": -2.0,
    },
    "tiny_forces": {
        "isisk.fighters": 0,
        "isisk.cells": 1,
        "taliban.unit_size": 5000.0,
        "taliban.factions.haqqani.fighters": 1,
    },
}


@pytest.mark.parametrize("case", STRESS)
def test_invariants_under_stress(case):
    spec = override(scenario("baseline"), {"steps": STEPS, **STRESS[case]})
    for replicate in (0, 1):
        rec = run_checked(spec, replicate)
    if case == "breakaways":
        assert rec.values[-1, 1:5, COL["broken_away"]].any()
    if case == "isisk_wiped_out":
        assert rec.series("isisk", "fighters").min() == 0


@st.composite
def overrides(draw):
    """A random but valid set of overrides of the baseline scenario."""
    unit = st.floats(0.0, 1.0)
    changes = {}
    for m in MECHANISMS:
        if draw(st.booleans()):
            changes[f"mechanisms.{m}.enabled"] = draw(st.booleans())
        if draw(st.booleans()):
            changes[f"mechanisms.{m}.scale"] = draw(st.floats(0.0, 3.0))
    shares = draw(st.fixed_dictionaries({t: unit for t in ("sectarian", "taliban", "foreign")}))
    assume(sum(shares.values()) > 0)
    changes |= {
        "policy.crackdown": draw(unit),
        "policy.joint_with_us": draw(st.booleans()),
        "policy.accuracy": draw(unit),
        "policy.concessions": draw(unit),
        "policy.punishment": draw(unit),
        "policy.purge": {g: draw(unit) for g in GROUPS},
        "policy.security_faction": draw(st.sampled_from(FACTIONS)),
        "policy.adaptive_gain": draw(st.floats(0.0, 2.0)),
        "rules.crackdown.removal_rate": draw(unit),
        "rules.crackdown.leak": draw(unit),
        "rules.attacks.target_shares": shares,
        "rules.attacks.base_rate": draw(st.floats(0.0, 5.0)),
        "rules.attacks.taliban_killed_per_attack": draw(st.floats(0.0, 50.0)),
        "rules.defection.base": draw(st.floats(-10.0, 0.0)),
        "rules.purge.switch_base": draw(st.floats(-10.0, 5.0)),
        "rules.purge.merge_rate": draw(unit),
        "rules.recruitment.cell_split_size": draw(st.integers(2, 400)),
        "rules.recruitment.cell_floor": draw(st.integers(0, 100)),
        "rules.recruitment.isisk_attrition": draw(st.floats(0.0, 0.5)),
        "rules.fragmentation.threshold": draw(st.floats(0.0, 0.9)),
        "economy.unfrozen": draw(st.booleans()),
        "economy.wage_usd": draw(st.floats(50.0, 3000.0)),
        "isisk.fighters": draw(st.integers(0, 6000)),
        "isisk.cells": draw(st.integers(1, 60)),
        "isisk.momentum": draw(unit),
        "taliban.unit_size": draw(st.floats(50.0, 2000.0)),
        "taliban.factions.northern.cohesion": draw(unit),
        "foreign_groups.ttp.patron": draw(st.sampled_from(PATRONS)),
    }
    return changes


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(changes=overrides(), replicate=st.integers(0, 10_000))
def test_invariants_under_random_overrides(changes, replicate):
    spec = override(scenario("baseline"), {"steps": 12, **changes})
    run_checked(spec, replicate)


def test_summary_helper_matches_recorder_outcomes():
    """The test helper `summarise` agrees with `Recorder.outcomes()`."""
    for replicate in (0, 1):
        model = AfghanistanModel(
            scenario("foreign_fighter_purge"), replicate=replicate, collect=False, steps=STEPS
        )
        rec = model.run()
        mine = summarise(rec.values[None], rec.actors)
        theirs = rec.outcomes()
        for key in (
            "isisk_final",
            "attacks_total",
            "defections_taliban",
            "defections_foreign",
            "desertions_total",
            "sectarian_attacks_total",
        ):
            assert mine[key][0] == theirs[key], key
        assert bool(mine["fragmented"][0]) == theirs["fragmented"]


@pytest.mark.parametrize(
    ("row", "column", "delta"),
    [
        ("isisk", "fighters", 1.0),
        ("ttp", "defected_out", 1.0),
        ("doha", "deserted", 1e6),
        ("taliban", "fighters", -1.0),
        ("us", "pressure", 2.0),
        ("haqqani", "recruits", 1.0),
    ],
)
def test_checks_catch_a_tampered_record(row, column, delta):
    """The invariant checks are not vacuous: one changed number breaks them."""
    rec = AfghanistanModel(scenario("baseline"), replicate=0, collect=False, steps=6).run()
    check_record(rec)
    rec.values[3, rec.actors.index(row), COL[column]] += delta
    with pytest.raises(AssertionError):
        check_record(rec)
