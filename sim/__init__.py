"""sim: a strategic simulation of the Taliban / ISIS-K contest after August 2021."""

from sim.model import AfghanistanModel
from sim.scenario import ScenarioError, load_scenario
from sim.simulate import run

__all__ = ["AfghanistanModel", "ScenarioError", "load_scenario", "run"]
__version__ = "0.1.0"
