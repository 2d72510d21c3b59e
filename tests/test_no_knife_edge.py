"""No knife edge: the chance that the Taliban fragment moves gradually with its drivers.

The fragmentation rule makes leaving a base hazard times elasticities, so that its
chance moves smoothly, not across a threshold. Each sweep varies one driver over a grid
(all else as in the baseline), estimates P(fragmented by the horizon) at each point over
replicates 0..n-1, and checks that no two adjacent points jump from at most 0.05 to at
least 0.95 and, where the model claims a direction (more crackdown, a higher base
hazard: more fragmentation), that the chance never falls between adjacent points by more
than Monte Carlo error. The default tier sweeps coarse grids; the slow tier sweeps finer
ones to the scenario's horizon and also requires the claimed direction between the ends
of the grid.

No single number decides it either: across each fragmentation parameter's plausible
range, one at a time, P(fragmented by month 60) moves by at most `SWING_BAND` (the slow
tier: every parameter, 200 replicates; the default tier: the parameters that move it
most, fewer replicates, with Monte Carlo error allowed).
"""

from dataclasses import dataclass

import numpy as np
import pytest
from conftest import REPLICATES, more_often, outcomes

from sim.inputs.pars.fragmentation import FRAGMENTATION, SWING_BAND

LOW, HIGH = 0.05, 0.95  # a jump from <= LOW to >= HIGH between neighbours is a knife edge
Z = 3.0  # a fall of more than Z standard errors between neighbours breaks monotonicity


@dataclass(frozen=True)
class Sweep:
    """A driver of fragmentation (an override key), its grid and its claimed direction.

    `direction` is +1 where the model claims that P(fragmented) rises with the driver,
    0 where it claims none.
    """

    key: str
    grid: tuple[float, ...]
    direction: int


COARSE = {
    "crackdown": Sweep("policy__crackdown", (0.0, 0.5, 1.0), +1),
    "base_hazard": Sweep("rules__fragmentation__base_hazard", (0.0, 0.01, 0.1, 0.5), +1),
    "w_stay_cohesion": Sweep("rules__fragmentation__w_stay_cohesion", (0.0, 3.0, 10.0), +1),
}
FINE = {
    "crackdown": Sweep("policy__crackdown", (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), +1),
    "base_hazard": Sweep(
        "rules__fragmentation__base_hazard", (0.0, 0.001, 0.002, 0.005, 0.01, 0.05, 0.2), +1
    ),
    "w_stay_cohesion": Sweep(
        "rules__fragmentation__w_stay_cohesion", (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0), +1
    ),
}
RANGED = [par.name for par in FRAGMENTATION.pars if par.range is not None]
WIDEST = ("base_hazard", "w_stay_cohesion", "recovery", "rivalry_strain")
"""The parameters whose ranges move P(fragmented) most (docs/fragmentation.md)."""


def fragmented(sweep: Sweep, n: int, steps: int) -> list[np.ndarray]:
    """Whether each of replicates 0..n-1 fragmented by `steps`, at each point of the grid."""
    return [
        outcomes("baseline", n, steps=steps, **{sweep.key: x})["fragmented"] for x in sweep.grid
    ]


def knife_edges(chances: np.ndarray) -> list[int]:
    """Indices i where the chance jumps between <= LOW and >= HIGH from point i to i + 1."""
    a, b = chances[:-1], chances[1:]
    jumps = ((a <= LOW) & (b >= HIGH)) | ((a >= HIGH) & (b <= LOW))
    return [int(i) for i in np.nonzero(jumps)[0]]


def reversals(chances: np.ndarray, n: int) -> list[int]:
    """Indices i where the chance falls from point i to i + 1 by more than Z standard errors.

    The standard error of the difference of two proportions of n runs each, with a floor
    of one run in n so that two points at 0 or 1 still have an error.
    """
    p = np.clip(chances, 1.0 / n, 1.0 - 1.0 / n)
    error = np.sqrt((p[:-1] * (1 - p[:-1]) + p[1:] * (1 - p[1:])) / n)
    return [int(i) for i in np.nonzero(chances[1:] - chances[:-1] < -Z * error)[0]]


def check_gradual(name: str, sweep: Sweep, events: list[np.ndarray]) -> np.ndarray:
    """Assert no knife edge, and no reversal against the claimed direction; the chances."""
    n = len(events[0])
    chances = np.array([e.mean() for e in events])
    table = ", ".join(f"{x:g}: {p:.3f}" for x, p in zip(sweep.grid, chances, strict=True))
    edges = knife_edges(chances)
    assert not edges, f"{name}: knife edge after {[sweep.grid[i] for i in edges]}; {table}"
    if sweep.direction > 0:
        falls = reversals(chances, n)
        assert not falls, f"{name}: P(fragmented) falls after {[sweep.grid[i] for i in falls]}"
    return chances


@pytest.mark.parametrize("name", COARSE)
def test_fragmentation_changes_gradually(name):
    check_gradual(name, COARSE[name], fragmented(COARSE[name], 2 * REPLICATES, steps=36))


@pytest.mark.slow
@pytest.mark.parametrize("name", FINE)
def test_fragmentation_changes_gradually_on_a_fine_grid(name):
    sweep = FINE[name]
    events = fragmented(sweep, 10 * REPLICATES, steps=60)
    check_gradual(name, sweep, events)
    if sweep.direction > 0:  # the claimed direction shows between the ends of the grid
        more_often(
            events[-1], events[0], f"{name}: fragmented at {sweep.grid[-1]} vs {sweep.grid[0]}"
        )


def swing(name: str, n: int) -> tuple[float, float, float]:
    """P(fragmented by month 60) at the low and high end of a parameter's range; its MC error.

    The error is that of the difference of two proportions of n runs each, with a floor
    of one run in n.
    """
    declared = FRAGMENTATION[name].range
    key = f"rules__fragmentation__{name}"
    low, high = (
        outcomes("baseline", n, steps=60, **{key: x})["fragmented"].mean()
        for x in (declared.low, declared.high)
    )
    p = np.clip([low, high], 1.0 / n, 1.0 - 1.0 / n)
    return low, high, float(np.sqrt((p * (1 - p)).sum() / n))


def check_band(name: str, low: float, high: float, allowance: float = 0.0) -> None:
    """Assert a parameter moves P(fragmented) by at most SWING_BAND (+ `allowance`)."""
    assert abs(high - low) <= SWING_BAND + allowance, (
        f"{name}: P(fragmented by month 60) {low:.3f} at the low end of its range, "
        f"{high:.3f} at the high end: more than {SWING_BAND}"
    )


@pytest.mark.parametrize("name", WIDEST)
def test_no_parameter_decides_fragmentation_alone(name):
    low, high, error = swing(name, 5 * REPLICATES)
    check_band(name, low, high, allowance=Z * error)


@pytest.mark.slow
@pytest.mark.parametrize("name", RANGED)
def test_no_parameter_decides_fragmentation_alone_over_its_whole_range(name):
    check_band(name, *swing(name, 10 * REPLICATES)[:2])


def test_the_band_catches_a_single_number_that_decides():
    """The band check is not vacuous: the old logit precision's 0.94 to 0 is caught."""
    with pytest.raises(AssertionError, match="more than"):
        check_band("sensitivity", 0.94, 0.0)
    check_band("narrow", 0.2, 0.45)


def test_the_checks_catch_a_knife_edge_and_a_reversal():
    """The checks are not vacuous: a threshold's step and a clear fall are caught."""
    assert knife_edges(np.array([0.0, 0.02, 0.97, 1.0])) == [1]
    assert knife_edges(np.array([1.0, 0.96, 0.04])) == [1]
    assert knife_edges(np.array([0.0, 0.06, 0.5, 0.94, 1.0])) == []
    assert reversals(np.array([0.1, 0.5, 0.1]), 40) == [1]
    assert reversals(np.array([0.1, 0.08, 0.5]), 40) == []  # within Monte Carlo error
    assert reversals(np.array([0.0, 0.0, 0.0]), 40) == []
    step = Sweep("policy__crackdown", (0.0, 0.5, 1.0), +1)
    with pytest.raises(AssertionError, match="knife edge after"):
        check_gradual("step", step, [np.zeros(40), np.ones(40), np.ones(40)])
    with pytest.raises(AssertionError, match="falls after"):
        check_gradual("fall", step, [np.zeros(40), np.r_[np.ones(20), np.zeros(20)], np.zeros(40)])
