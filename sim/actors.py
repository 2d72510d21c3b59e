"""The few strategic actors, as Mesa agents: factions, ISIS-K, foreign groups, states.

The many (units, cells) live in `sim.state` arrays; each agent here holds its own
strategic state and names the arrays it owns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.state import Cells

if TYPE_CHECKING:
    from sim.model import AfghanistanModel
    from sim.schema import Faction, ForeignGroup, IsisK
    from sim.schema import InternationalActor as ActorSpec

PATRONS = ("taliban", "isisk", "independent")


class TalibanFaction(mesa.Agent):
    """A Taliban faction: its units are the rows of `model.units` with its index."""

    def __init__(self, model: AfghanistanModel, name: str, index: int, spec: Faction) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        self.cohesion = spec.cohesion
        self.baseline_cohesion = spec.cohesion
        self.pay_ratio = 1.0
        self.broken_away = False
        self.broken_month: int | None = None


class IsisKCommand(mesa.Agent):
    """ISIS-K as an organisation: its cells (arrays) and its momentum."""

    def __init__(self, model: AfghanistanModel, spec: IsisK, cells: Cells) -> None:
        super().__init__(model)
        self.cells = cells
        self.momentum = spec.momentum

    @property
    def fighters(self) -> int:
        """ISIS-K fighters across all cells."""
        return int(self.cells.fighters.sum())


class ForeignFighterGroup(mesa.Agent):
    """A foreign-fighter group (TTP, ETIM/TIP, ...) with its patron."""

    def __init__(self, model: AfghanistanModel, name: str, spec: ForeignGroup) -> None:
        super().__init__(model)
        self.name = name
        self.fighters = spec.fighters
        self.patron = spec.patron


class InternationalActor(mesa.Agent):
    """A state or donor: watches Taliban action on what it cares about, moves pressure."""

    def __init__(self, model: AfghanistanModel, name: str, spec: ActorSpec) -> None:
        super().__init__(model)
        self.name = name
        self.pressure = spec.pressure
        self.months_satisfied = 0
        self.recognized = False
        self.recognized_month: int | None = None
