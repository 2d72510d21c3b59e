"""The Taliban (`taliban`): how fighters are split into units, and each faction at month 0.

The factions themselves (their ids, labels and values) are data of the baseline
scenario; this declares what each of their keys means, bounds and plausibly is.
Read by the rules of `defection`, `economy`, `recruitment` and `fragmentation`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    MAX_FIGHTERS,
    PROBABILITY,
    WEIGHT,
    Block,
    Bound,
    Par,
    Range,
    judgement,
)

TALIBAN = Block(
    "taliban",
    (
        Par(
            "unit_size",
            float,
            "mean fighters per unit (a commander and his band)",
            "fighters",
            150,
            Bound(1.0, 1e5, "fighters per unit: one at least"),
            Range(50, 300, judgement("a commander's band: tens to a few hundred fighters")),
        ),
    ),
)
"""The Taliban's global keys (its core, factions and rivalries are data)."""

SPREAD = Block(
    "spread",
    (
        Par(
            "mean",
            float,
            "mean over the faction's units",
            "0..1",
            bound=Bound(0.0, 1.0, "a Beta's mean lies inside 0..1", open_low=True, open_high=True),
        ),
        Par(
            "sd",
            float,
            "standard deviation over the faction's units",
            "0..1",
            bound=Bound(
                0.0,
                0.5,
                "a Beta's sd is below 0.5 (and below sqrt(mean (1 - mean)), checked with the mean)",
                open_low=True,
                open_high=True,
            ),
        ),
    ),
)
"""A unit trait drawn from a Beta distribution with this mean and sd."""

SHARE = Bound(0.0, WEIGHT.high, "a relative weight, normalised by the sum over factions")

FACTION = Block(
    "taliban.factions.*",
    (
        Par(
            "fighters",
            int,
            "fighters at month 0",
            "fighters",
            bound=Bound(1, MAX_FIGHTERS, "one at least; ten times all the Taliban's fighters"),
            range=Range(
                3000,
                60000,
                "MT 2021 (S/2021/486): 58,000-100,000 in all; their split among factions is "
                "judgement",
            ),
            actors={
                "haqqani": Range(
                    3000,
                    60000,
                    "press, Sep 2021: 6,000 controlling Kabul; DoD IG 2018: 3,000-5,000; "
                    "the range beyond them: judgement",
                )
            },
        ),
        Par(
            "ideology",
            SPREAD,
            "ideological commitment of its units, Beta-distributed",
            "0..1",
            parts={
                "mean": Range(
                    0.2,
                    0.9,
                    judgement("mixed ideological and economic motives (Oppenheim et al. 2015)"),
                ),
                "sd": Range(0.05, 0.25, judgement("heterogeneity within a faction")),
            },
        ),
        Par(
            "ties_to_isisk",
            SPREAD,
            "personal ties of its units to ISIS-K, Beta-distributed",
            "0..1",
            parts={
                "mean": Range(
                    0.03,  # at 0.02 the Haqqanis' shipped sd (0.15) is no Beta
                    0.5,
                    judgement(
                        "the source article ties the Haqqanis to ISIS-K (shared prison years, "
                        "ex-commanders); other factions less"
                    ),
                ),
                "sd": Range(0.02, 0.2, judgement("a few units with ties, most without")),
            },
        ),
        Par(
            "cohesion",
            float,
            "cohesion at month 0",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.5, 0.95, judgement("all factions held together to mid-2022")),
        ),
        Par(
            "revenue_share",
            float,
            "its share of the pay budget",
            "relative weight",
            bound=Bound(0.0, SHARE.high, SHARE.why, open_low=True),
            range=Range(
                0.05, 0.7, judgement("relative weights of the pay budget; no source splits it")
            ),
        ),
        Par(
            "posts",
            float,
            "its share of offices and ministries: power, in rivalry and in the choice to stay",
            "relative weight",
            bound=SHARE,
            range=Range(0.05, 0.7, judgement("cabinet of Sep 2021: Kandahari/Haqqani-led")),
            actors={
                "haqqani": Range(
                    0.05,
                    0.7,
                    judgement("interior ministry, intelligence, Kabul security (Sep 2021)"),
                ),
                "doha": Range(
                    0.05, 0.7, judgement("the political wing (Baradar), sidelined in Sep 2021")
                ),
            },
        ),
        Par(
            "autonomy",
            float,
            "a regional base that makes going its own way feasible",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.0, 0.8, judgement("regional bases (north, Loya Paktia)")),
            actors={
                "haqqani": Range(0.0, 0.8, judgement("the Loya Paktia base")),
                "northern": Range(
                    0.0,
                    0.8,
                    judgement("non-Pashtun commanders with bases in Badakhshan and Faryab"),
                ),
            },
        ),
    ),
)
"""The keys of each Taliban faction at month 0."""
