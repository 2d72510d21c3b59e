"""Global sensitivity analysis of a sweep with SALib: Sobol' indices and Morris screening.

Each point's outcome is the mean over its replicates (for a yes/no event, its
probability). Replicate noise enters the point means too, so each outcome also gets its
Monte Carlo error (sd / sqrt(R) per point) and that noise's share of the variance of
the point means: when the share is large, the indices describe noise, not parameters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis

from sim.analysis.convergence import morris_warnings, noise_warning, sobol_warnings
from sim.engine.seeds import replicate_seed
from sim.inputs.sampling import Design, points_table, unit_sample
from sim.runs.output import own_folder, write_atomic, write_csv

CONFIDENCE = 0.95
"""Level of the bootstrap intervals SALib gives for each index."""
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("mu", "mu_star", "mu_star_conf", "sigma")
Model = Callable[[pd.DataFrame, np.random.Generator], pd.DataFrame]
"""A model of the sampled points: the points table and one replicate's generator in, one
row of outcomes per point out."""


@dataclass(frozen=True)
class Sensitivity:
    """The indices and the replicate noise of each outcome.

    Attributes:
        indices: one row per (lever_set, outcome, parameter): S1, S1_conf, ST, ST_conf
            for a Sobol' design (conf: half-width of the 95% interval), or mu, mu_star,
            mu_star_conf, sigma for Morris.
        noise: one row per (lever_set, outcome): points, replicates, the variance of the
            point means, their Monte Carlo error (root mean square of sd / sqrt(R)) and
            the share of the variance that this noise explains; `note` says why an
            outcome has no indices, or what makes its indices doubtful (replicate noise
            over 10% of the variance, indices outside [0, 1], intervals not converged)
            and the sample that would fix it (`sim.analysis.convergence`).
    """

    indices: pd.DataFrame
    noise: pd.DataFrame


def point_means(
    points: pd.DataFrame, runs: pd.DataFrame, outcomes: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per point, the mean of each outcome over its replicates and that mean's standard error."""
    values = runs[["point", *outcomes]].astype({o: float for o in outcomes})
    groups = values.groupby("point")
    means = groups[list(outcomes)].mean().reindex(points["point"])
    errors = groups[list(outcomes)].std(ddof=1) / np.sqrt(groups.size()).to_numpy()[:, None]
    return means, errors.reindex(points["point"])


def analyse(
    design: Design,
    unit: np.ndarray,
    points: pd.DataFrame,
    runs: pd.DataFrame,
    outcomes: Sequence[str],
    *,
    resamples: int = 1000,
    seed: int = 0,
) -> Sensitivity:
    """Sobol' or Morris indices of each outcome, lever set by lever set.

    Args:
        design: the sweep's design (a sobol or morris sampler).
        unit: the design's points in the unit hypercube, as sampled (one row per sample).
        points: the points table (`point`, `lever_set`, `sample`, the values).
        runs: the runs table (`point`, `replicate` and the outcomes).
        outcomes: columns of `runs` to analyse.
        resamples: bootstrap resamples of the confidence intervals.
        seed: seed of the bootstrap.
    """
    if design.sampler not in ("sobol", "morris"):
        raise ValueError(
            f"sensitivity indices need a sobol or morris design; this sweep used {design.sampler}"
        )
    means, errors = point_means(points, runs, outcomes)
    replicates = runs.groupby("point").size()
    index_rows, noise_rows = [], []
    for lever_set, chosen in points.groupby("lever_set"):
        order = chosen.sort_values("sample")["point"].to_numpy()
        for outcome in outcomes:
            y = means.loc[order, outcome].to_numpy(float)
            se = errors.loc[order, outcome].to_numpy(float)
            variance = float(np.var(y, ddof=1)) if len(y) > 1 else float("nan")
            noise = float(np.mean(se**2)) if np.isfinite(se).all() else float("nan")
            why = _why_no_indices(y, variance)
            result = {} if why else _indices(design, unit, y, resamples, seed)
            columns = SOBOL_COLUMNS if design.sampler == "sobol" else MORRIS_COLUMNS
            rows = [
                {"lever_set": lever_set, "outcome": outcome, "parameter": name}
                | {c: float(result[c][j]) if result else float("nan") for c in columns}
                for j, name in enumerate(design.names)
            ]
            count = int(replicates.loc[order].min())
            notes = [why] if why else _warnings(design, pd.DataFrame(rows), variance, noise, count)
            noise_rows.append(
                {
                    "lever_set": lever_set,
                    "outcome": outcome,
                    "points": len(y),
                    "replicates": count,
                    "variance": variance,
                    "mc_error": float(np.sqrt(noise)),
                    "noise_share": noise / variance if variance > 0 else float("nan"),
                    "note": "; ".join(n for n in notes if n),
                }
            )
            index_rows += rows
    return Sensitivity(pd.DataFrame(index_rows), pd.DataFrame(noise_rows))


def _warnings(
    design: Design, indices: pd.DataFrame, variance: float, noise: float, replicates: int
) -> list[str]:
    """What makes one outcome's indices doubtful (`sim.analysis.convergence`), if anything."""
    checks = (
        sobol_warnings(indices, design.points)
        if design.sampler == "sobol"
        else morris_warnings(indices, design.points)
    )
    return [noise_warning(variance, noise, replicates), *checks]


def _why_no_indices(y: np.ndarray, variance: float) -> str:
    """Why an outcome gets no indices ("" if it does): undefined points or no variation."""
    if not np.isfinite(y).all():
        return f"undefined (never happened) at {int((~np.isfinite(y)).sum())} points"
    if not variance > 0:
        return "the same at every point: nothing to apportion"
    return ""


def _indices(design: Design, unit: np.ndarray, y: np.ndarray, resamples: int, seed: int) -> dict:
    """SALib's indices of one outcome's point means."""
    if design.sampler == "sobol":
        return sobol_analysis.analyze(
            design.problem(),
            y,
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=CONFIDENCE,
            seed=seed,
        )
    return morris_analysis.analyze(
        design.problem(),
        unit,
        y,
        num_resamples=resamples,
        conf_level=CONFIDENCE,
        num_levels=design.levels,
        seed=seed,
    )


def analyse_model(
    design: Design,
    model: Model,
    outcomes: Sequence[str],
    *,
    replicates: int = 1,
    seed: int = 0,
    resamples: int = 1000,
) -> Sensitivity:
    """Sample `design`, evaluate any model of the points R times, and analyse as a sweep.

    Replicate r's generator comes from `SeedSequence(seed, spawn_key=(r,))`, as in the
    simulator, so a test function (Ishigami's) goes through the same design and analysis.
    """
    unit = unit_sample(design)
    points = points_table(design, unit)
    frames = []
    for r in range(replicates):
        result = model(points, np.random.default_rng(replicate_seed(seed, r)))
        frames.append(result.assign(point=points["point"].to_numpy(), replicate=r))
    runs = pd.concat(frames, ignore_index=True)
    return analyse(design, unit, points, runs, outcomes, resamples=resamples, seed=seed)


def analyse_results(
    out: Path, outcomes: Sequence[str] | None = None, *, resamples: int = 1000
) -> Sensitivity:
    """The sensitivity of a sweep's results directory (outcomes default to the sweep's)."""
    out = Path(out)
    manifest = json.loads((out / "manifest.json").read_text())
    if "design" not in manifest:
        raise ValueError(f"{out} holds no sampled sweep (its manifest has no design)")
    design = Design.from_description(manifest["design"])
    unit = pd.read_parquet(out / "design.parquet")[design.names].to_numpy(float)
    points = pd.read_parquet(out / "points.parquet")
    chosen = list(outcomes or manifest["outcomes"])
    runs = pd.read_parquet(out / "runs.parquet", columns=["point", "replicate", *chosen])
    return analyse(design, unit, points, runs, chosen, resamples=resamples, seed=design.seed)


def top_parameters(indices: pd.DataFrame, outcome: str, n: int = 5) -> pd.DataFrame:
    """The `n` parameters with the largest total (or Morris mu*) index for one outcome."""
    column = "ST" if "ST" in indices else "mu_star"
    chosen = indices[indices["outcome"] == outcome]
    return chosen.sort_values(column, ascending=False).head(n)


def write_tables(folder: Path, result: Sensitivity) -> list[Path]:
    """Write the indices (CSV and Parquet) and the noise table (CSV) into `folder`."""
    folder = own_folder(folder)
    indices, parquet, noise = (
        folder / "indices.csv",
        folder / "indices.parquet",
        folder / "noise.csv",
    )
    write_csv(indices, result.indices)
    write_atomic(parquet, lambda tmp: result.indices.to_parquet(tmp, index=False))
    write_csv(noise, result.noise)
    return [indices, parquet, noise]
