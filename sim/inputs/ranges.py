"""The plausible range of every model parameter, with its source or the reasoning behind it.

One machine-readable table: the scenario tests check that every number of the
baseline has a range here and lies inside it, and sweeps, sensitivity analyses and
calibrations sample from it by default. Keys are scenario key paths; `*` stands for
any one actor (a faction, a foreign group, a state). A range is not a hard bound:
the schema's bounds (`sim.inputs.schema`) only keep runs sane.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from sim.inputs.schema import Scenario

RUN_SETTINGS = ("seed", "replicates", "steps")


@dataclass(frozen=True)
class ParameterRange:
    """A plausible interval of one parameter and why.

    Attributes:
        key: scenario key path, `*` for any one actor.
        low: lower end.
        high: upper end.
        basis: the source of the interval, or "judgement: ..." with the reasoning.
    """

    key: str
    low: float
    high: float
    basis: str

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"{self.key}: low {self.low} above high {self.high}")


J = "judgement: "
R = ParameterRange
RANGES = (
    # --- policy levers (the user's choices; the full lever range) ---
    R("policy.crackdown", 0.0, 1.0, "lever"),
    R("policy.accuracy", 0.0, 1.0, "lever; HRW 2022 (detentions, extrajudicial killings): low"),
    R("policy.concessions", 0.0, 1.0, "lever"),
    R("policy.punishment", 0.0, 1.0, "lever"),
    R("policy.purge.*", 0.0, 1.0, "lever"),
    R(
        "policy.adaptive_gain",
        0.0,
        2.0,
        J + "0 = fixed policy; 2 doubles intensity at 2x tolerance",
    ),
    R(
        "policy.attack_tolerance",
        10,
        60,
        J + "around the 19-48 attacks a month of 2021 (UNAMA, UN)",
    ),
    # --- Taliban ---
    R("taliban.unit_size", 50, 300, J + "a commander's band: tens to a few hundred fighters"),
    R("taliban.factions.*.fighters", 3000, 60000, "MT 2021: 58,000-100,000 in all; press: 6,000"),
    R("taliban.factions.*.ideology.mean", 0.2, 0.9, J + "Oppenheim et al. 2015: mixed motives"),
    R("taliban.factions.*.ideology.sd", 0.05, 0.25, J + "heterogeneity within a faction"),
    R("taliban.factions.*.ties_to_isisk.mean", 0.02, 0.5, J + "source article: Haqqani ties"),
    R("taliban.factions.*.ties_to_isisk.sd", 0.02, 0.2, J),
    R("taliban.factions.*.cohesion", 0.5, 0.95, J + "all factions held together to mid-2022"),
    R("taliban.factions.*.revenue_share", 0.05, 0.7, J + "relative weights of the pay budget"),
    R("taliban.factions.*.posts", 0.05, 0.7, J + "cabinet of Sep 2021: Kandahari/Haqqani-led"),
    R("taliban.factions.*.autonomy", 0.0, 0.8, J + "regional bases (north, Loya Paktia)"),
    # --- ISIS-K ---
    R("isisk.fighters", 1500, 2500, "MT S/2021/486 1,500-2,200; source article 'well over 2,000'"),
    R("isisk.cells", 10, 40, J + "Nangarhar/Kunar base plus urban cells"),
    R("isisk.capability", 0.5, 1.5, J + "a multiplier; 1 = the tempo of late 2021"),
    R("isisk.exposure", 0.1, 0.5, J + "visibility to Taliban intelligence"),
    R("isisk.momentum", 0.2, 0.8, J + "after the Kabul airport attack of Aug 2021"),
    R(
        "isisk.released_prisoners",
        500,
        2000,
        "SG Feb 2022: from ~2,200 toward 4,000, most released",
    ),
    R("isisk.release_months", 2, 6, J + "released Aug 2021, counted by Jan 2022"),
    # --- foreign groups ---
    R("foreign_groups.ttp.fighters", 3000, 6500, "MT 26th and 29th reports"),
    R("foreign_groups.al_qaeda.fighters", 200, 600, "MT 26th report; S/2021/486"),
    R("foreign_groups.etim_tip.fighters", 350, 500, "MT 24th, 26th reports"),
    R("foreign_groups.imu.fighters", 50, 200, "MT 24th report: ~100"),
    R("foreign_groups.katibat_imam_al_bukhari.fighters", 25, 100, "MT 24th report: ~50"),
    R("foreign_groups.jamaat_ansarullah.fighters", 50, 200, "MT 24th report: ~100 Tajik citizens"),
    R("foreign_groups.*.loyalty", 0.2, 1.0, J + "long-standing allies (AQ, TTP) higher"),
    R("foreign_groups.*.arrivals_per_month", 0.0, 30.0, J + "UN 2021: a surge of arrivals"),
    # --- international actors ---
    R("international.*.cares_about.*", 0.0, 1.0, J + "relative weights of a state's concerns"),
    R("international.*.demand", 0.2, 0.8, J + "action on their concerns that satisfies them"),
    R("international.*.pressure", 0.2, 1.0, J + "August 2021: sanctions, frozen reserves"),
    R("international.*.baseline_pressure", 0.1, 0.7, J + "pressure left when nothing happens"),
    R("international.*.pressure_decay", 0.02, 0.2, J + "half-lives of 3-35 months"),
    R("international.*.responsiveness", 0.01, 0.1, J),
    R("international.*.sectarian_sensitivity", 0.0, 0.002, J + "per sectarian attack"),
    R("international.*.attack_sensitivity", 0.0, 0.005, J + "per attack on foreigners"),
    R("international.*.conduct_sensitivity", 0.0, 0.08, J + "zero for states that ignore rights"),
    R("international.us.aid_musd", 20, 120, "OCHA 2022: the US about a third of $2.1-2.6bn/half"),
    R("international.donors.aid_musd", 80, 250, "OCHA: $1.5bn in 2021, $2.1-2.6bn in H1 2022"),
    R("international.*.aid_musd", 0.0, 20.0, J + "regional states' aid is small"),
    R("international.*.aid_conditionality", 0.0, 0.8, J + "humanitarian aid mostly flows"),
    R("international.*.satisfied_below", 0.2, 0.5, J),
    R("international.*.unfreeze_after", 6, 24, J + "months of low pressure"),
    R("international.*.recognize_after", 12, 60, J + "months of low pressure"),
    R("international.*.recognition_rate", 0.01, 0.1, J + "a monthly hazard once conditions hold"),
    R("international.*.min_credibility", 0.2, 0.7, J),
    # --- economy ---
    R("economy.domestic_revenue_musd", 150, 250, "FY1401 budget 186.7bn AFN/yr, 88 AFN/$"),
    R("economy.revenue_noise", 0.0, 0.2, J + "monthly collections vary (Ministry of Finance)"),
    R("economy.hardship", 0.5, 0.9, "World Bank: GDP -20.7% in 2021; salaries unpaid"),
    R("economy.hardship_floor", 0.1, 0.4, J),
    R("economy.frozen_hardship", 0.2, 0.7, J + "liquidity crisis of 2021-22 (World Bank)"),
    R("economy.aid_relief", 0.05, 0.3, J + "per $100M a month; the appeal was $367M a month"),
    R("economy.hardship_adjust", 0.05, 0.3, J),
    R("economy.hardship_revenue_loss", 0.1, 0.5, "World Bank 2022: revenue fell with output"),
    R("economy.sanction_damage", 0.0, 0.3, J + "banking and trade restrictions"),
    R("economy.recognition_trade_gain", 0.0, 0.4, J),
    R("economy.aid_fungible", 0.0, 0.15, "OCHA: aid delivered outside the de facto authorities"),
    R("economy.military_share", 0.15, 0.4, J + "security ministries in the FY1401 budget"),
    R("economy.wage_usd", 200, 600, J + "pay and upkeep per fighter-month"),
    R("economy.crackdown_cost_musd", 1.0, 15.0, J),
    R("economy.accuracy_cost_musd", 2.0, 25.0, J + "intelligence-led targeting"),
    R("economy.initial_arrears_months", 2.0, 4.0, "Finance Ministry: salaries unpaid Aug-Nov 2021"),
    R("economy.frozen_funds_musd", 9000, 9500, "IMF: $9.4bn gross reserves, Apr 2021"),
    R("economy.unfreeze_rate", 0.02, 0.2, J),
    R("economy.grievance_rate", 0.05, 0.2, J),
    R("economy.grievance_relief", 0.1, 0.4, J),
    R("economy.breakaway_pay", 0.2, 0.8, J + "own means: smuggling, local taxes"),
    # --- defection ---
    R("rules.defection.base", -8.0, -5.0, J + "monthly chance of 0.03-0.7% at zero drivers"),
    R(
        "rules.defection.w_abandonment",
        1.0,
        6.0,
        J + "Oppenheim et al. 2015: the ideological trigger",
    ),
    R("rules.defection.w_grievance", 1.0, 5.0, J + "Oppenheim et al. 2015: the economic trigger"),
    R("rules.defection.w_ties", 0.5, 4.0, J + "source article: personal ties to ISIS-K"),
    R("rules.defection.w_momentum", 0.0, 2.0, J),
    R("rules.defection.w_pay", 0.5, 2.0, J),
    R("rules.defection.w_cohesion", 0.5, 4.0, J),
    R("rules.defection.w_fear", 0.5, 3.0, J + "Epstein 2002: deterrence against grievance"),
    R("rules.defection.abandonment_crackdown", 0.2, 1.0, J),
    R("rules.defection.abandonment_joint", 0.5, 2.0, "source article: joint action far costlier"),
    R("rules.defection.abandonment_concessions", 0.1, 1.0, J),
    R("rules.defection.abandonment_purge", 0.2, 1.0, J + "source article: purge of old comrades"),
    R("rules.defection.abandonment_recognition", 0.0, 0.6, J + "the 'apostate regime' narrative"),
    R("rules.defection.punishment_grievance", 0.0, 0.05, J),
    R("rules.defection.found_cell", 0.1, 0.6, J),
    R("rules.defection.desertion_base", -8.0, -5.0, J),
    R("rules.defection.w_desertion_grievance", 1.0, 6.0, J),
    # --- crackdown ---
    R("rules.crackdown.removal_rate", 0.3, 1.0, "Taliban claim: ~600 arrests, 33 killed, 3 months"),
    R("rules.crackdown.accuracy_floor", 0.1, 0.5, J + "Bennett 2008: indiscriminate force"),
    R("rules.crackdown.accuracy_tempo", 0.2, 0.8, J + "targeted raids are slower than sweeps"),
    R("rules.crackdown.leader_hit", 0.1, 0.6, J + "intelligence-led arrests of leaders"),
    R("rules.crackdown.joint_bonus", 0.5, 2.0, J + "US intelligence and strikes"),
    R("rules.crackdown.leak", 0.3, 0.9, "source article: Haqqani ties to ISIS-K leaders"),
    # --- pressure ---
    R("rules.pressure.punishment_conduct", 0.2, 1.0, J),
    R("rules.pressure.noise", 0.0, 0.05, J + "politics of each capital"),
    # --- purge ---
    R("rules.purge.removal_rate", 0.01, 0.1, J),
    R("rules.purge.switch_base", -7.0, -4.0, J),
    R("rules.purge.w_switch_purge", 2.0, 6.0, "source article: purged groups look to ISIS-K"),
    R("rules.purge.w_switch_pull", 1.0, 3.0, J),
    R("rules.purge.w_switch_loyalty", 2.0, 6.0, J),
    R("rules.purge.splinter_share", 0.05, 0.3, J + "an Uighur ETIM member in the Kunduz attack"),
    R("rules.purge.leak_rate", 0.0, 0.05, J),
    R("rules.purge.merge_rate", 0.0, 0.1, J),
    # --- attacks ---
    R("rules.attacks.base_rate", 1.5, 4.0, "UN: 38-48 attacks a month in Sep-Oct 2021"),
    R("rules.attacks.reference_size", 100, 100, "a unit of measure, not a parameter"),
    R("rules.attacks.size_exponent", 0.5, 1.0, "Clauset & Gleditsch 2012"),
    R("rules.attacks.lie_low", 2.0, 10.0, "Kress & Szechtman 2009: containment; judgement"),
    R("rules.attacks.abroad_shift", 0.0, 0.3, J + "ISIS-K external operations"),
    R("rules.attacks.learning", 0.0, 0.005, "Clauset & Gleditsch 2012: experience"),
    R("rules.attacks.capability_recovery", 0.01, 0.1, J + "leaders replaced within months"),
    R("rules.attacks.min_capability", 0.1, 0.5, J),
    R("rules.attacks.max_capability", 1.5, 3.0, J),
    R("rules.attacks.target_shares.*", 0.0, 0.6, "UNAMA/UN: Shia/Hazara and Taliban targets"),
    R("rules.attacks.success", 0.4, 0.8, J),
    R("rules.attacks.severity_min", 1.0, 1.0, "a unit of measure: one person"),
    R("rules.attacks.severity_exponent", 2.0, 3.0, "Bohorquez et al. 2009: about 2.5"),
    R("rules.attacks.taliban_killed_per_attack", 0.5, 3.0, J),
    R("rules.attacks.exposure_per_attack", 0.01, 0.1, J),
    R("rules.attacks.exposure_decay", 0.05, 0.3, J),
    R("rules.attacks.momentum_decay", 0.6, 0.95, J),
    R("rules.attacks.momentum_saturation", 15, 60, J + "successes a month"),
    R("rules.attacks.credibility_loss", 0.001, 0.01, "source article: attacks expose weak rule"),
    R("rules.attacks.credibility_recovery", 0.01, 0.1, J),
    # --- recruitment ---
    R("rules.recruitment.isisk_local_per_month", 5, 60, J + "growth to ~4,000 by early 2022 (SG)"),
    R("rules.recruitment.momentum_boost", 0.0, 2.0, J),
    R("rules.recruitment.hardship_boost", 0.0, 2.0, J + "economic collapse widens the pool"),
    R("rules.recruitment.recognition_boost", 0.0, 1.0, J + "the 'apostate regime' narrative"),
    R("rules.recruitment.anger_recruits", 20, 120, "Bennett 2008: indiscriminate force recruits"),
    R("rules.recruitment.cell_split_size", 80, 300, J),
    R("rules.recruitment.cell_floor", 5, 20, J),
    R("rules.recruitment.isisk_attrition", 0.005, 0.03, J),
    R("rules.recruitment.unit_birth_rate", 0.0, 0.01, J),
    R("rules.recruitment.unit_split_factor", 2.0, 3.0, J),
    R("rules.recruitment.taliban_attrition", 0.001, 0.006, J),
    R("rules.recruitment.foreign_attrition", 0.002, 0.01, J),
    # --- fragmentation ---
    R("rules.fragmentation.recovery", 0.02, 0.1, J),
    R("rules.fragmentation.legitimacy_cohesion", 0.0, 0.2, J),
    R("rules.fragmentation.crackdown_strain", 0.005, 0.05, J),
    R(
        "rules.fragmentation.joint_strain",
        0.5,
        2.0,
        "source article: joint action tears the Taliban",
    ),
    R("rules.fragmentation.concession_strain", 0.005, 0.05, J),
    R("rules.fragmentation.rivalry_strain", 0.01, 0.1, "source article: Haqqanis sideline Baradar"),
    R("rules.fragmentation.defection_strain", 0.5, 2.0, J),
    R("rules.fragmentation.pay_strain", 0.0, 0.02, J),
    R(
        "rules.fragmentation.decision_rate",
        0.01,
        0.2,
        J + "leaders weigh leaving a few times a year",
    ),
    R(
        "rules.fragmentation.sensitivity",
        0.5,
        3.0,
        J + "logit precision: uncertainty of the choice",
    ),
    R("rules.fragmentation.stay_base", -1.0, 1.0, J),
    R("rules.fragmentation.w_stay_cohesion", 0.5, 3.0, J),
    R("rules.fragmentation.w_stay_posts", 0.5, 2.0, J),
    R("rules.fragmentation.w_stay_pay", 0.5, 2.0, J),
    R("rules.fragmentation.to_isisk_base", -4.0, -1.0, J),
    R("rules.fragmentation.w_isisk_ideology", 2.0, 8.0, "source article: ideological switching"),
    R("rules.fragmentation.w_isisk_ties", 1.0, 5.0, "source article: Haqqani-ISIS-K ties"),
    R("rules.fragmentation.w_isisk_pull", 0.0, 2.0, J),
    R("rules.fragmentation.independent_base", -3.0, -1.0, J),
    R("rules.fragmentation.w_independent_autonomy", 0.5, 3.0, J),
    R("rules.fragmentation.w_independent_exclusion", 0.5, 2.0, J),
    R("rules.fragmentation.rival_base", -3.0, -1.0, J),
    R("rules.fragmentation.w_rival_strength", 1.0, 3.0, J),
    R("rules.fragmentation.w_rival_grievance", 1.0, 3.0, J),
    # --- mechanism switches ---
    R("mechanisms.*.scale", 0.5, 1.5, J + "a rule half or half again as strong"),
)


def parameters(scenario: Scenario) -> list[tuple[str, float]]:
    """(key path, value) of every number of a scenario that is a model parameter.

    Run settings (seed, replicates, steps), switches (booleans), names and events are not.
    """
    return [
        (key, value)
        for key, value in _numbers(scenario.model_dump(exclude={"events"}))
        if key not in RUN_SETTINGS
    ]


def _numbers(data: dict, at: str = ""):
    for key, value in data.items():
        path = f"{at}{key}"
        if isinstance(value, dict):
            yield from _numbers(value, f"{path}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield path, value


def range_of(key: str) -> ParameterRange | None:
    """The range for a key path: the first entry whose pattern matches it, or None."""
    for entry in RANGES:
        if fnmatchcase(key, entry.key):
            return entry
    return None
