"""The checks of `sim.analysis.calibration_checks` applied to the model's own calibration.

Simulation-based calibration: a truth drawn from the priors, its target statistics
simulated (one replicate, as the fit sees them), and the calibration's method fitted to
them as point targets: rejection on the reference table, or ABC-SMC with a reduced
budget and a seed of its own (each fit writes its pyabc history into its own folder
under `out`; the fit's weighted particles are its posterior). Leave-one-pattern-out:
the calibration without one target at a time, and that target's posterior predictive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import (
    Fit,
    calibrate,
    model_columns,
    observation_columns,
    predictive,
    simulate_point,
)
from sim.analysis.calibration_checks import (
    PriorSampler,
    RankCheck,
    Simulator,
    leave_one_pattern_out,
    simulation_based_calibration,
)
from sim.analysis.reference_table import ReferenceTable, nearest
from sim.inputs.calibration import AbcSettings, CalibrationPlan, Target
from sim.runs.posterior import PosteriorDraws


def with_targets(
    plan: CalibrationPlan,
    targets: Sequence[Target],
    abc: AbcSettings | None = None,
    seed: int | None = None,
) -> CalibrationPlan:
    """The same calibration with other targets (and ABC settings, and seed)."""
    update = {"targets": list(targets)} | ({"abc": abc} if abc is not None else {})
    update |= {"seed": seed} if seed is not None else {}
    return replace(plan, calibration=plan.calibration.model_copy(update=update))


def model_sbc(
    plan: CalibrationPlan,
    abc: AbcSettings,
    out: Path,
    *,
    simulations: int,
    draws: int,
    seed: int,
) -> RankCheck:
    """Simulation-based calibration of the calibration's ABC-SMC, `simulations` fits of `abc`.

    Each fit has its own seed, drawn from its replication's generator: with the
    calibration's seed, every fit would propose the same particles and simulate them
    with the same noise, and the truths would not be independent trials.
    """
    count = iter(range(simulations))

    def fit(data: np.ndarray, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        fitted = with_targets(plan, point_targets(plan, data), abc, seed=int(gen.integers(2**63)))
        result = calibrate(fitted, out / f"sbc_{next(count)}", progress=False)
        return result.values, result.weights

    return simulation_based_calibration(
        *_truths(plan), fit, simulations=simulations, draws=draws, seed=seed
    )


def table_sbc(
    plan: CalibrationPlan, table: ReferenceTable, *, simulations: int, draws: int, seed: int
) -> RankCheck:
    """Simulation-based calibration of rejection ABC: every truth fitted by the same table.

    The table's rows were simulated apart from the truths (their own seeds), so reusing
    it for every fit costs nothing and changes no fit: rejection is a function of the
    table and the data.
    """
    accept = plan.calibration.rejection.accept

    def fit(data: np.ndarray, _gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        kept = nearest(table.statistics, point_targets(plan, data), accept)
        return table.points[kept], np.full(accept, 1.0 / accept)

    return simulation_based_calibration(
        *_truths(plan), fit, simulations=simulations, draws=draws, seed=seed
    )


def point_targets(plan: CalibrationPlan, data: np.ndarray) -> list[Target]:
    """The calibration's targets with simulated data as their observed values."""
    return [
        t.model_copy(update={"value": [float(x), float(x)]})
        for t, x in zip(plan.calibration.targets, data, strict=True)
    ]


def _truths(plan: CalibrationPlan) -> tuple[PriorSampler, Simulator]:
    """SBC's truths: uniform over the priors, simulated with a seed from the replication."""
    low = np.array([p.low for p in plan.priors])
    high = np.array([p.high for p in plan.priors])
    keys = [p.key for p in plan.priors]

    def sample_prior(gen: np.random.Generator) -> np.ndarray:
        return gen.uniform(low, high)

    def simulate(truth: np.ndarray, gen: np.random.Generator) -> np.ndarray:
        point = dict(zip(keys, truth.tolist(), strict=True))
        return simulate_point(plan, point, np.random.SeedSequence(int(gen.integers(2**63))))

    return sample_prior, simulate


def model_lopo(
    plan: CalibrationPlan, abc: AbcSettings, out: Path, *, replicates: int
) -> pd.DataFrame:
    """Leave-one-pattern-out: per target, the fit without it and its predicted 90% band."""
    targets = {t.name: t for t in plan.calibration.targets}
    observed = {name: (t.value[0], t.value[1]) for name, t in targets.items()}

    def fit(names: Sequence[str]) -> tuple[CalibrationPlan, Fit]:
        kept = with_targets(plan, [targets[n] for n in names], abc)
        left = next(n for n in targets if n not in names)
        return kept, calibrate(kept, out / f"without_{left}", progress=False)

    def predict(fitted: tuple[CalibrationPlan, Fit], name: str) -> np.ndarray:
        kept, result = fitted
        keys, values, weights = model_columns(result, kept)
        draws = PosteriorDraws(tuple(keys), values, weights, "", f"without {name}")
        simulated = predictive(
            plan.scenario,
            draws,
            [targets[name]],
            replicates,
            plan.calibration.seed,
            observation_columns(result, kept),
        )
        return simulated[name].to_numpy(float)

    return leave_one_pattern_out(observed, fit, predict)


def table_lopo(plan: CalibrationPlan, table: ReferenceTable) -> pd.DataFrame:
    """Leave-one-pattern-out by rejection: the rows nearest the other targets predict the one left.

    A kept row's simulated statistic is a posterior predictive draw (one replicate at
    that point, with its own noise), so the prediction needs no new simulation.
    """
    targets = plan.calibration.targets
    column = {t.name: j for j, t in enumerate(targets)}
    accept = plan.calibration.rejection.accept

    def fit(names: Sequence[str]) -> np.ndarray:
        kept = [column[n] for n in names]
        return nearest(table.statistics[:, kept], [targets[j] for j in kept], accept)

    def predict(rows: np.ndarray, name: str) -> np.ndarray:
        return table.statistics[rows, column[name]]

    return leave_one_pattern_out({t.name: (t.value[0], t.value[1]) for t in targets}, fit, predict)
