"""Per-step record of each replicate and its summary outcomes.

One preallocated array `values[replicate, step, actor, column]` (NaN where a column
does not apply to an actor). `Recorder.record` is the only reader of the world for the
record: it copies the month's state and signals at the end of each step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.outcomes import OUTCOMES, Record
from sim.engine.signals import FLOWS

if TYPE_CHECKING:
    from sim.engine.world import World

COLUMNS = (
    "fighters",  # fighters held at the end of the month
    "recruits",  # fighters gained: local recruits, new units, foreign arrivals
    "losses",  # fighters lost: attrition, combat, crackdown, purge, desertion
    "defected_in",  # fighters received from another actor (defection, switch)
    "defected_out",  # fighters handed to another actor
    "deserted",  # fighters who left the fight (part of losses)
    "surrendered",  # ISIS-K fighters who surrendered: home (losses) or absorbed (defected_out)
    "cells",
    "attacks",  # ISIS-K attacks in Afghanistan
    "sectarian_attacks",
    "attacks_abroad",
    "casualties",
    "crackdown_removed",  # ISIS-K fighters removed by the crackdown
    "capability",  # mean capability of ISIS-K cells
    "momentum",
    "safe_areas",  # ISIS-K's share of its mountain sanctuaries
    "cohesion",
    "broken_away",
    "breakaway_to",  # index into schema.BREAKAWAYS
    "pay_ratio",
    "arrears",  # months of pay owed
    "revenue",  # fiscal revenue, USD million a month
    "aid",  # aid received, USD million a month (mostly outside the budget)
    "hardship",
    "frozen",  # reserves still frozen, USD million
    "unfrozen",
    "crackdown",
    "credibility",
    "pressure",
    "recognized",
    "engagement",  # step of the engagement ladder (sim.rules.pressure.STEPS); taliban: mean
    "patron",  # index into schema.PATRONS
)
COL = {name: i for i, name in enumerate(COLUMNS)}
FLOW_COLUMNS = [COL[name] for name in FLOWS]
ACTOR_TYPES = ("taliban", "faction", "isisk", "foreign_group", "international")


class Recorder:
    """Collects the month-by-month state of every replicate of a world."""

    def __init__(
        self, replicates: int, steps: int, factions: list[str], groups: list[str], states: list[str]
    ) -> None:
        nf, ng, ns = len(factions), len(groups), len(states)
        self.actors = ["taliban", *factions, "isisk", *groups, *states]
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
        self.values = np.full((replicates, steps + 1, len(self.actors), len(COLUMNS)), np.nan)
        self.month = -1

    def record(self, world: World) -> None:
        """Write every replicate's state and signals at the end of `world.month`."""
        self.month = world.month
        w, s, row = world, world.signals, self.values[:, world.month]
        fighters, active = w.faction_fighters(), ~w.broken_away
        faction = row[:, self.factions]
        faction[..., FLOW_COLUMNS] = s.factions
        faction[..., COL["fighters"]] = fighters
        faction[..., COL["cohesion"]] = w.cohesion
        faction[..., COL["broken_away"]] = ~active
        faction[..., COL["pay_ratio"]] = w.pay_ratio
        faction[..., COL["arrears"]] = w.arrears
        faction[..., COL["breakaway_to"]] = np.where(w.breakaway_to >= 0, w.breakaway_to, np.nan)
        total = row[:, 0]
        summed = [COL["fighters"], *FLOW_COLUMNS]
        total[:, summed] = (faction[..., summed] * active[..., None]).sum(axis=1)
        weight = fighters * active
        total[:, COL["cohesion"]] = (w.cohesion * weight).sum(1) / np.maximum(weight.sum(1), 1)
        total[:, COL["pay_ratio"]] = w.total_pay_ratio
        total[:, COL["arrears"]] = (w.arrears * weight).sum(1) / np.maximum(weight.sum(1), 1)
        total[:, COL["revenue"]] = w.revenue_musd
        total[:, COL["aid"]] = w.aid_musd
        total[:, COL["hardship"]] = w.hardship
        total[:, COL["frozen"]] = w.frozen_musd
        total[:, COL["unfrozen"]] = w.unfrozen
        total[:, COL["crackdown"]] = w.crackdown_effect()
        total[:, COL["credibility"]] = w.credibility
        total[:, COL["pressure"]] = w.pressure.sum(axis=1) / w.pressure.shape[1]
        total[:, COL["recognized"]] = w.recognized_share()
        total[:, COL["engagement"]] = w.engagement.sum(axis=1) / w.engagement.shape[1]
        isisk = row[:, self.isisk]
        isisk[:, FLOW_COLUMNS] = s.isisk
        isisk[:, COL["fighters"]] = w.cells.fighters.sum(axis=1)
        isisk[:, COL["cells"]] = w.cells.n
        isisk[:, COL["momentum"]] = w.momentum
        isisk[:, COL["safe_areas"]] = w.safe_areas
        isisk[:, COL["attacks"]] = s.attacks_at_home
        isisk[:, COL["sectarian_attacks"]] = s.sectarian_attacks
        isisk[:, COL["attacks_abroad"]] = s.attacks_abroad
        isisk[:, COL["casualties"]] = s.casualties
        isisk[:, COL["crackdown_removed"]] = s.removed
        cells = w.cells
        isisk[:, COL["capability"]] = cells.row_sums(cells.capability) / np.maximum(cells.n, 1)
        groups = row[:, self.groups]
        groups[..., FLOW_COLUMNS] = s.groups
        groups[..., COL["fighters"]] = w.group_fighters
        groups[..., COL["patron"]] = w.patron
        row[:, self.states, COL["pressure"]] = w.pressure
        row[:, self.states, COL["recognized"]] = w.recognized_month >= 0
        row[:, self.states, COL["engagement"]] = w.engagement

    def series(self, actor: str, column: str, replicate: int = 0) -> np.ndarray:
        """One column of one actor over the months recorded so far."""
        return self.values[replicate, : self.month + 1, self.actors.index(actor), COL[column]]

    def outcomes(self) -> list[dict[str, float | bool]]:
        """Summary outcomes of each replicate, reduced from the record by `OUTCOMES`' rows."""
        return OUTCOMES.reduce(Record(self.values[:, : self.month + 1], self.actor_types, COLUMNS))
