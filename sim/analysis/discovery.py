"""Scenario discovery: the boxes of uncertain parameters where an outcome of concern happens.

Given a sweep's runs (one row per run, the point's parameter values as columns) and a
condition over them (`sim.analysis.condition`), PRIM (Friedman and Fisher 1999, as in
Bryant and Lempert 2010) peels the parameter space toward the runs where it holds;
CART's leaves are the comparison; extra-trees feature scores rank every parameter.
EMA Workbench's `prim`, `cart` and `feature_scoring` do the work.

Unless told which, the chosen box is the one on PRIM's peeling trajectory with the
highest harmonic mean of coverage (share of the runs of concern inside it) and density
(share of its runs that are of concern): it keeps both high, where peeling on would buy
density with coverage. `sim discover --box N` picks another from the trade-off plot.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.condition import ConditionError, evaluate
from sim.engine.outcomes import OUTCOMES
from sim.runs.output import own_folder, write_csv, write_json
from sim.runs.sweep import DESIGN_COLUMNS, sweep_tables


@dataclass(frozen=True)
class Discovery:
    """What scenario discovery found.

    Attributes:
        condition: the condition, as given.
        runs: runs analysed.
        cases: runs where the condition holds.
        trajectory: PRIM's peeling trajectory, one row per box: `box`, `coverage`,
            `density`, `mass`, `restricted` (dimensions restricted) and `n` (runs in it).
        chosen: the chosen box's number on the trajectory.
        box: its restricted dimensions: `parameter`, `low`, `high` (the box), `min`,
            `max` (the values sampled) and the quasi-p-values `qp_low`, `qp_high` of
            each restriction (Bryant and Lempert 2010; NaN where a side is unrestricted).
        cart: CART's leaves: `leaf`, `coverage`, `density`, `mass`, `restricted`, and
            each parameter's `low` and `high` in columns `PARAMETER low`, `PARAMETER high`.
        scores: every parameter's extra-trees feature score, highest first.
    """

    condition: str
    runs: int
    cases: int
    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    cart: pd.DataFrame
    scores: pd.DataFrame


def sweep_inputs(results: Path, condition: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The swept parameters of a sweep's runs (one row per run) and where `condition` holds.

    The condition may name any column of the runs table (outcomes, swept parameters)
    and any number of the sweep's scenario by its key path (`isisk.fighters`).

    Raises:
        ConditionError: the condition cannot be read, or names what is not there.
        FileNotFoundError: the folder holds no sweep.
    """
    results = Path(results)
    points, runs = sweep_tables(results)
    swept = [c for c in points.columns if c not in DESIGN_COLUMNS and points[c].nunique() > 1]
    if not swept:
        raise ConditionError(f"{results}: no parameter takes more than one value in the sweep")
    manifest = json.loads((results / "manifest.json").read_text())
    columns = _scenario_numbers(manifest.get("scenario", {})) | {
        name: runs[name].to_numpy() for name in runs.columns if name not in ("scenario",)
    }
    outcomes = [name for name in OUTCOMES.names if name in runs.columns]
    names = (
        f"the outcomes {', '.join(outcomes)}; the swept parameters {', '.join(swept)}; "
        "and the scenario's numbers by key path (e.g. isisk.fighters)"
    )
    holds = evaluate(condition, columns, names)
    return runs[swept].reset_index(drop=True), holds


def discover(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    condition: str = "",
    box: int | None = None,
    mass_min: float = 0.05,
    seed: int = 0,
) -> Discovery:
    """PRIM's boxes, CART's leaves and feature scores of `x` (parameters) for yes/no `y`.

    Args:
        x: one row per run, one column per uncertain parameter.
        y: whether the condition holds in each run.
        condition: the condition's text, for the record.
        box: the box of the trajectory to choose (default: see the module docstring).
        mass_min: the smallest share of the runs a PRIM box or a CART leaf may hold.
        seed: the extra-trees' random state.

    Raises:
        ConditionError: the condition holds in no run, or in every run (nothing to tell
            apart), or `box` is not on the trajectory.
    """
    with warnings.catch_warnings():  # EMA warns of an evaluator it does not need here
        warnings.filterwarnings("ignore", "ipyparallel")
        from ema_workbench.analysis import cart, feature_scoring, prim
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    y = np.asarray(y, dtype=bool)
    if not y.any() or y.all():
        said = "no" if not y.any() else "every"
        raise ConditionError(
            f"{condition or 'the condition'} holds in {said} run of {len(y)}: "
            "there is nothing to tell apart"
        )
    # as floats: EMA's PRIM pastes midpoints into integer columns, which pandas 3 refuses
    numbers = x.select_dtypes("number").columns
    x = x.reset_index(drop=True).astype(dict.fromkeys(numbers, float))
    with warnings.catch_warnings():  # EMA's PRIM uses a pandas keyword pandas deprecates
        warnings.filterwarnings("ignore", "The inplace keyword")
        found = prim.Prim(x, y.astype(int), mass_min=mass_min).find_box()
    trajectory = found.peeling_trajectory.rename(columns={"id": "box", "res_dim": "restricted"})
    trajectory = trajectory[["box", "coverage", "density", "mass", "restricted", "n"]]
    chosen = balanced(trajectory) if box is None else box
    if not 0 <= chosen < len(trajectory):
        raise ConditionError(f"box {box}: the trajectory has boxes 0 to {len(trajectory) - 1}")
    leaf_mass = max(mass_min, 1.01 / len(y))  # CART's leaves hold int(mass * runs) >= 1 runs
    leaves = cart.CART(x, y.astype(int), mass_min=leaf_mass, mode=RuleInductionType.BINARY)
    leaves.build_tree()
    scores, _ = feature_scoring.get_ex_feature_scores(
        x, y.astype(int), mode=RuleInductionType.CLASSIFICATION, random_state=seed
    )
    scores = scores.reset_index()
    scores.columns = ["parameter", "score"]
    return Discovery(
        condition=condition,
        runs=len(y),
        cases=int(y.sum()),
        trajectory=trajectory.reset_index(drop=True),
        chosen=chosen,
        box=_box_table(found, chosen, x),
        cart=_cart_table(leaves),
        scores=scores,
    )


def balanced(trajectory: pd.DataFrame) -> int:
    """The box of highest harmonic mean of coverage and density (the first if tied)."""
    coverage, density = trajectory["coverage"], trajectory["density"]
    score = 2 * coverage * density / (coverage + density).where(lambda s: s > 0, 1)
    return int(score.to_numpy().argmax())


def _box_table(found, chosen: int, x: pd.DataFrame) -> pd.DataFrame:
    """The chosen box's restricted dimensions with their limits and quasi-p-values."""
    _, limits = found.inspect(chosen, style="data")[0]
    rows = []
    for parameter, row in limits.iterrows():
        low, high, qp_low, qp_high = row.to_numpy(dtype=float)
        rows.append(
            {
                "parameter": parameter,
                "low": low,
                "high": high,
                "min": float(x[parameter].min()),
                "max": float(x[parameter].max()),
                "qp_low": qp_low,
                "qp_high": qp_high,
            }
        )
    columns = ["parameter", "low", "high", "min", "max", "qp_low", "qp_high"]
    return pd.DataFrame(rows, columns=columns)


def _cart_table(leaves) -> pd.DataFrame:
    """CART's leaves: their statistics and each parameter's limits."""
    rows = []
    for number, (box, stats) in enumerate(zip(leaves.boxes, leaves.stats, strict=True)):
        row = {
            "leaf": number,
            "coverage": stats["coverage"],
            "density": stats["density"],
            "mass": stats["mass"],
            "restricted": stats["res dim"],
        }
        for parameter in box.columns:
            row[f"{parameter} low"], row[f"{parameter} high"] = box[parameter].to_numpy()
        rows.append(row)
    return pd.DataFrame(rows)


def _scenario_numbers(data: dict, at: str = "") -> dict[str, float]:
    """Every number of a resolved scenario (the manifest's) by key path."""
    found: dict[str, float] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            found |= _scenario_numbers(value, f"{at}{key}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found[f"{at}{key}"] = float(value)
    return found


def write_tables(folder: Path, found: Discovery) -> list[Path]:
    """The trajectory, the chosen box, CART's leaves, the scores and a summary, as CSV/JSON."""
    own_folder(folder)
    tables = {
        "prim_trajectory.csv": found.trajectory,
        "prim_box.csv": found.box,
        "cart_leaves.csv": found.cart,
        "feature_scores.csv": found.scores,
    }
    written = []
    for name, table in tables.items():
        write_csv(folder / name, table)
        written.append(folder / name)
    chosen = found.trajectory.iloc[found.chosen]
    summary = {
        "condition": found.condition,
        "runs": found.runs,
        "cases": found.cases,
        "chosen_box": found.chosen,
        "coverage": float(chosen["coverage"]),
        "density": float(chosen["density"]),
        "mass": float(chosen["mass"]),
        "restricted": found.box["parameter"].tolist(),
    }
    write_json(folder / "summary.json", summary)
    return [*written, folder / "summary.json"]
