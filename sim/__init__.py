"""sim: a strategic simulation of the Taliban / ISIS-K contest after August 2021."""

from sim.model import AfghanistanModel
from sim.scenario import ScenarioError, load_scenario

__all__ = ["AfghanistanModel", "ScenarioError", "load_scenario"]
__version__ = "0.1.0"
