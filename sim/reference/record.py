"""What the reference's `DataCollector` reads each month, and the run's outcomes from its table.

The reporters read the agents and the model's country-wide quantities, each one a
column of the engine's record (`sim.engine.record.COLUMNS`) for one actor; `record_of`
lays the table out as the engine's record, so `outcomes` reduces it with the same rows
(`sim.engine.outcomes.OUTCOMES`) as the engine's `Recorder.outcomes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.outcomes import OUTCOMES, Record
from sim.engine.record import COL, COLUMNS
from sim.inputs.schema import BREAKAWAYS, TARGETS

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel

Reporter = Callable[["ReferenceModel"], float]


def actors(model: ReferenceModel) -> list[tuple[str, str]]:
    """(name, kind) of each actor, in the engine's record order."""
    return [
        ("taliban", "taliban"),
        *((f.name, "faction") for f in model.factions),
        ("isisk", "isisk"),
        *((g.name, "foreign_group") for g in model.groups),
        *((s.name, "international") for s in model.states),
    ]


def recorded(model: ReferenceModel) -> dict[tuple[str, str], Reporter]:
    """Each (actor, record column) the reference records, read from the agents."""
    abroad, sectarian = TARGETS.index("abroad"), TARGETS.index("sectarian")
    columns: dict[tuple[str, str], Reporter] = {
        ("taliban", "fighters"): lambda m: sum(
            f.fighters() for f in m.factions if not f.broken_away
        ),
    }
    for f in model.factions:
        columns |= {
            (f.name, "fighters"): lambda m, f=f: f.fighters(),
            (f.name, "deserted"): lambda m, f=f: f.deserted,
            (f.name, "broken_away"): lambda m, f=f: f.broken_away,
            (f.name, "breakaway_to"): lambda m, f=f: (
                BREAKAWAYS.index(f.breakaway_to) if f.breakaway_to else np.nan
            ),
        }
    columns |= {
        ("isisk", "fighters"): lambda m: m.isisk.fighters(),
        ("isisk", "cells"): lambda m: len(m.cells),
        ("isisk", "attacks"): lambda m: m.isisk.attacks_at_home,
        ("isisk", "sectarian_attacks"): lambda m: int(m.isisk.by_target[sectarian]),
        ("isisk", "attacks_abroad"): lambda m: int(m.isisk.by_target[abroad]),
        ("isisk", "casualties"): lambda m: m.isisk.casualties,
        ("isisk", "crackdown_removed"): lambda m: m.isisk.removed,
        ("isisk", "defected_in"): lambda m: m.isisk.defected_in,
        ("isisk", "surrendered"): lambda m: m.isisk.surrendered,
        ("isisk", "momentum"): lambda m: m.isisk.momentum,
        ("isisk", "safe_areas"): lambda m: m.safe_areas,
    }
    for g in model.groups:
        columns |= {
            (g.name, "fighters"): lambda m, g=g: g.fighters,
            (g.name, "defected_out"): lambda m, g=g: g.handed,
        }
    for s in model.states:
        columns |= {
            (s.name, "pressure"): lambda m, s=s: s.pressure,
            (s.name, "recognized"): lambda m, s=s: s.recognized_month is not None,
            (s.name, "engagement"): lambda m, s=s: s.engagement,
        }
    return columns | {
        ("taliban", "credibility"): lambda m: m.credibility,
        ("taliban", "revenue"): lambda m: m.revenue_musd,
        ("taliban", "aid"): lambda m: m.aid_musd,
        ("taliban", "hardship"): lambda m: m.hardship,
        ("taliban", "frozen"): lambda m: m.frozen_musd,
        ("taliban", "unfrozen"): lambda m: m.unfrozen,
        ("taliban", "pressure"): lambda m: sum(s.pressure for s in m.states) / len(m.states),
        ("taliban", "recognized"): lambda m: m.recognized_share(),
        ("taliban", "engagement"): lambda m: sum(s.engagement for s in m.states) / len(m.states),
    }


def reporters(model: ReferenceModel) -> dict[str, Reporter]:
    """The `DataCollector`'s reporters: `recorded`, keyed `<column>_<actor>` (`fighters_isisk`)."""
    return {_key(actor, column): read for (actor, column), read in recorded(model).items()}


def _key(actor: str, column: str) -> str:
    """The table column of one actor's record column."""
    return f"{column}_{actor}"


def record_of(model: ReferenceModel) -> Record:
    """The collected table as one replicate of the engine's record (NaN where not recorded)."""
    table = model.datacollector.get_model_vars_dataframe()
    names, kinds = zip(*actors(model), strict=True)
    values = np.full((1, len(table), len(names), len(COLUMNS)), np.nan)
    for actor, column in recorded(model):
        values[0, :, names.index(actor), COL[column]] = table[_key(actor, column)]
    return Record(values, kinds, COLUMNS)


def outcomes(model: ReferenceModel) -> dict[str, float | bool]:
    """The run's summary outcomes, reduced from its record by `sim.engine.outcomes.OUTCOMES`."""
    return OUTCOMES.reduce(record_of(model))[0]
