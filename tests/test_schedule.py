"""The month's schedule as a whole: the switches, and what each rule reads and writes.

`World.step` runs the rules of `sim.rules.SCHEDULE` in order, skipping a mechanism
that is off (or at scale 0) for its `when_off`; each Step declares what its rule reads
and writes, checked here on the tiny world of `tests/tiny.py` (every rule through
`tiny.apply`: the record untouched, fighters conserved). Each mechanism's own rules are
tested in its own file (`tests/test_mechanism_*.py`).
"""

import dataclasses

import numpy as np
import pytest
from conftest import batch, identical
from mechanism import SEEDS, SHORT
from tiny import apply, begin_month, set_units, tiny, tiny_world, world_with_schedule
from watch import watched

from sim.inputs.schema import MECHANISMS, TARGETS
from sim.rules import SCHEDULE

# --- the switches -----------------------------------------------------------------------


def spied_schedule(calls: list) -> list:
    """SCHEDULE with each rule (and `when_off`) replaced by one that notes its call."""

    def spy(step):
        def rule(world, scale):
            calls.append((step.rule.__name__, scale))

        def when_off(world):
            calls.append((step.when_off.__name__, "off"))

        return dataclasses.replace(step, rule=rule, when_off=when_off if step.when_off else None)

    return [spy(step) for step in SCHEDULE]


@pytest.mark.parametrize("how", ["disabled", "scale 0"])
@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_step_skips_the_rules_of_a_switched_off_mechanism(mechanism, how):
    """World.step: a mechanism off (or at scale 0) skips its rules and runs their `when_off`.

    The others run in SCHEDULE's order with their mechanism's scale.
    """
    switch = {"enabled": False} if how == "disabled" else {"scale": 0.0}
    others = {f"mechanisms.{m}.scale": 0.5 for m in MECHANISMS if m != mechanism}
    spec = tiny(**others, **{f"mechanisms.{mechanism}.{k}": v for k, v in switch.items()})
    calls = []
    world = world_with_schedule(spec, spied_schedule(calls))
    world.step()
    expected = [
        (step.rule.__name__, 0.5)
        if step.mechanism != mechanism
        else (step.when_off.__name__, "off")
        for step in SCHEDULE
        if step.mechanism != mechanism or step.when_off is not None
    ]
    assert calls == expected
    assert mechanism in {step.mechanism for step in SCHEDULE}


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_scale_zero_is_the_same_as_switched_off(mechanism):
    zero = batch("baseline", SEEDS, **SHORT, **{f"mechanisms__{mechanism}__scale": 0.0})
    off = batch("baseline", SEEDS, **SHORT, **{f"mechanisms__{mechanism}__enabled": False})
    assert identical(zero.values, off.values)


def test_schedule_rules_leave_the_tiny_world_alone():
    """SCHEDULE: in the tiny world, where every rate is 0, one month moves no fighter."""
    world = tiny_world(2, **{"economy.revenue_noise": 0.0})
    set_units(world, [100, 50, 20], ["amir", "haqqani", "doha"])
    before = (world.units.fighters.copy(), world.cells.fighters.copy(), world.group_fighters.copy())
    begin_month(world)
    for step in SCHEDULE:
        apply(world, step.rule)
    np.testing.assert_array_equal(world.units.fighters, before[0])
    np.testing.assert_array_equal(world.cells.fighters, before[1])
    np.testing.assert_array_equal(world.group_fighters, before[2])
    assert not world.signals.factions.any() and not world.signals.isisk.any()


# --- what each rule reads and writes ----------------------------------------------------

BUSY = {  # every mechanism at work in the tiny world, so every rule writes what it can
    "policy.crackdown": 0.5,
    "isisk.own_funds_musd": 8.0,  # pays a growing ISIS-K and leaves money for attacks
    "policy.adaptive_gain": 0.5,
    "policy.attack_tolerance": 5.0,
    "policy.joint_with_us": True,
    "policy.purge.allied": 0.5,
    "policy.punishment": 0.5,
    "policy.concessions": 0.2,
    "economy.revenue_noise": 0.1,
    "rules.crackdown.removal_rate": 0.5,
    "rules.crackdown.leader_hit": 0.3,
    "rules.purge.removal_rate": 0.1,
    "rules.purge.switch_base": 0.0,
    "rules.purge.splinter_share": 0.2,
    "rules.purge.leak_rate": 0.1,
    "rules.purge.merge_rate": 0.1,
    "rules.defection.base": -2.0,
    "rules.defection.desertion_base": -3.0,
    "rules.defection.found_cell": 0.5,
    "rules.defection.punishment_grievance": 0.1,
    "rules.defection.surrender_base": -3.0,
    "rules.defection.absorbed_share": 0.5,
    "rules.defection.absorbed_ties": 0.5,
    "rules.defection.rejoin_base": -2.0,
    "rules.attacks.base_rate": 2.0,
    "rules.attacks.lie_low": 1.0,
    "rules.strategy.abroad_bias": -1.0,
    "rules.strategy.consolidate_bias": -3.0,
    "rules.strategy.pressure_weight": 1.0,
    "rules.strategy.losses_weight": 1.0,
    "rules.strategy.choice_noise": 0.5,
    "rules.strategy.funds_elasticity": 0.5,
    "rules.strategy.rebuild": 0.1,
    "rules.attacks.founding_capability": 0.5,
    "rules.crackdown.skill_loss": 0.3,
    "rules.crackdown.intelligence_gain": 0.1,
    "rules.crackdown.leads_per_removal": 0.5,
    "rules.crackdown.sanctuary_erosion": 0.3,
    "isisk.safe_areas": 0.3,
    "rules.attacks.learning": 0.01,
    "rules.attacks.capability_recovery": 0.1,
    "rules.attacks.exposure_per_attack": 0.01,
    "rules.attacks.exposure_decay": 0.1,
    "rules.attacks.momentum_decay": 0.8,
    "rules.attacks.credibility_loss": 0.01,
    "rules.attacks.taliban_killed_per_attack": 1.0,
    "rules.attacks.success": 0.6,
    "rules.attacks.target_shares": {t: 1.0 for t in TARGETS},
    "rules.recruitment.isisk_local_per_month": 10.0,
    "rules.recruitment.unit_birth_rate": 0.05,
    "rules.recruitment.taliban_attrition": 0.01,
    "rules.recruitment.isisk_attrition": 0.01,
    "rules.recruitment.foreign_attrition": 0.01,
    "rules.recruitment.ex_ansf_pool": 1000,
    "rules.recruitment.ex_ansf_rate": 0.01,
    "rules.recruitment.ex_ansf_decay": 0.01,
    "rules.recruitment.central_asian_per_month": 1.0,
    "rules.recruitment.deserter_rival_share": 0.5,
    "rules.recruitment.deserter_crime_share": 0.2,
    "foreign_groups.allied.arrivals_per_month": 2.0,
    "rules.pressure.noise": 0.02,
    "international.west.engagement": 3,  # recognition in month 1
    "international.west.engage_below": 1.0,
    "international.west.recognize_below": 1.0,
    "international.west.step_after": 1,
    "international.west.step_rate": 1.0,
    "international.west.min_credibility": 0.0,
    "rules.pressure.release_rate": 1.0,
    "rules.pressure.release_engagement": 10.0,  # released in month 1
    "rules.fragmentation.base_hazard": 0.99,
    "rules.fragmentation.recovery": 0.1,
    "rules.fragmentation.pay_strain": 0.1,
}


def fields(world) -> dict[str, np.ndarray]:
    """Every array of the world's state and signals by its name in `Step.writes`."""
    out = {k: np.copy(v) for k, v in vars(world).items() if isinstance(v, np.ndarray)}
    for table in ("units", "cells"):
        part = getattr(world, table)
        out[f"{table}.n"] = part.n.copy()
        out |= {f"{table}.{c}": getattr(part, c).copy() for c in part.columns}
    signals = vars(world.signals).items()
    out |= {f"signals.{k}": v.copy() for k, v in signals if k != "previous_attacks"}
    return out


def covered(name: str, declared: tuple[str, ...]) -> bool:
    """Whether a field is among the declared names, itself or within a declared block."""
    return any(name == d or name.startswith(d + ".") for d in declared)


def test_schedule_declares_what_each_rule_writes():
    """SCHEDULE: each rule changes only the fields its Step `writes`, and each it names it changes.

    Checked over six busy replicates of the tiny world for six months.
    """
    world = tiny_world(6, **BUSY)
    seen: list[set[str]] = [set() for _ in SCHEDULE]
    for month in range(1, 7):
        begin_month(world, month)
        for i, step in enumerate(SCHEDULE):
            before = fields(world)
            apply(world, step.rule)
            after = fields(world)
            changed = {
                k for k, v in before.items() if not np.array_equal(v, after[k], equal_nan=True)
            }
            undeclared = {k for k in changed if not covered(k, step.writes)}
            assert not undeclared, f"{step.rule.__name__} writes {sorted(undeclared)} undeclared"
            seen[i] |= changed
    for step, changed in zip(SCHEDULE, seen, strict=True):
        stale = [d for d in step.writes if not any(covered(k, (d,)) for k in changed)]
        assert not stale, f"{step.rule.__name__} declares {stale} but never wrote them"


AMBIENT = {"gens", "streams", "faction_names", "group_names", "state_names", "core"}
"""What every rule may reach without declaring it: the batch's layout and random streams."""


def test_schedule_declares_what_each_rule_reads():
    """SCHEDULE: each rule reads only what its Step names, and reads each field it `reads`.

    A rule reaches a field it writes into by attribute too (`world.crackdown_intensity[:] = ...`),
    so a read is declared if `reads` or `writes` names it (or a block holding it).
    Scenario keys are read from `params` (or month 0's `spec`), never the switches:
    `World.step` reads those and passes each rule its scale. Checked over three busy
    replicates of the tiny world for six months, through a view that notes each read.
    Replicate 0 meets every rule without cells and with surrendered fighters at home, so
    that whoever joins ISIS-K there founds a cell (`found_cells` reads only then).
    """
    world = tiny_world(3, **BUSY)
    seen: list[set[str]] = [set() for _ in SCHEDULE]
    for month in range(1, 7):
        begin_month(world, month)
        for step, reads in zip(SCHEDULE, seen, strict=True):
            world.cells.keep(np.arange(3)[:, None] > 0)
            world.at_home[0] = max(world.at_home[0], 50)
            apply(
                world, lambda w, scale, rule=step.rule, reads=reads: rule(watched(w, reads), scale)
            )
    for step, reads in zip(SCHEDULE, seen, strict=True):
        name = step.rule.__name__
        undeclared = {r for r in reads - AMBIENT if not covered(r, step.reads + step.writes)}
        assert not undeclared, f"{name} reads {sorted(undeclared)} undeclared"
        assert not any(r.startswith(("params.mechanisms", "spec.mechanisms")) for r in reads)
        unread = [d for d in step.reads if not any(covered(r, (d,)) for r in reads)]
        assert not unread, f"{name} declares {unread} but never read them"
