"""Per-step record of each replicate and its summary outcomes.

One preallocated array `values[replicate, step, actor, column]` (NaN where a column
does not apply to an actor); rules add this month's flows to it through `add`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.engine.world import World

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
TALLIES = ("attacks", "sectarian_attacks", "casualties")
COL = {name: i for i, name in enumerate(COLUMNS)}
FLOWS = ("recruits", "losses", "defected_in", "defected_out", "deserted")
FLOW_INDEX = {name: i for i, name in enumerate(FLOWS)}
FLOW_COLUMNS = [COL[name] for name in FLOWS]
ACTOR_TYPES = ("taliban", "faction", "isisk", "foreign_group", "international")


class Recorder:
    """Collects the month-by-month state of every replicate of a world."""

    def __init__(self, world: World, steps: int) -> None:
        self.world = world
        nf, ng, ns = len(world.faction_names), len(world.group_names), len(world.state_names)
        self.actors = [
            "taliban",
            *world.faction_names,
            "isisk",
            *world.group_names,
            *world.state_names,
        ]
        self.actor_types = [
            "taliban",
            *["faction"] * nf,
            "isisk",
            *["foreign_group"] * ng,
            *["international"] * ns,
        ]
        self.isisk = 1 + nf
        self.factions = slice(1, 1 + nf)
        self.groups = slice(2 + nf, 2 + nf + ng)
        self.states = slice(2 + nf + ng, len(self.actors))
        rows = world.replicates
        self.values = np.full((rows, steps + 1, len(self.actors), len(COLUMNS)), np.nan)
        self.flows = np.zeros((rows, len(self.actors), len(FLOWS)))
        self.tally = np.zeros((rows, len(TALLIES)))

    def start_step(self) -> None:
        """Zero this month's flows and tallies."""
        self.flows[:] = 0.0
        self.tally[:] = 0.0

    def add(self, flow: str, actor: int | slice, amount: np.ndarray) -> None:
        """Add fighters, per replicate, to a flow of one actor (or a slice of actors)."""
        self.flows[:, actor, FLOW_INDEX[flow]] += amount

    def add_by_faction(self, flow: str, amount: np.ndarray) -> None:
        """Add per-unit amounts, (replicates, units), to each unit's faction row."""
        self.flows[:, self.factions, FLOW_INDEX[flow]] += self.world.units.by_faction(amount)

    def record(self, month: int) -> None:
        """Write every replicate's state at the end of `month`."""
        w, row = self.world, self.values[:, month]
        row[:, :, FLOW_COLUMNS] = self.flows
        fighters, active = w.faction_fighters(), ~w.broken_away
        faction = row[:, self.factions]
        faction[..., COL["fighters"]] = fighters
        faction[..., COL["cohesion"]] = w.cohesion
        faction[..., COL["broken_away"]] = ~active
        faction[..., COL["pay_ratio"]] = w.pay_ratio
        total = row[:, 0]
        summed = [COL["fighters"], *FLOW_COLUMNS]
        total[:, summed] = (faction[..., summed] * active[..., None]).sum(axis=1)
        weight = fighters * active
        total[:, COL["cohesion"]] = (w.cohesion * weight).sum(1) / np.maximum(weight.sum(1), 1)
        total[:, COL["pay_ratio"]] = w.total_pay_ratio
        total[:, COL["revenue"]] = w.revenue_musd
        total[:, COL["crackdown"]] = w.crackdown_effect()
        total[:, COL["credibility"]] = w.credibility
        total[:, COL["pressure"]] = w.pressure.mean(axis=1)
        total[:, COL["recognized"]] = (w.recognized_month >= 0).mean(axis=1)
        isisk = row[:, self.isisk]
        isisk[:, COL["fighters"]] = w.cells.fighters.sum(axis=1)
        isisk[:, COL["cells"]] = w.cells.n
        isisk[:, COL["momentum"]] = w.momentum
        for j, name in enumerate(TALLIES):
            isisk[:, COL[name]] = self.tally[:, j]
        row[:, self.groups, COL["fighters"]] = w.group_fighters
        row[:, self.groups, COL["patron"]] = w.patron
        row[:, self.states, COL["pressure"]] = w.pressure
        row[:, self.states, COL["recognized"]] = w.recognized_month >= 0
        row[:, self.states, FLOW_COLUMNS] = np.nan

    def series(self, actor: str, column: str, replicate: int = 0) -> np.ndarray:
        """One column of one actor over the months recorded so far."""
        steps = self.world.month + 1
        return self.values[replicate, :steps, self.actors.index(actor), COL[column]]

    def outcomes(self) -> list[dict[str, float | bool]]:
        """Summary outcomes of each replicate (DESIGN.md section 4)."""
        w, v = self.world, self.values
        isisk = v[:, :, self.isisk]
        defected = isisk[:, 1:, COL["defected_in"]].sum(axis=1)
        from_groups = v[:, 1:, self.groups, COL["defected_out"]].sum(axis=(1, 2))
        columns = {
            "isisk_final": isisk[:, -1, COL["fighters"]],
            "isisk_peak": isisk[:, :, COL["fighters"]].max(axis=1),
            "isisk_cells_final": isisk[:, -1, COL["cells"]],
            "taliban_final": v[:, -1, 0, COL["fighters"]],
            "attacks_total": isisk[:, 1:, COL["attacks"]].sum(axis=1),
            "sectarian_attacks_total": isisk[:, 1:, COL["sectarian_attacks"]].sum(axis=1),
            "casualties_total": isisk[:, 1:, COL["casualties"]].sum(axis=1),
            "defections_total": defected,
            "defections_taliban": defected - from_groups,
            "defections_foreign": from_groups,
            "desertions_total": v[:, 1:, self.factions, COL["deserted"]].sum(axis=(1, 2)),
            "fragmented_month": _first_month(w.broken_month),
            "recognized_month": _first_month(w.recognized_month),
            "recognitions_final": (w.recognized_month >= 0).sum(axis=1),
        }
        rows = []
        for r in range(w.replicates):
            row: dict[str, float | bool] = {k: float(c[r]) for k, c in columns.items()}
            row["fragmented"] = not np.isnan(row["fragmented_month"])
            row["recognized"] = not np.isnan(row["recognized_month"])
            rows.append(row)
        return rows


def _first_month(months: np.ndarray) -> np.ndarray:
    """Earliest month per replicate among entries >= 0; NaN where none."""
    happened = np.where(months >= 0, months, np.iinfo(np.int64).max).min(axis=1).astype(float)
    return np.where(happened == np.iinfo(np.int64).max, np.nan, happened)
