"""Whether a sensitivity analysis can be trusted, and what sample would make it so.

Three checks per outcome, each a sentence for `noise.csv`'s note and the console: the
replicate noise's share of the variance of the point means (with the replicates that
would bring it to `NOISE_TARGET`), Sobol' indices outside [0, 1] (sampling error: true
indices lie within), and intervals wider than `HALF_WIDTH` (with the base samples or
trajectories that would narrow them, as intervals shrink with the square root of the
sample).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

NOISE_TARGET = 0.1
"""The largest share of the point means' variance that replicate noise may have."""
HALF_WIDTH = 0.1
"""The widest 95% half-interval of a Sobol' index (or of Morris mu* over the largest mu*)."""


def noise_warning(variance: float, noise: float, replicates: int) -> str:
    """A warning when replicate noise is over NOISE_TARGET of the variance ("" if not).

    With R replicates the noise of a point mean is sd^2 / R; the rest of the variance is
    the parameters'. R' replicates bring the share to the target when
    sd^2 / R' <= target / (1 - target) x (variance - noise).
    """
    if not (np.isfinite(variance) and np.isfinite(noise)) or variance <= 0:
        return ""
    share = noise / variance
    if share <= NOISE_TARGET:
        return ""
    said = f"replicate noise is {share:.0%} of the variance of the point means"
    signal = variance - noise
    if signal <= 0:
        return (
            f"{said}: the parameters' effect is not measurable with {replicates} replicates"
            " per point; the indices describe noise"
        )
    needed = _at_least(replicates * noise * (1 - NOISE_TARGET) / (NOISE_TARGET * signal))
    return f"{said}: about {needed} replicates per point would bring it to {NOISE_TARGET:.0%}"


def sobol_warnings(indices: pd.DataFrame, base_samples: int) -> list[str]:
    """Indices of one outcome outside [0, 1], and intervals too wide (with the N to fix it)."""
    values = indices[["S1", "ST"]].to_numpy(float)
    said = []
    outside = int((np.isfinite(values) & ((values < 0) | (values > 1))).sum())
    if outside:
        said.append(
            f"{outside} of {values.size} indices outside [0, 1]: sampling error (true indices"
            " lie within)"
        )
    widest = float(np.nanmax(indices[["S1_conf", "ST_conf"]].to_numpy(float), initial=0.0))
    if widest > HALF_WIDTH:
        needed = 2 ** _at_least(math.log2(base_samples * (widest / HALF_WIDTH) ** 2))
        said.append(
            f"not converged: 95% intervals up to +/-{widest:.2f}, about {needed} base samples"
            f" (now {base_samples}) for +/-{HALF_WIDTH}"
        )
    return said


def morris_warnings(indices: pd.DataFrame, trajectories: int) -> list[str]:
    """Morris mu* intervals wider than HALF_WIDTH of the largest mu* (with the r to fix it)."""
    largest = float(indices["mu_star"].max())
    if not largest > 0:
        return []
    widest = float(indices["mu_star_conf"].max()) / largest
    if not widest > HALF_WIDTH:
        return []
    needed = _at_least(trajectories * (widest / HALF_WIDTH) ** 2)
    return [
        f"not converged: mu* intervals up to +/-{widest:.0%} of the largest mu*, about"
        f" {needed} trajectories (now {trajectories}) for +/-{HALF_WIDTH:.0%}"
    ]


def _at_least(size: float) -> int:
    """The whole number at or above `size`, ignoring rounding error (162.00000000000003)."""
    return math.ceil(size - 1e-9)
