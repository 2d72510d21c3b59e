"""The eight mechanisms of DESIGN.md section 3, one module per mechanism.

Each module has pure functions of numbers or numpy arrays (the rule's arithmetic,
shared with the plain-Mesa reference implementation) and the verbs that apply the
rule to a `World` (all replicates of a batch at once).
"""

from sim.rules.attacks import attack
from sim.rules.crackdown import adapt_policy, crack_down
from sim.rules.defection import defect
from sim.rules.economy import pay_units
from sim.rules.fragmentation import fragment
from sim.rules.pressure import update_pressure
from sim.rules.purge import purge_foreign_fighters
from sim.rules.recruitment import recruit, suffer_attrition

__all__ = [
    "adapt_policy",
    "attack",
    "crack_down",
    "defect",
    "fragment",
    "pay_units",
    "purge_foreign_fighters",
    "recruit",
    "suffer_attrition",
    "update_pressure",
]
