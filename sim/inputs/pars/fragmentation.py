"""Fragmentation (`rules.fragmentation`): cohesion under strain; leaders stay or leave.

Each month a faction's leaders weigh, with chance `decision_rate`, staying against three
ways of leaving (a multinomial logit with precision `sensitivity`). The rules are in
`sim.rules.fragmentation`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    COEFFICIENT,
    LOGIT_BASE,
    LOGIT_WEIGHT,
    PROBABILITY,
    Block,
    Bound,
    Par,
    Range,
    judgement,
)

STRAIN = "cohesion a month"
UTILITY = "utility"
NO_REASON = judgement("leaving is unlikely without a reason to")


def _weight(name: str, description: str, default: float, low: float, high: float, source: str):
    """A weight of the leaders' choice: utility per unit of its driver."""
    return Par(name, float, description, UTILITY, default, LOGIT_WEIGHT, Range(low, high, source))


def _base(name: str, description: str, default: float, low: float, high: float, source: str):
    """The utility of one choice at zero drivers."""
    return Par(name, float, description, UTILITY, default, LOGIT_BASE, Range(low, high, source))


def _strain(name: str, description: str, default: float, low: float, high: float, source: str):
    """Cohesion lost a month per unit of one strain."""
    return Par(name, float, description, STRAIN, default, COEFFICIENT, Range(low, high, source))


FRAGMENTATION = Block(
    "rules.fragmentation",
    (
        Par(
            "recovery",
            float,
            "share of the gap to a faction's starting cohesion recovered each month",
            "per month",
            0.05,
            PROBABILITY,
            Range(
                0.02, 0.1, judgement("cohesion returns over a year or two (half-lives 7-35 months)")
            ),
        ),
        Par(
            "legitimacy_cohesion",
            float,
            "cohesion target raised at full recognition",
            "cohesion",
            0.1,
            COEFFICIENT,
            Range(0.0, 0.2, judgement("recognition holds factions together a little")),
        ),
        _strain(
            "crackdown_strain",
            "x crackdown x the faction's ideology (fighting fellow jihadists)",
            0.02,
            0.005,
            0.05,
            judgement("fighting fellow jihadists strains ideological factions slowly"),
        ),
        _strain(
            "joint_strain",
            "the crackdown's strain x (1 + this) when joint with the US",
            1.0,
            0.5,
            2.0,
            "source article: joint action tears the Taliban",
        ),
        _strain(
            "concession_strain",
            "x concessions x the faction's ideology",
            0.02,
            0.005,
            0.05,
            judgement(
                "yielding to foreigners strains ideological factions as fighting jihadists does"
            ),
        ),
        _strain(
            "rivalry_strain",
            "x how far a rival's share of posts exceeds its own",
            0.05,
            0.01,
            0.1,
            "source article: Haqqanis sideline Baradar",
        ),
        _strain(
            "defection_strain",
            "x the share of its fighters that defected this month",
            1.0,
            0.5,
            2.0,
            judgement("cohesion falls with the share of fighters that leave, about one for one"),
        ),
        _strain(
            "pay_strain",
            "x (1 - pay ratio)",
            0.005,
            0.0,
            0.02,
            judgement("unpaid factions lose cohesion slowly: at most 0.02 a month"),
        ),
        Par(
            "decision_rate",
            float,
            "monthly chance that a faction's leaders weigh leaving at all",
            "per month",
            0.05,
            PROBABILITY,
            Range(0.01, 0.2, judgement("leaders weigh leaving a few times a year")),
        ),
        Par(
            "sensitivity",
            float,
            "precision of the leaders' choice (multinomial logit)",
            "per utility",
            1.5,
            Bound(0.0, 100.0, "logit precision", open_low=True),
            Range(0.5, 3.0, judgement("logit precision: uncertainty of the choice")),
        ),
        _base(
            "stay_base",
            "utility of staying",
            0.0,
            -1.0,
            1.0,
            judgement("no leaning before drivers"),
        ),
        _weight(
            "w_stay_cohesion",
            "x cohesion, for staying",
            1.5,
            0.5,
            3.0,
            judgement("cohesion holds leaders, at most as ideology pulls them out"),
        ),
        _weight(
            "w_stay_posts",
            "x posts relative to an equal share, for staying",
            1.0,
            0.5,
            2.0,
            judgement("offices hold leaders, as pay does"),
        ),
        _weight(
            "w_stay_pay",
            "x pay ratio, for staying",
            1.0,
            0.5,
            2.0,
            judgement("pay holds leaders, as offices do"),
        ),
        _base(
            "to_isisk_base",
            "utility of going over to ISIS-K",
            -2.5,
            -4.0,
            -1.0,
            judgement("going over to ISIS-K costs more than the other ways out"),
        ),
        _weight(
            "w_isisk_ideology",
            "x ideology x abandonment of jihad by the leadership",
            5.0,
            2.0,
            8.0,
            "source article: ideological switching",
        ),
        _weight(
            "w_isisk_ties",
            "x ties to ISIS-K",
            3.0,
            1.0,
            5.0,
            "source article: Haqqani-ISIS-K ties",
        ),
        _weight(
            "w_isisk_pull",
            "x ISIS-K momentum",
            0.5,
            0.0,
            2.0,
            judgement("ISIS-K's success pulls, less than ideology and ties"),
        ),
        _base("independent_base", "utility of going its own way", -2.0, -3.0, -1.0, NO_REASON),
        _weight(
            "w_independent_autonomy",
            "x autonomy (a regional base)",
            1.5,
            0.5,
            3.0,
            judgement("a regional base makes going alone feasible"),
        ),
        _weight(
            "w_independent_exclusion",
            "x how far its posts fall short of an equal share",
            1.0,
            0.5,
            2.0,
            judgement("exclusion from offices pushes leaders out, as offices hold them"),
        ),
        _base("rival_base", "utility of rival Taliban rule", -2.0, -3.0, -1.0, NO_REASON),
        _weight(
            "w_rival_strength",
            "x its share of Taliban fighters",
            2.0,
            1.0,
            3.0,
            judgement("a strong faction can claim to be the Taliban"),
        ),
        _weight(
            "w_rival_grievance",
            "x mean grievance of its units",
            2.0,
            1.0,
            3.0,
            judgement("aggrieved units back a rival leadership"),
        ),
    ),
)
"""The fragmentation rule's keys, in the order of a scenario file."""
