"""The policy levers a user moves on the page, as SolaraViz model parameters.

Each lever is a dotted scenario key; its parameter name joins the parts with `__`, the
form `AfghanistanModel` takes as an override (`policy__crackdown=0.8`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.inputs.actors import actor_styles
from sim.inputs.schema import Scenario
from sim.plots.style import actor_name

SEED_LIMIT = 999


@dataclass(frozen=True)
class Lever:
    """One scenario key shown as a slider (numbers in [0, 1]) or a switch (yes/no)."""

    key: str
    label: str

    @property
    def parameter(self) -> str:
        """The model keyword of this lever: dots become `__`."""
        return self.key.replace(".", "__")


POLICY_LEVERS = (
    Lever("policy.crackdown", "Crackdown intensity"),
    Lever("policy.joint_with_us", "Crackdown joint with the US"),
    Lever("policy.accuracy", "Crackdown accuracy"),
    Lever("policy.punishment", "Punishment of defectors"),
    Lever("policy.concessions", "Concessions to foreign demands"),
)
FUNDS_LEVER = Lever("economy.unfrozen", "Frozen funds released")


def levers(scenario: Scenario) -> list[Lever]:
    """The levers of a scenario: the policy ones, a purge per foreign group, the funds.

    A purge lever is labelled with the group's name in the scenario (TTP, ETIM/TIP).
    """
    styles = actor_styles(scenario)
    purges = [
        Lever(f"policy.purge.{group}", f"Purge of {actor_name(group, styles)}")
        for group in scenario.policy.purge
    ]
    return [*POLICY_LEVERS, *purges, FUNDS_LEVER]


def lever_value(scenario: Scenario, key: str) -> Any:
    """The value of a dotted key in a scenario; KeyError naming the key if it has none."""
    value: Any = scenario.model_dump()
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"scenario {scenario.name!r} has no key {key!r} (no {part!r})")
        value = value[part]
    return value


def model_params(scenario: Scenario) -> dict[str, Any]:
    """SolaraViz `model_params`: the scenario (fixed), the replicate seed and every lever."""
    params: dict[str, Any] = {
        "spec": scenario,
        "replicate": {
            "type": "SliderInt",
            "label": "Seed (replicate number)",
            "value": 0,
            "min": 0,
            "max": SEED_LIMIT,
            "step": 1,
        },
    }
    for lever in levers(scenario):
        value = lever_value(scenario, lever.key)
        if isinstance(value, bool):
            params[lever.parameter] = {"type": "Checkbox", "label": lever.label, "value": value}
        else:
            params[lever.parameter] = {
                "type": "SliderFloat",
                "label": lever.label,
                "value": float(value),
                "min": 0.0,
                "max": 1.0,
                "step": 0.05,
            }
    return params
