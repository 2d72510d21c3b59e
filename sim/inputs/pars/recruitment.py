"""Recruitment and cell life (`rules.recruitment`): births, splits, deaths and attrition.

The rules are in `sim.rules.recruitment`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    FIGHTERS,
    PER_MONTH,
    PROBABILITY,
    Block,
    Bound,
    Par,
    Range,
    judgement,
)

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
            Range(
                5,
                60,
                "SG Feb 2022 (data/observed.yaml): from ~2,200 toward 4,000 by Jan 2022, mostly"
                " released prisoners; the rest, over four months, tens a month",
            ),
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
            "consolidation_boost",
            float,
            "local recruits x (1 + boost x share of ISIS-K's effort spent consolidating):"
            " recruiting and propaganda",
            "x recruits",
            1.0,
            BOOST,
            Range(
                0.3,
                2.0,
                judgement(
                    "Jadoon & Mines 2020: lying low after its 2019-20 losses, ISKP rebuilt"
                    " through urban recruiting networks and propaganda; full effort on it"
                    " between 1.3 and 3 times the recruits"
                ),
            ),
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
            Range(20, 120, "Bennett 2008: indiscriminate force recruits; size: judgement"),
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
            "ex_ansf_pool",
            int,
            "former security forces (ex-ANSF) at month 0 open to ISIS-K's recruiters",
            "people",
            20_000,
            FIGHTERS,
            Range(
                5_000,
                50_000,
                judgement(
                    "a small part of some 300,000 former soldiers, police and intelligence men:"
                    " those who stayed, armed and out of work (WSJ, 31 Oct 2021)"
                ),
            ),
        ),
        Par(
            "ex_ansf_rate",
            float,
            "share of the ex-ANSF pool recruited a month at zero hardship and reprisals",
            "share a month",
            0.0005,
            PROBABILITY,
            Range(
                0.0,
                0.002,
                judgement("'a small but growing number' (WSJ, 31 Oct 2021): tens a month"),
            ),
        ),
        Par(
            "ex_ansf_hardship",
            float,
            "ex-ANSF recruits x (1 + this x hardship): no salary, no other work",
            "x recruits",
            2.0,
            BOOST,
            Range(
                0.5,
                4.0,
                judgement("WSJ, 31 Oct 2021: unpaid former personnel joining ISKP; not measured"),
            ),
        ),
        Par(
            "ex_ansf_reprisal",
            float,
            "ex-ANSF recruits x (1 + this x the crackdown's indiscriminate force): reprisals",
            "x recruits",
            2.0,
            BOOST,
            Range(
                0.5,
                4.0,
                judgement(
                    "WSJ, 31 Oct 2021; HRW Nov 2021 (killings of former security personnel):"
                    " reprisals push them to ISKP; not measured"
                ),
            ),
        ),
        Par(
            "ex_ansf_decay",
            float,
            "share of the ex-ANSF pool lost a month (emigration, other work, arrests, age)",
            "share a month",
            0.02,
            PROBABILITY,
            Range(0.005, 0.05, judgement("the pool halves in 1-11 years")),
        ),
        Par(
            "central_asian_per_month",
            float,
            "Central Asian and Uyghur arrivals to ISIS-K a month at zero momentum",
            "fighters a month",
            5,
            PER_MONTH,
            Range(
                0,
                20,
                judgement(
                    "UN Monitoring Team 28th report (Jul 2021); AP, Oct 2021 (the Kunduz bomber"
                    " a Uyghur): present, in small numbers; no count"
                ),
            ),
        ),
        Par(
            "deserter_rival_share",
            float,
            "share of the month's deserters who join a rival Taliban that broke away (if any)",
            "share",
            0.1,
            PROBABILITY,
            Range(
                0.0,
                0.3,
                judgement("a breakaway commander draws on deserters of his own networks"),
            ),
        ),
        Par(
            "deserter_crime_share",
            float,
            "share of the month's deserters who take to armed crime (banditry, kidnapping,"
            " smuggling)",
            "share",
            0.2,
            PROBABILITY,
            Range(
                0.05,
                0.4,
                "FIP 2014 / Kaplan & Nussio 2018 (J. Conflict Resolution): 20-24% of"
                " Colombia's demobilised fighters reoffended, crime included; deserters keep"
                " their weapons and networks; share: judgement",
            ),
        ),
        Par(
            "crime_exit",
            float,
            "share of those in armed crime who leave it a month (arrests, deaths, home)",
            "share a month",
            0.05,
            PROBABILITY,
            Range(0.02, 0.1, judgement("a gang's men turn over in one to four years")),
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
