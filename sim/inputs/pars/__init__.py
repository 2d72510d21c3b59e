"""Every parameter of a scenario, declared once: one module per mechanism or actor block.

A declaration (`Par`) holds a parameter's type, default, bound and why, plausible range
and its source, unit and description. The scenario schema (`sim.inputs.schema`), the
sampling ranges (`sim.inputs.ranges`), the commented `scenarios/baseline.yaml` and
`docs/parameters.md` are built from these; `python -m sim.inputs.pars.generate` writes
the two files.
"""

from __future__ import annotations

from sim.inputs.pars.attacks import ATTACKS
from sim.inputs.pars.crackdown import CRACKDOWN
from sim.inputs.pars.declare import REQUIRED, Block, Bound, Par, Range
from sim.inputs.pars.defection import DEFECTION
from sim.inputs.pars.economy import ECONOMY
from sim.inputs.pars.foreign_groups import FOREIGN_GROUP
from sim.inputs.pars.fragmentation import FRAGMENTATION
from sim.inputs.pars.international import INTERNATIONAL
from sim.inputs.pars.isisk import ISISK
from sim.inputs.pars.mechanisms import MECHANISM
from sim.inputs.pars.policy import POLICY
from sim.inputs.pars.pressure import PRESSURE
from sim.inputs.pars.purge import PURGE
from sim.inputs.pars.recruitment import RECRUITMENT
from sim.inputs.pars.strategy import STRATEGY
from sim.inputs.pars.taliban import FACTION, TALIBAN

RULES = (DEFECTION, CRACKDOWN, PRESSURE, PURGE, STRATEGY, ATTACKS, RECRUITMENT, FRAGMENTATION)
"""The blocks of `rules`, in the order of a scenario file."""

BLOCKS = (
    MECHANISM,
    POLICY,
    TALIBAN,
    FACTION,
    ISISK,
    FOREIGN_GROUP,
    INTERNATIONAL,
    ECONOMY,
    *RULES,
)
"""Every declared block, in the order of a scenario file."""

__all__ = [
    "ATTACKS",
    "BLOCKS",
    "CRACKDOWN",
    "DEFECTION",
    "ECONOMY",
    "FACTION",
    "FOREIGN_GROUP",
    "FRAGMENTATION",
    "INTERNATIONAL",
    "ISISK",
    "MECHANISM",
    "POLICY",
    "PRESSURE",
    "PURGE",
    "RECRUITMENT",
    "REQUIRED",
    "RULES",
    "STRATEGY",
    "TALIBAN",
    "Block",
    "Bound",
    "Par",
    "Range",
]
