"""The summary outcomes of a run (docs/design.md §5): one table of names, labels and units.

Everything that lists outcomes (the record's summary, the runs table, plots, comparisons,
summaries, tests) reads `OUTCOMES`, so adding an outcome touches this file only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["amount", "event", "month"]


@dataclass(frozen=True)
class Outcome:
    """One scalar outcome per run.

    Attributes:
        name: column of the runs table.
        label: a readable title.
        unit: what it counts ("" for events).
        kind: "amount" (a number), "event" (yes/no) or "month" (when an event first
            happened; NaN if never).
        main: printed in the command's summary and compared by default.
    """

    name: str
    label: str
    unit: str
    kind: Kind = "amount"
    main: bool = False


OUTCOMES = (
    Outcome("isisk_final", "ISIS-K strength at the end", "fighters", main=True),
    Outcome("isisk_peak", "ISIS-K peak strength", "fighters", main=True),
    Outcome("isisk_cells_final", "ISIS-K cells at the end", "cells"),
    Outcome("taliban_final", "Taliban strength at the end", "fighters", main=True),
    Outcome("attacks_total", "ISIS-K attacks, total", "attacks", main=True),
    Outcome("sectarian_attacks_total", "Sectarian attacks, total", "attacks"),
    Outcome("attacks_abroad_total", "ISIS-K attacks abroad, total", "attacks"),
    Outcome("casualties_total", "Casualties, total", "people"),
    Outcome("crackdown_removed_total", "ISIS-K fighters removed by the crackdown", "fighters"),
    Outcome("defections_total", "Defections to ISIS-K, total", "fighters", main=True),
    Outcome("defections_taliban", "Defections from the Taliban", "fighters"),
    Outcome("defections_foreign", "Defections from foreign groups", "fighters"),
    Outcome("desertions_total", "Desertions, total", "fighters"),
    Outcome("fragmented", "Taliban fragmented", "", "event", main=True),
    Outcome("fragmented_month", "Month the Taliban fragmented", "month", "month"),
    Outcome("breakaways_isisk", "Factions gone over to ISIS-K", "factions"),
    Outcome("breakaways_independent", "Factions gone their own way", "factions"),
    Outcome("breakaways_rival", "Factions set up as rival Taliban", "factions"),
    Outcome("recognized", "Taliban recognised", "", "event", main=True),
    Outcome("recognized_month", "Month of the first recognition", "month", "month"),
    Outcome("recognitions_final", "States recognising at the end", "states"),
    Outcome("revenue_mean", "Fiscal revenue, monthly mean", "USD million"),
    Outcome("pressure_final", "International pressure at the end, mean of states", "0-1"),
    Outcome("hardship_final", "Economic hardship at the end", "0-1"),
    Outcome("unfrozen_month", "Month the reserves were unfrozen", "month", "month"),
)
OUTCOME = {o.name: o for o in OUTCOMES}
NAMES = tuple(o.name for o in OUTCOMES)
EVENTS = tuple(o.name for o in OUTCOMES if o.kind == "event")
MAIN = tuple(o.name for o in OUTCOMES if o.main)
