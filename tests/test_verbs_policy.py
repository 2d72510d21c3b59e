"""Unit tests of the schedule and of the rules that move policy, money and pressure.

Each test builds the tiny world of `tests/tiny.py` (nothing happens unless switched
on), sets its state by hand, runs one rule of `sim.rules.SCHEDULE` through
`tiny.apply` (the record untouched, fighters conserved) and checks the outcome against
numbers worked out by hand from the rule's docstring and parameters.
"""

import dataclasses

import numpy as np
import pytest
from tiny import TINY, apply, begin_month, set_units, tiny, tiny_world, world_with_schedule
from watch import watched

from sim.inputs.schema import MECHANISMS, TARGETS
from sim.rules import SCHEDULE, adapt_policy, pay_units, update_pressure

EXACT = dict(rel=1e-12, abs=1e-15)
WEST, EAST = 0, 1


# --- the schedule -----------------------------------------------------------------------


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


def test_economy_off_pays_in_full():
    """economy.pay_in_full: with the economy off, World.step pays every faction in full.

    Revenue is 0, grievance, hardship and arrears stay where they were.
    """
    off = {f"mechanisms.{m}.enabled": False for m in MECHANISMS}
    world = tiny_world(**off)
    set_units(world, [100, 50], ["amir", "doha"], grievance=[0.3, 0.6])
    world.pay_ratio[:] = 0.2
    world.total_pay_ratio[:] = 0.2
    world.revenue_musd[:] = 7.0
    world.step()
    np.testing.assert_array_equal(world.pay_ratio, 1.0)
    np.testing.assert_array_equal(world.total_pay_ratio, 1.0)
    np.testing.assert_array_equal(world.revenue_musd, 0.0)
    np.testing.assert_array_equal(world.units.grievance[0], [0.3, 0.6])
    np.testing.assert_array_equal(world.hardship, TINY.economy.hardship)
    np.testing.assert_array_equal(world.arrears, TINY.economy.initial_arrears_months)


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


# --- crackdown policy -------------------------------------------------------------------


def test_adapt_policy_without_gain_sets_the_policy_intensity():
    """crackdown.adapt_policy: with adaptive_gain 0 the intensity is policy.crackdown."""
    world = tiny_world(2, **{"policy.crackdown": 0.4, "policy.adaptive_gain": 0.0})
    world.crackdown[:] = 0.9
    world.signals.attacks[:, TARGETS.index("taliban")] = 100
    begin_month(world, 2)
    apply(world, adapt_policy, scale=0.5)  # the scale applies later, in crackdown_effect
    np.testing.assert_array_equal(world.crackdown, 0.4)


def test_adapt_policy_follows_last_months_attacks_at_home():
    """crackdown.adapt_policy: from month 2, base + gain x (attacks - tolerance) / tolerance.

    Attacks abroad do not count; month 1 has no previous month and takes the base.
    """
    world = tiny_world(
        3, **{"policy.crackdown": 0.3, "policy.adaptive_gain": 0.5, "policy.attack_tolerance": 10}
    )
    world.signals.attacks[:, TARGETS.index("taliban")] = [0, 15, 5]
    world.signals.attacks[:, TARGETS.index("sectarian")] = [0, 5, 0]
    world.signals.attacks[:, TARGETS.index("abroad")] = 7
    begin_month(world, 2)
    apply(world, adapt_policy)
    np.testing.assert_allclose(world.crackdown, [0.0, 0.8, 0.05], rtol=1e-12)
    begin_month(world, 1)
    apply(world, adapt_policy)
    np.testing.assert_array_equal(world.crackdown, 0.3)


# --- economy ----------------------------------------------------------------------------


def paid_world(replicates=1, **overrides):
    """The tiny world with 300 amir, 200 haqqani and 100 doha fighters at grievance 0.4."""
    world = tiny_world(replicates, **overrides)
    set_units(world, [100, 200, 200, 100], ["amir", "amir", "haqqani", "doha"], grievance=0.4)
    begin_month(world)
    return world


def expected_pay(budget, shares, fighters=(300, 200, 100), wage_musd=0.1):
    """Pay ratio and months of arrears (from 1) of each faction, by the docstring's rule."""
    need = np.array(fighters) * wage_musd
    owed = budget * np.array(shares)
    return np.minimum(1.0, owed / need), np.maximum(0.0, 1.0 + 1.0 - owed / need)


def test_pay_units_by_hand():
    """economy.pay_units: aid, hardship, revenue, budget, pay, arrears and grievance by hand.

    Aid 60 x (1 - 0.5 x 0.4) + 40 = 88; hardship target 0.2 + 0.4 - 0.5 x 0.88 = 0.16,
    half the gap closed from 0.5: 0.33; revenue 100 x (1 - 0.2 x 0.33) x (1 - 0.1 x 0.3);
    budget half of it + 10% of aid - crackdown 0.5 x (2 + 4 x 0.5); shares 0.5/0.3/0.2.
    """
    world = paid_world(**{"policy.crackdown": 0.5, "policy.accuracy": 0.5})
    world.crackdown[:] = 0.5
    apply(world, pay_units)
    revenue = 100.0 * (1 - 0.2 * 0.33) * (1 - 0.1 * 0.3)
    budget = 0.5 * revenue + 0.1 * 88.0 - 0.5 * (2.0 + 4.0 * 0.5)
    ratios, arrears = expected_pay(budget, [0.5, 0.3, 0.2])
    assert world.aid_musd[0] == pytest.approx(88.0, **EXACT)
    assert world.hardship[0] == pytest.approx(0.33, **EXACT)
    assert world.revenue_musd[0] == pytest.approx(revenue, **EXACT)
    assert world.frozen_musd[0] == 1000.0  # still frozen: nothing released
    np.testing.assert_allclose(world.pay_ratio[0], ratios, rtol=1e-12)
    assert ratios[2] == 1.0 and ratios[0] < 1.0  # doha fully paid, the others not
    np.testing.assert_allclose(world.arrears[0], arrears, rtol=1e-12)
    total = (ratios * [300, 200, 100]).sum() / 600
    assert world.total_pay_ratio[0] == pytest.approx(total, **EXACT)
    pay = ratios[[0, 0, 1, 2]]  # each unit's faction
    np.testing.assert_allclose(
        world.units.grievance[0], 0.4 + 0.1 * (1 - pay) - 0.5 * pay * 0.4, rtol=1e-12
    )


def test_pay_units_releases_reserves_pays_breakaways_and_scales_revenue():
    """economy.pay_units: unfrozen reserves leave at unfreeze_rate; recognition adds trade.

    Replicate 0 is unfrozen with one state of two recognising; in replicate 1 doha broke
    away: it gets breakaway_pay and keeps its arrears, the rest share its revenue. Scale 0.5.
    """
    world = paid_world(2)
    world.unfrozen[:] = [True, False]
    world.recognized_month[0, WEST] = 1
    world.broken_month[1, 2] = 1
    apply(world, pay_units, scale=0.5)
    np.testing.assert_allclose(world.frozen_musd, [900.0, 1000.0])
    hardship = [0.5 + 0.5 * (0.2 + 0.4 * 0.9 - 0.44 - 0.5), 0.33]
    np.testing.assert_allclose(world.hardship, hardship, rtol=1e-12)
    revenue = [
        0.5 * 100 * (1 - 0.2 * hardship[0]) * (1 - 0.1 * 0.3) * (1 + 0.5 * 0.5),
        0.5 * 100 * (1 - 0.2 * hardship[1]) * (1 - 0.1 * 0.3),
    ]
    np.testing.assert_allclose(world.revenue_musd, revenue, rtol=1e-12)
    budget = 0.5 * np.array(revenue) + 0.1 * 88.0  # no crackdown: no costs
    ratios, arrears = expected_pay(budget[0], [0.5, 0.3, 0.2])
    np.testing.assert_allclose(world.pay_ratio[0], ratios, rtol=1e-12)
    np.testing.assert_allclose(world.arrears[0], arrears, rtol=1e-12)
    ratios, arrears = expected_pay(budget[1], [0.625, 0.375, 0.0])
    np.testing.assert_allclose(world.pay_ratio[1], [*ratios[:2], 0.5], rtol=1e-12)
    np.testing.assert_allclose(world.arrears[1], [*arrears[:2], 1.0], rtol=1e-12)
    total = (ratios[:2] * [300, 200]).sum() / 500  # broken-away factions do not count
    assert world.total_pay_ratio[1] == pytest.approx(total, **EXACT)


def test_pay_units_with_costs_above_the_budget_pays_nothing():
    """economy.pay_units: the budget never goes below 0; unpaid months add arrears, grievance."""
    world = paid_world(**{"economy.crackdown_cost_musd": 1000.0})
    world.crackdown[:] = 1.0
    apply(world, pay_units)
    np.testing.assert_array_equal(world.pay_ratio, 0.0)
    np.testing.assert_array_equal(world.total_pay_ratio, 0.0)
    np.testing.assert_array_equal(world.arrears, 2.0)
    np.testing.assert_allclose(world.units.grievance[0], 0.5, rtol=1e-12)
    assert world.revenue_musd[0] > 0  # revenue was collected, then spent on operations


# --- pressure ---------------------------------------------------------------------------

PUSHED = {
    "international.west.responsiveness": 0.2,
    "international.west.sectarian_sensitivity": 0.01,
    "international.west.attack_sensitivity": 0.02,
    "international.west.conduct_sensitivity": 0.1,
    "international.west.baseline_pressure": 0.3,
    "international.west.pressure_decay": 0.5,
    "international.east.responsiveness": 0.1,
    "policy.concessions": 0.2,
    "policy.punishment": 0.5,
    "policy.purge.allied": 0.5,
    "rules.pressure.punishment_conduct": 0.4,
}


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_update_pressure_by_hand(scale):
    """pressure.update_pressure: decay to the baseline plus the scaled push of what each watches.

    West (isisk, concessions): complied (0.6 + 0.2) / 2; push 0.2 x 0.1 + 0.01 x 3 sectarian
    + 0.02 x 3 on foreigners (2 here, 1 abroad) + 0.1 x conduct (anger 0.1 + 0.4 x 0.5).
    East (allied): complied 0.5 against a demand of 0.4.
    """
    world = tiny_world(**PUSHED)
    begin_month(world)
    world.crackdown[:] = 0.6
    attacks = world.signals.attacks[0]
    attacks[TARGETS.index("sectarian")], attacks[TARGETS.index("foreign")] = 3, 2
    attacks[TARGETS.index("abroad")], attacks[TARGETS.index("taliban")] = 1, 9
    world.signals.anger[:] = 0.1
    apply(world, update_pressure, scale)
    west = 0.4 + 0.5 * (0.3 - 0.4) + scale * (0.02 + 0.03 + 0.06 + 0.03)
    east = 0.2 + scale * 0.1 * (0.4 - 0.5)
    np.testing.assert_allclose(world.pressure[0], [west, east], rtol=1e-12)


def test_update_pressure_counts_satisfied_months_then_unfreezes_and_recognises():
    """pressure.update_pressure: months below satisfied_below bring unfreezing, then recognition.

    West holds the funds (unfreeze_after 2, recognize_after 2, rate 1); replicate 1's
    credibility is below min_credibility. East is never satisfied.
    """
    world = tiny_world(
        2,
        **{
            "international.west.satisfied_below": 0.5,
            "international.west.unfreeze_after": 2,
            "international.west.recognize_after": 2,
            "international.west.recognition_rate": 1.0,
            "international.west.min_credibility": 0.5,
            "international.west.baseline_pressure": 0.4,
            "international.east.satisfied_below": 0.1,
            "international.east.recognize_after": 1,
            "international.east.recognition_rate": 1.0,
            "international.east.baseline_pressure": 0.2,
        },
    )
    world.credibility[:] = [1.0, 0.4]
    for month, satisfied, unfrozen, recognized in [
        (1, 1, [False, False], [-1, -1]),
        (2, 2, [True, True], [2, -1]),
        (3, 3, [True, True], [2, -1]),  # recognised once, in month 2
    ]:
        begin_month(world, month)
        apply(world, update_pressure)
        np.testing.assert_array_equal(world.months_satisfied, [[satisfied, 0]] * 2)
        np.testing.assert_array_equal(world.unfrozen, unfrozen)
        np.testing.assert_array_equal(world.recognized_month, [[recognized[0], -1], [-1, -1]])
    np.testing.assert_allclose(world.pressure, [[0.4, 0.2]] * 2)  # at the baselines, no noise
    world.pressure[1, WEST] = 0.9  # a month above satisfied_below starts the count again
    begin_month(world, 4)
    apply(world, update_pressure)
    np.testing.assert_array_equal(world.months_satisfied[:, WEST], [4, 0])
    np.testing.assert_array_equal(world.unfrozen, True)  # released funds stay released


@pytest.mark.parametrize(
    "change",
    [{"international.west.holds_frozen_funds": False}, {"international.west.unfreeze_after": 5}],
)
def test_update_pressure_does_not_unfreeze_early_or_without_holders(change):
    """pressure.update_pressure: no unfreezing before unfreeze_after, nor when no state holds."""
    satisfied = {f"international.{s}.satisfied_below": 0.5 for s in ("west", "east")}
    world = tiny_world(**satisfied, **change)
    world.pressure[:] = 0.0
    for month in (1, 2, 3):
        begin_month(world, month)
        apply(world, update_pressure)
    np.testing.assert_array_equal(world.months_satisfied, [[3, 3]])
    assert not world.unfrozen.any()
    assert (world.recognized_month < 0).all()  # recognition_rate 0: never


def test_update_pressure_noise_moves_pressure_within_bounds():
    """pressure.update_pressure: the normal shock differs by replicate and keeps [0, 1]."""
    world = tiny_world(3, **{"rules.pressure.noise": 1.0})
    begin_month(world)
    apply(world, update_pressure)
    assert len(np.unique(world.pressure[:, WEST])) == 3
    assert ((world.pressure >= 0) & (world.pressure <= 1)).all()


BUSY = {  # every mechanism at work in the tiny world, so every rule writes what it can
    "policy.crackdown": 0.5,
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
    "rules.attacks.base_rate": 2.0,
    "rules.attacks.lie_low": 1.0,
    "rules.attacks.abroad_shift": 0.5,
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
    "foreign_groups.allied.arrivals_per_month": 2.0,
    "rules.pressure.noise": 0.02,
    "international.west.satisfied_below": 1.0,
    "international.west.unfreeze_after": 1,
    "international.west.recognize_after": 1,
    "international.west.recognition_rate": 1.0,
    "international.west.min_credibility": 0.0,
    "rules.fragmentation.decision_rate": 0.5,
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

    Checked over three busy replicates of the tiny world for six months.
    """
    world = tiny_world(3, **BUSY)
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

    A rule reaches a field it writes into by attribute too (`world.crackdown[:] = ...`),
    so a read is declared if `reads` or `writes` names it (or a block holding it).
    Scenario keys are read from `params` (or month 0's `spec`), never the switches:
    `World.step` reads those and passes each rule its scale. Checked over three busy
    replicates of the tiny world for six months, through a view that notes each read.
    """
    world = tiny_world(3, **BUSY)
    seen: list[set[str]] = [set() for _ in SCHEDULE]
    for month in range(1, 7):
        begin_month(world, month)
        for step, reads in zip(SCHEDULE, seen, strict=True):
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


def test_an_event_that_unfreezes_the_reserves_is_recorded_as_unfrozen():
    """economy.pay_units: `economy.unfrozen` set by an event releases and marks the reserves."""
    from sim.engine.seeds import replicate_rng
    from sim.inputs.scenario import override
    from sim.rules import new_world

    spec = override(
        TINY,
        {"steps": 4, "events": [{"month": 3, "set": {"economy.unfrozen": True}}]},
    )
    world = new_world(spec, [replicate_rng(spec.seed, 0)])
    record = world.run()
    frozen = record.series("taliban", "frozen")
    unfrozen = record.series("taliban", "unfrozen")
    assert frozen[1] == frozen[2] == spec.economy.frozen_funds_musd > frozen[3]
    assert unfrozen.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert record.outcomes()[0]["unfrozen_month"] == 3.0
