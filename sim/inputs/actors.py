"""Display names and colours of the actors, from the scenario (one place for every plot)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the plotting helpers import this module, and need no pydantic
    from sim.inputs.schema import Scenario, Styled


@dataclass(frozen=True)
class ActorStyle:
    """How plots name and colour an actor; `colour` None takes the next palette colour."""

    label: str
    colour: str | None = None


def default_label(actor: str) -> str:
    """A readable name from an actor id: "kandahari" -> "Kandahari"."""
    return actor.replace("_", " ").title()


def actor_styles(scenario: Scenario) -> dict[str, ActorStyle]:
    """Label and colour of every actor of the record, by actor id."""
    blocks: dict[str, Styled] = {
        "taliban": scenario.taliban,
        **scenario.taliban.factions,
        "isisk": scenario.isisk,
        **scenario.foreign_groups,
        **scenario.international,
    }
    return {
        actor: ActorStyle(block.label or default_label(actor), block.colour)
        for actor, block in blocks.items()
    }
