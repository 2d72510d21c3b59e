"""Crackdown (`sim.rules.crackdown`): the leadership's intensity and the removal of ISIS-K.

Pure functions against hand-computed values and properties; `crack_down` and
`adapt_policy` on the tiny world (`tests/tiny.py`); exact runs of the baseline (the
adaptive intensity, the scale, the recorded intensity, its own parameters inert while
it is off); and its claims over replicates (`tests/mechanism.py`).
"""

import numpy as np
import pytest
from conftest import batch, differing_columns, greater, less, run, scenario, world
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    EXACT,
    JOINT,
    PROPERTY,
    SEEDS,
    SHORT,
    UNILATERAL,
    check_claim,
    check_own_parameters,
    check_scale_acts_once,
    claim,
    switch_claims,
    unit,
    updated,
)
from tiny import TINY, apply, begin_month, cells_of, flow, set_cells, set_units, tiny_world

from sim.engine.record import COL
from sim.inputs.schema import TARGETS
from sim.rules import adapt_policy, attack, crack_down
from sim.rules.crackdown import (
    adaptive_intensity,
    effectiveness,
    exposure_after,
    leadership_loss,
    precision,
    removal_probability,
    safe_areas_eroded,
)

# --- pure functions ---------------------------------------------------------------------

CRACKDOWN = TINY.rules.crackdown.model_copy(
    update=dict(
        removal_rate=0.8,
        accuracy_floor=0.25,
        leader_hit=0.5,
        joint_bonus=1.0,
        leak=0.5,
        intelligence_gain=0.2,
        leads_per_removal=0.5,
        sanctuary_erosion=0.4,
    )
)


def test_exposure_after_values():
    """crackdown.exposure_after: + (gain x force x accuracy x (1 - e) + leads x share removed)
    x (1 - safe areas)."""
    assert exposure_after(0.5, 0.0, 1.0, 0.0, 0.0, CRACKDOWN) == 0.5  # no effort, no arrests
    assert exposure_after(0.5, 1.0, 0.5, 0.0, 0.0, CRACKDOWN) == pytest.approx(0.55, rel=1e-12)
    assert exposure_after(0.0, 0.0, 0.0, 0.2, 0.0, CRACKDOWN) == pytest.approx(0.1, rel=1e-12)
    assert exposure_after(0.9, 1.0, 1.0, 1.0, 0.0, CRACKDOWN) == 1.0  # clipped
    rising = exposure_after(0.3, np.array([0.0, 0.5, 1.0]), 1.0, 0.0, 0.0, CRACKDOWN)
    assert np.all(np.diff(rising) > 0)  # more intelligence effort, more exposure
    sheltered = exposure_after(0.5, 1.0, 0.5, 0.2, 0.75, CRACKDOWN)
    assert sheltered == pytest.approx(0.5 + 0.25 * (0.05 + 0.1), rel=1e-12)
    assert exposure_after(0.5, 1.0, 1.0, 1.0, 1.0, CRACKDOWN) == 0.5  # wholly sheltered


def test_safe_areas_eroded_values():
    """crackdown.safe_areas_eroded: safe areas x (1 - min(1, erosion x force))."""
    assert safe_areas_eroded(0.5, 0.0, CRACKDOWN) == 0.5  # no force, nothing lost
    assert safe_areas_eroded(0.5, 1.0, CRACKDOWN) == pytest.approx(0.3, rel=1e-12)
    assert safe_areas_eroded(0.5, 10.0, CRACKDOWN) == 0.0  # overwhelming force takes them all
    np.testing.assert_allclose(
        safe_areas_eroded(np.array([0.2, 1.0]), np.array([0.5, 2.0]), CRACKDOWN), [0.16, 0.2]
    )


def test_adaptive_intensity_values():
    """crackdown.adaptive_intensity: base + gain x (attacks - tolerance) / tolerance, in [0, 1]."""
    assert adaptive_intensity(0.3, 0.5, 10.0, 10.0) == pytest.approx(0.3, **EXACT)
    assert adaptive_intensity(0.3, 0.5, 20.0, 10.0) == pytest.approx(0.8, **EXACT)
    assert adaptive_intensity(0.3, 0.5, 5.0, 10.0) == pytest.approx(0.05, **EXACT)
    assert adaptive_intensity(0.3, 0.5, 0.0, 10.0) == 0.0  # -0.2, clipped
    assert adaptive_intensity(0.9, 5.0, 500.0, 10.0) == 1.0
    assert adaptive_intensity(0.3, 0.0, 500.0, 10.0) == pytest.approx(0.3, **EXACT)  # no gain
    np.testing.assert_allclose(
        adaptive_intensity(0.3, 0.5, np.array([0.0, 10.0, 20.0, 500.0]), 10.0),
        [0.0, 0.3, 0.8, 1.0],
        rtol=1e-12,
    )


@PROPERTY
@given(base=unit, gain=st.floats(0.0, 1e3), a=st.floats(0.0, 1e4), b=st.floats(0.0, 1e4))
def test_adaptive_intensity_bounded_and_rising_with_attacks(base, gain, a, b):
    """crackdown.adaptive_intensity: in [0, 1], never lower after more attacks."""
    low, high = sorted([a, b])
    lo, hi = adaptive_intensity(base, gain, low, 30.0), adaptive_intensity(base, gain, high, 30.0)
    assert 0.0 <= lo <= hi <= 1.0


def test_effectiveness_values():
    """crackdown.effectiveness: (1 + joint_bonus x joint)(1 - leak x ties)(1 - tempo x accuracy)."""
    assert effectiveness(False, 0.0, 0.0, CRACKDOWN) == 1.0
    assert effectiveness(True, 0.0, 0.0, CRACKDOWN) == 2.0
    assert effectiveness(False, 0.4, 0.0, CRACKDOWN) == pytest.approx(0.8, **EXACT)
    assert effectiveness(True, 0.4, 0.0, CRACKDOWN) == pytest.approx(1.6, **EXACT)
    assert effectiveness(False, 1.0, 0.0, CRACKDOWN) == 0.5
    np.testing.assert_allclose(
        effectiveness(False, np.array([0.0, 0.2, 1.0]), 0.0, CRACKDOWN), [1.0, 0.9, 0.5], rtol=1e-12
    )
    tempo = 0.5
    assert effectiveness(False, 0.0, 1.0, updated(CRACKDOWN, accuracy_tempo=0.0)) == 1.0
    with_tempo = updated(CRACKDOWN, accuracy_tempo=tempo)
    assert effectiveness(False, 0.0, 1.0, with_tempo) == pytest.approx(1.0 - tempo, **EXACT)
    assert effectiveness(True, 0.4, 0.5, with_tempo) == pytest.approx(1.6 * 0.75, **EXACT)
    sealed = updated(CRACKDOWN, leak=0.0)
    assert effectiveness(False, 0.9, 0.0, sealed) == 1.0


def test_precision_values():
    """crackdown.precision: the floor at accuracy 0, 1 at full accuracy, linear between."""
    assert precision(0.0, CRACKDOWN) == 0.25
    assert precision(1.0, CRACKDOWN) == 1.0
    assert precision(0.5, CRACKDOWN) == pytest.approx(0.625, **EXACT)
    assert precision(0.5, updated(CRACKDOWN, accuracy_floor=1.0)) == 1.0


def test_removal_probability_values():
    """crackdown.removal_probability: removal_rate x force x precision x exposure, capped at 1."""
    assert removal_probability(0.5, 0.5, 0.5, CRACKDOWN) == pytest.approx(
        0.8 * 0.5 * 0.625 * 0.5, **EXACT
    )
    assert removal_probability(0.0, 1.0, 1.0, CRACKDOWN) == 0.0
    assert removal_probability(1.0, 0.0, 1.0, CRACKDOWN) == 0.0
    assert removal_probability(1.0, 1.0, 0.0, CRACKDOWN) == pytest.approx(0.8 * 0.25, **EXACT)
    assert removal_probability(2.0, 1.0, 1.0, CRACKDOWN) == 1.0  # 1.6, capped
    # per-replicate force against per-cell exposure
    p = removal_probability(np.array([[0.0], [0.5]]), np.array([[0.0, 0.5, 1.0]]), 1.0, CRACKDOWN)
    np.testing.assert_allclose(p, [[0.0, 0.0, 0.0], [0.0, 0.2, 0.4]], rtol=1e-12)


def test_leadership_loss_values():
    """crackdown.leadership_loss: leader_hit x force x accuracy x exposure; none when blind."""
    assert leadership_loss(0.5, 0.5, 0.5, CRACKDOWN) == pytest.approx(0.0625, **EXACT)
    assert leadership_loss(1.0, 1.0, 0.0, CRACKDOWN) == 0.0  # arrests need intelligence
    assert leadership_loss(4.0, 1.0, 1.0, CRACKDOWN) == 1.0  # 2, capped
    np.testing.assert_allclose(
        leadership_loss(np.array([[1.0]]), np.array([[0.0, 0.4]]), 0.5, CRACKDOWN),
        [[0.0, 0.1]],
        rtol=1e-12,
    )


@PROPERTY
@given(
    force=st.floats(0.0, 10.0),
    more=st.floats(0.0, 10.0),
    exposure=unit,
    accuracy=unit,
    rate=unit,
    floor=unit,
    hit=unit,
)
def test_crackdown_chances_bounded_and_rising_with_force(
    force, more, exposure, accuracy, rate, floor, hit
):
    """crackdown.removal_probability and leadership_loss: in [0, 1], rising with force."""
    rule = updated(CRACKDOWN, removal_rate=rate, accuracy_floor=floor, leader_hit=hit)
    for chance in (removal_probability, leadership_loss):
        p, q = (
            chance(force, exposure, accuracy, rule),
            chance(force + more, exposure, accuracy, rule),
        )
        assert 0.0 <= p <= q <= 1.0


# --- the tiny world ---------------------------------------------------------------------


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
    world.crackdown_intensity[:] = [1.0, 0.0]
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


def test_crack_down_gathers_intelligence_and_leads():
    """crackdown.crack_down: exposure grows with force x accuracy and with the share removed.

    Force 0.5 (no ties), accuracy 0.5: effort 0.25; a cell's leads are its removed share.
    """
    world = tiny_world(
        3,
        **{
            "rules.crackdown.removal_rate": 1.0,
            "rules.crackdown.intelligence_gain": 0.4,
            "rules.crackdown.leads_per_removal": 0.5,
        },
    )
    set_cells(world, [40, 40], exposure=[0.0, 0.5])
    begin_month(world)
    world.crackdown_intensity[:] = 0.5
    apply(world, crack_down)
    share = (40 - world.cells.fighters) / 40
    assert (share[:, 0] == 0).all() and (share[:, 1] > 0).all()
    gained = 0.4 * 0.5 * 0.5 * (1.0 - np.array([0.0, 0.5]))
    np.testing.assert_allclose(
        world.cells.exposure, np.array([0.0, 0.5]) + gained + 0.5 * share, rtol=1e-12
    )


def test_crack_down_erodes_safe_areas_which_shelter_cells():
    """crackdown.crack_down: force erodes the safe areas; what they held back of the month's
    intelligence is the share they were, before the erosion.

    Force 0.5, accuracy 0.5, gain 0.4: a cell at exposure 0 gains 0.1 x (1 - safe areas);
    the safe areas keep 1 - 0.6 x 0.5 of themselves.
    """
    world = tiny_world(
        2,
        **{
            "rules.crackdown.intelligence_gain": 0.4,
            "rules.crackdown.sanctuary_erosion": 0.6,
        },
    )
    set_cells(world, [40], exposure=0.0)
    world.safe_areas[:] = [0.0, 0.5]
    begin_month(world)
    world.crackdown_intensity[:] = 0.5
    apply(world, crack_down)
    np.testing.assert_allclose(world.cells.exposure[:, 0], [0.1, 0.05], rtol=1e-12)
    np.testing.assert_allclose(world.safe_areas, [0.0, 0.35], rtol=1e-12)


def test_crack_down_successors_are_less_skilled():
    """crackdown.crack_down: arrests cut capability; skill_loss of the cut is lost for good.

    Afterwards capability recovers toward the lowered skill, never back to the start.
    """
    world = tiny_world(
        **{
            "rules.crackdown.leader_hit": 1.0,
            "rules.crackdown.skill_loss": 0.4,
            "policy.accuracy": 1.0,
            "rules.attacks.capability_recovery": 0.2,
        }
    )
    set_cells(world, [20, 20], exposure=[1.0, 0.25])
    begin_month(world)
    world.crackdown_intensity[:] = 0.8
    apply(world, crack_down)
    loss = 0.8 * np.array([1.0, 0.25])
    np.testing.assert_allclose(world.cells.capability, [1.0 - loss], rtol=1e-12)
    np.testing.assert_allclose(world.cells.skill, [1.0 - 0.4 * loss], rtol=1e-12)
    for month in range(2, 30):  # no more crackdown: capability heals toward skill
        begin_month(world, month)
        apply(world, attack)
    np.testing.assert_allclose(world.cells.capability, world.cells.skill, rtol=1e-2)
    assert (world.cells.capability < 1.0 - 0.3 * loss).all()


def test_intelligence_finds_cells_that_lie_low():
    """A sustained accurate crackdown raises the exposure of cells that never attack.

    ISIS-K only consolidates (no attacks give it away) and holds no safe areas to lie low
    in (none at the start, none regained); after 24 months of intensity 0.8 at accuracy 0.9
    its cells are more exposed than at the start and than without intelligence (one-sided
    Mann-Whitney over 20 replicates).
    """
    settings = {
        "steps": 24,
        "policy__crackdown": 0.8,
        "policy__accuracy": 0.9,
        "rules__strategy__consolidate_bias": 100.0,
        "isisk__safe_areas": 0.0,
        "rules__strategy__rebuild": 0.0,
    }

    def exposure(**overrides) -> np.ndarray:
        w = world("baseline", range(20), **settings, **overrides)
        w.run()
        cells = w.cells
        return cells.row_sums(cells.fighters * cells.exposure) / cells.fighters.sum(axis=1)

    gathered = exposure(rules__crackdown__intelligence_gain=0.15)
    blind = exposure(
        rules__crackdown__intelligence_gain=0.0, rules__crackdown__leads_per_removal=0.0
    )
    greater(gathered, blind, "exposure with intelligence vs without")
    assert (gathered > scenario("baseline").isisk.exposure).all()
    assert (blind < scenario("baseline").isisk.exposure).all()


def test_crack_down_anger_and_the_mechanism_scale():
    """crackdown.crack_down: anger = intensity x (1 - accuracy) x (1 - relief x amnesty).

    The scale cuts intensity; an amnesty spares a share of the indiscriminate harm.
    """
    world = tiny_world(
        **{
            "policy.accuracy": 0.25,
            "policy.amnesty": 0.5,
            "rules.crackdown.amnesty_relief": 0.4,
            "mechanisms.crackdown.scale": 0.5,
        }
    )
    begin_month(world)
    world.crackdown_intensity[:] = 0.8
    before = cells_of(world)
    apply(world, crack_down, scale=0.5)
    assert world.signals.anger[0] == pytest.approx(0.4 * 0.75 * (1.0 - 0.4 * 0.5), rel=1e-12)
    assert world.signals.crackdown_force[0] == pytest.approx(0.4, rel=1e-12)  # no ties, no leak
    np.testing.assert_array_equal(cells_of(world)["fighters"], before["fighters"])  # rate 0


def test_crack_down_without_intensity_does_nothing():
    """crackdown.crack_down: at intensity 0 no cell is touched and every signal stays 0."""
    world = tiny_world(**{"rules.crackdown.removal_rate": 1.0, "rules.crackdown.leader_hit": 1.0})
    begin_month(world)
    world.crackdown_intensity[:] = 0.0
    before = cells_of(world)
    apply(world, crack_down)
    for column, values in before.items():
        np.testing.assert_array_equal(cells_of(world)[column], values)
    assert not (world.signals.anger.any() or world.signals.crackdown_force.any())
    assert not world.signals.removed.any()


def test_adapt_policy_without_gain_sets_the_policy_intensity():
    """crackdown.adapt_policy: with adaptive_gain 0 the intensity is policy.crackdown."""
    world = tiny_world(2, **{"policy.crackdown": 0.4, "policy.adaptive_gain": 0.0})
    world.crackdown_intensity[:] = 0.9
    world.signals.attacks[:, TARGETS.index("taliban")] = 100
    begin_month(world, 2)
    apply(world, adapt_policy, scale=0.5)  # the scale applies later, in crackdown_effect
    np.testing.assert_array_equal(world.crackdown_intensity, 0.4)


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
    np.testing.assert_allclose(world.crackdown_intensity, [0.0, 0.8, 0.05], rtol=1e-12)
    begin_month(world, 1)
    apply(world, adapt_policy)
    np.testing.assert_array_equal(world.crackdown_intensity, 0.3)


# --- runs of the baseline ---------------------------------------------------------------

ADAPTIVE = {"steps": 12, "policy__adaptive_gain": 0.5, "policy__attack_tolerance": 5}


def test_adaptive_crackdown_follows_last_months_attacks():
    rec = batch("baseline", range(4), **ADAPTIVE)
    attacks = rec.values[:, :, rec.isisk, COL["attacks"]]
    intensity = rec.values[:, :, 0, COL["crackdown"]]
    # month m reacts to month m - 1's attacks in Afghanistan
    expected = np.clip(0.3 + 0.5 * (attacks[:, 1:-1] - 5) / 5, 0.0, 1.0)
    np.testing.assert_allclose(intensity[:, 2:], expected)
    assert np.mean(intensity[:, 2:] > 0.3) > 0.5  # attacks mostly above a tolerance of 5
    calm = batch("baseline", range(4), **{**ADAPTIVE, "policy__attack_tolerance": 500})
    assert np.all(calm.values[:, 2:, 0, COL["crackdown"]] < 0.3)


def test_adaptive_crackdown_starts_at_the_policy_intensity():
    """No month has been observed in month 1: the leadership keeps policy.crackdown."""
    for tolerance in (5, 500):
        rec = batch("baseline", range(4), **{**ADAPTIVE, "policy__attack_tolerance": tolerance})
        np.testing.assert_array_equal(rec.values[:, 1, 0, COL["crackdown"]], 0.3)


def test_scale_multiplies_the_intensity_once():
    """Scale 2 with intensity 0.25 is the same run, draw for draw, as scale 1 with 0.5."""
    check_scale_acts_once("crackdown", lambda x: {"policy__crackdown": x})


def test_switched_off_crackdown_leaves_every_series_identical():
    """The record's `crackdown` column is the intensity in force: 0 with the mechanism off."""
    off = {"mechanisms__crackdown__enabled": False}
    plain = batch("baseline", SEEDS, **SHORT, **off).values
    changed = batch("baseline", SEEDS, **SHORT, **off, policy__crackdown=0.9).values
    assert differing_columns(plain, changed) == []
    np.testing.assert_array_equal(plain[:, :, 0, COL["crackdown"]], 0.0)


@pytest.mark.parametrize("scale", [0.5, 2.0, 4.0])
def test_recorded_crackdown_is_the_rescaled_intensity(scale):
    rec = run("baseline", 0, **SHORT, mechanisms__crackdown__scale=scale)
    np.testing.assert_array_equal(rec.values[0, :, 0, COL["crackdown"]], min(1.0, 0.3 * scale))


# Parameters read only by the crackdown, pushed far from the baseline.
OWN_PARAMETERS = {
    "policy__crackdown": 0.9,
    "policy__joint_with_us": True,
    "policy__accuracy": 0.0,
    "rules__crackdown__removal_rate": 1.0,
    "rules__crackdown__leak": 0.0,
    "rules__crackdown__joint_bonus": 3.0,
    "rules__crackdown__leader_hit": 1.0,
    "rules__crackdown__skill_loss": 1.0,
    "rules__crackdown__intelligence_gain": 0.5,
    "rules__crackdown__leads_per_removal": 1.0,
    "rules__crackdown__sanctuary_erosion": 0.9,
}  # not policy.security_faction: surrender (defection) also reads it, the absorbed join it


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("crackdown", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------

QUIET_CELLS = {"rules__attacks__exposure_per_attack": 0.01}  # attacks give cells away little
# Removals over the first year: later, a campaign that found more has less left to find
# (and more of ISIS-K surrenders), so totals over five years understate the yield.
FIRST_YEAR = {"steps": 12}
# A full amnesty beside wholly indiscriminate force: the most anger an amnesty could spare.
AMNESTY = {"policy__amnesty": 1.0, "policy__accuracy": 0.0}
SPARED = AMNESTY | {"rules__crackdown__amnesty_relief": 0.6}
UNSPARED = AMNESTY | {"rules__crackdown__amnesty_relief": 0.0}

CLAIMS = [
    claim("crackdown shrinks ISIS-K", "isisk_final", less,
          {}, scenario="crackdown", versus="no_crackdown"),
    claim("joint crackdown removes more than unilateral", "crackdown_removed_total", greater,
          JOINT, UNILATERAL),
    claim("joint crackdown raises defections more than unilateral", "defections_taliban",
          greater, JOINT, UNILATERAL),
    claim("joint crackdown raises Haqqani defections more than unilateral",
          "haqqani_defected_out", greater, JOINT, UNILATERAL),
    claim("joint US crackdown event removes more ISIS-K", "crackdown_removed_total", greater,
          {}, scenario="joint_us_crackdown", versus="baseline"),
    claim("joint US crackdown event raises defections", "defections_taliban", greater,
          {}, scenario="joint_us_crackdown", versus="baseline"),
    # blunted, the crackdown leaves ISIS-K stronger; its total removals are no measure, as
    # a sharper crackdown shrinks the stock it removes from (and makes fighters surrender)
    claim("leaks blunt the crackdown", "isisk_final", greater,
          {"rules__crackdown__leak": 1.0}, {"rules__crackdown__leak": 0.0}, scenario="crackdown"),
    claim("a security faction tied to ISIS-K blunts the crackdown", "isisk_final",
          greater, {"taliban__factions__haqqani__ties_to_isisk": {"mean": 0.8, "sd": 0.1}},
          {"taliban__factions__haqqani__ties_to_isisk": {"mean": 0.05, "sd": 0.03}},
          scenario="crackdown"),
    claim("accuracy removes more ISIS-K fighters", "crackdown_removed_total", greater,
          {"policy__accuracy": 0.9}, {"policy__accuracy": 0.1}, scenario="crackdown"),
    claim("accuracy costs the pay budget", "pay_ratio_mean", less,
          {"policy__accuracy": 0.9}, {"policy__accuracy": 0.1}, scenario="crackdown"),
    claim("accuracy costs arrears", "arrears_final", greater,
          {"policy__accuracy": 0.9}, {"policy__accuracy": 0.1}, scenario="crackdown"),
    claim("inaccuracy raises ISIS-K recruitment", "isisk_recruits", greater,
          {"policy__accuracy": 0.0}, {"policy__accuracy": 0.8}, scenario="crackdown"),
    claim("an amnesty spares anger: less ISIS-K recruitment", "isisk_recruits", less,
          SPARED, UNSPARED, scenario="crackdown"),
    claim("an amnesty spares anger: less pressure", "pressure_final", less,
          SPARED, UNSPARED, scenario="crackdown"),
    claim("intelligence-led arrests cut capability", "capability_mean", less,
          {"rules__crackdown__leader_hit": 0.8}, {"rules__crackdown__leader_hit": 0.0},
          scenario="crackdown"),
    claim("intelligence effort raises removals", "crackdown_removed_total", greater,
          FIRST_YEAR | QUIET_CELLS | {"rules__crackdown__intelligence_gain": 0.15},
          FIRST_YEAR | QUIET_CELLS | {"rules__crackdown__intelligence_gain": 0.0},
          scenario="crackdown"),
    claim("sustained intelligence lowers attacks", "attacks_total", less,
          QUIET_CELLS | {"rules__crackdown__intelligence_gain": 0.15},
          QUIET_CELLS | {"rules__crackdown__intelligence_gain": 0.0}, scenario="crackdown"),
    claim("leads from arrests raise removals", "crackdown_removed_total", greater,
          FIRST_YEAR | {"rules__crackdown__leads_per_removal": 1.0},
          FIRST_YEAR | {"rules__crackdown__leads_per_removal": 0.0}, scenario="crackdown"),
    claim("less skilled successors lower capability", "capability_mean", less,
          {"rules__crackdown__skill_loss": 0.5}, {"rules__crackdown__skill_loss": 0.0},
          scenario="crackdown"),
    claim("a harder crackdown erodes ISIS-K's safe areas", "safe_areas_final", less,
          {"policy__crackdown": 0.9}, {"policy__crackdown": 0.1}),
    claim("with more safe area the crackdown removes fewer", "crackdown_removed_total", less,
          FIRST_YEAR | {"isisk__safe_areas": 0.5}, FIRST_YEAR | {"isisk__safe_areas": 0.1},
          scenario="crackdown"),
    claim("crackdown strains cohesion", "cohesion_mean", less,
          {}, scenario="crackdown", versus="no_crackdown"),
    *switch_claims("crackdown", "crackdown", "isisk_losses", +1, +1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)
