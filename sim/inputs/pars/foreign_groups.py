"""Foreign-fighter groups at month 0 (`foreign_groups`): their size, patron and loyalty.

The groups themselves are data of the baseline scenario; this declares what each of
their keys means, bounds and plausibly is (sizes per group, from the UN Monitoring
Team's reports in `data/observed.yaml`). Read by the rules of `purge` and `recruitment`.
"""

from __future__ import annotations

from typing import Literal

from sim.inputs.pars.declare import FIGHTERS, PER_MONTH, PROBABILITY, Block, Par, Range, judgement

PATRONS = ("taliban", "isisk", "independent")
"""Who a foreign-fighter group fights for."""
Patron = Literal[PATRONS]

FOREIGN_GROUP = Block(
    "foreign_groups.*",
    (
        Par(
            "fighters",
            int,
            "fighters at month 0",
            "fighters",
            bound=FIGHTERS,
            actors={
                "ttp": Range(3000, 6500, "MT 26th and 29th reports"),
                "al_qaeda": Range(200, 600, "MT 26th report; S/2021/486"),
                "etim_tip": Range(350, 500, "MT 24th, 26th reports"),
                "imu": Range(50, 200, "MT 24th report: ~100"),
                "katibat_imam_al_bukhari": Range(25, 100, "MT 24th report: ~50"),
                "jamaat_ansarullah": Range(50, 200, "MT 24th report: ~100 Tajik citizens"),
            },
        ),
        Par("patron", Patron, "who the group fights for"),
        Par(
            "loyalty",
            float,
            "loyalty to its patron: how hard a purge must push before it splinters",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.2, 1.0, judgement("long-standing allies (AQ, TTP) higher")),
        ),
        Par(
            "arrivals_per_month",
            float,
            "foreign fighters arriving each month",
            "fighters a month",
            bound=PER_MONTH,
            range=Range(0.0, 30.0, judgement("UN 2021: a surge of arrivals")),
        ),
    ),
)
"""The keys of each foreign-fighter group at month 0."""
