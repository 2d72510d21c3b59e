"""The bare numpy limit: the per-agent arithmetic of a month over plain arrays, nothing else.

No scenario objects, no agents, no records, no births or deaths: fixed-size arrays of
units and cells, and per step the grievance update, the defection and desertion
logistics with one uniform draw per unit, Poisson attacks per cell, and binomial
combat and attrition losses. Its cost per agent-update is the floor that a vectorised
model of the same rules can approach.
"""

from __future__ import annotations

import time

import numpy as np

from sim.inputs.schema import Scenario


def kernel_run(
    scenario: Scenario, units: int, cells: int, steps: int, rng: np.random.Generator
) -> int:
    """Run `steps` months of the bare arithmetic on `units` units and `cells` cells.

    Returns the number of units that would have left (so the work cannot be skipped).
    """
    d, econ = scenario.rules.defection, scenario.economy
    a, r = scenario.rules.attacks, scenario.rules.recruitment
    fighters = rng.poisson(scenario.taliban.unit_size, units)
    ideology = rng.beta(6.0, 4.0, units)
    ties = rng.beta(2.0, 10.0, units)
    grievance = np.zeros(units)
    pay = np.full(units, 0.8)
    cohesion = np.full(units, 0.75)
    cell_fighters = rng.poisson(90, cells)
    capability = np.ones(cells)
    abandon, momentum, fear, kill_p = 0.2, 0.5, 0.5, 1e-3
    left = 0
    for _ in range(steps):
        grievance = np.clip(
            grievance + econ.grievance_rate * (1.0 - pay) - econ.grievance_relief * pay * grievance,
            0.0,
            1.0,
        )
        economic = (1.0 - ideology) * grievance
        x = (
            d.base
            + d.w_abandonment * ideology * abandon
            + d.w_grievance * economic
            + d.w_ties * ties
            + d.w_momentum * momentum
            - d.w_pay * pay
            - d.w_cohesion * cohesion
            - d.w_fear * fear
        )
        p_defect = 1.0 / (1.0 + np.exp(-x))
        p_desert = 1.0 / (
            1.0 + np.exp(-(d.desertion_base + d.w_desertion_grievance * economic - d.w_pay * pay))
        )
        draw = rng.random(units)
        left += int(np.count_nonzero(draw < p_defect + p_desert))
        attacks = rng.poisson(
            a.base_rate * (cell_fighters / a.reference_size) ** a.size_exponent * capability
        )
        capability = np.minimum(a.max_capability, capability + a.learning * attacks)
        fighters -= rng.binomial(fighters, kill_p)
        fighters -= rng.binomial(fighters, r.taliban_attrition)
        cell_fighters -= rng.binomial(cell_fighters, r.isisk_attrition)
    return left


def kernel_seconds(
    scenario: Scenario, units: int, cells: int, steps: int, repeats: int = 5, seed: int = 0
) -> float:
    """Median wall time of one `kernel_run` over `repeats` runs, after one warm-up run."""
    rng = np.random.default_rng(seed)
    kernel_run(scenario, units, cells, steps, rng)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        kernel_run(scenario, units, cells, steps, rng)
        times.append(time.perf_counter() - start)
    return float(np.median(times))
