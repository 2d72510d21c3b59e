"""ISIS-K's leadership (`rules.strategy`): how it splits effort and what money buys.

The rules are in `sim.rules.strategy`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    LOGIT_BASE,
    LOGIT_WEIGHT,
    PROBABILITY,
    Block,
    Bound,
    Par,
    Range,
    judgement,
)

STRATEGY = Block(
    "rules.strategy",
    (
        Par(
            "reference_funding_usd",
            float,
            "money left after pay per fighter a month at which it neither raises nor lowers tempo",
            "USD a fighter-month",
            410.0,
            Bound(0.0, 1e6, "USD a fighter-month", open_low=True),
            Range(
                410.0,
                410.0,
                "a unit of measure: the baseline's funds left after pay per fighter at month 0",
            ),
        ),
        Par(
            "funds_elasticity",
            float,
            "elasticity of the tempo to money per fighter (saturating)",
            "elasticity",
            0.5,
            Bound(0.0, 10.0, "beyond 10 money is a switch"),
            Range(
                0.2,
                1.0,
                judgement("attacks need explosives, vehicles and pay; no study gives the figure"),
            ),
        ),
        Par(
            "unfunded_tempo",
            float,
            "tempo with no money left after pay, as a share of the tempo at the reference",
            "share",
            0.4,
            PROBABILITY,
            Range(
                0.2,
                0.7,
                judgement(
                    "small-arms attacks and home-made IEDs go on without a budget; suicide "
                    "bombings and complex attacks need money: a share, not zero"
                ),
            ),
        ),
        Par(
            "abroad_bias",
            float,
            "leadership's utility of external operations against attacks at home, unpressed",
            "logit",
            -3.5,
            LOGIT_BASE,
            Range(
                -5.0,
                -2.0,
                judgement("external operations were a few percent of ISKP's effort before 2022"),
            ),
        ),
        Par(
            "consolidate_bias",
            float,
            "leadership's utility of consolidation against attacks at home, unpressed",
            "logit",
            -2.2,
            LOGIT_BASE,
            Range(-3.5, -1.0, judgement("an unpressed ISIS-K puts most effort into attacks")),
        ),
        Par(
            "pressure_weight",
            float,
            "utility of consolidation and external operations per unit of pressure felt",
            "logit per unit",
            3.0,
            LOGIT_WEIGHT,
            Range(
                1.0,
                6.0,
                "Jadoon & Mines 2020: pressed in 2019-20, ISKP lay low in urban cells; "
                "size: judgement",
            ),
        ),
        Par(
            "losses_weight",
            float,
            "utility of consolidation per unit of losses (share of fighters and of skill lost)",
            "logit per unit",
            2.0,
            LOGIT_WEIGHT,
            Range(
                1.0,
                4.0,
                "Johnston 2012: groups that lose leaders attack less for a while; size: judgement",
            ),
        ),
        Par(
            "choice_noise",
            float,
            "sd of the month's noise on each utility of the leadership's choice",
            "logit",
            0.5,
            Bound(0.0, 100.0, "logit units: 100 is pure chance"),
            Range(
                0.2,
                1.0,
                judgement("the leadership misreads its situation by a fraction of a logit"),
            ),
        ),
        Par(
            "rebuild",
            float,
            "capability recovery added per month of full consolidation effort; the share of"
            " the safe areas' gap to 1 it regains the same month",
            "per month",
            0.1,
            PROBABILITY,
            Range(
                0.02,
                0.2,
                "Jadoon & Mines 2020: ISKP rebuilt within a year of its 2019-20 losses, its"
                " Kunar/Nangarhar sanctuaries partly regained after Aug 2021; rate: judgement",
            ),
        ),
    ),
)
"""The strategy rule's keys, in the order of a scenario file."""
