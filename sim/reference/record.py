"""What the reference's `DataCollector` reads each month, and the run's outcomes from its table.

The reporters read the agents and the model's country-wide quantities; `outcomes`
turns the table (and the months factions broke away or states recognised) into the
summary of `sim.engine.outcomes.OUTCOMES`, defined as the engine's `Recorder.outcomes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.outcomes import NAMES
from sim.inputs.schema import BREAKAWAYS, TARGETS

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel

Reporter = Callable[["ReferenceModel"], float]


def reporters(model: ReferenceModel) -> dict[str, Reporter]:
    """Fighters per actor, the month's tallies and the economy, read from the agents."""
    columns: dict[str, Reporter] = {
        "fighters_taliban": lambda m: sum(f.fighters() for f in m.factions if not f.broken_away),
    }
    for faction in model.factions:
        columns[f"fighters_{faction.name}"] = lambda m, f=faction: f.fighters()
    columns["fighters_isisk"] = lambda m: m.isisk.fighters()
    for group in model.groups:
        columns[f"fighters_{group.name}"] = lambda m, g=group: g.fighters
    abroad, sectarian = TARGETS.index("abroad"), TARGETS.index("sectarian")
    return columns | {
        "cells": lambda m: len(m.cells),
        "attacks": lambda m: m.isisk.attacks_at_home,
        "sectarian_attacks": lambda m: int(m.isisk.by_target[sectarian]),
        "attacks_abroad": lambda m: int(m.isisk.by_target[abroad]),
        "casualties": lambda m: m.isisk.casualties,
        "crackdown_removed": lambda m: m.isisk.removed,
        "defected_in": lambda m: m.isisk.defected_in,
        "defections_foreign": lambda m: sum(g.handed for g in m.groups),
        "deserted": lambda m: sum(f.deserted for f in m.factions),
        "momentum": lambda m: m.isisk.momentum,
        "credibility": lambda m: m.credibility,
        "revenue": lambda m: m.revenue_musd,
        "aid": lambda m: m.aid_musd,
        "hardship": lambda m: m.hardship,
        "frozen": lambda m: m.frozen_musd,
        "unfrozen": lambda m: m.unfrozen,
        "pressure": lambda m: sum(s.pressure for s in m.states) / len(m.states),
        "recognized": lambda m: sum(s.recognized_month is not None for s in m.states),
    }


def outcomes(model: ReferenceModel) -> dict[str, float | bool]:
    """The run's summary outcomes, in the order of `sim.engine.outcomes.NAMES`."""
    table = model.datacollector.get_model_vars_dataframe()
    months = table.iloc[1:]  # flows and tallies: month 0 has none
    breaks = [f.broken_month for f in model.factions if f.broken_month is not None]
    recognitions = [s.recognized_month for s in model.states if s.recognized_month is not None]
    unfrozen = np.flatnonzero(table["unfrozen"].to_numpy())
    defected, foreign = months["defected_in"].sum(), months["defections_foreign"].sum()
    went = [f.breakaway_to for f in model.factions]
    values = {
        "isisk_final": table["fighters_isisk"].iloc[-1],
        "isisk_peak": table["fighters_isisk"].max(),
        "isisk_cells_final": table["cells"].iloc[-1],
        "taliban_final": table["fighters_taliban"].iloc[-1],
        "attacks_total": months["attacks"].sum(),
        "sectarian_attacks_total": months["sectarian_attacks"].sum(),
        "attacks_abroad_total": months["attacks_abroad"].sum(),
        "casualties_total": months["casualties"].sum(),
        "crackdown_removed_total": months["crackdown_removed"].sum(),
        "defections_total": defected,
        "defections_taliban": defected - foreign,
        "defections_foreign": foreign,
        "desertions_total": months["deserted"].sum(),
        "fragmented": bool(breaks),
        "fragmented_month": min(breaks) if breaks else np.nan,
        **{f"breakaways_{kind}": went.count(kind) for kind in BREAKAWAYS},
        "recognized": bool(recognitions),
        "recognized_month": min(recognitions) if recognitions else np.nan,
        "recognitions_final": len(recognitions),
        "revenue_mean": months["revenue"].mean(),
        "pressure_final": table["pressure"].iloc[-1],
        "hardship_final": table["hardship"].iloc[-1],
        "unfrozen_month": unfrozen[0] if unfrozen.size else np.nan,
    }
    return {
        name: values[name] if isinstance(values[name], bool) else float(values[name])
        for name in NAMES
    }
