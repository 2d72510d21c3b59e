"""The eight mechanisms of docs/design.md §3, one module per mechanism, and their schedule.

Each module has pure functions of numbers or numpy arrays (the rule's arithmetic,
shared with the plain-Mesa reference in `sim.reference`) and the verbs that apply the
rule to a `World` (all replicates of a batch at once). `SCHEDULE` is the one list of
the month's rules, in order, with the mechanism that switches each and what it reads
and writes; the scenario schema's `mechanisms` block is tested against it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

import numpy as np

from sim.engine import kernels
from sim.engine.values import Values
from sim.engine.world import Step, World
from sim.inputs.schema import Scenario
from sim.rules.attacks import attack
from sim.rules.crackdown import adapt_policy, crack_down
from sim.rules.defection import defect
from sim.rules.economy import pay_in_full, pay_units
from sim.rules.fragmentation import fragment
from sim.rules.pressure import update_pressure
from sim.rules.purge import purge_foreign_fighters
from sim.rules.recruitment import recruit, suffer_attrition
from sim.rules.strategy import choose_strategy
from sim.rules.surrender import surrender

SCHEDULE = (
    Step(
        "crackdown",
        adapt_policy,
        reads=(
            "month",
            "signals.previous_attacks",
            "params.policy.crackdown",
            "params.policy.adaptive_gain",
            "params.policy.attack_tolerance",
        ),
        writes=("crackdown_intensity",),
    ),
    Step(
        "economy",
        pay_units,
        reads=(
            "pressure",
            "recognized_month",
            "unfrozen",
            "frozen_musd",
            "hardship",
            "arrears",
            "crackdown_intensity",
            "scales.crackdown",
            "units",
            "broken_month",
            "params.economy",
            "params.international.*.aid_musd",
            "params.international.*.aid_conditionality",
            "params.policy.accuracy",
            "params.taliban.factions.*.revenue_share",
        ),
        writes=(
            "frozen_musd",
            "aid_musd",
            "hardship",
            "revenue_musd",
            "pay_ratio",
            "arrears",
            "total_pay_ratio",
            "units.grievance",
        ),
        when_off=pay_in_full,
    ),
    Step(
        "crackdown",
        crack_down,
        reads=(
            "crackdown_intensity",
            "units",
            "cells",
            "params.policy.accuracy",
            "params.policy.amnesty",
            "params.policy.joint_with_us",
            "params.policy.security_faction",
            "params.rules.crackdown",
            "safe_areas",
        ),
        writes=(
            "cells.fighters",
            "cells.capability",
            "cells.exposure",
            "cells.skill",
            "safe_areas",
            "signals.crackdown_force",
            "signals.anger",
            "signals.removed",
            "signals.isisk",
        ),
    ),
    Step(
        "purge",
        purge_foreign_fighters,
        reads=(
            "patron",
            "momentum",
            "group_fighters",
            "cells",
            "params.policy.purge",
            "params.foreign_groups.*.loyalty",
            "params.rules.purge",
            "params.rules.attacks.founding_capability",
            "params.rules.attacks.min_capability",
            "params.rules.attacks.max_capability",
            "spec.isisk.capability",
            "spec.isisk.exposure",
        ),
        writes=("group_fighters", "cells", "signals.groups", "signals.isisk"),
    ),
    Step(
        "defection",
        defect,
        reads=(
            "units",
            "cells",
            "crackdown_intensity",
            "scales.crackdown",
            "scales.purge",
            "patron",
            "recognized_month",
            "pay_ratio",
            "cohesion",
            "momentum",
            "params.policy.concessions",
            "params.policy.joint_with_us",
            "params.policy.punishment",
            "params.policy.purge",
            "params.rules.defection",
            "params.isisk.pay_usd",
            "params.isisk.own_funds_musd",
            "params.isisk.network_funds_musd",
            "params.economy.wage_usd",
            "params.rules.attacks.founding_capability",
            "params.rules.attacks.min_capability",
            "params.rules.attacks.max_capability",
            "spec.isisk.capability",
            "spec.isisk.exposure",
        ),
        writes=("units", "cells", "signals.factions", "signals.isisk"),
    ),
    Step(
        "defection",
        surrender,
        reads=(
            "cells",
            "units",
            "momentum",
            "at_home",
            "broken_month",
            "signals.removed",
            "params.policy.amnesty",
            "params.policy.security_faction",
            "params.rules.defection",
            "params.isisk.pay_usd",
            "params.isisk.own_funds_musd",
            "params.isisk.network_funds_musd",
            "params.rules.attacks.founding_capability",
            "params.rules.attacks.min_capability",
            "params.rules.attacks.max_capability",
            "spec.isisk.capability",
            "spec.isisk.exposure",
        ),
        writes=("cells", "units", "at_home", "signals.factions", "signals.isisk"),
    ),
    Step(
        "attacks",
        choose_strategy,
        reads=(
            "cells",
            "safe_areas",
            "spec.isisk.safe_areas",
            "signals.crackdown_force",
            "signals.isisk",
            "params.rules.strategy",
            "params.isisk.pay_usd",
            "params.isisk.own_funds_musd",
            "params.isisk.network_funds_musd",
        ),
        writes=("effort",),
    ),
    Step(
        "attacks",
        attack,
        reads=(
            "cells",
            "units",
            "effort",
            "safe_areas",
            "momentum",
            "credibility",
            "signals.crackdown_force",
            "params.rules.attacks",
            "params.rules.strategy.funds_elasticity",
            "params.rules.strategy.reference_funding_usd",
            "params.rules.strategy.unfunded_tempo",
            "params.rules.strategy.rebuild",
            "params.isisk.pay_usd",
            "params.isisk.own_funds_musd",
            "params.isisk.network_funds_musd",
        ),
        writes=(
            "units.fighters",
            "cells",
            "momentum",
            "credibility",
            "safe_areas",
            "signals.attacks",
            "signals.casualties",
            "signals.factions",
        ),
    ),
    Step(
        "recruitment",
        recruit,
        reads=(
            "month",
            "momentum",
            "hardship",
            "recognized_month",
            "pay_ratio",
            "broken_month",
            "breakaway_to",
            "ex_ansf",
            "units",
            "cells",
            "group_fighters",
            "signals.anger",
            "signals.factions",
            "effort",
            "params.rules.recruitment",
            "params.foreign_groups.*.arrivals_per_month",
            "params.taliban.factions.*.ideology",
            "params.taliban.factions.*.ties_to_isisk",
            "params.taliban.unit_size",
            "params.rules.attacks.founding_capability",
            "params.rules.attacks.min_capability",
            "params.rules.attacks.max_capability",
            "spec.isisk",
        ),
        writes=("units", "cells", "group_fighters", "ex_ansf", "crime", "signals"),
    ),
    Step(
        "recruitment",
        suffer_attrition,
        reads=(
            "units",
            "cells",
            "group_fighters",
            "params.rules.recruitment.taliban_attrition",
            "params.rules.recruitment.isisk_attrition",
            "params.rules.recruitment.foreign_attrition",
        ),
        writes=("units", "cells", "group_fighters", "signals"),
    ),
    Step(
        "pressure",
        update_pressure,
        reads=(
            "month",
            "pressure",
            "months_satisfied",
            "engagement",
            "recognized_month",
            "credibility",
            "hardship",
            "safe_areas",
            "crime",
            "crackdown_intensity",
            "scales.crackdown",
            "scales.purge",
            "patron",
            "signals.attacks",
            "signals.anger",
            "params.international",
            "params.policy.amnesty",
            "params.policy.concessions",
            "params.policy.joint_with_us",
            "params.policy.punishment",
            "params.policy.purge",
            "params.rules.pressure",
        ),
        writes=("pressure", "months_satisfied", "engagement", "recognized_month", "unfrozen"),
    ),
    Step(
        "fragmentation",
        fragment,
        reads=(
            "month",
            "units",
            "cells",
            "cohesion",
            "pay_ratio",
            "momentum",
            "crackdown_intensity",
            "scales.crackdown",
            "scales.purge",
            "patron",
            "recognized_month",
            "broken_month",
            "signals.factions",
            "params.policy.amnesty",
            "params.policy.concessions",
            "params.policy.joint_with_us",
            "params.policy.purge",
            "params.rules.fragmentation",
            "params.rules.defection",
            "params.taliban.factions.*.cohesion",
            "params.taliban.factions.*.posts",
            "params.taliban.factions.*.autonomy",
            "params.taliban.rivalries",
            "params.rules.attacks.founding_capability",
            "params.rules.attacks.min_capability",
            "params.rules.attacks.max_capability",
            "spec.isisk.capability",
            "spec.isisk.exposure",
        ),
        writes=("cohesion", "broken_month", "breakaway_to", "units", "cells", "signals"),
    ),
)


COMPILED = (
    "compiled_units",
    "compiled_cells",
    "compiled_command",
    "compiled_economy",
    "compiled_factions",
    "compiled_groups",
    "compiled_recruitment",
    "compiled_states",
    "compiled_surrender",
)
"""The modules of the rules' compiled loops, one per kind of agent or rule."""


def new_world(
    scenario: Scenario,
    gens: Sequence[np.random.Generator],
    values: Values | None = None,
    *,
    validated: bool = False,
) -> World:
    """A world of `len(gens)` replicates of `scenario` that steps through `SCHEDULE`.

    `values` maps scenario key paths to one value per replicate (`sim.engine.values`),
    checked by the world unless `validated` (the caller validated them already).
    """
    return World(scenario, gens, SCHEDULE, values, validated=validated)


def load_kernels(announce: Callable[[str], None] | None = None) -> None:
    """Load every compiled loop of the month, the engine's and the rules', before a run.

    Calls `announce` once if any must compile (`sim.engine.kernels.load_kernels`).
    """

    def rule_loops() -> None:
        for name in COMPILED:  # importing compiles or loads them
            importlib.import_module(f"sim.rules.{name}")

    kernels.load_kernels(announce, rule_loops)


__all__ = [
    "COMPILED",
    "SCHEDULE",
    "adapt_policy",
    "attack",
    "choose_strategy",
    "crack_down",
    "defect",
    "fragment",
    "load_kernels",
    "new_world",
    "pay_units",
    "purge_foreign_fighters",
    "recruit",
    "suffer_attrition",
    "surrender",
    "update_pressure",
]
