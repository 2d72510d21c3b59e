"""The calibrate workflow: fit, write the posterior and its tables, check it predicts the targets.

`sim calibrate` calls `run_calibration`, then draws the figures (`sim.plots.calibration`)
and prints what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import Fit, calibrate, posterior_summary, predictive, write_outputs
from sim.analysis.targets import inside_band
from sim.inputs.calibration import CalibrationPlan, Target
from sim.runs.posterior import read_posterior

PREDICTIVE_FILE = "predictive.csv"


@dataclass(frozen=True)
class CalibrationRun:
    """What a calibration produced, and the files it wrote."""

    fit: Fit
    summary: pd.DataFrame  # per parameter: prior bounds, posterior median and 90% interval
    simulated: pd.DataFrame  # posterior predictive: one row per replicate, a column per target
    bands: pd.DataFrame  # per target: observed range, simulated 90% band, whether they meet
    written: list[Path]


def run_calibration(
    plan: CalibrationPlan, out: Path, *, workers: int = 1, progress: bool = True
) -> CalibrationRun:
    """Fit by ABC-SMC into `out` (resumable), write its outputs, simulate the predictive."""
    fit = calibrate(plan, out, workers=workers, progress=progress)
    written = write_outputs(plan, fit, out, workers)
    draws = read_posterior(plan.posterior_file, plan.scenario)
    targets = plan.calibration.targets
    simulated = predictive(
        plan.scenario, draws, targets, plan.calibration.predictive_draws, plan.calibration.seed
    )
    simulated.to_csv(out / PREDICTIVE_FILE, index=False, float_format="%.6g")
    return CalibrationRun(
        fit,
        posterior_summary(fit, plan),
        simulated,
        target_bands(simulated, targets),
        [*written.values(), out / PREDICTIVE_FILE],
    )


def target_bands(simulated: pd.DataFrame, targets: Sequence[Target]) -> pd.DataFrame:
    """Per target: the observed range, the simulations' 90% band, and whether the two meet."""
    names = [t.name for t in targets]
    inside = inside_band(simulated[names].to_numpy(), targets)
    rows = []
    for target, ok in zip(targets, inside, strict=True):
        low, high = np.quantile(simulated[target.name], [0.05, 0.95])
        observed_low, observed_high = target.value
        rows.append(
            {
                "target": target.name,
                "observed_low": observed_low,
                "observed_high": observed_high,
                "low": low,
                "high": high,
                "inside": ok,
            }
        )
    return pd.DataFrame(rows)
