"""The few strategic actors as Mesa agents: views onto one replicate of a `World`.

A Mesa model runs one replicate (row 0 of its world); each agent reads its own row
and column there, so Mesa tools (AgentSet queries, DataCollector agent reporters,
SolaraViz) see the live state while the rules run vectorised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.inputs.schema import PATRONS

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


class TalibanFaction(mesa.Agent):
    """A Taliban faction: its units are the rows of the world's unit table with its index."""

    def __init__(self, model: AfghanistanModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.name = model.world.faction_names[index]

    @property
    def fighters(self) -> int:
        """Fighters in the faction's units."""
        return int(self.model.world.faction_fighters()[0, self.index])

    @property
    def cohesion(self) -> float:
        """Cohesion in [0, 1]; it weighs in its leaders' monthly choice to stay or leave."""
        return float(self.model.world.cohesion[0, self.index])

    @property
    def pay_ratio(self) -> float:
        """Share of its wage bill paid this month."""
        return float(self.model.world.pay_ratio[0, self.index])

    @property
    def broken_away(self) -> bool:
        """Whether the faction has left the Taliban."""
        return bool(self.model.world.broken_away[0, self.index])


class IsisKCommand(mesa.Agent):
    """ISIS-K as an organisation: its cells, momentum and safe areas."""

    @property
    def fighters(self) -> int:
        """Fighters across all cells."""
        return int(self.model.world.cells.fighters[0].sum())

    @property
    def cells(self) -> int:
        """Number of cells."""
        return int(self.model.world.cells.n[0])

    @property
    def momentum(self) -> float:
        """Recent success in [0, 1], ISIS-K's pull on recruits."""
        return float(self.model.world.momentum[0])

    @property
    def safe_areas(self) -> float:
        """Share in [0, 1] of its mountain sanctuaries (Kunar, Nangarhar) it holds."""
        return float(self.model.world.safe_areas[0])


class ForeignFighterGroup(mesa.Agent):
    """A foreign-fighter group (TTP, ETIM/TIP, ...) with its patron."""

    def __init__(self, model: AfghanistanModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.name = model.world.group_names[index]

    @property
    def fighters(self) -> int:
        """Fighters in the group."""
        return int(self.model.world.group_fighters[0, self.index])

    @property
    def patron(self) -> str:
        """Who the group answers to: taliban, isisk or independent."""
        return PATRONS[self.model.world.patron[0, self.index]]


class ForeignPower(mesa.Agent):
    """A state or donor pressing the Taliban."""

    def __init__(self, model: AfghanistanModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.name = model.world.state_names[index]

    @property
    def pressure(self) -> float:
        """Pressure on the Taliban in [0, 1]."""
        return float(self.model.world.pressure[0, self.index])

    @property
    def recognized(self) -> bool:
        """Whether this state has recognised the Taliban government."""
        return bool(self.model.world.recognized_month[0, self.index] >= 0)
