"""Defection, desertion and surrender (`rules.defection`): the flows of fighters between sides.

Weights of the logistic chances per unit-month (Taliban units going over to ISIS-K or
home) and per fighter-month (ISIS-K fighters surrendering to the Taliban). The rules
are in `sim.rules.defection` and `sim.rules.surrender`. A weight multiplies a driver on
a 0..1 scale.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    COEFFICIENT,
    LOGIT_BASE,
    LOGIT_WEIGHT,
    PROBABILITY,
    Block,
    Par,
    Range,
    judgement,
)
from sim.inputs.pars.surrender import SURRENDER

LOGIT = "logit"
ABANDONMENT = "abandonment per unit of the policy"

DEFECTION = Block(
    "rules.defection",
    (
        Par(
            "base",
            float,
            "logit of the monthly defection chance at zero drivers",
            LOGIT,
            -6.5,
            LOGIT_BASE,
            Range(-8.0, -5.0, judgement("monthly chance of 0.03-0.7% at zero drivers")),
        ),
        Par(
            "w_abandonment",
            float,
            "x ideology x abandonment of jihad by the leadership (the ideological trigger)",
            LOGIT,
            4.0,
            LOGIT_WEIGHT,
            Range(1.0, 6.0, judgement("Oppenheim et al. 2015: the ideological trigger")),
        ),
        Par(
            "w_grievance",
            float,
            "x (1 - ideology) x grievance (the economic trigger)",
            LOGIT,
            3.0,
            LOGIT_WEIGHT,
            Range(1.0, 5.0, judgement("Oppenheim et al. 2015: the economic trigger")),
        ),
        Par(
            "w_ties",
            float,
            "x the unit's ties to ISIS-K",
            LOGIT,
            2.0,
            LOGIT_WEIGHT,
            Range(0.5, 4.0, judgement("source article: personal ties to ISIS-K")),
        ),
        Par(
            "w_isisk_pay",
            float,
            "x (1 - ideology) x how far ISIS-K's pay, as paid, exceeds the faction's"
            " (in units of the Taliban's full wage)",
            LOGIT,
            1.0,
            LOGIT_WEIGHT,
            Range(
                0.0,
                2.0,
                judgement(
                    "Giustozzi 2018: ISKP paid more than the Taliban, drawing economic"
                    " joiners; at most as strong as the Taliban's own pay holds them"
                ),
            ),
        ),
        Par(
            "w_momentum",
            float,
            "x ISIS-K's momentum",
            LOGIT,
            1.0,
            LOGIT_WEIGHT,
            Range(0.0, 2.0, judgement("ISIS-K's success pulls, less than ideology or pay")),
        ),
        Par(
            "w_pay",
            float,
            "x the faction's pay ratio (holds units; also in desertion)",
            LOGIT,
            1.0,
            LOGIT_WEIGHT,
            Range(0.5, 2.0, judgement("pay holds units, a lesser effect than the two triggers")),
        ),
        Par(
            "w_cohesion",
            float,
            "x the faction's cohesion (holds units)",
            LOGIT,
            2.0,
            LOGIT_WEIGHT,
            Range(
                0.5, 4.0, judgement("a cohesive faction holds its units, at most as ideology pulls")
            ),
        ),
        Par(
            "w_fear",
            float,
            "x punishment (deters defection)",
            LOGIT,
            1.0,
            LOGIT_WEIGHT,
            Range(0.5, 3.0, judgement("Epstein 2002: deterrence against grievance")),
        ),
        Par(
            "abandonment_crackdown",
            float,
            "abandonment per unit of effective crackdown",
            ABANDONMENT,
            0.5,
            COEFFICIENT,
            Range(0.2, 1.0, judgement("fighting fellow jihadists looks like abandonment")),
        ),
        Par(
            "abandonment_joint",
            float,
            "a joint crackdown looks (1 + this) times as much like betrayal",
            "x the crackdown's",
            1.0,
            COEFFICIENT,
            Range(0.5, 2.0, "source article: joint action far costlier; size: judgement"),
        ),
        Par(
            "abandonment_concessions",
            float,
            "abandonment per unit of concessions",
            ABANDONMENT,
            0.15,
            COEFFICIENT,
            Range(
                0.1,
                1.0,
                judgement("yielding to foreign demands looks like abandonment, less than force"),
            ),
        ),
        Par(
            "abandonment_purge",
            float,
            "abandonment per unit of mean purge of foreign groups",
            ABANDONMENT,
            0.5,
            COEFFICIENT,
            Range(0.2, 1.0, judgement("source article: purge of old comrades")),
        ),
        Par(
            "abandonment_recognition",
            float,
            "abandonment per share of states recognising (the 'apostate regime' narrative)",
            ABANDONMENT,
            0.3,
            COEFFICIENT,
            Range(0.0, 0.6, judgement("the 'apostate regime' narrative")),
        ),
        Par(
            "punishment_grievance",
            float,
            "grievance added per month at full punishment (its cost)",
            "per month",
            0.05,
            COEFFICIENT,
            Range(0.0, 0.05, judgement("a slow cost, at most the least that unpaid months add")),
        ),
        Par(
            "found_cell",
            float,
            "chance that a defecting band founds its own cell (else joins one)",
            "0..1",
            0.3,
            PROBABILITY,
            Range(0.1, 0.6, judgement("most defecting bands join cells; some found their own")),
        ),
        Par(
            "desertion_base",
            float,
            "logit of the monthly desertion chance at zero drivers",
            LOGIT,
            -6.0,
            LOGIT_BASE,
            Range(
                -8.0, -5.0, judgement("monthly chance of 0.03-0.7% at zero drivers, as defection")
            ),
        ),
        Par(
            "w_desertion_grievance",
            float,
            "x (1 - ideology) x grievance, for desertion",
            LOGIT,
            4.0,
            LOGIT_WEIGHT,
            Range(1.0, 6.0, judgement("the economic trigger, as for defection")),
        ),
        *SURRENDER,
    ),
)
"""The defection rule's keys, in the order of a scenario file."""
