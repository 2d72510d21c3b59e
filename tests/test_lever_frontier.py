"""The lever frontier's dominance test: the false discovery rate correction only removes wins."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "experiments"))

import lever_frontier as frontier  # noqa: E402  (a script folder, not a package)

from sim.engine.seeds import replicate_rng  # noqa: E402
from sim.rules import new_world  # noqa: E402

OUTCOMES = len(frontier.BETTER)
SIGNS = np.array([frontier.BETTER[name] for name in frontier.BETTER])


def noise(points: int, replicates: int, seed: int) -> np.ndarray:
    """Replicates of settings that differ by chance only, `[point, replicate, outcome]`."""
    return np.random.default_rng(seed).normal(size=(points, replicates, OUTCOMES))


def test_the_correction_keeps_a_subset_of_the_uncorrected_wins():
    """Corrected pairs are uncorrected pairs too, so their count cannot be larger."""
    replicates = noise(10, 30, seed=21)
    replicates[:4, :, 0] += SIGNS[0] * np.array([0.0, 0.3, 0.6, 2.0])[:, None]
    replicates[3, :, 1:] = replicates[0, :, 1:]  # setting 3 is setting 0 but for outcome 0
    found = frontier.dominance(replicates, SIGNS)
    assert set(found["corrected"]) <= set(found["detectably"])
    assert len(found["corrected"]) <= len(found["detectably"])
    assert (3, 0) in found["corrected"]  # a large gain on one outcome survives


def test_chance_wins_among_equal_settings_do_not_survive_the_correction():
    """Settings alike but for noise: some pairs win at 5% per test, none after the correction."""
    found = frontier.dominance(noise(12, 30, seed=5), SIGNS)
    assert found["detectably"]
    assert found["corrected"] == []
    assert np.isnan(found["threshold"])


def test_identical_settings_are_never_called_better():
    """Two settings with the same replicates are never better than each other, either way."""
    replicates = noise(6, 20, seed=3)
    replicates[0] = replicates[1] = replicates[2]
    replicates[0, :, 2] += SIGNS[2] * 1.5  # setting 0 beats setting 2 ...
    replicates[1, :, 2] += SIGNS[2] * 1.5  # ... and so does its copy, setting 1
    found = frontier.dominance(replicates, SIGNS)
    for key in ("detectably", "corrected"):
        assert (0, 1) not in found[key]
        assert (1, 0) not in found[key]
    assert {a for a, _ in found["corrected"]} == {0, 1}  # both beat setting 2
    assert found["identical"] == 2  # the pair, counted both ways


def test_the_states_pressures_average_to_the_outcome_they_replace():
    """`final_pressures` reads each state's pressure at the end; their mean is `pressure_final`."""
    spec = frontier.baseline().model_copy(update={"steps": 6})
    record = new_world(spec, [replicate_rng(spec.seed, r) for r in range(3)]).run()
    pressures = frontier.final_pressures(record)
    assert list(pressures) == [n for n in frontier.judged() if n.startswith("pressure_")]
    mean = np.mean(list(pressures.values()), axis=0)
    np.testing.assert_allclose(mean, [o["pressure_final"] for o in record.outcomes()], rtol=1e-12)
