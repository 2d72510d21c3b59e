"""Recruitment and cell life (`rules.recruitment`): births, splits, deaths and attrition.

The rules are in `sim.rules.recruitment`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import PER_MONTH, PROBABILITY, Block, Bound, Par, Range, judgement

BOOST = Bound(0.0, 10.0, "recruits x (1 + boost) at full driver: eleven times at most")
ATTRITION = "share a month"

RECRUITMENT = Block(
    "rules.recruitment",
    (
        Par(
            "isisk_local_per_month",
            float,
            "local recruits of ISIS-K a month at zero momentum, hardship and recognition",
            "fighters a month",
            20,
            PER_MONTH,
            Range(5, 60, judgement("growth to ~4,000 by early 2022 (SG)")),
        ),
        Par(
            "momentum_boost",
            float,
            "local recruits x (1 + boost x momentum)",
            "x recruits",
            1.0,
            BOOST,
            Range(0.0, 2.0, judgement("success draws recruits: up to three times as many")),
        ),
        Par(
            "hardship_boost",
            float,
            "local recruits x (1 + boost x hardship): the recruiting pool",
            "x recruits",
            1.0,
            BOOST,
            Range(0.0, 2.0, judgement("economic collapse widens the pool")),
        ),
        Par(
            "recognition_boost",
            float,
            "local recruits x (1 + boost x share of states recognising): the 'apostate regime'",
            "x recruits",
            0.5,
            BOOST,
            Range(0.0, 1.0, judgement("the 'apostate regime' narrative")),
        ),
        Par(
            "anger_recruits",
            float,
            "recruits a month at full crackdown intensity and zero accuracy (Bennett 2008)",
            "fighters a month",
            60,
            PER_MONTH,
            Range(20, 120, "Bennett 2008: indiscriminate force recruits"),
        ),
        Par(
            "deserter_share",
            float,
            "share of the month's Taliban deserters who join ISIS-K as local recruits",
            "share",
            0.05,
            PROBABILITY,
            Range(
                0.0,
                0.15,
                judgement(
                    "most deserters go home; a few, aggrieved and armed, are ISIS-K's pool"
                    " (as Taliban dissidents were in 2014-15)"
                ),
            ),
        ),
        Par(
            "cell_split_size",
            int,
            "a cell above this size splits in two",
            "fighters",
            150,
            Bound(2, 100_000, "fighters; a cell is a few dozen"),
            Range(
                80,
                300,
                judgement("cells of a few dozen grow to a hundred or more before splitting"),
            ),
        ),
        Par(
            "cell_floor",
            int,
            "a cell below this size folds into the largest cell",
            "fighters",
            10,
            Bound(0, 100_000, "fighters"),
            Range(5, 20, judgement("a handful of fighters is no longer a cell")),
        ),
        Par(
            "isisk_attrition",
            float,
            "share of ISIS-K fighters lost each month (deaths, desertion)",
            ATTRITION,
            0.01,
            PROBABILITY,
            Range(0.005, 0.03, judgement("6-30% a year, under pressure")),
        ),
        Par(
            "unit_birth_rate",
            float,
            "new units per unit-month at full pay",
            "per unit-month",
            0.004,
            Bound(0.0, 0.1, "per unit-month: doubling in 7 months"),
            Range(0.0, 0.01, judgement("pay brings new bands: up to 13% more units a year")),
        ),
        Par(
            "unit_split_factor",
            float,
            "a unit above this many times `taliban.unit_size` splits",
            "x unit_size",
            2.5,
            Bound(1.0, 100.0, "x unit_size: above one", open_low=True),
            Range(2.0, 3.0, judgement("a band splits at two to three times its usual size")),
        ),
        Par(
            "taliban_attrition",
            float,
            "share of Taliban fighters lost each month (deaths, desertion beyond defection)",
            ATTRITION,
            0.003,
            PROBABILITY,
            Range(0.001, 0.006, judgement("1-7% a year once the war was over")),
        ),
        Par(
            "foreign_attrition",
            float,
            "share of foreign fighters lost each month",
            ATTRITION,
            0.005,
            PROBABILITY,
            Range(
                0.002, 0.01, judgement("2-11% a year: more than the Taliban's, less than ISIS-K's")
            ),
        ),
    ),
)
"""The recruitment rule's keys, in the order of a scenario file."""
