"""The calibrate workflow: fit, write the posterior and its tables, check it predicts the targets.

`sim calibrate` holds the folder (`claim`), calls `run_calibration`, draws the figures
(`sim.plots.calibration`) and prints what it returns. Everything is written into `out`;
the files the calibration file names only on request (`sim calibrate --install`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import (
    Fit,
    calibrate,
    install_files,
    observation_columns,
    posterior_summary,
    predictive,
    write_outputs,
)
from sim.analysis.targets import inside_band
from sim.inputs.calibration import CalibrationPlan, Target
from sim.runs.output import write_csv
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
    plan: CalibrationPlan,
    out: Path,
    *,
    workers: int = 1,
    progress: bool = True,
    install: bool = False,
) -> CalibrationRun:
    """Fit by ABC-SMC into `out` (resumable), write its outputs, simulate the predictive.

    Call it holding `claim(plan, out)`. With `install`, the posterior and the calibrated
    scenario are also written to the files the calibration file names, once all is done.
    """
    fit = calibrate(plan, out, workers=workers, progress=progress)
    written = write_outputs(plan, fit, out, workers)
    draws = read_posterior(written["posterior"], plan.scenario)
    targets = plan.calibration.targets
    simulated = predictive(
        plan.scenario,
        draws,
        targets,
        plan.calibration.predictive_draws,
        plan.calibration.seed,
        observation_columns(fit, plan),
    )
    write_csv(out / PREDICTIVE_FILE, simulated, float_format="%.6g")
    installed = install_files(plan, fit) if install else []
    return CalibrationRun(
        fit,
        posterior_summary(fit, plan),
        simulated,
        target_bands(simulated, targets),
        [*written.values(), out / PREDICTIVE_FILE, *installed],
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
