"""The compiled kernel's inputs: a scenario's rates and tables, and their named columns.

Units and cells are rows of a float table each (column 0 their fighters); factions,
states, foreign groups and the country are small arrays whose columns are named here.
`inputs(scenario)` gives what `compiled_kernel.run_batch` takes after its sizes.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from sim.engine.state import beta_shape
from sim.inputs.schema import TARGETS, Scenario

FIGHTERS, FACTION, IDEOLOGY, TIES, GRIEVANCE = range(5)  # columns of the units table
CAPABILITY, EXPOSURE, SKILL = range(1, 4)  # columns of the cells table (0: FIGHTERS)
# the country's state, one slot each
HARDSHIP, FROZEN, UNFROZEN, MOMENTUM, CREDIBILITY, ANGER, FORCE, LOSSES = range(8)
HOME, ABROAD, CONSOLIDATE, SECTARIAN, ON_FOREIGNERS, CASUALTIES, EX_ANSF, MONTH = range(8, 16)
COUNTRY = 16
# per faction: its revenue share, cohesion and Beta shapes of its units' ideology and ties
# (given), then its state and the month's flows
SHARE, COHESION0, IDEOLOGY_A, IDEOLOGY_B, TIES_A, TIES_B = range(6)
PAY, COHESION, BROKEN, DEFECTED, DESERTED = range(6, 11)
ARRIVALS = 1  # per foreign group: fighters (column 0) and arrivals a month
# per state: its given traits, then pressure, step and months satisfied
(
    BASELINE,
    DECAY,
    RESPONSIVENESS,
    DEMAND,
    SECTARIAN_SENSITIVITY,
    ATTACK_SENSITIVITY,
    CONDUCT_SENSITIVITY,
    AID,
    CONDITIONALITY,
    STEP_RATE,
    ENGAGE_BELOW,
    RECOGNIZE_BELOW,
    STEP_AFTER,
    PRESSURE,
    STEP,
    SATISFIED,
) = range(16)
SUCCESS_SECTARIAN, SUCCESS_TALIBAN = TARGETS.index("sectarian"), TARGETS.index("taliban")
SUCCESS_FOREIGN = TARGETS.index("foreign")

Rates = namedtuple(
    "Rates",
    "unit_size wage revenue military_share hardship_floor frozen_hardship frozen_total aid_relief "
    "hardship_adjust hardship_noise revenue_noise revenue_loss sanction_damage grievance_rate "
    "grievance_relief breakaway_pay crackdown accuracy punishment concessions removal_rate "
    "accuracy_floor leader_hit skill_loss intelligence_gain leads leak def_base w_abandonment "
    "w_grievance w_ties w_isisk_pay w_momentum w_pay w_cohesion w_fear punishment_grievance "
    "found_cell desertion_base w_desertion_grievance isisk_pay isisk_budget abroad_bias "
    "consolidate_bias pressure_weight losses_weight choice_noise funds reference_funding "
    "funds_elasticity base_rate reference_size size_exponent reference_cadre lie_low "
    "founding_capability learning recovery rebuild min_capability max_capability severity_min "
    "severity_exponent killed_per_attack exposure_per_attack exposure_decay momentum_decay "
    "momentum_saturation credibility_loss credibility_recovery local_per_month anger_recruits "
    "deserter_share ex_ansf_rate ex_ansf_decay central_asian prisoners release_months "
    "cell_split cell_floor birth_rate unit_split isisk_attrition taliban_attrition "
    "foreign_attrition pressure_noise unfreeze_rate release_rate fragment_recovery "
    "crackdown_strain defection_strain desertion_strain pay_strain hazard w_stay_cohesion "
    "w_isisk_ideology w_isisk_ties w_rival_grievance crackdown_cost accuracy_cost aid_fungible "
    "security_faction accuracy_tempo exposure abandonment_crackdown abandonment_concessions "
    "momentum_boost hardship_boost ex_ansf_hardship ex_ansf_reprisal punishment_conduct "
    "w_isisk_pull isisk_share independent_share rival_share cell_size",
)
"""The scenario's rates the kernel reads, as one tuple of floats (numba passes it whole)."""


def rates(s: Scenario) -> Rates:
    """The kernel's rates from a scenario."""
    e, p, i = s.economy, s.policy, s.isisk
    d, a, r = s.rules.defection, s.rules.attacks, s.rules.recruitment
    c, g, f = s.rules.crackdown, s.rules.strategy, s.rules.fragmentation
    values = (
        (s.taliban.unit_size, e.wage_usd, e.domestic_revenue_musd, e.military_share),
        (e.hardship_floor, e.frozen_hardship, e.frozen_funds_musd, e.aid_relief),
        (e.hardship_adjust, e.hardship_noise, e.revenue_noise, e.hardship_revenue_loss),
        (e.sanction_damage, e.grievance_rate, e.grievance_relief, e.breakaway_pay),
        (p.crackdown, p.accuracy, p.punishment, p.concessions),
        (c.removal_rate, c.accuracy_floor, c.leader_hit, c.skill_loss, c.intelligence_gain),
        (c.leads_per_removal, c.leak, d.base, d.w_abandonment, d.w_grievance, d.w_ties),
        (d.w_isisk_pay, d.w_momentum, d.w_pay, d.w_cohesion, d.w_fear, d.punishment_grievance),
        (
            d.found_cell,
            d.desertion_base,
            d.w_desertion_grievance,
            i.pay_usd,
            i.own_funds_musd + i.network_funds_musd,
        ),
        (g.abroad_bias, g.consolidate_bias, g.pressure_weight, g.losses_weight, g.choice_noise),
        (i.own_funds_musd + i.network_funds_musd, g.reference_funding_usd, g.funds_elasticity),
        (a.base_rate, a.reference_size, a.size_exponent, a.reference_cadre, a.lie_low),
        (a.founding_capability, a.learning, a.capability_recovery, g.rebuild),
        (a.min_capability, a.max_capability, a.severity_min, a.severity_exponent),
        (a.taliban_killed_per_attack, a.exposure_per_attack, a.exposure_decay),
        (a.momentum_decay, a.momentum_saturation, a.credibility_loss, a.credibility_recovery),
        (r.isisk_local_per_month, r.anger_recruits, r.deserter_share, r.ex_ansf_rate),
        (r.ex_ansf_decay, r.central_asian_per_month, i.released_prisoners, i.release_months),
        (r.cell_split_size, r.cell_floor, r.unit_birth_rate, r.unit_split_factor),
        (r.isisk_attrition, r.taliban_attrition, r.foreign_attrition, s.rules.pressure.noise),
        (e.unfreeze_rate, s.rules.pressure.release_rate, f.recovery, f.crackdown_strain),
        (f.defection_strain, f.desertion_strain, f.pay_strain, f.base_hazard),
        (f.w_stay_cohesion, f.w_isisk_ideology, f.w_isisk_ties, f.w_rival_grievance),
        (e.crackdown_cost_musd, e.accuracy_cost_musd, e.aid_fungible),
        (list(s.taliban.factions).index(p.security_faction), c.accuracy_tempo, i.exposure),
        (d.abandonment_crackdown, d.abandonment_concessions, r.momentum_boost, r.hardship_boost),
        (r.ex_ansf_hardship, r.ex_ansf_reprisal, s.rules.pressure.punishment_conduct),
        (f.w_isisk_pull, f.isisk_share, f.independent_share, f.rival_share),
        (i.fighters / max(i.cells, 1),),
    )
    return Rates(*(float(v) for group in values for v in group))


def factions_table(s: Scenario) -> np.ndarray:
    """One row per faction: its given traits, then its starting state and empty flows."""
    table = np.zeros((len(s.taliban.factions), DESERTED + 1))
    for k, f in enumerate(s.taliban.factions.values()):
        table[k, [SHARE, COHESION0, PAY, COHESION]] = f.revenue_share, f.cohesion, 1.0, f.cohesion
        table[k, [IDEOLOGY_A, IDEOLOGY_B]] = beta_shape(f.ideology.mean, f.ideology.sd)
        table[k, [TIES_A, TIES_B]] = beta_shape(f.ties_to_isisk.mean, f.ties_to_isisk.sd)
    return table


def states_table(s: Scenario) -> np.ndarray:
    """One row per state: its traits, then its starting pressure, step and months satisfied."""
    rows = [
        (
            a.baseline_pressure,
            a.pressure_decay,
            a.responsiveness,
            a.demand,
            a.sectarian_sensitivity,
            a.attack_sensitivity,
            a.conduct_sensitivity,
            a.aid_musd,
            a.aid_conditionality,
            a.step_rate,
            a.engage_below,
            a.recognize_below,
            a.step_after,
            a.pressure,
            a.engagement,
            0.0,
        )
        for a in s.international.values()
    ]
    return np.array(rows, dtype=float)


def target_odds(s: Scenario) -> np.ndarray:
    """Cumulative chances of an attack's (target, success) outcomes: successes first."""
    a = s.rules.attacks
    shares = np.array([a.target_shares.get(t, 0.0) for t in TARGETS])
    shares = shares / shares.sum()
    return np.cumsum(np.concatenate([shares * a.success, shares * (1.0 - a.success)]))


def inputs(s: Scenario) -> tuple:
    """The scenario's tables for `run_batch` after its sizes: factions, states, groups, ...

    ... the country's starting state, the cumulative odds of attack outcomes and the rates.
    """
    groups = np.array([(g.fighters, g.arrivals_per_month) for g in s.foreign_groups.values()])
    country = np.zeros(COUNTRY)
    country[[HARDSHIP, FROZEN, MOMENTUM, CREDIBILITY]] = (
        s.economy.hardship,
        s.economy.frozen_funds_musd,
        s.isisk.momentum,
        1.0,
    )
    country[EX_ANSF] = s.rules.recruitment.ex_ansf_pool
    return (
        factions_table(s),
        states_table(s),
        groups.astype(float),
        country,
        target_odds(s),
        rates(s),
    )
