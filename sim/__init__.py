"""sim: a strategic simulation of the Taliban / ISIS-K contest after August 2021."""

from importlib import import_module
from typing import Any

__all__ = ["AfghanistanModel", "ScenarioError", "load_scenario", "run"]
__version__ = "0.1.0"

_ON_FIRST_USE = {
    "AfghanistanModel": "sim.model",
    "run": "sim.runs.simulate",
    "ScenarioError": "sim.inputs.scenario",
    "load_scenario": "sim.inputs.scenario",
}


def __getattr__(name: str) -> Any:
    """Import the Mesa model, `run` and the scenario loader on first use.

    Ensemble workers never load Mesa, and `sim --help` loads neither pydantic nor numpy.
    """
    if name in _ON_FIRST_USE:
        return getattr(import_module(_ON_FIRST_USE[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
