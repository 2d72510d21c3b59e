"""Per-step record of a run and its summary outcomes.

One preallocated array `values[step, actor, column]` (NaN where a column does not
apply to an actor); rules add this month's flows to it through `add`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import DataCollector

from sim.actors import PATRONS

if TYPE_CHECKING:
    from sim.model import AfghanistanModel

COLUMNS = (
    "fighters",  # fighters held at the end of the month
    "recruits",  # fighters gained: local recruits, new units, foreign arrivals
    "losses",  # fighters lost: attrition, combat, crackdown, purge, desertion
    "defected_in",  # fighters received from another actor (defection, switch)
    "defected_out",  # fighters handed to another actor
    "deserted",  # fighters who left the fight (part of losses)
    "cells",
    "attacks",
    "sectarian_attacks",
    "casualties",
    "momentum",
    "cohesion",
    "broken_away",
    "pay_ratio",
    "revenue",
    "crackdown",
    "credibility",
    "pressure",
    "recognized",
    "patron",  # index into actors.PATRONS
)
COL = {name: i for i, name in enumerate(COLUMNS)}
FLOWS = ("recruits", "losses", "defected_in", "defected_out", "deserted")
FLOW_INDEX = {name: i for i, name in enumerate(FLOWS)}
ACTOR_TYPES = ("taliban", "faction", "isisk", "foreign_group", "international")


class Recorder:
    """Collects the month-by-month state of one run."""

    def __init__(self, model: AfghanistanModel, steps: int) -> None:
        self.model = model
        nf, ng = len(model.factions), len(model.groups)
        self.actors = ["taliban", *(f.name for f in model.factions), "isisk",
                       *(g.name for g in model.groups), *(s.name for s in model.states)]
        self.actor_types = ["taliban", *["faction"] * nf, "isisk",
                            *["foreign_group"] * ng, *["international"] * len(model.states)]
        self.isisk = 1 + nf
        self.first_group = 2 + nf
        self.first_state = 2 + nf + ng
        self.groups = slice(self.first_group, self.first_state)
        self.values = np.full((steps + 1, len(self.actors), len(COLUMNS)), np.nan)
        self.flows = np.zeros((len(self.actors), len(FLOWS)))
        self.tally = {"attacks": 0.0, "sectarian_attacks": 0.0, "casualties": 0.0}

    def start_step(self) -> None:
        """Zero this month's flows and tallies."""
        self.flows[:] = 0.0
        self.tally = dict.fromkeys(self.tally, 0.0)

    def add(self, flow: str, actor: int | slice, amount: float | np.ndarray) -> None:
        """Add fighters to a flow of one actor, or of a slice of actors at once."""
        self.flows[actor, FLOW_INDEX[flow]] += amount

    def add_by_faction(self, flow: str, faction: np.ndarray, amount: np.ndarray) -> None:
        """Add per-unit amounts to each unit's faction row."""
        per_faction = np.bincount(faction, weights=amount, minlength=len(self.model.factions))
        self.flows[1 : 1 + len(per_faction), FLOW_INDEX[flow]] += per_faction

    def record(self, month: int) -> None:
        """Write the state at the end of `month` into row `month`."""
        m, row = self.model, self.values[month]
        for j, flow in enumerate(FLOWS):
            row[:, COL[flow]] = self.flows[:, j]
        fighters = m.faction_fighters()
        active = m.active_factions()
        nf = len(fighters)
        faction_rows = row[1 : 1 + nf]
        faction_rows[:, COL["fighters"]] = fighters
        faction_rows[:, COL["cohesion"]] = [f.cohesion for f in m.factions]
        faction_rows[:, COL["broken_away"]] = ~active
        faction_rows[:, COL["pay_ratio"]] = [f.pay_ratio for f in m.factions]
        total = row[0]
        for j in (COL["fighters"], *(COL[f] for f in FLOWS)):
            total[j] = faction_rows[active, j].sum()
        weight = fighters * active
        total[COL["cohesion"]] = (
            np.average(faction_rows[:, COL["cohesion"]], weights=weight) if weight.sum() else 0.0
        )
        total[COL["pay_ratio"]] = m.economy.pay_ratio
        total[COL["revenue"]] = m.economy.revenue_musd
        total[COL["crackdown"]] = m.crackdown
        total[COL["credibility"]] = m.credibility
        total[COL["pressure"]] = np.mean([s.pressure for s in m.states])
        total[COL["recognized"]] = np.mean([s.recognized for s in m.states])
        isisk = row[self.isisk]
        isisk[COL["fighters"]] = m.isisk.fighters
        isisk[COL["cells"]] = len(m.isisk.cells)
        isisk[COL["momentum"]] = m.isisk.momentum
        for key, value in self.tally.items():
            isisk[COL[key]] = value
        for i, group in enumerate(m.groups, start=self.first_group):
            row[i, COL["fighters"]] = group.fighters
            row[i, COL["patron"]] = PATRONS.index(group.patron)
        for i, state in enumerate(m.states, start=self.first_state):
            row[i, COL["pressure"]] = state.pressure
            row[i, COL["recognized"]] = state.recognized

    def series(self, actor: str, column: str) -> np.ndarray:
        """One column of one actor over all months recorded so far."""
        return self.values[: self.model.month + 1, self.actors.index(actor), COL[column]]

    def outcomes(self) -> dict[str, float | bool]:
        """Summary outcomes of the run (DESIGN.md section 4)."""
        m = self.model
        isisk = self.values[:, self.isisk]
        breaks = [f.broken_month for f in m.factions if f.broken_month is not None]
        recognitions = [s.recognized_month for s in m.states if s.recognized_month is not None]
        defected = isisk[1:, COL["defected_in"]].sum()
        from_groups = self.values[1:, self.first_group : self.first_state, COL["defected_out"]].sum()
        return {
            "isisk_final": float(isisk[-1, COL["fighters"]]),
            "isisk_peak": float(isisk[:, COL["fighters"]].max()),
            "isisk_cells_final": float(isisk[-1, COL["cells"]]),
            "taliban_final": float(self.values[-1, 0, COL["fighters"]]),
            "attacks_total": float(isisk[1:, COL["attacks"]].sum()),
            "sectarian_attacks_total": float(isisk[1:, COL["sectarian_attacks"]].sum()),
            "casualties_total": float(isisk[1:, COL["casualties"]].sum()),
            "defections_total": float(defected),
            "defections_taliban": float(defected - from_groups),
            "defections_foreign": float(from_groups),
            "desertions_total": float(self.values[1:, 1 : self.isisk, COL["deserted"]].sum()),
            "fragmented": bool(breaks),
            "fragmented_month": float(min(breaks)) if breaks else np.nan,
            "recognized": bool(recognitions),
            "recognized_month": float(min(recognitions)) if recognitions else np.nan,
            "recognitions_final": float(len(recognitions)),
        }

    def datacollector(self) -> DataCollector:
        """A Mesa DataCollector reporting each actor's fighters and the main indicators."""
        reporters = {
            f"fighters_{actor}": _reader(i, "fighters")
            for i, actor in enumerate(self.actors[: self.first_state])
        }
        reporters |= {name: _reader(self.isisk, name) for name in ("cells", "attacks", "casualties")}
        reporters |= {name: _reader(0, name) for name in ("revenue", "pressure", "recognized")}
        return DataCollector(model_reporters=reporters)


def _reader(actor: int, column: str):  # noqa: ANN202 - a reporter for Mesa's DataCollector
    def read(model: AfghanistanModel) -> float:
        return float(model.recorder.values[model.month, actor, COL[column]])

    return read
