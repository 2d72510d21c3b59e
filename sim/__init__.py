"""sim: a strategic simulation of the Taliban / ISIS-K contest after August 2021."""

from importlib import import_module
from typing import Any

from sim.inputs.scenario import ScenarioError, load_scenario

__all__ = ["AfghanistanModel", "ScenarioError", "load_scenario", "run"]
__version__ = "0.1.0"

_ON_FIRST_USE = {"AfghanistanModel": "sim.model", "run": "sim.runs.simulate"}


def __getattr__(name: str) -> Any:
    """Import the Mesa model and `run` on first use.

    Ensemble workers need neither Mesa nor pandas, and stay about 60 MB smaller.
    """
    if name in _ON_FIRST_USE:
        return getattr(import_module(_ON_FIRST_USE[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
