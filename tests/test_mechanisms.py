"""Mechanism tests: the direction of each effect of DESIGN.md section 3, over replicates.

Each comparison runs replicates 0..REPLICATES-1 of two arms for STEPS months (see
conftest; the replicates of an arm run together in one World) and applies a one-sided
Mann-Whitney U (or Fisher exact) test at ALPHA. Exact checks step small Worlds (or
call one rule on them) for the rules that hold draw for draw: the adaptive crackdown,
frozen funds, purges of groups no longer allied, the fighter-weighted pay ratio, scales
acting once, idle empty cells, splitting cells. The last part switches every mechanism
off, rescales it, and checks that with it off its own parameters change nothing at all.
"""

import numpy as np
import pytest
from conftest import (
    REPLICATES,
    batch,
    differing_columns,
    greater,
    identical,
    less,
    more_often,
    outcomes,
    run,
    scenario,
    world,
)

from sim import rules
from sim.engine.record import COL
from sim.inputs.schema import PATRONS

FACTIONS = ("haqqani", "kandahari", "doha", "northern")
GROUPS = ("ttp", "al_qaeda", "etim_tip", "imu", "katibat_imam_al_bukhari", "jamaat_ansarullah")
STATES = ("us", "china", "russia", "pakistan", "donors")
NO_SECTARIAN_SENSITIVITY = {f"international__{s}__sectarian_sensitivity": 0.0 for s in STATES}
FULL_COMPLIANCE = {
    "policy__crackdown": 0.9,
    "policy__joint_with_us": True,
    "policy__concessions": 0.9,
    "policy__purge": dict.fromkeys(GROUPS, 0.9),
}
UNILATERAL_07 = {"policy__crackdown": 0.7}
JOINT_07 = {"policy__crackdown": 0.7, "policy__joint_with_us": True}
SHORT = {"steps": 12}
SEEDS = (0, 1)  # replicates of the exact (non-statistical) comparisons


def ties(mean: float, sd: float) -> dict:
    """Overrides giving every faction the same ties to ISIS-K."""
    return {f"taliban__factions__{f}__ties_to_isisk": {"mean": mean, "sd": sd} for f in FACTIONS}


# --- 1. defection -----------------------------------------------------------------------


def test_crackdown_raises_defections():
    greater(
        outcomes("crackdown")["defections_taliban"],
        outcomes("no_crackdown")["defections_taliban"],
        "Taliban defections, crackdown vs none",
    )


def test_crackdown_raises_defection_of_ideological_units():
    # with the economy off every unit is paid: only the ideological trigger is left.
    # Haqqani defections come in few, large lumps (about 40 units): at 20 replicates the
    # effect sits at p ~ 0.01, so this arm uses twice as many.
    off = {"mechanisms__economy__enabled": False}
    n = 2 * REPLICATES
    greater(
        outcomes("crackdown", n, **off)["haqqani_defected_out"],
        outcomes("no_crackdown", n, **off)["haqqani_defected_out"],
        "Haqqani defections (economy off), crackdown vs none",
    )
    greater(
        outcomes("crackdown", **off)["defections_taliban"],
        outcomes("no_crackdown", **off)["defections_taliban"],
        "Taliban defections (economy off), crackdown vs none",
    )


def test_ties_to_isisk_raise_defections():
    greater(
        outcomes("baseline", **ties(0.6, 0.1))["defections_taliban"],
        outcomes("baseline", **ties(0.05, 0.03))["defections_taliban"],
        "Taliban defections, strong vs weak ties",
    )


def test_fear_of_punishment_lowers_defections():
    less(
        outcomes("baseline", policy__punishment=1.0)["defections_taliban"],
        outcomes("baseline")["defections_taliban"],
        "Taliban defections, punishment 1 vs 0.5",
    )


def test_isisk_momentum_raises_defections():
    # attacks off freeze momentum at its starting value
    frozen = {"mechanisms__attacks__enabled": False}
    greater(
        outcomes("baseline", isisk__momentum=1.0, **frozen)["defections_taliban"],
        outcomes("baseline", isisk__momentum=0.0, **frozen)["defections_taliban"],
        "Taliban defections, momentum 1 vs 0",
    )


# --- 2. crackdown -----------------------------------------------------------------------


def test_crackdown_removes_isisk_fighters():
    crackdown, none = outcomes("crackdown"), outcomes("no_crackdown")
    greater(crackdown["isisk_losses"], none["isisk_losses"], "ISIS-K losses")
    less(crackdown["isisk_final"], none["isisk_final"], "ISIS-K final strength")


def test_joint_crackdown_more_effective_than_unilateral():
    greater(
        outcomes("baseline", **JOINT_07)["isisk_losses"],
        outcomes("baseline", **UNILATERAL_07)["isisk_losses"],
        "ISIS-K losses, joint vs unilateral at 0.7",
    )


def test_joint_crackdown_costs_more_defections_than_unilateral():
    joint, unilateral = outcomes("baseline", **JOINT_07), outcomes("baseline", **UNILATERAL_07)
    greater(joint["defections_taliban"], unilateral["defections_taliban"], "Taliban defections")
    greater(joint["haqqani_defected_out"], unilateral["haqqani_defected_out"], "Haqqani defections")


def test_joint_us_crackdown_scenario_after_its_event():
    joint, baseline = outcomes("joint_us_crackdown"), outcomes("baseline")
    greater(joint["isisk_losses"], baseline["isisk_losses"], "ISIS-K losses")
    greater(joint["defections_taliban"], baseline["defections_taliban"], "Taliban defections")


def test_leaks_blunt_the_crackdown():
    less(
        outcomes("crackdown", rules__crackdown__leak=1.0)["isisk_losses"],
        outcomes("crackdown", rules__crackdown__leak=0.0)["isisk_losses"],
        "ISIS-K losses, leak 1 vs 0",
    )


def test_security_faction_with_ties_blunts_the_crackdown():
    close = {"taliban__factions__haqqani__ties_to_isisk": {"mean": 0.8, "sd": 0.1}}
    less(
        outcomes("crackdown", **close)["isisk_losses"],
        outcomes("crackdown")["isisk_losses"],
        "ISIS-K losses, Haqqani security with ties 0.8 vs 0.35",
    )


def test_crackdown_strains_cohesion():
    less(
        outcomes("crackdown")["cohesion_mean"],
        outcomes("no_crackdown")["cohesion_mean"],
        "Taliban cohesion, crackdown vs none",
    )


def test_inaccurate_crackdown_breeds_isisk_recruits():
    greater(
        outcomes("crackdown", policy__accuracy=0.0)["isisk_recruits"],
        outcomes("crackdown")["isisk_recruits"],
        "ISIS-K recruits, accuracy 0 vs 0.4",
    )


ADAPTIVE = {"steps": 12, "policy__adaptive_gain": 0.5, "policy__attack_tolerance": 5}


def test_adaptive_crackdown_rises_with_attacks():
    rec = batch("baseline", range(4), **ADAPTIVE)
    attacks = rec.values[:, :, rec.isisk, COL["attacks"]]
    assert np.all(attacks[:, 1:] > 5)
    intensity = rec.values[:, :, 0, COL["crackdown"]]
    assert np.all(intensity[:, 2:] > 0.3)  # attacks well above a tolerance of 5 a month
    # month m reacts to month m - 1's attacks
    expected = np.clip(0.3 + 0.5 * (attacks[:, 1:-1] - 5) / 5, 0.0, 1.0)
    np.testing.assert_allclose(intensity[:, 2:], expected)
    calm = batch("baseline", range(4), **{**ADAPTIVE, "policy__attack_tolerance": 500})
    assert np.all(calm.values[:, 2:, 0, COL["crackdown"]] < 0.3)


def test_adaptive_crackdown_starts_at_the_policy_intensity():
    """No month has been observed in month 1: the leadership keeps policy.crackdown."""
    for tolerance in (5, 500):
        rec = batch("baseline", range(4), **{**ADAPTIVE, "policy__attack_tolerance": tolerance})
        np.testing.assert_array_equal(rec.values[:, 1, 0, COL["crackdown"]], 0.3)


# --- 3. international pressure ----------------------------------------------------------


def test_sectarian_attacks_raise_pressure():
    sectarian = {
        "rules__attacks__target_shares": {"sectarian": 0.9, "taliban": 0.05, "foreign": 0.05}
    }
    other = {"rules__attacks__target_shares": {"sectarian": 0.0, "taliban": 0.9, "foreign": 0.1}}
    greater(
        outcomes("baseline", **sectarian)["pressure_mean"],
        outcomes("baseline", **other)["pressure_mean"],
        "pressure, sectarian vs other targets",
    )


def test_sectarian_sensitivity_raises_pressure():
    greater(
        outcomes("baseline")["pressure_mean"],
        outcomes("baseline", **NO_SECTARIAN_SENSITIVITY)["pressure_mean"],
        "pressure, sensitivity as baseline vs 0",
    )


def test_compliance_lowers_pressure_and_raises_revenue():
    # with sectarian sensitivity off (at baseline values attacks push pressure to 1 anyway)
    comply = outcomes("baseline", **FULL_COMPLIANCE, **NO_SECTARIAN_SENSITIVITY)
    defy = outcomes("baseline", **NO_SECTARIAN_SENSITIVITY)
    less(
        comply["pressure_final"], defy["pressure_final"], "pressure, compliance vs baseline policy"
    )
    greater(comply["revenue_mean"], defy["revenue_mean"], "revenue, compliance vs baseline policy")


def test_sustained_compliance_unfreezes_funds_and_brings_recognition():
    # attacks off keep Taliban credibility at 1, so only compliance decides
    quiet = {"mechanisms__attacks__enabled": False, "steps": 30}
    comply = outcomes("baseline", **FULL_COMPLIANCE, **quiet)
    defy = outcomes("baseline", **quiet)
    more_often(comply["recognized_final"] > 0, defy["recognized_final"] > 0, "recognition")
    rec = batch("baseline", range(4), **FULL_COMPLIANCE, **quiet)
    revenue = rec.values[:, :, 0, COL["revenue"]]
    assert np.all(revenue[:, 14] > 2 * revenue[:, 11])  # funds unfrozen after 12 satisfied months


def test_frozen_funds_wait_for_every_holder():
    """US and donors both hold reserves: satisfying the US alone releases nothing."""
    quiet = {
        "steps": 12,
        "mechanisms__attacks__enabled": False,
        "policy__crackdown": 0.9,
        "international__us__cares_about": {"isisk": 1.0},
        "international__us__unfreeze_after": 2,
        "international__donors__cares_about": {"concessions": 1.0},
        "international__donors__unfreeze_after": 3,
    }
    frozen = scenario("baseline").economy.frozen_funds_musd
    us_only = world("baseline", range(3), **quiet)  # concessions 0.1 < donors' demand 0.5
    both = world("baseline", range(3), **quiet, policy__concessions=0.6)
    for month in range(1, 13):
        us_only.step()
        both.step()
        us, donors = (us_only.state_names.index(s) for s in ("us", "donors"))
        assert np.all(us_only.months_satisfied[:, us] == month)
        assert np.all(us_only.months_satisfied[:, donors] == 0)
        assert not us_only.unfrozen.any(), month
        np.testing.assert_array_equal(us_only.frozen_musd, frozen)
        # both satisfied: unfrozen once the slower holder's 3 months are up
        assert np.all(both.unfrozen == (month >= 3)), month
        released = frozen * (1 - (1 - both.spec.economy.unfreeze_rate) ** max(0, month - 3))
        np.testing.assert_allclose(frozen - both.frozen_musd, released)


def test_purge_of_a_group_no_longer_allied_has_no_effect_and_earns_no_credit():
    """A purge order against an independent TTP neither removes fighters nor pleases Pakistan."""
    quiet = {
        "steps": 12,
        "mechanisms__attacks__enabled": False,  # no sectarian attacks: pressure is policy alone
        "mechanisms__recruitment__enabled": False,  # no arrivals or attrition
        "policy__purge": {"ttp": 0.9},
    }
    independent = world("baseline", range(3), **quiet, foreign_groups__ttp__patron="independent")
    ttp = independent.group_names.index("ttp")
    np.testing.assert_array_equal(independent.purge_effect()[:, ttp], 0.0)
    rec = independent.run()
    row = rec.actors.index("ttp")
    np.testing.assert_array_equal(rec.values[:, :, row, COL["fighters"]], 4500)
    np.testing.assert_array_equal(rec.values[:, 1:, row, COL["losses"]], 0)
    np.testing.assert_array_equal(
        rec.values[:, :, row, COL["patron"]], PATRONS.index("independent")
    )
    # Pakistan cares only about the TTP: it sees no action and presses on
    pakistan = scenario("baseline").international["pakistan"]
    months = np.arange(13)
    expected = np.minimum(
        1.0, pakistan.pressure + pakistan.responsiveness * pakistan.demand * months
    )
    np.testing.assert_allclose(
        rec.values[:, :, rec.actors.index("pakistan"), COL["pressure"]],
        np.broadcast_to(expected, (3, 13)),
    )
    # the same order against an allied TTP removes fighters and eases Pakistan's pressure
    allied = batch("baseline", range(3), **quiet)
    assert np.all(allied.values[:, -1, row, COL["fighters"]] < 4500)
    assert np.all(allied.values[:, -1, rec.actors.index("pakistan"), COL["pressure"]] < 0.5)


# --- 4. economy and pay -----------------------------------------------------------------


def test_unfrozen_funds_raise_pay_and_lower_desertion_and_defection():
    unfrozen, baseline = outcomes("unfreeze_funds"), outcomes("baseline")
    greater(unfrozen["pay_ratio_mean"], baseline["pay_ratio_mean"], "pay ratio")
    greater(unfrozen["revenue_mean"], baseline["revenue_mean"], "revenue")
    less(unfrozen["desertions_total"], baseline["desertions_total"], "desertions")
    less(unfrozen["defections_taliban"], baseline["defections_taliban"], "defections")


def test_higher_wage_bill_lowers_pay_and_raises_desertion():
    dear, baseline = outcomes("baseline", economy__wage_usd=600), outcomes("baseline")
    less(dear["pay_ratio_mean"], baseline["pay_ratio_mean"], "pay ratio, wage 600 vs 300")
    greater(dear["desertions_total"], baseline["desertions_total"], "desertions, wage 600 vs 300")


def test_sanctions_cut_revenue():
    less(
        outcomes("baseline", economy__sanction_damage=0.9)["revenue_mean"],
        outcomes("baseline")["revenue_mean"],
        "revenue, sanction damage 0.9 vs 0.4",
    )


def test_taliban_pay_ratio_is_the_fighter_weighted_mean_of_active_factions():
    w = world("baseline", range(3), rules__fragmentation__threshold=0.6, economy__wage_usd=900)
    for _ in range(12):
        w.step()
    assert w.broken_away.any() and not w.broken_away.all(axis=1).any()
    fighters, active = w.faction_fighters(), ~w.broken_away
    rules.pay_units(w, 1.0)
    weight = fighters * active
    expected = (w.pay_ratio * weight).sum(axis=1) / weight.sum(axis=1)
    np.testing.assert_allclose(w.total_pay_ratio, expected, rtol=1e-12)
    assert not np.allclose(w.total_pay_ratio, w.pay_ratio.mean(axis=1))
    np.testing.assert_array_equal(w.pay_ratio[w.broken_away], w.spec.economy.breakaway_pay)


# --- 5. foreign-fighter purge -----------------------------------------------------------


def test_purge_moves_foreign_fighters_to_isisk():
    purge, baseline = outcomes("foreign_fighter_purge"), outcomes("baseline")
    greater(purge["defections_foreign"], baseline["defections_foreign"], "foreign defections")
    greater(purge["switched_groups"], baseline["switched_groups"], "groups switched to ISIS-K")
    greater(purge["ttp_losses"], baseline["ttp_losses"], "TTP fighters removed")


def test_isisk_pull_raises_group_switches():
    frozen = {"mechanisms__attacks__enabled": False, "policy__purge": dict.fromkeys(GROUPS, 0.5)}
    greater(
        outcomes("baseline", isisk__momentum=1.0, **frozen)["switched_groups"],
        outcomes("baseline", isisk__momentum=0.0, **frozen)["switched_groups"],
        "groups switched, momentum 1 vs 0",
    )


# A policy of intensity x for the mechanism; disloyal groups make switches frequent (about
# 0.12 a group-month at purge 0.5), so a switch chance scaled twice would show at once.
INTENSITY = {
    "purge": lambda x: {
        "policy__purge": dict.fromkeys(GROUPS, x),
        **{f"foreign_groups__{g}__loyalty": 0.0 for g in GROUPS},
    },
    "crackdown": lambda x: {"policy__crackdown": x},
}


@pytest.mark.parametrize("mechanism", INTENSITY)
def test_scale_multiplies_the_intensity_once(mechanism):
    """Scale 2 with intensity 0.25 is the same run, draw for draw, as scale 1 with 0.5."""
    policy, replicates = INTENSITY[mechanism], range(4)
    doubled = {f"mechanisms__{mechanism}__scale": 2.0}
    scaled = batch("baseline", replicates, **SHORT, **policy(0.25), **doubled)
    raised = batch("baseline", replicates, **SHORT, **policy(0.5))
    assert identical(scaled.values, raised.values)
    plain = batch("baseline", replicates, **SHORT, **policy(0.25))
    for r in replicates:
        assert not identical(scaled.values[r], plain.values[r]), r
    if mechanism == "purge":
        switched = raised.values[:, -1, raised.groups, COL["patron"]] == PATRONS.index("isisk")
        assert switched.any(axis=1).all()  # switches happen: the comparison has teeth


# --- 6. ISIS-K attacks ------------------------------------------------------------------


def test_more_attacks_raise_momentum_and_recruitment():
    more, baseline = outcomes("baseline", mechanisms__attacks__scale=2.0), outcomes("baseline")
    greater(more["attacks_total"], baseline["attacks_total"], "attacks")
    greater(more["momentum_mean"], baseline["momentum_mean"], "momentum")
    greater(more["isisk_recruits"], baseline["isisk_recruits"], "ISIS-K recruits")


def test_successful_attacks_raise_momentum_and_recruitment():
    good, baseline = outcomes("baseline", rules__attacks__success=0.9), outcomes("baseline")
    greater(good["momentum_mean"], baseline["momentum_mean"], "momentum, success 0.9 vs 0.6")
    greater(good["isisk_recruits"], baseline["isisk_recruits"], "recruits, success 0.9 vs 0.6")


def test_attack_tempo_grows_with_isisk_size():
    greater(
        outcomes("baseline", isisk__fighters=4400)["attacks_total"],
        outcomes("baseline")["attacks_total"],
        "attacks, 4400 vs 2200 fighters",
    )


def test_sectarian_attacks_erode_credibility():
    sectarian = {
        "rules__attacks__target_shares": {"sectarian": 0.9, "taliban": 0.05, "foreign": 0.05}
    }
    other = {"rules__attacks__target_shares": {"sectarian": 0.0, "taliban": 0.9, "foreign": 0.1}}
    less(
        outcomes("baseline", **sectarian)["credibility_final"],
        outcomes("baseline", **other)["credibility_final"],
        "credibility",
    )


def test_attacks_on_taliban_kill_fighters():
    greater(
        outcomes("baseline", rules__attacks__taliban_killed_per_attack=10.0)["taliban_losses"],
        outcomes("baseline")["taliban_losses"],
        "Taliban losses, 10 vs 1.5 killed per attack",
    )


def test_empty_cells_do_not_attack():
    """Even with a size exponent of 0 (tempo independent of size) a cell of 0 fighters is idle."""
    w = world("baseline", range(3), rules__attacks__size_exponent=0.0)
    cells = w.cells
    cells.fighters[:, ::2] = 0  # every other cell emptied in place (still a live entry)
    w.signals.start_month()
    rules.attack(w, 1.0)
    assert np.all(w.signals.attacks.sum(axis=1) > 0)
    # an attack would have raised the cell's capability by `learning`
    empty = (np.arange(cells.width) % 2 == 0) & cells.live
    np.testing.assert_array_equal(cells.capability[empty], scenario("baseline").isisk.capability)
    assert np.mean(cells.capability[~empty & cells.live] > 1.0) > 0.5  # Poisson(1) attacks
    cells.fighters[:] = 0
    w.signals.start_month()
    rules.attack(w, 1.0)
    np.testing.assert_array_equal(w.signals.attacks, 0.0)


# --- 7. recruitment and cell life -------------------------------------------------------


def test_isisk_grows_with_local_recruitment():
    more = outcomes("baseline", rules__recruitment__isisk_local_per_month=120)
    greater(more["isisk_recruits"], outcomes("baseline")["isisk_recruits"], "ISIS-K recruits")
    greater(more["isisk_final"], outcomes("baseline")["isisk_final"], "ISIS-K final strength")


def test_momentum_boosts_recruitment():
    greater(
        outcomes("baseline", rules__recruitment__momentum_boost=3.0)["isisk_recruits"],
        outcomes("baseline")["isisk_recruits"],
        "ISIS-K recruits, boost 3 vs 1",
    )


def test_cells_split_above_their_size():
    greater(
        outcomes("baseline", rules__recruitment__cell_split_size=60)["isisk_cells_final"],
        outcomes("baseline")["isisk_cells_final"],
        "cells, split at 60 vs 200",
    )


def test_a_splitting_cell_keeps_its_exposure_and_capability_in_both_halves():
    still = {
        "rules__recruitment__isisk_local_per_month": 0.0,
        "rules__recruitment__unit_birth_rate": 0.0,
        **{f"foreign_groups__{g}__arrivals_per_month": 0.0 for g in GROUPS},
    }
    w = world("baseline", range(3), **still)
    cells, n = w.cells, w.cells.n.copy()
    cells.fighters[:, 0] = 500  # above cell_split_size = 200
    cells.exposure[:, 0] = 0.7
    cells.capability[:, 0] = 1.6
    w.signals.start_month()
    rules.recruit(w, 1.0)
    np.testing.assert_array_equal(cells.n, n + 1)
    for r in range(3):
        last = n[r]  # the split-off half is appended after the live cells
        assert cells.fighters[r, 0] + cells.fighters[r, last] == 500
        assert cells.fighters[r, 0] == cells.fighters[r, last] == 250
        assert cells.exposure[r, 0] == cells.exposure[r, last] == 0.7
        assert cells.capability[r, 0] == cells.capability[r, last] == 1.6


def test_attrition_wears_isisk_down():
    less(
        outcomes("baseline", rules__recruitment__isisk_attrition=0.05)["isisk_final"],
        outcomes("baseline")["isisk_final"],
        "ISIS-K final strength, attrition 5% vs 1%",
    )


def test_negligible_attrition_costs_no_fighters():
    quiet = {"mechanisms__attacks__enabled": False, "mechanisms__defection__enabled": False}
    rec = batch("baseline", SEEDS, steps=3, rules__recruitment__taliban_attrition=1e-20, **quiet)
    np.testing.assert_array_equal(rec.values[:, 1:, rec.factions, COL["losses"]], 0)


def test_foreign_arrivals_feed_groups():
    greater(
        outcomes("baseline", foreign_groups__ttp__arrivals_per_month=200)["ttp_recruits"],
        outcomes("baseline")["ttp_recruits"],
        "TTP arrivals, 200 vs 20 a month",
    )


# --- 8. fragmentation -------------------------------------------------------------------


def test_higher_threshold_fragments_the_taliban():
    more_often(
        outcomes("baseline", rules__fragmentation__threshold=0.55)["fragmented"],
        outcomes("baseline")["fragmented"],
        "fragmented, threshold 0.55 vs 0.3",
    )


def test_low_cohesion_faction_breaks_away():
    more_often(
        outcomes("baseline", taliban__factions__northern__cohesion=0.35)["fragmented"],
        outcomes("baseline")["fragmented"],
        "fragmented, northern cohesion 0.35 vs 0.6",
    )


def test_joint_crackdown_strains_cohesion_more():
    less(
        outcomes("baseline", **JOINT_07)["cohesion_mean"],
        outcomes("baseline", **UNILATERAL_07)["cohesion_mean"],
        "cohesion, joint vs unilateral",
    )


def test_rivalry_strains_the_weaker_faction():
    less(
        outcomes("haqqani_ascendant")["doha_cohesion_mean"],
        outcomes("baseline")["doha_cohesion_mean"],
        "Doha cohesion, Haqqani ascendant vs baseline",
    )


# --- every mechanism: off, rescaled, and its parameters inert when off ------------------

# (scenario, outcome, direction of on vs off and of scale 2 vs 1: +1 more, -1 less)
SWITCH_EFFECTS = {
    "defection": ("baseline", "defections_taliban", +1, +1),
    "crackdown": ("crackdown", "isisk_losses", +1, +1),
    "pressure": ("baseline", "pressure_mean", +1, +1),
    "economy": ("baseline", "desertions_total", +1, -1),  # off: everyone fully paid
    "purge": ("foreign_fighter_purge", "defections_foreign", +1, +1),
    "attacks": ("baseline", "attacks_total", +1, +1),
    "recruitment": ("baseline", "isisk_recruits", +1, +1),
    "fragmentation": ("baseline", "cohesion_mean", -1, -1),
}

# Parameters read only by each mechanism, pushed far from the baseline.
OWN_PARAMETERS = {
    "defection": {
        "rules__defection__base": -1.0,
        "rules__defection__desertion_base": -1.0,
        "rules__defection__w_ties": 9.0,
        "rules__defection__w_abandonment": 9.0,
        "policy__punishment": 0.0,
    },
    "crackdown": {
        "policy__crackdown": 0.9,
        "policy__joint_with_us": True,
        "policy__accuracy": 0.0,
        "rules__crackdown__removal_rate": 1.0,
        "rules__crackdown__leak": 0.0,
        "rules__crackdown__joint_bonus": 3.0,
        "policy__security_faction": "doha",
    },
    "pressure": {
        "international__us__responsiveness": 0.5,
        "international__us__demand": 1.0,
        "international__china__sectarian_sensitivity": 0.2,
        "international__donors__unfreeze_after": 1,
        "international__russia__recognize_after": 1,
        "international__russia__min_credibility": 0.0,
        "international__pakistan__cares_about": {"concessions": 1.0},
    },
    "economy": {
        "economy__wage_usd": 5000,
        "economy__domestic_revenue_musd": 10,
        "economy__unfrozen": True,
        "economy__military_share": 0.01,
        "economy__grievance_rate": 1.0,
        "economy__breakaway_pay": 0.0,
        "international__donors__aid_musd": 500.0,
    },
    "purge": {
        "policy__purge": dict.fromkeys(GROUPS, 1.0),
        "rules__purge__removal_rate": 1.0,
        "rules__purge__switch_base": 5.0,
        "rules__purge__leak_rate": 1.0,
        "rules__purge__merge_rate": 1.0,
        "foreign_groups__ttp__loyalty": 0.0,
    },
    "attacks": {
        "rules__attacks__base_rate": 5.0,
        "rules__attacks__success": 1.0,
        "rules__attacks__target_shares": {"sectarian": 1.0, "taliban": 0.0, "foreign": 0.0},
        "rules__attacks__credibility_loss": 0.1,
        "rules__attacks__learning": 0.5,
        "rules__attacks__taliban_killed_per_attack": 10.0,
        "rules__attacks__severity_min": 5.0,
    },
    "recruitment": {
        "rules__recruitment__isisk_local_per_month": 500,
        "rules__recruitment__anger_recruits": 500,
        "rules__recruitment__cell_split_size": 20,
        "rules__recruitment__cell_floor": 50,
        "rules__recruitment__isisk_attrition": 0.2,
        "rules__recruitment__unit_birth_rate": 0.1,
        "rules__recruitment__taliban_attrition": 0.1,
        "foreign_groups__ttp__arrivals_per_month": 300,
    },
    "fragmentation": {
        "rules__fragmentation__threshold": 0.95,
        "rules__fragmentation__recovery": 0.0,
        "rules__fragmentation__crackdown_strain": 1.0,
        "rules__fragmentation__rivalry_strain": 1.0,
        "rules__fragmentation__pay_strain": 1.0,
        "taliban__rivalries": [["doha", "northern"]],
    },
}


@pytest.mark.parametrize("mechanism", SWITCH_EFFECTS)
def test_switching_a_mechanism_off_changes_outcomes(mechanism):
    name, outcome, direction, _ = SWITCH_EFFECTS[mechanism]
    on = outcomes(name)[outcome]
    off = outcomes(name, **{f"mechanisms__{mechanism}__enabled": False})[outcome]
    (greater if direction > 0 else less)(on, off, f"{outcome}, {mechanism} on vs off")


@pytest.mark.slow
@pytest.mark.parametrize("mechanism", SWITCH_EFFECTS)
def test_rescaling_a_mechanism_changes_outcomes(mechanism):
    name, outcome, _, direction = SWITCH_EFFECTS[mechanism]
    doubled = outcomes(name, **{f"mechanisms__{mechanism}__scale": 2.0})[outcome]
    (greater if direction > 0 else less)(
        doubled, outcomes(name)[outcome], f"{outcome}, {mechanism} scale 2 vs 1"
    )


@pytest.mark.parametrize("mechanism", SWITCH_EFFECTS)
def test_scale_zero_is_the_same_as_switched_off(mechanism):
    zero = batch("baseline", SEEDS, **SHORT, **{f"mechanisms__{mechanism}__scale": 0.0})
    off = batch("baseline", SEEDS, **SHORT, **{f"mechanisms__{mechanism}__enabled": False})
    assert identical(zero.values, off.values)


@pytest.mark.parametrize("mechanism", OWN_PARAMETERS)
def test_parameters_of_a_switched_off_mechanism_have_no_effect(mechanism):
    off = {f"mechanisms__{mechanism}__enabled": False}
    plain = batch("baseline", SEEDS, **SHORT, **off).values
    changed = batch("baseline", SEEDS, **SHORT, **off, **OWN_PARAMETERS[mechanism]).values
    differ = differing_columns(plain, changed)
    assert differ == [], f"{mechanism} off, yet its parameters changed {differ}"
    # the same parameters do matter when the mechanism is on, in every replicate
    on_plain = batch("baseline", SEEDS, **SHORT).values
    on_changed = batch("baseline", SEEDS, **SHORT, **OWN_PARAMETERS[mechanism]).values
    for r in range(len(SEEDS)):
        assert not identical(on_plain[r], on_changed[r]), r


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
