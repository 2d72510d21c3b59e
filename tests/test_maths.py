"""Unit tests of `sim.rules.maths`, the arithmetic every mechanism's rules share."""

import math

import numpy as np
import pytest
from mechanism import EXACT

from sim.rules.maths import clamp, logistic


def test_logistic_values_and_symmetry():
    """maths.logistic: 1/2 at 0, 3/4 at ln 3, exactly 1 far right, symmetric, vectorised."""
    assert logistic(0.0) == 0.5
    assert logistic(math.log(3.0)) == pytest.approx(0.75, **EXACT)
    assert logistic(100.0) == 1.0  # the tiny world's ALWAYS
    assert 0.0 < logistic(-100.0) < 1e-43  # ... and NEVER
    x = np.array([-2.0, -0.5, 0.0, 3.0])
    np.testing.assert_allclose(logistic(x) + logistic(-x), 1.0, rtol=1e-15)
    assert np.all(np.diff(logistic(x)) > 0)


def test_clamp():
    """maths.clamp: limits to [low, high], passes values inside, edges included."""
    assert clamp(-0.2) == 0.0
    assert clamp(1.3) == 1.0
    assert clamp(0.4) == 0.4
    assert clamp(0.0) == 0.0 and clamp(1.0) == 1.0
    assert clamp(5.0, 0.0, 3.0) == 3.0
    assert clamp(-5.0, -1.0, 3.0) == -1.0
