"""Invariants on every step: of every scenario file, of stress cases, of random overrides.

Each case runs several replicates together in one World and checks every row (a few
run through the Mesa facade and also check its agents). Fighters are never negative;
each actor's fighters change exactly by its recorded flows; defections, splinters and
breakaways to ISIS-K move fighters between actors without creating or destroying any;
shares (pressure, hardship, cohesion, ...) stay in [0, 1]; arrears are never negative;
frozen reserves never grow; cell capability stays within the attack rule's bounds; the
leadership core never breaks away; the taliban row is the sum of the factions that have
not broken away (broken-away factions keep their own rows); the taliban pay ratio is the
fighter-weighted mean of the active factions' ratios.
"""

import numpy as np
import pytest
from conftest import SCENARIO_FILES, batch, scenario, summarise
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim import AfghanistanModel, load_scenario
from sim.engine.record import COL, FLOWS
from sim.engine.seeds import replicate_rng
from sim.engine.world import World
from sim.inputs.scenario import override
from sim.inputs.schema import BREAKAWAYS, MECHANISMS, PATRONS, TARGETS, Scenario
from sim.rules import new_world

STEPS = 24
FACTIONS = ("haqqani", "kandahari", "doha", "northern")
GROUPS = ("ttp", "al_qaeda", "etim_tip", "imu", "katibat_imam_al_bukhari", "jamaat_ansarullah")


class Layout:
    """Row indices of one record, and the scenario's bounds that its invariants use."""

    def __init__(self, rec, spec: Scenario) -> None:
        types = rec.actor_types
        self.factions = [i for i, t in enumerate(types) if t == "faction"]
        self.core = rec.actors.index(spec.taliban.core)
        self.isisk = types.index("isisk")
        self.groups = [i for i, t in enumerate(types) if t == "foreign_group"]
        self.states = [i for i, t in enumerate(types) if t == "international"]
        self.holders = [*self.factions, self.isisk, *self.groups]  # rows that hold fighters
        self.capability = capability_bounds(spec)
        self.attacking = spec.mechanisms.attacks.enabled and spec.mechanisms.attacks.scale > 0
        self.frozen_funds = spec.economy.frozen_funds_musd


def capability_bounds(spec: Scenario) -> tuple[float, float]:
    """Where cell capability stays while the attack rule runs: its clip, and new cells' start."""
    rule, start = spec.rules.attacks, spec.isisk.capability
    return min(rule.min_capability, start), max(rule.max_capability, start)


def check_table(table, name: str) -> None:
    """A ragged table: `n` live entries at the front of each row, zeros after them."""
    assert table.width == table.n.max(initial=0), f"{name}: width is not the longest row"
    live = table.live
    np.testing.assert_array_equal(live.sum(axis=1), table.n)
    for column in table.columns:
        assert not getattr(table, column)[~live].any(), f"{name}.{column} not zero past n"


def check_state(world: World) -> None:
    """The live arrays of every replicate after a step: nothing negative, traits in range."""
    units, cells = world.units, world.cells
    check_table(units, "units")
    check_table(cells, "cells")
    u, c = units.live, cells.live
    assert np.all(units.fighters >= 0), "negative unit"
    assert np.all(cells.fighters >= 0), "negative cell"
    assert np.all(world.group_fighters >= 0), "negative foreign group"
    assert np.all((units.grievance >= 0) & (units.grievance <= 1))
    assert np.all((units.ideology[u] > 0) & (units.ideology[u] < 1))
    assert np.all((units.ties[u] > 0) & (units.ties[u] < 1))
    assert np.all((units.faction >= 0) & (units.faction < len(world.faction_names)))
    assert np.all((cells.exposure >= 0) & (cells.exposure <= 1))
    assert np.all(cells.capability[c] >= 0)
    if world.mechanism_scale("attacks") > 0 and world.month > 0:
        low, high = capability_bounds(world.params)
        assert np.all((cells.capability[c] >= low) & (cells.capability[c] <= high)), "capability"
    for name in ("cohesion", "pay_ratio", "pressure", "momentum", "credibility", "hardship"):
        x = getattr(world, name)
        assert np.all((x >= 0) & (x <= 1)), f"{name} outside [0, 1]"
    assert np.all((world.signals.anger >= 0) & (world.signals.anger <= 1)), "anger"
    assert np.all(world.arrears >= 0), "negative arrears"
    assert np.all(world.aid_musd >= 0) and np.all(world.revenue_musd >= 0)
    assert not world.broken_away[:, world.core].any(), "the leadership core broke away"
    broken = world.broken_away
    assert np.all((world.breakaway_to >= 0) == broken), "a breakaway without a destination"
    assert np.all(world.breakaway_to < len(BREAKAWAYS))
    assert np.all((world.crackdown_effect() >= 0) & (world.crackdown_effect() <= 1))
    assert np.all(
        (world.frozen_musd >= 0) & (world.frozen_musd <= world.spec.economy.frozen_funds_musd)
    )
    assert np.all(world.broken_month < world.month + 1)
    assert np.all(world.recognized_month < world.month + 1)
    assert np.all(world.purge_effect()[world.patron != PATRONS.index("taliban")] == 0)
    # the record holds what the arrays hold
    rec = world.recorder
    row = rec.values[:, world.month]
    np.testing.assert_array_equal(row[:, rec.isisk, COL["fighters"]], cells.fighters.sum(axis=1))
    np.testing.assert_array_equal(row[:, rec.isisk, COL["cells"]], cells.n)
    np.testing.assert_array_equal(row[:, rec.factions, COL["fighters"]], world.faction_fighters())
    np.testing.assert_array_equal(row[:, rec.groups, COL["fighters"]], world.group_fighters)
    np.testing.assert_array_equal(row[:, rec.states, COL["pressure"]], world.pressure)


def check_pay(world: World, before: np.ndarray, broken_before: np.ndarray) -> None:
    """This month's pay: the taliban ratio is the fighter-weighted mean of active factions'."""
    if world.mechanism_scale("economy") == 0.0:
        np.testing.assert_array_equal(world.pay_ratio, 1.0)
        np.testing.assert_array_equal(world.total_pay_ratio, 1.0)
        return
    weight = before * ~broken_before
    expected = (world.pay_ratio * weight).sum(axis=1) / np.maximum(weight.sum(axis=1), 1)
    np.testing.assert_allclose(world.total_pay_ratio, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(
        world.pay_ratio[broken_before], world.params.economy.breakaway_pay
    )


def check_record(rec, spec: Scenario) -> None:
    """Every invariant of every replicate's record `values[replicate, step, actor, column]`."""
    for values in rec.values:
        check_run(values, rec, spec)


def check_run(v: np.ndarray, rec, spec: Scenario) -> None:
    """Every invariant of one run's record `v[step, actor, column]` of scenario `spec`."""
    lay = Layout(rec, spec)
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
    # defections, splinters and breakaways to ISIS-K conserve fighters across actors
    np.testing.assert_array_equal(
        flows["defected_in"][:, lay.holders].sum(axis=1),
        flows["defected_out"][:, lay.holders].sum(axis=1),
    )
    np.testing.assert_array_equal(flows["defected_in"][:, lay.groups], 0)  # groups never receive
    # factions receive only the surrendered fighters ISIS-K hands over (absorption)
    np.testing.assert_array_equal(
        flows["defected_in"][:, lay.factions].sum(axis=1), flows["defected_out"][:, lay.isisk]
    )
    # every surrendered fighter is absorbed (defected_out) or gone home (part of losses)
    surrendered, isisk = flows["surrendered"][:, lay.isisk], lay.isisk
    assert np.all(flows["defected_out"][:, isisk] <= surrendered)
    assert np.all(surrendered <= flows["defected_out"][:, isisk] + flows["losses"][:, isisk])
    np.testing.assert_array_equal(  # so every holder's fighters change by births and deaths
        change.sum(axis=1), (flows["recruits"] - flows["losses"])[:, lay.holders].sum(axis=1)
    )
    rows = [0, *lay.holders]
    assert np.all(flows["deserted"][:, rows] <= flows["losses"][:, rows])
    assert np.isnan(v[:, lay.states][:, :, [COL[f] for f in FLOWS]]).all()

    # shares in [0, 1]
    def in_unit(rows, column):
        x = v[:, rows, COL[column]]
        assert not np.isnan(x).any(), column
        assert np.all((x >= 0) & (x <= 1)), f"{column} outside [0, 1]: {x.min()}..{x.max()}"

    in_unit([0], "hardship")
    in_unit([0, *lay.factions], "cohesion")
    in_unit([0, *lay.factions], "pay_ratio")
    in_unit([0, *lay.states], "pressure")
    in_unit([0, *lay.states], "recognized")
    in_unit([0], "credibility")
    in_unit([0], "crackdown")
    in_unit([lay.isisk], "momentum")
    in_unit(lay.factions, "broken_away")

    # money: arrears owed, never negative; reserves released, never frozen again
    assert np.all(v[:, [0, *lay.factions], COL["arrears"]] >= 0), "negative arrears"
    assert np.all(v[1:, 0, COL["aid"]] >= 0) and np.all(v[1:, 0, COL["revenue"]] >= 0)
    frozen = v[:, 0, COL["frozen"]]
    assert np.all((frozen >= 0) & (frozen <= lay.frozen_funds)), "frozen reserves out of range"
    assert np.all(np.diff(frozen) <= 0), "frozen reserves grew"
    assert np.all(np.diff(v[:, 0, COL["unfrozen"]]) >= 0), "reserves froze again"

    # the taliban row: the factions still inside; the core always among them
    broken = v[:, lay.factions, COL["broken_away"]]
    assert set(np.unique(broken)) <= {0.0, 1.0}
    assert np.all(np.diff(broken, axis=0) >= 0), "a faction came back"
    assert np.all(v[:, lay.core, COL["broken_away"]] == 0), "the leadership core broke away"
    went = v[:, lay.factions, COL["breakaway_to"]]
    np.testing.assert_array_equal(~np.isnan(went), broken > 0)
    assert set(np.unique(went[broken > 0])) <= set(range(len(BREAKAWAYS)))
    assert np.all((np.diff(went, axis=0) == 0) | np.isnan(went[:-1])), "a breakaway changed course"
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
    assert np.all(np.isfinite(isisk[:, COL["casualties"]]))
    assert np.all(isisk[:, COL["attacks_abroad"]] >= 0)
    removed = isisk[1:, COL["crackdown_removed"]]
    assert np.all((removed >= 0) & (removed <= isisk[1:, COL["losses"]])), "removals not losses"
    capability, cells = isisk[1:, COL["capability"]], isisk[1:, COL["cells"]]
    if lay.attacking:
        low, high = lay.capability
        inside = (capability >= low - 1e-12) & (capability <= high + 1e-12)
        assert np.all(inside | (cells == 0)), f"capability {capability.min()}..{capability.max()}"


def run_checked(spec, replicates=(0, 1, 2)):
    """Run a World of these replicates step by step, checking every row after each step."""
    w = new_world(spec, [replicate_rng(spec.seed, r) for r in replicates])
    check_state(w)
    unfrozen = w.unfrozen.copy()
    while w.month < spec.steps:
        before, broken = w.faction_fighters(), w.broken_away.copy()
        frozen = w.frozen_musd.copy()
        w.step()
        check_state(w)
        check_pay(w, before, broken)
        assert np.all(w.frozen_musd <= frozen), "frozen funds grew"
        assert np.all(w.unfrozen >= unfrozen), "funds froze again"
        unfrozen = w.unfrozen.copy()
    assert w.month == spec.steps
    check_record(w.recorder, spec)
    return w.recorder


def check_agents(mesa: AfghanistanModel) -> None:
    """The Mesa agents are views of the world's row 0."""
    w = mesa.world
    assert [f.fighters for f in mesa.factions] == list(w.faction_fighters()[0])
    assert [f.cohesion for f in mesa.factions] == list(w.cohesion[0])
    assert [f.pay_ratio for f in mesa.factions] == list(w.pay_ratio[0])
    assert [f.broken_away for f in mesa.factions] == list(w.broken_away[0])
    assert mesa.isisk.fighters == w.cells.fighters[0].sum()
    assert mesa.isisk.cells == w.cells.n[0]
    assert mesa.isisk.momentum == w.momentum[0]
    assert [g.fighters for g in mesa.groups] == list(w.group_fighters[0])
    assert [PATRONS.index(g.patron) for g in mesa.groups] == list(w.patron[0])
    assert [s.pressure for s in mesa.states] == list(w.pressure[0])
    assert [s.recognized for s in mesa.states] == list(w.recognized_month[0] >= 0)
    row = mesa.recorder.values[0, mesa.month]
    assert row[mesa.recorder.isisk, COL["fighters"]] == mesa.isisk.fighters
    assert row[0, COL["fighters"]] == sum(f.fighters for f in mesa.factions if not f.broken_away)


def run_checked_mesa(spec, replicate: int):
    """Run the Mesa facade step by step, checking its state and agents after each step."""
    mesa = AfghanistanModel(spec, replicate=replicate, collect=False)
    check_state(mesa.world)
    check_agents(mesa)
    while mesa.running:
        mesa.step()
        check_state(mesa.world)
        check_agents(mesa)
    assert mesa.month == spec.steps
    check_record(mesa.recorder, spec)
    return mesa


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_invariants_of_every_scenario_file(path):
    spec = load_scenario(path)
    last_event = max((e.month for e in spec.events), default=0)
    spec = override(spec, {"steps": max(STEPS, last_event)})  # the events all happen
    run_checked(spec, range(8))


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_invariants_over_the_full_horizon(path):
    run_checked(load_scenario(path), range(32))


@pytest.mark.parametrize("path", SCENARIO_FILES[:3], ids=lambda p: p.stem)
def test_invariants_of_the_mesa_facade(path):
    spec = override(load_scenario(path), {"steps": 12})
    run_checked_mesa(spec, 1)


# Cases that drive the model to its edges: breakaways (every way, and all to ISIS-K),
# ISIS-K wiped out, groups splintering, every mechanism at triple strength, no revenue at
# all, reserves and aid pouring in.
STRESS = {
    "breakaways": {
        "rules.fragmentation.base_hazard": 0.99,
        "policy.crackdown": 0.9,
        "policy.joint_with_us": True,
    },
    "breakaways_to_isisk": {
        "rules.fragmentation.base_hazard": 1.0,
        "rules.fragmentation.independent_share": 0.0,
        "rules.fragmentation.rival_share": 0.0,
        "taliban.factions.haqqani.ideology": {"mean": 0.9, "sd": 0.05},
    },
    "isisk_wiped_out": {
        "rules.crackdown.removal_rate": 1.0,
        "rules.crackdown.leak": 0.0,
        "policy.crackdown": 1.0,
        "isisk.exposure": 1.0,
        "rules.attacks.exposure_decay": 0.0,
        "rules.recruitment.isisk_local_per_month": 0.0,
        "rules.recruitment.anger_recruits": 0.0,
        "rules.recruitment.ex_ansf_rate": 0.0,
        "rules.recruitment.central_asian_per_month": 0.0,
        "mechanisms.defection.enabled": False,
        "mechanisms.purge.enabled": False,
    },
    "purge_and_splinter": {
        "policy.purge": dict.fromkeys(GROUPS, 1.0),
        "rules.purge.switch_base": 2.0,
        "rules.purge.splinter_share": 1.0,
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
    "flush": {
        "economy.unfrozen": True,
        "economy.unfreeze_rate": 1.0,
        "economy.aid_relief": 100.0,
        "international.donors.aid_musd": 1e5,
        "economy.recognition_trade_gain": 10.0,
        "international.china.step_after": 1,
        "international.china.step_rate": 1.0,
        "international.china.engage_below": 1.0,
        "international.china.recognize_below": 1.0,
    },
    "crushed_capability": {
        "rules.crackdown.leader_hit": 1.0,
        "rules.crackdown.joint_bonus": 10.0,
        "policy.crackdown": 1.0,
        "policy.accuracy": 1.0,
        "policy.joint_with_us": True,
        "isisk.exposure": 1.0,
        "rules.attacks.capability_recovery": 0.0,
        "rules.crackdown.skill_loss": 1.0,
        "rules.crackdown.intelligence_gain": 1.0,
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
    rec = run_checked(spec, range(4))
    if case == "breakaways":
        assert rec.values[:, -1, rec.factions, COL["broken_away"]].any(axis=1).all()
    if case == "breakaways_to_isisk":  # every faction but the core goes over in month 1
        went = rec.values[:, 1, rec.factions, COL["breakaway_to"]]
        core = rec.actors.index(spec.taliban.core) - rec.factions.start
        np.testing.assert_array_equal(np.delete(went, core, axis=1), BREAKAWAYS.index("isisk"))
        out = rec.values[:, 1, rec.factions, COL["defected_out"]]
        assert np.all(np.delete(out, core, axis=1) > 0)
    if case == "crushed_capability":  # arrests drive capability down to the rule's floor
        floor = spec.rules.attacks.min_capability
        lowest = rec.values[:, 1:, rec.isisk, COL["capability"]].min(axis=1)
        assert np.all(lowest >= floor - 1e-12)
        # cells founded this month (at `founding_capability`) can lift a month's mean off
        # the floor; in most replicates some month has none
        assert np.mean(np.isclose(lowest, floor)) >= 0.75
    if case == "isisk_wiped_out":
        assert np.all(rec.values[:, :, rec.isisk, COL["fighters"]].min(axis=1) == 0)


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
    shares = draw(st.fixed_dictionaries({t: unit for t in TARGETS}))
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
        "rules.crackdown.leader_hit": draw(unit),
        "rules.crackdown.accuracy_floor": draw(unit),
        "rules.attacks.target_shares": shares,
        "rules.attacks.base_rate": draw(st.floats(0.0, 5.0)),
        "rules.attacks.taliban_killed_per_attack": draw(st.floats(0.0, 50.0)),
        "rules.attacks.lie_low": draw(st.floats(0.0, 50.0)),
        "rules.strategy.abroad_bias": draw(st.floats(-100.0, 100.0)),
        "rules.strategy.consolidate_bias": draw(st.floats(-100.0, 100.0)),
        "rules.strategy.pressure_weight": draw(st.floats(0.0, 100.0)),
        "rules.strategy.losses_weight": draw(st.floats(0.0, 100.0)),
        "rules.strategy.choice_noise": draw(st.floats(0.0, 100.0)),
        "rules.strategy.funds_elasticity": draw(st.floats(0.0, 10.0)),
        "rules.strategy.rebuild": draw(unit),
        "rules.attacks.founding_capability": draw(unit),
        "isisk.network_funds_musd": draw(st.floats(0.0, 1e3)),
        "rules.crackdown.skill_loss": draw(unit),
        "rules.crackdown.intelligence_gain": draw(unit),
        "rules.crackdown.leads_per_removal": draw(st.floats(0.0, 10.0)),
        "rules.defection.base": draw(st.floats(-10.0, 0.0)),
        "rules.defection.found_cell": draw(unit),
        "rules.defection.punishment_grievance": draw(unit),
        "rules.pressure.noise": draw(st.floats(0.0, 0.5)),
        "rules.purge.switch_base": draw(st.floats(-10.0, 5.0)),
        "rules.purge.merge_rate": draw(unit),
        "rules.purge.splinter_share": draw(unit),
        "rules.recruitment.cell_split_size": draw(st.integers(2, 400)),
        "rules.recruitment.cell_floor": draw(st.integers(0, 100)),
        "rules.recruitment.isisk_attrition": draw(st.floats(0.0, 0.5)),
        "rules.fragmentation.base_hazard": draw(unit),
        "rules.fragmentation.w_stay_cohesion": draw(st.floats(0.0, 100.0)),
        "rules.fragmentation.isisk_share": draw(st.floats(0.0, 10.0)),
        "rules.fragmentation.rival_share": draw(st.floats(0.0, 10.0)),
        "economy.unfrozen": draw(st.booleans()),
        "economy.unfreeze_rate": draw(unit),
        "economy.wage_usd": draw(st.floats(50.0, 3000.0)),
        "economy.hardship": draw(unit),
        "economy.aid_relief": draw(st.floats(0.0, 100.0)),
        "economy.revenue_noise": draw(st.floats(0.0, 2.0)),
        "economy.initial_arrears_months": draw(st.floats(0.0, 24.0)),
        "international.us.aid_musd": draw(st.floats(0.0, 1000.0)),
        "international.china.step_after": draw(st.integers(1, 24)),
        "international.china.step_rate": draw(unit),
        "international.china.attack_sensitivity": draw(st.floats(-1.0, 1.0)),
        "economy.hardship_noise": draw(st.floats(0.0, 0.5)),
        "rules.pressure.release_rate": draw(unit),
        "isisk.fighters": draw(st.integers(0, 6000)),
        "isisk.cells": draw(st.integers(1, 60)),
        "isisk.momentum": draw(unit),
        "isisk.released_prisoners": draw(st.integers(0, 5000)),
        "isisk.release_months": draw(st.integers(1, 12)),
        "taliban.unit_size": draw(st.floats(50.0, 2000.0)),
        "taliban.core": draw(st.sampled_from(FACTIONS)),
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
    rec = run_checked(spec, (replicate, replicate + 1))
    # chunk invariance at the edges too: the second row is that replicate run alone
    alone = new_world(spec, [replicate_rng(spec.seed, replicate + 1)]).run()
    assert np.array_equal(alone.values[0], rec.values[1], equal_nan=True)


def test_summary_helper_sums_agree_with_recorder_outcomes():
    """The test helper's own per-actor sums agree with the declared outcomes, row by row."""
    rec = batch("foreign_fighter_purge", range(4), steps=STEPS)
    mine = summarise(rec.values, rec)
    groups = rec.actors[rec.groups]
    factions = rec.actors[rec.factions]
    for r, theirs in enumerate(rec.outcomes()):
        assert mine["isisk_fighters_final"][r] == theirs["isisk_final"]
        assert mine["taliban_fighters_final"][r] == theirs["taliban_final"]
        assert mine["isisk_defected_in"][r] == theirs["defections_total"]
        assert sum(mine[f"{g}_defected_out"][r] for g in groups) == theirs["defections_foreign"]
        assert sum(mine[f"{f}_deserted"][r] for f in factions) == theirs["desertions_total"]
        assert any(mine[f"{f}_broken"][r] for f in factions) == theirs["fragmented"]


@pytest.mark.parametrize(
    ("row", "column", "delta"),
    [
        ("isisk", "fighters", 1.0),
        ("ttp", "defected_out", 1.0),
        ("doha", "deserted", 1e6),
        ("taliban", "fighters", -1.0),
        ("us", "pressure", 2.0),
        ("haqqani", "recruits", 1.0),
        ("kandahari", "broken_away", 1.0),
        ("taliban", "frozen", 1.0),
        ("taliban", "arrears", -1e3),
        ("taliban", "hardship", 2.0),
        ("isisk", "capability", 5.0),
    ],
)
@pytest.mark.parametrize("replicate", [0, 2])
def test_checks_catch_a_tampered_record(row, column, delta, replicate):
    """The invariant checks are not vacuous: one changed number, in any row, breaks them."""
    rec = batch("baseline", range(3), steps=6)
    spec = scenario("baseline")
    check_record(rec, spec)
    rec.values[replicate, 3, rec.actors.index(row), COL[column]] += delta
    with pytest.raises(AssertionError):
        check_record(rec, spec)


def test_state_checks_catch_tampered_tables():
    """A live entry past `n`, or a record out of step with the arrays, is caught."""
    w = new_world(scenario("baseline"), [replicate_rng(1, r) for r in range(2)])
    check_state(w)
    w.cells.fighters[0, w.cells.n[0] - 1 :] = 0  # make room past row 0's last cell ...
    w.cells.n[0] -= 1
    w.cells.fighters[0, w.cells.n[0]] = 5  # ... and leave a non-zero entry there
    with pytest.raises(AssertionError):
        check_state(w)
