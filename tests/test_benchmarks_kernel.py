"""The benchmark's compiled kernel of the month runs, and defection conserves fighters."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sim.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "experiments" / "benchmarks"))

import compiled_kernel as kernel  # noqa: E402  (a script folder, not a package)
from kernel_inputs import DEFECTED, DESERTED, FIGHTERS, inputs  # noqa: E402
from kernel_tables import new_unit  # noqa: E402

BASELINE = load_scenario(ROOT / "scenarios" / "baseline.yaml")


def test_the_kernel_runs_months_of_a_tiny_replicate():
    """Three months of 6 units and 2 cells count their agent-months and leave fighters."""
    agent_months, fighters = kernel.run_replicate(7, 6, 2, 3, *inputs(BASELINE))
    assert agent_months >= 3 * 2
    assert fighters > 0


def test_defection_moves_every_fighter_who_leaves_to_a_cell_or_home():
    """Fighters of units before = units after + defected + deserted; cells gain the defectors."""
    factions, _, _, country, _, rates = inputs(BASELINE)
    rates = rates._replace(def_base=0.0, desertion_base=0.0)  # many leave either way
    units, cells = np.zeros((40, 5)), np.zeros((4, 4))
    for i in range(40):
        new_unit(units, i, i % len(factions), factions)
        units[i, FIGHTERS] = 10 + i
    cells[:2, FIGHTERS] = 50, 60
    before_units, before_cells = units[:, FIGHTERS].sum(), cells[:, FIGHTERS].sum()
    cells, nc, n = kernel.defect(units, 40, cells, 2, factions, country, rates)
    defected, deserted = factions[:, DEFECTED].sum(), factions[:, DESERTED].sum()
    assert defected > 0 and deserted > 0 and n < 40
    assert units[:n, FIGHTERS].sum() + defected + deserted == before_units
    assert cells[:nc, FIGHTERS].sum() == before_cells + defected
