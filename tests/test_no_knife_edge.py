"""No knife edge: the chance that the Taliban fragment moves gradually with its drivers.

The fragmentation rule makes leaving a multinomial-logit choice taken at a monthly
`decision_rate`, so that its chance moves smoothly, not across a threshold. Each sweep
varies one driver over a grid (all else as in the baseline), estimates P(fragmented by
the horizon) at each point over replicates 0..n-1, and checks that no two adjacent
points jump from at most 0.05 to at least 0.95 and, where the model claims a direction
(more crackdown, more frequent decisions: more fragmentation), that the chance never
falls between adjacent points by more than Monte Carlo error. The default tier sweeps
coarse grids; the slow tier sweeps finer ones to the scenario's horizon and also
requires the claimed direction between the ends of the grid.
"""

from dataclasses import dataclass

import numpy as np
import pytest
from conftest import REPLICATES, more_often, outcomes

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
    "decision_rate": Sweep("rules__fragmentation__decision_rate", (0.0, 0.25, 0.5, 1.0), +1),
    "sensitivity": Sweep("rules__fragmentation__sensitivity", (0.01, 0.75, 1.5, 3.0), 0),
}
FINE = {
    "crackdown": Sweep("policy__crackdown", (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), +1),
    "decision_rate": Sweep(
        "rules__fragmentation__decision_rate", (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), +1
    ),
    "sensitivity": Sweep(
        "rules__fragmentation__sensitivity", (0.01, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0), 0
    ),
}


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
