"""The foreign-fighter purge (`rules.purge`): removals, leaks, splinters and merges.

The rules are in `sim.rules.purge`; the purge of each group is a lever of `policy`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    LOGIT_BASE,
    LOGIT_WEIGHT,
    PROBABILITY,
    Block,
    Par,
    Range,
    judgement,
)

LOGIT = "logit"
PER_MONTH = "share a month at full purge"

PURGE = Block(
    "rules.purge",
    (
        Par(
            "removal_rate",
            float,
            "chance that a purged fighter is removed",
            PER_MONTH,
            0.05,
            PROBABILITY,
            Range(
                0.01, 0.1, judgement("groups were relocated, not destroyed: a few percent a month")
            ),
        ),
        Par(
            "switch_base",
            float,
            "logit of a group's monthly chance to splinter toward ISIS-K",
            LOGIT,
            -5.0,
            LOGIT_BASE,
            Range(-7.0, -4.0, judgement("splinters are rare: 0.1-1.8% a month without a purge")),
        ),
        Par(
            "w_switch_purge",
            float,
            "x the group's purge",
            LOGIT,
            4.0,
            LOGIT_WEIGHT,
            Range(2.0, 6.0, "source article: purged groups look to ISIS-K; size: judgement"),
        ),
        Par(
            "w_switch_pull",
            float,
            "x ISIS-K's momentum",
            LOGIT,
            2.0,
            LOGIT_WEIGHT,
            Range(1.0, 3.0, judgement("ISIS-K's success pulls, less than the purge pushes")),
        ),
        Par(
            "w_switch_loyalty",
            float,
            "x the group's loyalty to its patron (holds it)",
            LOGIT,
            4.0,
            LOGIT_WEIGHT,
            Range(2.0, 6.0, judgement("loyalty holds a group as hard as a purge pushes it")),
        ),
        Par(
            "splinter_share",
            float,
            "share of a group that goes over when a splinter breaks off",
            "0..1",
            0.1,
            PROBABILITY,
            Range(0.05, 0.3, judgement("an Uighur ETIM member in the Kunduz attack")),
        ),
        Par(
            "leak_rate",
            float,
            "chance that a purged fighter goes over to ISIS-K",
            PER_MONTH,
            0.02,
            PROBABILITY,
            Range(0.0, 0.05, judgement("few purged fighters go over at once")),
        ),
        Par(
            "merge_rate",
            float,
            "share of a group allied to ISIS-K merged into its cells each month",
            "share a month",
            0.05,
            PROBABILITY,
            Range(0.0, 0.1, judgement("allies of ISIS-K merge into its cells over years")),
        ),
    ),
)
"""The purge rule's keys, in the order of a scenario file."""
