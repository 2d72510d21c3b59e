"""Unit tests of the rules that move fighters: crackdown, purge, defection, attacks,
recruitment, attrition and fragmentation, each on the tiny world of `tests/tiny.py`.

Chances are forced to exactly 0 or 1 (rates at their extremes, logistic bases at
`NEVER` / `ALWAYS`) so the outcome is known; where a draw is left random, the test
checks what holds for every draw. `tiny.apply` checks every rule call for an untouched
record and fighters conserved by the month's flows.
"""

import numpy as np
import pytest
from tiny import (
    ALWAYS,
    TINY,
    apply,
    begin_month,
    cells_of,
    set_cells,
    set_units,
    tiny_world,
    units_of,
)

from sim.engine.signals import FLOW
from sim.inputs.schema import BREAKAWAYS, TARGETS
from sim.rules import (
    attack,
    crack_down,
    defect,
    fragment,
    purge_foreign_fighters,
    recruit,
    suffer_attrition,
)

AMIR, HAQQANI, DOHA = 0, 1, 2
ALLIED, SWORN = 0, 1


def flow(world, actor, name):
    """One flow of this month: per faction or group (`factions`, `groups`) or of `isisk`."""
    return getattr(world.signals, actor)[..., FLOW[name]]


# --- crackdown --------------------------------------------------------------------------


def test_crack_down_by_hand():
    """crackdown.crack_down: removal and leader losses by cell; force, removed signals.

    Security ties (100 x 0.5 + 300 x 0.25) / 400 = 0.3125 (the amir unit does not count);
    effectiveness 2 x (1 - 0.5 x 0.3125); a cell of exposure 1 is emptied, of exposure 0
    untouched. Replicate 1 has no crackdown.
    """
    world = tiny_world(
        2,
        **{
            "rules.crackdown.removal_rate": 1.0,
            "rules.crackdown.leak": 0.5,
            "rules.crackdown.joint_bonus": 1.0,
            "rules.crackdown.leader_hit": 0.5,
            "policy.joint_with_us": True,
            "policy.accuracy": 1.0,
        },
    )
    set_units(world, [100, 300, 200], ["haqqani", "haqqani", "amir"], ties=[0.5, 0.25, 1.0])
    set_cells(world, [10, 20, 30], capability=1.0, exposure=[1.0, 0.0, 0.5])
    begin_month(world)
    world.crackdown[:] = [1.0, 0.0]
    apply(world, crack_down)
    force = 2.0 * (1 - 0.5 * 0.3125)
    np.testing.assert_allclose(world.signals.crackdown_force, [force, 0.0], rtol=1e-12)
    cells = world.cells.fighters
    assert cells[0, 0] == 0 and cells[0, 1] == 20 and 0 <= cells[0, 2] <= 30
    np.testing.assert_array_equal(cells[1], [10, 20, 30])
    np.testing.assert_array_equal(world.signals.removed, [60 - cells[0].sum(), 0])
    np.testing.assert_array_equal(flow(world, "isisk", "losses"), world.signals.removed)
    loss = np.minimum(1.0, 0.5 * force * np.array([1.0, 0.0, 0.5]))
    np.testing.assert_allclose(world.cells.capability, [1.0 - loss, [1.0] * 3], rtol=1e-12)
    np.testing.assert_array_equal(world.signals.anger, 0.0)  # fully accurate


def test_crack_down_anger_and_the_mechanism_scale():
    """crackdown.crack_down: anger = intensity x (1 - accuracy); the scale cuts intensity."""
    world = tiny_world(**{"policy.accuracy": 0.25, "mechanisms.crackdown.scale": 0.5})
    begin_month(world)
    world.crackdown[:] = 0.8
    before = cells_of(world)
    apply(world, crack_down, scale=0.5)
    assert world.signals.anger[0] == pytest.approx(0.4 * 0.75, rel=1e-12)
    assert world.signals.crackdown_force[0] == pytest.approx(0.4, rel=1e-12)  # no ties, no leak
    np.testing.assert_array_equal(cells_of(world)["fighters"], before["fighters"])  # rate 0


def test_crack_down_without_intensity_does_nothing():
    """crackdown.crack_down: at intensity 0 no cell is touched and every signal stays 0."""
    world = tiny_world(**{"rules.crackdown.removal_rate": 1.0, "rules.crackdown.leader_hit": 1.0})
    begin_month(world)
    world.crackdown[:] = 0.0
    before = cells_of(world)
    apply(world, crack_down)
    for column, values in before.items():
        np.testing.assert_array_equal(cells_of(world)[column], values)
    assert not (world.signals.anger.any() or world.signals.crackdown_force.any())
    assert not world.signals.removed.any()


# --- purge ------------------------------------------------------------------------------


def test_purge_removes_allied_fighters_and_merges_isisk_allies():
    """purge.purge_foreign_fighters: removal_rate 1 at purge 1 removes the allied group;

    merge_rate 1 hands the group sworn to ISIS-K over to its cells.
    """
    world = tiny_world(
        **{
            "policy.purge.allied": 1.0,
            "rules.purge.removal_rate": 1.0,
            "rules.purge.merge_rate": 1.0,
        }
    )
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, purge_foreign_fighters)
    np.testing.assert_array_equal(world.group_fighters, [[0, 0]])
    np.testing.assert_array_equal(flow(world, "groups", "losses"), [[100, 0]])
    np.testing.assert_array_equal(flow(world, "groups", "defected_out"), [[0, 40]])
    np.testing.assert_array_equal(flow(world, "isisk", "defected_in"), [40])
    assert world.cells.fighters.sum() == 70


@pytest.mark.parametrize(
    "change",
    [
        {"rules.purge.switch_base": ALWAYS, "rules.purge.splinter_share": 1.0},
        {"rules.purge.leak_rate": 1.0, "policy.purge.allied": 1.0},
    ],
    ids=["splinter", "leak"],
)
def test_purge_hands_the_allied_group_to_isisk(change):
    """purge.purge_foreign_fighters: a sure splinter of share 1, or a leak of 1, hands all over.

    The group sworn to ISIS-K is neither purged nor splintered; a replicate without
    cells founds one at ISIS-K's starting capability and exposure.
    """
    world = tiny_world(2, **change)
    set_cells(world, [10, 20], rows=[0])
    set_cells(world, [], rows=[1])
    begin_month(world)
    apply(world, purge_foreign_fighters)
    np.testing.assert_array_equal(world.group_fighters, [[0, 40]] * 2)
    np.testing.assert_array_equal(flow(world, "isisk", "defected_in"), [100, 100])
    assert cells_of(world, 0)["fighters"].sum() == 130
    new = cells_of(world, 1)
    np.testing.assert_array_equal(new["fighters"], [100])
    assert new["capability"][0] == TINY.isisk.capability
    assert new["exposure"][0] == TINY.isisk.exposure


def test_purge_splinter_takes_a_share():
    """purge.purge_foreign_fighters: a splinter takes part of the group, never all of it here."""
    world = tiny_world(3, **{"rules.purge.switch_base": ALWAYS, "rules.purge.splinter_share": 0.3})
    begin_month(world)
    apply(world, purge_foreign_fighters)
    left = world.group_fighters[:, ALLIED]
    assert ((left > 0) & (left < 100)).all()
    np.testing.assert_array_equal(world.group_fighters[:, SWORN], 40)


def test_purge_without_switches_does_nothing():
    """purge.purge_foreign_fighters: no purge, no switch, no merge: the groups stay whole."""
    world = tiny_world(2)
    begin_month(world)
    apply(world, purge_foreign_fighters)
    np.testing.assert_array_equal(world.group_fighters, [[100, 40]] * 2)
    assert not world.signals.groups.any()


# --- defection --------------------------------------------------------------------------

BANDS = dict(fighters=[100, 50, 30, 20], faction=["amir", "haqqani", "haqqani", "doha"])


def test_defect_all_found_cells():
    """defection.defect: at a chance of 1 with found_cell 1, each unit becomes a new cell.

    Desertion is sure too, but a unit that defects does not also desert.
    """
    world = tiny_world(
        **{
            "rules.defection.base": ALWAYS,
            "rules.defection.desertion_base": ALWAYS,
            "rules.defection.found_cell": 1.0,
        }
    )
    set_units(world, **BANDS)
    set_cells(world, [10, 20], capability=0.7)
    begin_month(world)
    apply(world, defect)
    assert world.units.n[0] == 0
    cells = cells_of(world)
    np.testing.assert_array_equal(cells["fighters"], [10, 20, 100, 50, 30, 20])
    np.testing.assert_array_equal(cells["capability"][2:], TINY.isisk.capability)
    np.testing.assert_array_equal(cells["exposure"][2:], TINY.isisk.exposure)
    np.testing.assert_array_equal(flow(world, "factions", "defected_out"), [[100, 80, 20]])
    np.testing.assert_array_equal(flow(world, "isisk", "defected_in"), [200])
    assert not flow(world, "factions", "deserted").any()  # defection wins over desertion


def test_defect_all_join_existing_cells():
    """defection.defect: with found_cell 0 the defectors join the existing cells."""
    world = tiny_world(**{"rules.defection.base": ALWAYS, "rules.defection.found_cell": 0.0})
    set_units(world, **BANDS)
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, defect)
    assert world.units.n[0] == 0 and world.cells.n[0] == 2
    assert world.cells.fighters.sum() == 230


def test_defect_all_desert():
    """defection.defect: a desertion chance of 1 sends every unit home: losses, not ISIS-K."""
    world = tiny_world(**{"rules.defection.desertion_base": ALWAYS})
    set_units(world, **BANDS)
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, defect)
    assert world.units.n[0] == 0
    np.testing.assert_array_equal(flow(world, "factions", "deserted"), [[100, 80, 20]])
    np.testing.assert_array_equal(flow(world, "factions", "losses"), [[100, 80, 20]])
    np.testing.assert_array_equal(world.cells.fighters, [[10, 20]])


def test_defect_unpaid_faction_only():
    """defection.defect: with base 50 and w_pay 100, exactly the unpaid faction defects."""
    world = tiny_world(**{"rules.defection.base": 50.0, "rules.defection.w_pay": 100.0})
    set_units(world, **BANDS)
    begin_month(world)
    world.pay_ratio[:] = [1.0, 0.0, 1.0]
    apply(world, defect)
    units = units_of(world)
    np.testing.assert_array_equal(units["fighters"], [100, 20])
    np.testing.assert_array_equal(units["faction"], [AMIR, DOHA])
    np.testing.assert_array_equal(flow(world, "factions", "defected_out"), [[0, 80, 0]])


def test_defect_punishment_adds_grievance_and_nobody_moves():
    """defection.defect: punishment x punishment_grievance adds to grievance, capped at 1."""
    world = tiny_world(**{"policy.punishment": 0.5, "rules.defection.punishment_grievance": 0.2})
    set_units(world, **BANDS, grievance=[0.0, 0.3, 0.95, 1.0])
    begin_month(world)
    apply(world, defect)
    np.testing.assert_allclose(units_of(world)["grievance"], [0.1, 0.4, 1.0, 1.0], rtol=1e-12)
    np.testing.assert_array_equal(units_of(world)["fighters"], BANDS["fighters"])
    assert not world.signals.factions.any()


# --- attacks ----------------------------------------------------------------------------


def test_attack_without_attacks_heals_and_decays():
    """attacks.attack: no attacks; capability heals toward the start, exposure, momentum decay.

    Credibility recovers toward 1; nothing else moves.
    """
    world = tiny_world(
        **{
            "rules.attacks.capability_recovery": 0.5,
            "rules.attacks.exposure_decay": 0.5,
            "rules.attacks.momentum_decay": 0.5,
            "rules.attacks.credibility_recovery": 0.5,
        }
    )
    set_cells(world, [10, 20], capability=[0.4, 1.6], exposure=[0.8, 0.2])
    set_units(world, [100], ["amir"])
    begin_month(world)
    world.momentum[:], world.credibility[:] = 0.6, 0.6
    apply(world, attack)
    np.testing.assert_allclose(world.cells.capability, [[0.7, 1.3]], rtol=1e-12)
    np.testing.assert_allclose(world.cells.exposure, [[0.4, 0.1]], rtol=1e-12)
    assert world.momentum[0] == pytest.approx(0.3, rel=1e-12)
    assert world.credibility[0] == pytest.approx(0.8, rel=1e-12)
    assert not world.signals.attacks.any() and not world.signals.casualties.any()


HOT = {  # a cell of 10 fighters expects 10 attacks a month, all successful
    "rules.attacks.base_rate": 10.0,
    "rules.attacks.reference_size": 10.0,
    "rules.attacks.size_exponent": 0.5,
    "rules.attacks.success": 1.0,
}


@pytest.mark.parametrize(("shift", "abroad"), [(1.0, True), (0.0, False)])
def test_attack_fully_suppressed_goes_abroad_or_stops(shift, abroad):
    """attacks.attack: cells pressed to the full lie low; abroad_shift 1 sends it all abroad.

    With abroad_shift 0 there is no attack at all.
    """
    world = tiny_world(
        2, **HOT | {"rules.attacks.lie_low": 100.0, "rules.attacks.abroad_shift": shift}
    )
    set_cells(world, [10, 10], exposure=1.0)
    begin_month(world)
    world.signals.crackdown_force[:] = 1.0
    apply(world, attack)
    attacks = world.signals.attacks
    assert not np.delete(attacks, TARGETS.index("abroad"), axis=1).any()
    assert (attacks[:, TARGETS.index("abroad")] > 0).all() == abroad
    assert (world.signals.attacks_at_home == 0).all()


def test_attack_on_the_taliban_kills_and_moves_momentum():
    """attacks.attack: successful attacks on the Taliban kill (all, at a huge kill rate).

    Momentum follows the successes; only sectarian attacks cost credibility.
    """
    world = tiny_world(
        2,
        **HOT
        | {
            "rules.attacks.taliban_killed_per_attack": 1e4,
            "rules.attacks.momentum_decay": 0.5,
            "rules.attacks.momentum_saturation": 100.0,
            "rules.attacks.credibility_loss": 0.1,
        },
    )
    set_cells(world, [10, 20])
    set_units(world, [100, 50, 30], ["amir", "haqqani", "doha"])
    begin_month(world)
    apply(world, attack)
    on_taliban = world.signals.attacks[:, TARGETS.index("taliban")]
    assert (on_taliban > 0).all()
    assert (world.signals.attacks.sum(axis=1) == on_taliban).all()
    np.testing.assert_array_equal(world.units.fighters, 0)
    np.testing.assert_array_equal(flow(world, "factions", "losses"), [[100, 50, 30]] * 2)
    np.testing.assert_allclose(world.momentum, 0.25 + 0.5 * np.minimum(1, on_taliban / 100))
    np.testing.assert_array_equal(world.credibility, 1.0)
    assert (world.signals.casualties >= TINY.rules.attacks.severity_min * on_taliban).all()


def test_attack_sectarian_costs_credibility_and_one_cell_learns():
    """attacks.attack: each successful sectarian attack costs credibility_loss.

    A lone cell gains learning per attack and exposure_per_attack per attack.
    """
    world = tiny_world(
        2,
        **HOT
        | {
            "rules.attacks.target_shares": {"sectarian": 1.0},
            "rules.attacks.credibility_loss": 0.01,
            "rules.attacks.learning": 0.01,
            "rules.attacks.exposure_per_attack": 0.01,
        },
    )
    set_cells(world, [20], capability=1.0, exposure=0.1)
    begin_month(world)
    apply(world, attack)
    sectarian = world.signals.sectarian_attacks
    assert (sectarian > 0).all() and (sectarian == world.signals.attacks.sum(axis=1)).all()
    np.testing.assert_allclose(world.credibility, 1.0 - 0.01 * sectarian, rtol=1e-12)
    np.testing.assert_allclose(world.cells.capability[:, 0], 1.0 + 0.01 * sectarian)
    np.testing.assert_allclose(world.cells.exposure[:, 0], 0.1 + 0.01 * sectarian)


def test_attack_failures_count_but_bring_nothing():
    """attacks.attack: with success 0, attacks are counted but kill, hurt and pull no one."""
    world = tiny_world(
        **HOT
        | {
            "rules.attacks.success": 0.0,
            "rules.attacks.taliban_killed_per_attack": 1e4,
            "rules.attacks.momentum_decay": 0.5,
        },
    )
    set_cells(world, [10, 20])
    set_units(world, [100], ["amir"])
    begin_month(world)
    apply(world, attack)
    assert world.signals.attacks.sum() > 0
    assert world.signals.casualties[0] == 0.0 and world.units.fighters[0, 0] == 100
    assert world.momentum[0] == pytest.approx(0.25, rel=1e-12)


def test_attack_empty_cells_never_attack():
    """attacks.attack: cells of 0 fighters have no tempo, whatever the base rate."""
    world = tiny_world(**HOT | {"rules.attacks.size_exponent": 0.0})
    set_cells(world, [0, 0])
    begin_month(world)
    apply(world, attack)
    assert not world.signals.attacks.any()


# --- recruitment ------------------------------------------------------------------------


@pytest.mark.parametrize(("month", "joining"), [(1, 4), (3, 3), (4, 0)])
def test_recruit_released_prisoners_join_cells(month, joining):
    """recruitment.recruit: released prisoners join over release_months (10 over 3: 4, 3, 3)."""
    world = tiny_world(**{"isisk.released_prisoners": 10, "isisk.release_months": 3})
    set_cells(world, [10, 20])
    begin_month(world, month)
    apply(world, recruit)
    assert world.cells.fighters.sum() == 30 + joining
    np.testing.assert_array_equal(flow(world, "isisk", "recruits"), [joining])


def test_recruit_into_no_cells_founds_one():
    """recruitment.join_cells: newcomers to a replicate without cells found one cell."""
    world = tiny_world(**{"isisk.released_prisoners": 7, "isisk.release_months": 1})
    set_cells(world, [])
    begin_month(world)
    apply(world, recruit)
    np.testing.assert_array_equal(cells_of(world)["fighters"], [7])


def test_recruit_reshapes_cells_and_splits_units():
    """recruitment.recruit: cells above cell_split_size split in half, below cell_floor fold.

    200 splits into 100 + 100; the cell of 5 folds into the largest; a unit above
    unit_split_factor x unit_size (2 x 100) splits, one at the limit does not.
    """
    world = tiny_world(
        **{
            "rules.recruitment.cell_split_size": 150,
            "rules.recruitment.cell_floor": 10,
            "rules.recruitment.unit_split_factor": 2.0,
        }
    )
    set_cells(world, [5, 40, 200])
    set_units(world, [300, 200], ["doha", "amir"], ideology=[0.3, 0.6])
    begin_month(world)
    apply(world, recruit)
    np.testing.assert_array_equal(cells_of(world)["fighters"], [40, 105, 100])
    units = units_of(world)
    np.testing.assert_array_equal(units["fighters"], [150, 200, 150])
    np.testing.assert_array_equal(units["faction"], [DOHA, AMIR, DOHA])
    np.testing.assert_allclose(units["ideology"], [0.3, 0.6, 0.3])


def test_recruit_small_cells_all_small_stay():
    """recruitment.recruit: when every cell is below the floor none folds."""
    world = tiny_world(**{"rules.recruitment.cell_floor": 10})
    set_cells(world, [3, 4])
    begin_month(world)
    apply(world, recruit)
    np.testing.assert_array_equal(cells_of(world)["fighters"], [3, 4])


def test_recruit_units_born_only_where_paid_and_in():
    """recruitment.recruit: new units only in factions with pay and still in the Taliban.

    Their traits come from the faction's Betas; they start without grievance.
    """
    world = tiny_world(2, **{"rules.recruitment.unit_birth_rate": 0.1})
    set_units(world, [100] * 6, ["amir", "haqqani", "haqqani", "haqqani", "haqqani", "doha"])
    begin_month(world)
    world.pay_ratio[:] = [0.0, 1.0, 1.0]
    world.broken_month[:, DOHA] = 0
    apply(world, recruit, scale=10.0)  # 10 x 0.1 x 4 units: four births expected in haqqani
    new = world.units.faction[:, 6:][world.units.live[:, 6:]]
    assert len(new) > 0 and (new == HAQQANI).all()
    born = world.units.fighters[:, 6:].sum(axis=1)
    np.testing.assert_array_equal(flow(world, "factions", "recruits")[:, HAQQANI], born)
    assert not flow(world, "factions", "recruits")[:, [AMIR, DOHA]].any()
    grown = world.units.live[:, 6:]
    assert (world.units.fighters[:, 6:][grown] >= 1).all()
    assert not world.units.grievance[:, 6:].any()
    ideology = world.units.ideology[:, 6:][grown]
    assert ((ideology > 0) & (ideology < 1)).all()


def test_recruit_local_recruits_and_arrivals():
    """recruitment.recruit: local recruits join cells; foreign arrivals join their group."""
    world = tiny_world(
        2,
        **{
            "rules.recruitment.isisk_local_per_month": 20.0,
            "foreign_groups.allied.arrivals_per_month": 10.0,
        },
    )
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, recruit)
    assert (flow(world, "isisk", "recruits") > 0).all()
    assert (flow(world, "groups", "recruits")[:, ALLIED] > 0).all()
    assert not flow(world, "groups", "recruits")[:, SWORN].any()


# --- attrition --------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_suffer_attrition_at_the_extremes(rate):
    """recruitment.suffer_attrition: at rate 0 nothing is lost, at rate 1 everyone.

    Emptied units and cells are dropped.
    """
    world = tiny_world(
        **{f"rules.recruitment.{side}_attrition": rate for side in ("taliban", "isisk", "foreign")}
    )
    set_units(world, [100, 50, 0], ["amir", "doha", "doha"])
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, suffer_attrition)
    kept = 1.0 - rate
    np.testing.assert_array_equal(world.units.n, [2 * kept])
    np.testing.assert_array_equal(world.cells.n, [2 * kept])
    np.testing.assert_array_equal(world.group_fighters, [[100 * kept, 40 * kept]])
    np.testing.assert_array_equal(flow(world, "factions", "losses"), [[100 * rate, 0, 50 * rate]])
    np.testing.assert_array_equal(flow(world, "isisk", "losses"), [30 * rate])


# --- fragmentation ----------------------------------------------------------------------

STRAINED = {
    "rules.fragmentation.recovery": 0.1,
    "rules.fragmentation.legitimacy_cohesion": 0.2,
    "rules.fragmentation.crackdown_strain": 0.1,
    "rules.fragmentation.joint_strain": 1.0,
    "rules.fragmentation.concession_strain": 0.2,
    "rules.fragmentation.rivalry_strain": 0.5,
    "rules.fragmentation.defection_strain": 1.0,
    "rules.fragmentation.pay_strain": 0.04,
    "policy.joint_with_us": True,
    "policy.concessions": 0.2,
}


def test_fragment_cohesion_by_hand():
    """fragmentation.fragment: cohesion recovers toward start + legitimacy, less the strain.

    Ideology 0.6 / 0.8 / 0.2; doha trails haqqani in posts by 0.1; haqqani lost 50 of 250
    to defection; pay 1 / 0.5 / 0.75; crackdown 0.5 joint; half the states recognise.
    """
    world = tiny_world(**STRAINED)
    set_units(
        world,
        [100, 100, 200, 100],
        ["amir", "amir", "haqqani", "doha"],
        ideology=[0.5, 0.7, 0.8, 0.2],
    )
    begin_month(world)
    world.crackdown[:] = 0.5
    world.recognized_month[:, 0] = 1
    world.pay_ratio[:] = [1.0, 0.5, 0.75]
    world.cohesion[:] = 0.5
    flow(world, "factions", "defected_out")[:, HAQQANI] = 50
    apply(world, fragment)
    strain = [
        0.1 * 0.5 * 2 * 0.6 + 0.2 * 0.2 * 0.6,
        0.1 * 0.5 * 2 * 0.8 + 0.2 * 0.2 * 0.8 + 50 / 250 + 0.04 * 0.5,
        0.1 * 0.5 * 2 * 0.2 + 0.2 * 0.2 * 0.2 + 0.5 * 0.1 + 0.04 * 0.25,
    ]
    target = np.array([0.8, 0.7, 0.6]) + 0.2 * 0.5
    np.testing.assert_allclose(world.cohesion[0], 0.5 + 0.1 * (target - 0.5) - strain, rtol=1e-12)
    assert (world.broken_month < 0).all()  # decision_rate 0: nobody weighs leaving


def test_fragment_broken_faction_keeps_its_cohesion_and_its_break():
    """fragmentation.fragment: a faction that broke away is neither strained nor decides again."""
    world = tiny_world(
        **STRAINED,
        **{"rules.fragmentation.decision_rate": 1.0, "rules.fragmentation.rival_base": ALWAYS},
    )
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"])
    begin_month(world, 2)
    world.broken_month[:, DOHA], world.breakaway_to[:, DOHA] = 1, BREAKAWAYS.index("independent")
    world.cohesion[:] = 0.3
    world.pay_ratio[:] = 0.0
    apply(world, fragment)
    assert world.cohesion[0, DOHA] == 0.3 and world.cohesion[0, HAQQANI] != 0.3
    np.testing.assert_array_equal(world.broken_month, [[-1, 2, 1]])
    np.testing.assert_array_equal(world.breakaway_to, [[-1, BREAKAWAYS.index("rival"), 1]])


def test_fragment_to_isisk_takes_the_ideological_units():
    """fragmentation.fragment: a sure choice of ISIS-K takes every non-core faction out.

    Units go with chance = ideology (1 goes, 0 stays); the core never leaves.
    """
    world = tiny_world(
        2,
        **{
            "rules.fragmentation.decision_rate": 1.0,
            "rules.fragmentation.to_isisk_base": ALWAYS,
            "rules.defection.found_cell": 0.0,
        },
    )
    set_units(
        world, [200, 100, 50, 80], ["amir", "haqqani", "haqqani", "doha"], ideology=[1, 1, 0, 1]
    )
    set_cells(world, [10, 20])
    begin_month(world, 3)
    apply(world, fragment)
    np.testing.assert_array_equal(world.broken_month, [[-1, 3, 3]] * 2)
    isisk = BREAKAWAYS.index("isisk")
    np.testing.assert_array_equal(world.breakaway_to, [[-1, isisk, isisk]] * 2)
    np.testing.assert_array_equal(world.units.fighters, [[200, 50]] * 2)
    np.testing.assert_array_equal(flow(world, "factions", "defected_out"), [[0, 100, 80]] * 2)
    np.testing.assert_array_equal(world.cells.fighters.sum(axis=1), [210, 210])


@pytest.mark.parametrize("way", ["independent", "rival"])
def test_fragment_other_ways_out_take_no_units(way):
    """fragmentation.fragment: leaving to go one's own way or to rival rule moves no fighter."""
    world = tiny_world(
        **{"rules.fragmentation.decision_rate": 1.0, f"rules.fragmentation.{way}_base": ALWAYS}
    )
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"], ideology=1.0)
    begin_month(world)
    apply(world, fragment)
    went = BREAKAWAYS.index(way)
    np.testing.assert_array_equal(world.breakaway_to, [[-1, went, went]])
    np.testing.assert_array_equal(world.units.fighters, [[100, 100, 100]])


def test_fragment_without_decisions_nobody_leaves():
    """fragmentation.fragment: with decision_rate 0 no faction leaves, however tempted."""
    world = tiny_world(**{"rules.fragmentation.to_isisk_base": ALWAYS})
    set_units(world, [100, 100, 100], ["amir", "haqqani", "doha"], ideology=1.0)
    begin_month(world)
    apply(world, fragment)
    assert (world.broken_month < 0).all() and (world.breakaway_to < 0).all()
