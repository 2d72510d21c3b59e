"""The eight mechanisms of DESIGN.md section 3, one module per mechanism, and their schedule.

Each module has pure functions of numbers or numpy arrays (the rule's arithmetic,
shared with the plain-Mesa reference in `sim.reference`) and the verbs that apply the
rule to a `World` (all replicates of a batch at once). `SCHEDULE` is the one list of
the month's rules, in order, with the mechanism that switches each and what it reads
and writes; the scenario schema's `mechanisms` block is tested against it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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

SCHEDULE = (
    Step(
        "crackdown",
        adapt_policy,
        reads=("policy", "signals.previous_attacks"),
        writes=("crackdown",),
    ),
    Step(
        "economy",
        pay_units,
        reads=(
            "economy",
            "pressure",
            "recognized_month",
            "unfrozen",
            "frozen_musd",
            "hardship",
            "crackdown",
            "units",
            "broken_month",
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
        reads=("crackdown", "policy", "units.ties", "cells"),
        writes=(
            "cells.fighters",
            "cells.capability",
            "signals.crackdown_force",
            "signals.anger",
            "signals.removed",
            "signals.isisk",
        ),
    ),
    Step(
        "purge",
        purge_foreign_fighters,
        reads=("policy.purge", "patron", "momentum", "group_fighters"),
        writes=("group_fighters", "cells", "signals.groups", "signals.isisk"),
    ),
    Step(
        "defection",
        defect,
        reads=("crackdown", "policy", "recognized_month", "pay_ratio", "cohesion", "momentum"),
        writes=("units", "cells", "signals.factions", "signals.isisk"),
    ),
    Step(
        "attacks",
        attack,
        reads=("cells", "units", "signals.crackdown_force"),
        writes=(
            "units.fighters",
            "cells",
            "momentum",
            "credibility",
            "signals.attacks",
            "signals.casualties",
            "signals.factions",
        ),
    ),
    Step(
        "recruitment",
        recruit,
        reads=("momentum", "hardship", "recognized_month", "signals.anger", "pay_ratio"),
        writes=("units", "cells", "group_fighters", "signals"),
    ),
    Step(
        "recruitment",
        suffer_attrition,
        reads=("units", "cells", "group_fighters"),
        writes=("units", "cells", "group_fighters", "signals"),
    ),
    Step(
        "pressure",
        update_pressure,
        reads=("crackdown", "policy", "signals.attacks", "signals.anger", "credibility"),
        writes=("pressure", "months_satisfied", "recognized_month", "unfrozen"),
    ),
    Step(
        "fragmentation",
        fragment,
        reads=("units", "crackdown", "policy", "pay_ratio", "momentum", "signals.factions"),
        writes=("cohesion", "broken_month", "breakaway_to", "units", "cells", "signals"),
    ),
)


def new_world(
    scenario: Scenario, gens: Sequence[np.random.Generator], values: Values | None = None
) -> World:
    """A world of `len(gens)` replicates of `scenario` that steps through `SCHEDULE`.

    `values` maps scenario key paths to one value per replicate (`sim.engine.values`).
    """
    return World(scenario, gens, SCHEDULE, values)


__all__ = [
    "SCHEDULE",
    "adapt_policy",
    "attack",
    "crack_down",
    "defect",
    "fragment",
    "new_world",
    "pay_units",
    "purge_foreign_fighters",
    "recruit",
    "suffer_attrition",
    "update_pressure",
]
