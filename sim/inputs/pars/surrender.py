"""Surrender and absorption of ISIS-K fighters (`rules.defection`, the `surrender_*` keys).

Part of the defection rule's block (flows of fighters between sides); the rule is in
`sim.rules.surrender`, the amnesty it reads is a lever of `policy`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import LOGIT_BASE, LOGIT_WEIGHT, PROBABILITY, Par, Range, judgement

LOGIT = "logit"

SURRENDER = (
    Par(
        "surrender_base",
        float,
        "logit of an ISIS-K fighter's monthly chance to surrender at zero drivers",
        LOGIT,
        -5.4,
        LOGIT_BASE,
        Range(
            -7.0,
            -4.5,
            judgement(
                "0.1-1.1% a month without losses, amnesty or unpaid months: surrenders"
                " came in waves after defeats (Nangarhar governor, Dec 2019)"
            ),
        ),
    ),
    Par(
        "w_surrender_losses",
        float,
        "x the share of ISIS-K's fighters the crackdown removed this month",
        LOGIT,
        15.0,
        LOGIT_WEIGHT,
        Range(
            5.0,
            30.0,
            judgement(
                "losses drive surrenders (Nangarhar governor, Dec 2019: 413 armed men"
                " surrendered once ISKP lost its strongholds); the weight is not measured"
            ),
        ),
    ),
    Par(
        "w_surrender_momentum",
        float,
        "x (1 - ISIS-K's momentum): fighters give up a losing cause",
        LOGIT,
        1.0,
        LOGIT_WEIGHT,
        Range(0.0, 2.0, judgement("as momentum pulls defectors in, its loss pushes out")),
    ),
    Par(
        "w_surrender_pay",
        float,
        "x the share of ISIS-K's pay it cannot fund",
        LOGIT,
        1.0,
        LOGIT_WEIGHT,
        Range(0.0, 2.0, judgement("unpaid fighters leave, as the Taliban's w_pay")),
    ),
    Par(
        "w_surrender_amnesty",
        float,
        "x the amnesty offered (`policy.amnesty`)",
        LOGIT,
        2.0,
        LOGIT_WEIGHT,
        Range(
            1.0,
            3.0,
            "Khaama Press / Ariana News, Feb 2022 (data/observed.yaml): about 500"
            " surrendered under the amnesty by Feb 2022; 2 gives ~430 in Oct-Feb at"
            " amnesty 0.5",
        ),
    ),
    Par(
        "absorbed_share",
        float,
        "share of surrendered fighters the security faction takes in (the rest go home)",
        "share",
        0.3,
        PROBABILITY,
        Range(
            0.1,
            0.6,
            judgement(
                "surrenders were mediated by tribal elders and most went home under"
                " guarantees; some were taken into Taliban ranks"
            ),
        ),
    ),
    Par(
        "absorbed_ties",
        float,
        "ties to ISIS-K that absorbed fighters bring into the security faction (amnesty's cost)",
        "0..1",
        0.6,
        PROBABILITY,
        Range(
            0.3,
            0.9,
            judgement(
                "the amnesty was conditional because former members kept links to ISKP;"
                " higher than any faction's mean ties"
            ),
        ),
    ),
    Par(
        "rejoin_base",
        float,
        "logit of the monthly chance that a surrendered fighter gone home rejoins ISIS-K, at"
        " zero momentum and no pay (recidivism)",
        LOGIT,
        -7.0,
        LOGIT_BASE,
        Range(
            -9.0,
            -5.0,
            "FIP 2014 / Kaplan & Nussio 2018 (J. Conflict Resolution): 20-24% of Colombia's"
            " 55,000 demobilised had reoffended by 2012-14 (crime included); with"
            " `rejoin_settle` 0.03, -7 gives about 18% of those gone home rejoining at"
            " momentum 0.5 and full pay; for ISIS-K the size is judgement",
        ),
    ),
    Par(
        "w_rejoin_momentum",
        float,
        "x ISIS-K's momentum: those gone home return to a winning cause",
        LOGIT,
        2.0,
        LOGIT_WEIGHT,
        Range(0.0, 4.0, judgement("the mirror of `w_surrender_momentum`, which pushes them out")),
    ),
    Par(
        "w_rejoin_pay",
        float,
        "x the share of ISIS-K's pay it can fund: pay pulls those gone home back",
        LOGIT,
        1.0,
        LOGIT_WEIGHT,
        Range(0.0, 2.0, judgement("the mirror of `w_surrender_pay`")),
    ),
    Par(
        "rejoin_settle",
        float,
        "monthly share of the surrendered at home who settle for good (leave the pool)",
        "share",
        0.03,
        PROBABILITY,
        Range(
            0.01,
            0.06,
            judgement(
                "reintegration studies follow ex-combatants for two years or more at risk"
                " (Triana, Cambridge thesis, Colombia); a mean of 1.5-8 years in the pool"
            ),
        ),
    ),
)
"""The surrender keys of the defection rule, in the order of a scenario file."""
