"""Fragmentation (`rules.fragmentation`): cohesion under strain; leaders stay or leave.

Each month a faction's leaders leave with a chance set by a base hazard (the Taliban's
own record and that of rebel splinters) times elasticities: each driver multiplies the
hazard by exp(weight x its distance from the reference). The way out is shared in
proportion to each way's share times its own drivers. The rules are in
`sim.rules.fragmentation`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    COEFFICIENT,
    LOGIT_WEIGHT,
    PROBABILITY,
    WEIGHT,
    Block,
    Par,
    Range,
    judgement,
)

SWING_BAND = 0.3
"""The most one parameter, across its plausible range, may move P(fragmented by month 60).

A number resting on judgement may move the answer from unlikely to even odds, not decide
it: the base rates set its level (checked by tests/test_no_knife_edge.py).
"""
STRAIN = "cohesion a month"
ELASTICITY = "log hazard ratio"
BASE_RATE = (
    "Osman 2015 (AAN, 'Toward Fragmentation? Mapping the post-Omar Taleban'): one breakaway"
    " of note (Rasul's High Council, 2015) after 21 years of unity; Watkins 2020 (USIP"
    " Peaceworks 160): relatively cohesive, unlikely to fragment soon. One split in the 27"
    " years to 2021 over three non-core factions is 0.012 a faction-year, under drivers"
    " like those of August 2021 (cohesion below full, ties, regional bases, unequal"
    " posts), which raise the hazard 3.3-7.7 times in this rule: 0.002 with none. Range"
    " judgement: half that (the 2015 split owed much to a hidden succession) to 0.004"
    " (the record's rate under the least of those multipliers)"
)
HISTORY_OF_WAYS = judgement(
    "the Taliban's one split claimed rival rule (Osman 2015); some commanders went to ISIS-K"
    " in 2014-15; regional commanders could go alone: each between a sixth and two thirds"
)


def _elasticity(name: str, description: str, default: float, low: float, high: float, source):
    """A driver's weight: the hazard x exp(weight x the driver's distance from its reference)."""
    return Par(
        name, float, description, ELASTICITY, default, LOGIT_WEIGHT, Range(low, high, source)
    )


def _share(name: str, way: str, default: float, source: str):
    """The share of one way out among splits at reference drivers (normalised by the sum)."""
    return Par(
        name,
        float,
        f"weight of leaving {way} among the ways out, at reference drivers",
        "relative weight",
        default,
        WEIGHT,
        Range(default * 2 / 3, default * 4 / 3, source),
    )


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
            "source article: joint action tears the Taliban; size: judgement",
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
            "amnesty_strain",
            "x the amnesty offered to ISIS-K (`policy.amnesty`), whatever the faction's ideology",
            0.01,
            0.0,
            0.03,
            "HRW, Jul 2022 (Nangarhar, Kunar): Taliban forces summarily executed or disappeared"
            " alleged ISKP members (over 100 bodies, Aug 2021-Apr 2022) while the leadership"
            " offered an amnesty, the rank and file's hostility to sparing them; size:"
            " judgement, at full amnesty as full concessions strain a faction of middling"
            " ideology (0.02 x 0.5)",
        ),
        _strain(
            "rivalry_strain",
            "x how far a rival's share of posts exceeds its own",
            0.05,
            0.01,
            0.1,
            "source article: Haqqanis sideline Baradar; size: judgement",
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
            "desertion_strain",
            "x the share of its fighters that deserted this month",
            1.0,
            0.5,
            2.0,
            judgement("a fighter who goes home loosens the faction as one who goes over does"),
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
            "base_hazard",
            float,
            "chance a year that a faction's leaders take it out when nothing pushes or pulls"
            " (full cohesion, an equal share of posts, full pay, no other driver)",
            "per year",
            0.002,
            PROBABILITY,
            Range(0.001, 0.004, BASE_RATE),
        ),
        _share("isisk_share", "to ISIS-K", 0.25, HISTORY_OF_WAYS),
        _share("independent_share", "their own way", 0.25, HISTORY_OF_WAYS),
        _share("rival_share", "rival Taliban rule", 0.5, HISTORY_OF_WAYS),
        _elasticity(
            "w_stay_cohesion",
            "x cohesion (reference: full), against leaving",
            3.0,
            2.0,
            4.0,
            judgement("a faction at half cohesion is 3-7 times as likely to split as a whole one"),
        ),
        _elasticity(
            "w_stay_posts",
            "x posts above an equal share (at most twice), against leaving",
            0.5,
            0.25,
            1.0,
            judgement("offices hold leaders: no posts at all doubles the hazard at most"),
        ),
        _elasticity(
            "w_stay_pay",
            "x pay ratio above full pay, against leaving",
            0.5,
            0.25,
            1.0,
            judgement("pay holds leaders as offices do: unpaid doubles the hazard at most"),
        ),
        _elasticity(
            "w_isisk_ideology",
            "x ideology x abandonment of jihad by the leadership, for ISIS-K",
            2.0,
            1.0,
            3.0,
            "source article: ideological switching; judgement: up to 20 times at full drivers",
        ),
        _elasticity(
            "w_isisk_ties",
            "x ties to ISIS-K, for ISIS-K",
            2.0,
            1.0,
            3.0,
            "source article: Haqqani-ISIS-K ties; judgement: as ideology",
        ),
        _elasticity(
            "w_isisk_pull",
            "x ISIS-K momentum, for ISIS-K",
            0.5,
            0.0,
            1.0,
            judgement("ISIS-K's success pulls, less than ideology and ties"),
        ),
        _elasticity(
            "w_independent_autonomy",
            "x autonomy (a regional base), for going its own way",
            1.0,
            0.5,
            1.5,
            judgement("a regional base makes going alone feasible: 2-4 times at full autonomy"),
        ),
        _elasticity(
            "w_independent_exclusion",
            "x how far its posts fall short of an equal share, for going its own way",
            1.0,
            0.5,
            1.5,
            judgement("exclusion from offices pushes leaders out, as autonomy pulls them"),
        ),
        _elasticity(
            "w_rival_strength",
            "x its share of Taliban fighters, for rival rule",
            1.0,
            0.5,
            1.5,
            judgement("Christia 2012: Afghan factions realign with relative power"),
        ),
        _elasticity(
            "w_rival_grievance",
            "x mean grievance of its units, for rival rule",
            1.0,
            0.5,
            1.5,
            judgement("aggrieved units back a rival leadership: 2-4 times at full grievance"),
        ),
    ),
)
"""The fragmentation rule's keys, in the order of a scenario file."""
