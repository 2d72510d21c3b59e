"""ISIS-K at month 0 (`isisk`), and the prisoners released in August 2021 still joining.

Read by the rules of `attacks`, `crackdown`, `recruitment`, `defection` and `surrender`
(its pay).
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    FIGHTERS,
    PROBABILITY,
    Block,
    Bound,
    Par,
    Range,
    judgement,
)

ISISK = Block(
    "isisk",
    (
        Par(
            "fighters",
            int,
            "fighters at month 0",
            "fighters",
            2200,
            FIGHTERS,
            Range(1500, 2500, "MT S/2021/486 1,500-2,200; source article 'well over 2,000'"),
        ),
        Par(
            "cells",
            int,
            "cells at month 0, fighters spread over them",
            "cells",
            24,
            Bound(1, 10_000, "cell arrays are sized from it; the baseline has 24"),
            Range(10, 40, judgement("Nangarhar/Kunar base plus urban cells")),
        ),
        Par(
            "capability",
            float,
            "attack capability of every cell at month 0",
            "multiplier",
            1.0,
            Bound(0.0, 100.0, "a multiplier of the attack rate", open_low=True),
            Range(0.5, 1.5, judgement("a multiplier; 1 = the tempo of late 2021")),
        ),
        Par(
            "exposure",
            float,
            "visibility of its cells to Taliban intelligence at month 0",
            "0..1",
            0.3,
            PROBABILITY,
            Range(0.1, 0.5, judgement("visibility to Taliban intelligence")),
        ),
        Par(
            "safe_areas",
            float,
            "share of its mountain sanctuaries in Kunar and Nangarhar it holds at month 0,"
            " against its 2018-19 peak (1)",
            "0..1",
            0.3,
            PROBABILITY,
            Range(
                0.1,
                0.5,
                "data/observed.yaml: core in Kunar/Nangarhar (MT 12th report, Jun 2021); the"
                " Nangarhar strongholds lost in late 2019 (Nangarhar governor, Dec 2019); share"
                " regained after Aug 2021: judgement",
            ),
        ),
        Par(
            "momentum",
            float,
            "recent success at month 0",
            "0..1",
            0.5,
            PROBABILITY,
            Range(0.2, 0.8, judgement("after the Kabul airport attack of Aug 2021")),
        ),
        Par(
            "own_funds_musd",
            float,
            "money ISIS-K raises itself a month (extortion, taxation, donations); with the"
            " network's, its one budget: pay first, the rest for operations",
            "USD million a month",
            1.7,
            Bound(0.0, 1e3, "USD million a month", open_low=True),
            Range(
                0.8,
                3.0,
                judgement(
                    "pay for 1,500-4,000 fighters at ~500 USD plus operations; the UN"
                    " Monitoring Team reports give no monthly figure"
                ),
            ),
        ),
        Par(
            "network_funds_musd",
            float,
            "money from the wider Islamic State network a month; a scenario or event sets it",
            "USD million a month",
            0.3,
            Bound(0.0, 1e3, "USD million a month"),
            Range(0.0, 0.8, judgement("transfers from IS regional offices; no monthly figure")),
        ),
        Par(
            "released_prisoners",
            int,
            "prisoners released in Aug 2021 who rejoin after month 0",
            "fighters",
            1500,
            FIGHTERS,
            Range(500, 2000, "SG Feb 2022: from ~2,200 toward 4,000, most released"),
        ),
        Par(
            "release_months",
            int,
            "months over which the released prisoners rejoin (Oct 2021 - Jan 2022)",
            "months",
            4,
            Bound(1, 600, "spread over at most the longest run"),
            Range(2, 6, "SG Feb 2022 (data/observed.yaml): released Aug 2021, counted by Jan 2022"),
        ),
        Par(
            "pay_usd",
            float,
            "monthly pay per ISIS-K fighter when its budget covers it (paid before operations)",
            "USD a month",
            500,
            Bound(0.0, 100_000.0, "USD a fighter-month: beyond any armed group's pay"),
            Range(
                300,
                800,
                judgement(
                    "Giustozzi 2018: ISKP paid its fighters more than the Taliban paid theirs;"
                    " above the Taliban's economy.wage_usd"
                ),
            ),
        ),
    ),
)
"""ISIS-K's keys, in the order of a scenario file."""
