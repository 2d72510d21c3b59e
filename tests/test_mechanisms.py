"""Mechanism tests: the direction of each effect of docs/design.md §3, over replicates.

`CLAIMS` is the one table of directional claims, each mechanism switched on vs off
among them. Each row runs replicates 0..n-1 of two arms (a scenario with overrides,
`conftest.outcomes`) and applies the row's one-sided test at ALPHA: Mann-Whitney U
(`greater`, `less`) on amounts, Fisher exact (`more_often`) on events. Exact checks
step small Worlds (or call one rule on them) for what holds draw for draw: the adaptive
crackdown, frozen funds, conduct that only some states watch, purges of groups no longer
allied, the fighter-weighted pay ratio, a core that never leaves, scales acting once,
idle empty cells, splitting cells, scale 0 as off, and a switched-off mechanism's own
parameters changing nothing at all.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
from sim.inputs.schema import BREAKAWAYS, MECHANISMS

FACTIONS = ("haqqani", "kandahari", "doha", "northern")
GROUPS = ("ttp", "al_qaeda", "etim_tip", "imu", "katibat_imam_al_bukhari", "jamaat_ansarullah")
STATES = ("us", "china", "russia", "pakistan", "donors")
N = 2 * REPLICATES  # replicates per arm of a claim (40 by default)
LONG = {"steps": 36}  # for the rarer events: recognition, breakaways
SHORT = {"steps": 12}
SEEDS = (0, 1)  # replicates of the exact (non-statistical) comparisons


def ties(mean: float, sd: float) -> dict:
    """Overrides giving every faction the same ties to ISIS-K."""
    return {f"taliban__factions__{f}__ties_to_isisk": {"mean": mean, "sd": sd} for f in FACTIONS}


def every_state(**values: Any) -> dict:
    """Overrides setting the same values on every international actor."""
    return {f"international__{s}__{k}": v for s in STATES for k, v in values.items()}


ATTACKS_OFF = {"mechanisms__attacks__enabled": False}  # also freezes momentum
ECONOMY_OFF = {"mechanisms__economy__enabled": False}  # every unit paid in full
NO_SECTARIAN_SENSITIVITY = every_state(sectarian_sensitivity=0.0)
SECTARIAN = {"rules__attacks__target_shares": dict(sectarian=0.9, taliban=0.05, foreign=0.05)}
NOT_SECTARIAN = {"rules__attacks__target_shares": dict(sectarian=0.0, taliban=0.9, foreign=0.1)}
FULL_COMPLIANCE = {
    "policy__crackdown": 0.9,
    "policy__joint_with_us": True,
    "policy__concessions": 0.9,
    "policy__purge": dict.fromkeys(GROUPS, 0.9),
}
UNILATERAL = {"policy__crackdown": 0.7}
JOINT = {"policy__crackdown": 0.7, "policy__joint_with_us": True}
STRONG_JOINT = {"policy__crackdown": 1.0, "policy__joint_with_us": True, **LONG}  # strongest
NO_CRACKDOWN_LONG = {"policy__crackdown": 0.0, **LONG}
# every state satisfied from month 1, so recognition is up to `recognition_rate`
SATISFIED = every_state(satisfied_below=1.0, recognize_after=1, min_credibility=0.0)
RECOGNITION_LIKELY = {**SATISFIED, **every_state(recognition_rate=1.0)}
RECOGNITION_IMPOSSIBLE = {**SATISFIED, **every_state(recognition_rate=0.0)}
PURGE_HALF = {"policy__purge": dict.fromkeys(GROUPS, 0.5)}
DECIDING = {"rules__fragmentation__decision_rate": 0.2, **LONG}  # leaders weigh leaving often


@dataclass(frozen=True)
class Claim:
    """A claim: `arm` moves `outcome` against `reference` as `test` says (one-sided, ALPHA).

    Both arms run `scenario` with their overrides, unless `versus` names the reference
    arm's own scenario file; `versus_outcome` compares another outcome of the reference.
    """

    claim: str
    outcome: str
    test: Callable[..., float]
    arm: dict[str, Any]
    reference: dict[str, Any] = field(default_factory=dict)
    scenario: str = "baseline"
    versus: str | None = None
    versus_outcome: str | None = None
    n: int = N


def claim(
    text: str,
    outcome: str,
    test: Callable[..., float],
    arm: dict,
    reference: dict | None = None,
    *,
    slow: bool = False,
    **kwargs: Any,
):
    """A row of `CLAIMS`, its id the claim's text; `slow` marks it for the slow tier."""
    marks = [pytest.mark.slow] if slow else []
    row = Claim(text, outcome, test, arm, reference or {}, **kwargs)
    return pytest.param(row, id=text.replace(" ", "_"), marks=marks)


# (scenario, outcome, direction of on vs off and of scale 2 vs 1: +1 more, -1 less)
SWITCH_EFFECTS = {
    "defection": ("baseline", "defections_taliban", +1, +1),
    "crackdown": ("crackdown", "isisk_losses", +1, +1),
    "pressure": ("baseline", "pressure_mean", +1, +1),
    "economy": ("baseline", "revenue_mean", +1, +1),  # off: everyone paid in full, no revenue
    "purge": ("foreign_fighter_purge", "defections_foreign", +1, +1),
    "attacks": ("baseline", "attacks_total", +1, +1),
    "recruitment": ("baseline", "isisk_recruits", +1, +1),
    "fragmentation": ("baseline", "cohesion_mean", -1, -1),
}


def switch_claims() -> list:
    """Rows of `CLAIMS` for every mechanism: on vs off, and (slow) scale 2 vs 1."""
    rows = []
    for mechanism, (name, outcome, on_vs_off, doubled) in SWITCH_EFFECTS.items():
        switch = f"mechanisms__{mechanism}"
        rows += [
            claim(f"{mechanism} on vs off", outcome, greater if on_vs_off > 0 else less,
                  {}, {f"{switch}__enabled": False}, scenario=name),
            claim(f"{mechanism} at scale 2 vs 1", outcome, greater if doubled > 0 else less,
                  {f"{switch}__scale": 2.0}, scenario=name, slow=True),
        ]  # fmt: skip
    return rows


CLAIMS = [
    # --- 1. defection ---
    claim("crackdown raises Taliban defections", "defections_taliban", greater,
          {}, scenario="crackdown", versus="no_crackdown", n=2 * N),  # lumpy: whole units
    claim("crackdown makes ideological Haqqani units defect", "haqqani_defected_out", greater,
          {"policy__crackdown": 1.0, **ECONOMY_OFF}, {"policy__crackdown": 0.0, **ECONOMY_OFF}),
    claim("ties to ISIS-K raise defections", "defections_taliban", greater,
          ties(0.6, 0.1), ties(0.05, 0.03)),
    claim("punishment lowers defections", "defections_taliban", less,
          {"policy__punishment": 1.0}, {"policy__punishment": 0.0}),
    claim("ISIS-K momentum raises defections", "defections_taliban", greater,
          {"isisk__momentum": 1.0, **ATTACKS_OFF}, {"isisk__momentum": 0.0, **ATTACKS_OFF}),
    claim("concessions raise abandonment-driven defections", "defections_taliban", greater,
          {"policy__concessions": 0.9}, {"policy__concessions": 0.0}),
    # --- 2. crackdown ---
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
    claim("leaks blunt the crackdown", "crackdown_removed_total", less,
          {"rules__crackdown__leak": 1.0}, {"rules__crackdown__leak": 0.0}, scenario="crackdown"),
    claim("a security faction tied to ISIS-K blunts the crackdown", "crackdown_removed_total",
          less, {"taliban__factions__haqqani__ties_to_isisk": {"mean": 0.8, "sd": 0.1}},
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
    claim("intelligence-led arrests cut capability", "capability_mean", less,
          {"rules__crackdown__leader_hit": 0.8}, {"rules__crackdown__leader_hit": 0.0},
          scenario="crackdown"),
    claim("crackdown strains cohesion", "cohesion_mean", less,
          {}, scenario="crackdown", versus="no_crackdown"),
    # --- 3. international pressure ---
    claim("sectarian attacks raise pressure", "pressure_mean", greater, SECTARIAN, NOT_SECTARIAN),
    claim("sectarian sensitivity raises pressure", "pressure_mean", greater,
          {}, NO_SECTARIAN_SENSITIVITY),
    claim("compliance lowers pressure", "pressure_final", less,
          FULL_COMPLIANCE | NO_SECTARIAN_SENSITIVITY, NO_SECTARIAN_SENSITIVITY),
    # reserves are not revenue: within 24 months compliance lifts revenue only through
    # sanctions' damage (+0.6%, p = 0.04 at 40 replicates); sustained, through unfreezing
    claim("sustained compliance raises revenue", "revenue_mean", greater,
          FULL_COMPLIANCE | ATTACKS_OFF | LONG, ATTACKS_OFF | LONG),
    claim("sustained compliance brings recognition", "recognitions_final", greater,
          FULL_COMPLIANCE | ATTACKS_OFF | LONG, ATTACKS_OFF | LONG),
    claim("punishment raises US pressure", "us_pressure_mean", greater,
          {"policy__punishment": 1.0}, {"policy__punishment": 0.0}),
    claim("punishment raises donors' pressure", "donors_pressure_mean", greater,
          {"policy__punishment": 1.0}, {"policy__punishment": 0.0}),
    claim("inaccuracy raises US pressure", "us_pressure_mean", greater,
          {"policy__accuracy": 0.0}, {"policy__accuracy": 1.0}, scenario="crackdown"),
    claim("inaccuracy raises donors' pressure", "donors_pressure_mean", greater,
          {"policy__accuracy": 0.0}, {"policy__accuracy": 1.0}, scenario="crackdown"),
    claim("concessions lower donors' pressure", "donors_pressure_mean", less,
          {"policy__concessions": 0.9}, {"policy__concessions": 0.0}),
    claim("recognition raises revenue", "revenue_mean", greater,
          RECOGNITION_LIKELY, RECOGNITION_IMPOSSIBLE),
    claim("recognition raises ISIS-K recruitment", "isisk_recruits", greater,
          RECOGNITION_LIKELY, RECOGNITION_IMPOSSIBLE),
    # --- 4. economy and pay ---
    claim("released reserves lower hardship", "hardship_final", less,
          {}, scenario="unfreeze_funds", versus="baseline"),
    claim("released reserves raise revenue", "revenue_mean", greater,
          {}, scenario="unfreeze_funds", versus="baseline"),
    claim("released reserves lower ISIS-K recruitment", "isisk_recruits", less,
          {}, scenario="unfreeze_funds", versus="baseline"),
    claim("aid relieves hardship", "hardship_final", less,
          {"international__donors__aid_musd": 400.0}, {"international__donors__aid_musd": 0.0}),
    claim("pay shortfalls lower the pay ratio", "pay_ratio_mean", less,
          {"economy__wage_usd": 900}, {"economy__wage_usd": 300}),
    claim("pay shortfalls raise arrears", "arrears_final", greater,
          {"economy__wage_usd": 900}, {"economy__wage_usd": 300}),
    claim("pay shortfalls raise desertions", "desertions_total", greater,
          {"economy__wage_usd": 900}, {"economy__wage_usd": 300}),
    claim("sanctions cut revenue", "revenue_mean", less,
          {"economy__sanction_damage": 0.9}, {"economy__sanction_damage": 0.0}),
    # --- 5. foreign-fighter purge ---
    claim("purge sends foreign fighters to ISIS-K", "defections_foreign", greater,
          {}, scenario="foreign_fighter_purge", versus="baseline"),
    claim("purge removes TTP fighters", "ttp_losses", greater,
          {}, scenario="foreign_fighter_purge", versus="baseline"),
    claim("ISIS-K pull raises foreign splinters", "defections_foreign", greater,
          {"isisk__momentum": 1.0, **ATTACKS_OFF, **PURGE_HALF},
          {"isisk__momentum": 0.0, **ATTACKS_OFF, **PURGE_HALF}),
    # --- 6. ISIS-K attacks ---
    claim("crackdown lowers attacks in Afghanistan", "attacks_total", less,
          {}, scenario="crackdown", versus="no_crackdown"),
    claim("suppression holds attacks back", "attacks_total", less,
          {}, {"rules__attacks__lie_low": 0.0}, scenario="crackdown"),
    claim("crackdown raises attacks abroad", "attacks_abroad_total", greater,
          {}, scenario="crackdown", versus="no_crackdown"),
    claim("suppressed tempo shifts abroad", "attacks_abroad_total", greater,
          {"rules__attacks__abroad_shift": 0.5}, {"rules__attacks__abroad_shift": 0.0},
          scenario="crackdown"),
    claim("more attacks raise momentum", "momentum_mean", greater,
          {"mechanisms__attacks__scale": 2.0}),
    claim("more attacks raise recruitment", "isisk_recruits", greater,
          {"mechanisms__attacks__scale": 2.0}),
    claim("successful attacks raise momentum", "momentum_mean", greater,
          {"rules__attacks__success": 0.9}, {"rules__attacks__success": 0.3}),
    claim("tempo grows with ISIS-K size", "attacks_total", greater, {"isisk__fighters": 4400}),
    claim("sectarian attacks erode credibility", "credibility_final", less,
          SECTARIAN, NOT_SECTARIAN),
    claim("attacks on Taliban kill fighters", "taliban_losses", greater,
          {"rules__attacks__taliban_killed_per_attack": 10.0}),
    # --- 7. recruitment and cell life ---
    claim("local recruitment grows ISIS-K", "isisk_final", greater,
          {"rules__recruitment__isisk_local_per_month": 120}),
    claim("momentum boosts recruitment", "isisk_recruits", greater,
          {"rules__recruitment__momentum_boost": 3.0}, {"rules__recruitment__momentum_boost": 0.0}),
    claim("hardship boosts recruitment", "isisk_recruits", greater,
          {"rules__recruitment__hardship_boost": 3.0}, {"rules__recruitment__hardship_boost": 0.0}),
    claim("released prisoners grow ISIS-K early", "isisk_final", greater,
          {"isisk__released_prisoners": 1500, "steps": 6},
          {"isisk__released_prisoners": 0, "steps": 6}),
    claim("cells split above their size", "isisk_cells_final", greater,
          {"rules__recruitment__cell_split_size": 60}),
    claim("attrition wears ISIS-K down", "isisk_final", less,
          {"rules__recruitment__isisk_attrition": 0.05},
          {"rules__recruitment__isisk_attrition": 0.0}),
    claim("foreign arrivals feed groups", "ttp_recruits", greater,
          {"foreign_groups__ttp__arrivals_per_month": 200}),
    # --- 8. fragmentation ---
    claim("a higher decision rate fragments the Taliban", "fragmented", more_often,
          {"rules__fragmentation__decision_rate": 0.3, **LONG},
          {"rules__fragmentation__decision_rate": 0.01, **LONG}),
    claim("a low-cohesion faction breaks away", "northern_broken", more_often,
          {"taliban__factions__northern__cohesion": 0.0, **DECIDING},
          {"taliban__factions__northern__cohesion": 1.0, **DECIDING}),
    claim("joint crackdown strains cohesion more than unilateral", "cohesion_mean", less,
          JOINT, UNILATERAL),
    claim("rivalry over posts strains the weaker faction", "doha_cohesion_mean", less,
          {"taliban__factions__haqqani__posts": 0.6, "taliban__factions__doha__posts": 0.02},
          {"taliban__factions__haqqani__posts": 0.2, "taliban__factions__doha__posts": 0.2}),
    # the same replicates, two factions: Fisher's test treats them as independent samples
    claim("under a strong crackdown the Haqqanis break away more often than Doha",
          "haqqani_broken", more_often, STRONG_JOINT, STRONG_JOINT, versus_outcome="doha_broken"),
    claim("a strong crackdown makes the Haqqanis break away", "haqqani_broken", more_often,
          STRONG_JOINT, NO_CRACKDOWN_LONG),
    # --- every mechanism ---
    *switch_claims(),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row: Claim):
    arm = outcomes(row.scenario, row.n, **row.arm)[row.outcome]
    reference = outcomes(row.versus or row.scenario, row.n, **row.reference)
    row.test(arm, reference[row.versus_outcome or row.outcome], row.claim)


# --- exact checks ---------------------------------------------------------------------

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


# pressure driven by policy alone: no attacks, no shocks, no conduct watched
QUIET_PRESSURE = {
    "steps": 12,
    **ATTACKS_OFF,
    "rules__pressure__noise": 0.0,
    **every_state(conduct_sensitivity=0.0),
}


def test_frozen_funds_wait_for_every_holder():
    """US and donors both hold reserves: satisfying the US alone releases nothing."""
    quiet = {
        **QUIET_PRESSURE,
        "policy__crackdown": 0.9,
        **every_state(pressure=0.0, baseline_pressure=0.0),
        "international__us__cares_about": {"isisk": 1.0},
        "international__us__unfreeze_after": 2,
        "international__donors__cares_about": {"concessions": 1.0},
        "international__donors__satisfied_below": 0.0,  # only full compliance satisfies
        "international__donors__unfreeze_after": 3,
    }
    frozen = scenario("baseline").economy.frozen_funds_musd
    us_only = world("baseline", range(3), **quiet)  # concessions 0.1 < donors' demand 0.5
    both = world("baseline", range(3), **quiet, policy__concessions=0.6)
    us, donors = (us_only.state_names.index(s) for s in ("us", "donors"))
    for month in range(1, 13):
        us_only.step()
        both.step()
        assert np.all(us_only.months_satisfied[:, us] == month)
        assert np.all(us_only.months_satisfied[:, donors] == 0)
        assert not us_only.unfrozen.any(), month
        np.testing.assert_array_equal(us_only.frozen_musd, frozen)
        # both satisfied: unfrozen once the slower holder's 3 months are up
        assert np.all(both.unfrozen == (month >= 3)), month
        released = frozen * (1 - (1 - both.spec.economy.unfreeze_rate) ** max(0, month - 3))
        np.testing.assert_allclose(frozen - both.frozen_musd, released)


@pytest.mark.parametrize("policy", [{"policy__punishment": 1.0}, {"policy__accuracy": 0.0}])
def test_conduct_moves_only_the_states_that_watch_it(policy):
    """One pressure update on the same state: punishment or inaccuracy press the US and
    donors (conduct_sensitivity > 0), never China (0)."""
    rest = {"policy__punishment": 0.0, "policy__accuracy": 1.0, "policy__crackdown": 0.7}
    worlds = [world("baseline", range(3), **rest), world("baseline", range(3), **rest | policy)]
    for w in worlds:
        w.month = 1
        w.signals.start_month()
        rules.crack_down(w, 1.0)  # sets this month's anger
        rules.update_pressure(w, 1.0)
    calm, harsh = (w.pressure for w in worlds)
    names = worlds[0].state_names
    for state in ("us", "donors"):
        assert np.all(harsh[:, names.index(state)] > calm[:, names.index(state)]), state
    np.testing.assert_array_equal(harsh[:, names.index("china")], calm[:, names.index("china")])


def test_purge_of_a_group_no_longer_allied_has_no_effect_and_earns_no_credit():
    """A purge order against an independent TTP neither removes fighters nor pleases Pakistan."""
    quiet = {
        **QUIET_PRESSURE,
        "mechanisms__recruitment__enabled": False,  # no arrivals or attrition
        "policy__purge": {"ttp": 0.9},
    }
    independent = world("baseline", range(3), **quiet, foreign_groups__ttp__patron="independent")
    ttp = independent.group_names.index("ttp")
    np.testing.assert_array_equal(independent.purge_effect()[:, ttp], 0.0)
    rec = independent.run()
    row, pakistan_row = rec.actors.index("ttp"), rec.actors.index("pakistan")
    np.testing.assert_array_equal(rec.values[:, :, row, COL["fighters"]], 4500)
    np.testing.assert_array_equal(rec.values[:, 1:, row, COL["losses"]], 0)
    # Pakistan cares only about the TTP: it sees no action and presses on toward its demand
    pakistan = scenario("baseline").international["pakistan"]
    expected = [pakistan.pressure]
    for _ in range(12):
        p = expected[-1]
        drift = pakistan.pressure_decay * (pakistan.baseline_pressure - p)
        expected.append(min(1.0, max(0.0, p + drift + pakistan.responsiveness * pakistan.demand)))
    np.testing.assert_allclose(
        rec.values[:, :, pakistan_row, COL["pressure"]], np.broadcast_to(expected, (3, 13))
    )
    # the same order against an allied TTP removes fighters and eases Pakistan's pressure
    allied = batch("baseline", range(3), **quiet)
    assert np.all(allied.values[:, -1, row, COL["fighters"]] < 4500)
    assert np.all(allied.values[:, -1, pakistan_row, COL["pressure"]] < expected[-1])


BREAK_EVERYONE = {
    "rules__fragmentation__decision_rate": 1.0,
    "rules__fragmentation__stay_base": -100.0,
    "rules__fragmentation__to_isisk_base": 100.0,
    "rules__fragmentation__independent_base": 100.0,
    "rules__fragmentation__rival_base": 100.0,
}


def test_taliban_pay_ratio_is_the_fighter_weighted_mean_of_active_factions():
    w = world("baseline", range(3), **BREAK_EVERYONE, economy__wage_usd=900)
    for _ in range(3):
        w.step()
    assert w.broken_away.any() and not w.broken_away.all(axis=1).any()
    fighters, active = w.faction_fighters(), ~w.broken_away
    rules.pay_units(w, 1.0)
    weight = fighters * active
    expected = (w.pay_ratio * weight).sum(axis=1) / weight.sum(axis=1)
    np.testing.assert_allclose(w.total_pay_ratio, expected, rtol=1e-12)
    assert not np.allclose(w.total_pay_ratio, w.pay_ratio.mean(axis=1))
    np.testing.assert_array_equal(w.pay_ratio[w.broken_away], w.spec.economy.breakaway_pay)


@pytest.mark.parametrize(
    "extreme",
    [
        BREAK_EVERYONE,
        {**BREAK_EVERYONE, "rules__fragmentation__sensitivity": 100.0, "policy__crackdown": 1.0},
        {**BREAK_EVERYONE, "taliban__core": "doha", "mechanisms__fragmentation__scale": 10.0},
    ],
    ids=["every_way_out_open", "saturated_choice", "another_core_rescaled"],
)
def test_the_leadership_core_never_breaks_away(extreme):
    """With every way out wide open the other factions all leave at once; the core never."""
    rec = batch("baseline", range(100), steps=12, **extreme)
    core = rec.actors.index(extreme.get("taliban__core", scenario("baseline").taliban.core))
    broken = rec.values[:, 1:, rec.factions, COL["broken_away"]] > 0
    core_column = core - rec.factions.start
    assert not broken[..., core_column].any()
    others = np.delete(broken, core_column, axis=2)
    assert others[:, 0].all()  # every other faction left in month 1, in every replicate
    went = rec.values[:, -1, rec.factions, COL["breakaway_to"]]
    assert np.isnan(went[:, core_column]).all()
    assert set(np.unique(np.delete(went, core_column, axis=1))) <= set(range(len(BREAKAWAYS)))


# A policy of intensity x for the mechanism; disloyal groups splinter often (about 0.12
# a group-month at purge 0.5), so a splinter chance scaled twice would show at once.
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
    if mechanism == "purge":  # fighters go over: the comparison has teeth
        assert (raised.values[:, 1:, raised.groups, COL["defected_out"]] > 0).any(axis=(1, 2)).all()


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


def test_a_splitting_cell_keeps_its_exposure_and_capability_in_both_halves():
    still = {
        "rules__recruitment__isisk_local_per_month": 0.0,
        "rules__recruitment__unit_birth_rate": 0.0,
        "isisk__released_prisoners": 0,
        **{f"foreign_groups__{g}__arrivals_per_month": 0.0 for g in GROUPS},
    }
    w = world("baseline", range(3), **still)
    cells, n = w.cells, w.cells.n.copy()
    cells.fighters[:, 0] = 500  # above cell_split_size
    cells.exposure[:, 0] = 0.7
    cells.capability[:, 0] = 1.6
    w.signals.start_month()
    rules.recruit(w, 1.0)
    np.testing.assert_array_equal(cells.n, n + 1)
    for r in range(3):
        last = n[r]  # the split-off half is appended after the live cells
        assert cells.fighters[r, 0] == cells.fighters[r, last] == 250
        assert cells.exposure[r, 0] == cells.exposure[r, last] == 0.7
        assert cells.capability[r, 0] == cells.capability[r, last] == 1.6


def test_negligible_attrition_costs_no_fighters():
    quiet = {"mechanisms__attacks__enabled": False, "mechanisms__defection__enabled": False}
    rec = batch("baseline", SEEDS, steps=3, rules__recruitment__taliban_attrition=1e-20, **quiet)
    np.testing.assert_array_equal(rec.values[:, 1:, rec.factions, COL["losses"]], 0)


# --- every mechanism: scale 0 is off, and its parameters are inert when off -------------

# Parameters read only by each mechanism, pushed far from the baseline.
OWN_PARAMETERS = {
    "defection": {
        "rules__defection__base": -1.0,
        "rules__defection__desertion_base": -1.0,
        "rules__defection__w_ties": 9.0,
        "rules__defection__w_abandonment": 9.0,
        "rules__defection__punishment_grievance": 0.5,
        "rules__defection__found_cell": 1.0,
    },
    "crackdown": {
        "policy__crackdown": 0.9,
        "policy__joint_with_us": True,
        "policy__accuracy": 0.0,
        "rules__crackdown__removal_rate": 1.0,
        "rules__crackdown__leak": 0.0,
        "rules__crackdown__joint_bonus": 3.0,
        "rules__crackdown__leader_hit": 1.0,
        "policy__security_faction": "doha",
    },
    "pressure": {
        "international__us__responsiveness": 0.5,
        "international__us__demand": 1.0,
        "international__china__sectarian_sensitivity": 0.2,
        "international__us__conduct_sensitivity": 0.5,
        "international__donors__unfreeze_after": 1,
        "international__russia__recognize_after": 1,
        "international__russia__min_credibility": 0.0,
        "international__pakistan__cares_about": {"concessions": 1.0},
        "rules__pressure__noise": 0.3,
    },
    "economy": {
        "economy__wage_usd": 5000,
        "economy__domestic_revenue_musd": 10,
        "economy__military_share": 0.01,
        "economy__grievance_relief": 1.0,
        "economy__breakaway_pay": 0.0,
        "economy__aid_relief": 5.0,
        "economy__hardship_floor": 1.0,
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
        "rules__attacks__lie_low": 50.0,
        "rules__attacks__abroad_shift": 1.0,
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
        "isisk__released_prisoners": 10_000,
        "foreign_groups__ttp__arrivals_per_month": 300,
    },
    "fragmentation": {
        "rules__fragmentation__decision_rate": 1.0,
        "rules__fragmentation__to_isisk_base": 10.0,
        "rules__fragmentation__recovery": 0.0,
        "rules__fragmentation__crackdown_strain": 1.0,
        "rules__fragmentation__rivalry_strain": 1.0,
        "rules__fragmentation__pay_strain": 1.0,
        "taliban__rivalries": [["doha", "northern"]],
    },
}


@pytest.mark.parametrize("mechanism", MECHANISMS)
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
