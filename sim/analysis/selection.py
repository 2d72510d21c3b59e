"""Which parameters a calibration fits: those the Sobol' analysis of its targets finds influential.

Every model parameter with a plausible range (`sim.inputs.ranges`) and every observation
parameter is sampled in Saltelli's design over its range; each point runs the
calibration's short scenario once and reads the calibration's target statistics. All
points share one seed (common random numbers), so two points differ only by their
parameters, and a parameter that does nothing gets a total index near zero rather than
the replicate noise. A parameter is selected when its total-order index exceeds the
threshold for some target with 95% confidence (the index less its bootstrap half-width
above the threshold): with a few base samples over hundreds of parameters the indices'
intervals are wide, and the point estimate alone would select noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context

import numpy as np
import pandas as pd

from sim.analysis.calibration import simulate_point
from sim.analysis.sensitivity import Sensitivity, analyse_model
from sim.inputs.calibration import CalibrationPlan, Prior
from sim.inputs.observation_parameters import OBSERVATION_PREFIX, PARAMETERS
from sim.inputs.ranges import parameters, range_of
from sim.inputs.sampling import Design, Parameter

THRESHOLD = 0.05
"""A parameter whose total-order index exceeds this (with 95% confidence) for some target is
fitted."""
NOT_SCREENED = {
    "policy.": "decisions (levers), which the historical scenario sets from the timeline",
    "mechanisms.": "the scales that switch mechanisms off in ablations, not uncertainties",
    ".sd": "the spread of a Beta whose largest sd depends on its mean: not sampled apart",
}
"""Key prefixes (or the suffix `.sd`) of numbers the screening leaves out, and why."""


def screened(key: str) -> bool:
    """Whether the screening samples `key` (see `NOT_SCREENED`)."""
    return not any(
        key.endswith(part) if part.startswith(".") else key.startswith(part)
        for part in NOT_SCREENED
    )


def screening_priors(plan: CalibrationPlan) -> tuple[Prior, ...]:
    """Every screened scenario parameter with a range of some width, and the observation ones."""
    model = [
        Prior(key, span.low, span.high, isinstance(value, int))
        for key, value in parameters(plan.scenario)
        if screened(key) and (span := range_of(key)) is not None and span.low < span.high
    ]
    observed = [
        Prior(OBSERVATION_PREFIX + name, p.low, p.high, False) for name, p in PARAMETERS.items()
    ]
    return (*model, *observed)


def screening_design(priors: Sequence[Prior], points: int, seed: int) -> Design:
    """Saltelli's Sobol' design over the priors: `points` base samples, N (D + 2) points."""
    parameters_ = tuple(Parameter(p.key, p.low, p.high, integer=p.integer) for p in priors)
    return Design(parameters_, "sobol", points, seed=seed)


def screen(plan: CalibrationPlan, points: int, workers: int) -> Sensitivity:
    """Sobol' indices of each target of `plan` over every parameter (`screening_priors`)."""
    wide = replace(plan, priors=screening_priors(plan))
    design = screening_design(wide.priors, points, plan.calibration.seed)
    names = [t.name for t in plan.calibration.targets]

    def model(table: pd.DataFrame, gen: np.random.Generator) -> pd.DataFrame:
        shared = int(gen.integers(2**63))
        rows = [row._asdict() for row in table[design.names].itertuples(index=False)]
        jobs = [(wide, shared, dict(zip(design.names, r.values(), strict=True))) for r in rows]
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            stats = list(pool.map(_statistics, jobs, chunksize=max(1, len(jobs) // (8 * workers))))
        return pd.DataFrame(stats, columns=names)

    return analyse_model(design, model, names, replicates=1, seed=plan.calibration.seed)


def _statistics(job: tuple[CalibrationPlan, int, dict[str, float]]) -> np.ndarray:
    """One point's target statistics, its streams seeded by `shared` alone (not by the point)."""
    plan, shared, point = job
    return simulate_point(plan, point, np.random.SeedSequence(shared))


def influential(indices: pd.DataFrame, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Per parameter: its surest total index over the targets, that target, and whether chosen.

    The surest index is the one whose 95% lower bound (ST - ST_conf) is largest; sorted by
    that bound, largest first; `selected` is the bound above `threshold`.
    """
    valid = indices.dropna(subset=["ST"]).assign(
        ST_low=lambda t: t["ST"] - t["ST_conf"].fillna(0.0)
    )
    top = valid.loc[valid.groupby("parameter")["ST_low"].idxmax()]
    table = pd.DataFrame(
        {
            "parameter": top["parameter"].to_numpy(),
            "ST": top["ST"].to_numpy(float),
            "ST_conf": top["ST_conf"].to_numpy(float),
            "ST_low": top["ST_low"].to_numpy(float),
            "target": top["outcome"].to_numpy(),
        }
    )
    table["selected"] = table["ST_low"] > threshold
    return table.sort_values("ST_low", ascending=False).reset_index(drop=True)


def parameters_file(table: pd.DataFrame, threshold: float, how: str) -> str:
    """The generated list of fitted parameters (YAML), each with its index as a comment."""
    chosen = table[table["selected"]]
    lines = [
        "# Generated by experiments/calibration_parameters.py: do not edit by hand.",
        f"# The parameters whose Sobol' total-order index exceeds {threshold:g} for some target",
        "# of experiments/calibration.yaml with 95% confidence (ST less its interval's",
        f"# half-width); {how}.",
        "# Each with its surest index (largest lower bound) and the target it is for.",
        "parameters:",
        *(
            f"  - key: {row.parameter}  # ST {row.ST:.3f} +- {row.ST_conf:.3f} ({row.target})"
            for row in chosen.itertuples()
        ),
    ]
    return "\n".join(lines) + "\n"


def markdown_table(table: pd.DataFrame, threshold: float) -> str:
    """The selected parameters and the next few below the threshold, as a markdown table."""
    shown = pd.concat([table[table["selected"]], table[~table["selected"]].head(5)])
    rows = [
        "| parameter | ST (95% half-width) | for target | fitted |",
        "|---|---|---|---|",
        *(
            f"| {r.parameter} | {r.ST:.3f} ({r.ST_conf:.3f}) | {r.target} | "
            f"{'yes' if r.selected else f'no (ST - half-width ≤ {threshold:g})'} |"
            for r in shown.itertuples()
        ),
    ]
    return "\n".join(rows) + "\n"
