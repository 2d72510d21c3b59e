"""Shared helpers for the model tests: cached scenario loading, runs over replicates, tests.

Runs are cached per (scenario, replicates, overrides) for the whole session, so the
mechanism tests can share their reference runs. Replicates are always numbered
0..n-1, so every comparison is deterministic.

Environment knobs for exploring margins (defaults are what the suite is tuned for):
SIM_TEST_STEPS, SIM_TEST_REPLICATES, and SIM_TEST_PVALUES=1 (print every p-value; use -s).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from sim import AfghanistanModel, load_scenario
from sim.record import COL, COLUMNS, FLOWS
from sim.scenario import override
from sim.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "scenarios"
SCENARIO_FILES = sorted(SCENARIO_DIR.glob("*.yaml"))
BAD_DIR = Path(__file__).resolve().parent / "bad_scenarios"

# months per run, replicates per arm, one-sided significance level of the mechanism tests
STEPS = int(os.environ.get("SIM_TEST_STEPS", 24))
REPLICATES = int(os.environ.get("SIM_TEST_REPLICATES", 20))
ALPHA = 0.01


@cache
def scenario(name: str) -> Scenario:
    """A shipped scenario by name (`baseline`, `crackdown`, ...), loaded once."""
    return load_scenario(SCENARIO_DIR / f"{name}.yaml")


def run(name: str | Scenario, replicate: int = 0, **overrides: Any):
    """One run of a scenario (by name or loaded) with `__`-joined overrides: its Recorder."""
    spec = scenario(name) if isinstance(name, str) else name
    return AfghanistanModel(spec, replicate=replicate, collect=False, **overrides).run()


def _key(overrides: dict[str, Any]) -> str:
    return repr(sorted(overrides.items()))


_VALUES: dict[tuple[str, int, str], tuple[np.ndarray, list[str]]] = {}


def values(name: str, n: int = REPLICATES, **overrides: Any) -> tuple[np.ndarray, list[str]]:
    """`values[replicate, step, actor, column]` of replicates 0..n-1, and the actor names.

    `steps` defaults to `STEPS` unless given in `overrides`. Cached for the session.
    """
    overrides = {"steps": STEPS, **overrides}
    key = (name, n, _key(overrides))
    if key not in _VALUES:
        spec = override(scenario(name), {k.replace("__", "."): v for k, v in overrides.items()})
        records = [run(spec, r) for r in range(n)]
        _VALUES[key] = (np.stack([rec.values for rec in records]), records[0].actors)
    return _VALUES[key]


_OUTCOMES: dict[tuple[str, int, str], dict[str, np.ndarray]] = {}


def outcomes(name: str, n: int = REPLICATES, **overrides: Any) -> dict[str, np.ndarray]:
    """Outcomes of replicates 0..n-1, one array (length n) per outcome.

    Besides `Recorder.outcomes()` (recomputed here from the record), holds for each
    actor `<actor>_<flow>` (the flow summed over the run), and `<column>_mean` /
    `<column>_final` of the taliban row's state columns, `momentum_mean`,
    `switched_groups` (foreign groups whose patron ended as ISIS-K).
    """
    overrides = {"steps": STEPS, **overrides}
    key = (name, n, _key(overrides))
    if key not in _OUTCOMES:
        vals, actors = values(name, n, **overrides)
        _OUTCOMES[key] = summarise(vals, actors)
    return _OUTCOMES[key]


def summarise(vals: np.ndarray, actors: list[str]) -> dict[str, np.ndarray]:
    """Per-replicate outcomes from stacked `values[replicate, step, actor, column]`."""
    isisk = actors.index("isisk")
    states = next(
        i for i in range(isisk + 1, len(actors)) if np.isnan(vals[0, 0, i, COL["fighters"]])
    )
    out: dict[str, np.ndarray] = {}
    for i, actor in enumerate(actors[:states]):
        for flow in FLOWS:
            out[f"{actor}_{flow}"] = vals[:, 1:, i, COL[flow]].sum(axis=1)
        out[f"{actor}_fighters_final"] = vals[:, -1, i, COL["fighters"]]
    for column in ("cohesion", "pressure", "pay_ratio", "credibility", "revenue", "recognized"):
        out[f"{column}_mean"] = vals[:, 1:, 0, COL[column]].mean(axis=1)
        out[f"{column}_final"] = vals[:, -1, 0, COL[column]]
    for i in range(1, isisk):
        out[f"{actors[i]}_cohesion_mean"] = vals[:, 1:, i, COL["cohesion"]].mean(axis=1)
    faction_cohesion = vals[:, 1:, 1:isisk, COL["cohesion"]]
    out["min_faction_cohesion"] = faction_cohesion.min(axis=(1, 2))
    out["momentum_mean"] = vals[:, 1:, isisk, COL["momentum"]].mean(axis=1)
    out["isisk_final"] = vals[:, -1, isisk, COL["fighters"]]
    out["isisk_cells_final"] = vals[:, -1, isisk, COL["cells"]]
    out["attacks_total"] = vals[:, 1:, isisk, COL["attacks"]].sum(axis=1)
    out["sectarian_attacks_total"] = vals[:, 1:, isisk, COL["sectarian_attacks"]].sum(axis=1)
    from_groups = vals[:, 1:, isisk + 1 : states, COL["defected_out"]].sum(axis=(1, 2))
    out["defections_foreign"] = from_groups
    out["defections_taliban"] = out["isisk_defected_in"] - from_groups
    out["desertions_total"] = vals[:, 1:, 1:isisk, COL["deserted"]].sum(axis=(1, 2))
    out["fragmented"] = vals[:, -1, 1:isisk, COL["broken_away"]].max(axis=1)
    out["switched_groups"] = (vals[:, -1, isisk + 1 : states, COL["patron"]] == 1).sum(axis=1)
    return out


def greater(a: np.ndarray, b: np.ndarray, label: str = "") -> float:
    """Assert `a` is stochastically greater than `b` (one-sided Mann-Whitney U, ALPHA)."""
    p = stats.mannwhitneyu(a, b, alternative="greater").pvalue
    if os.environ.get("SIM_TEST_PVALUES"):
        print(f"\nPVALUE {label}: {np.median(a):.4g} vs {np.median(b):.4g} p={p:.2g}")
    assert p < ALPHA, (
        f"{label}: expected first > second; medians {np.median(a):.4g} vs {np.median(b):.4g}, "
        f"means {np.mean(a):.4g} vs {np.mean(b):.4g}, one-sided Mann-Whitney p = {p:.3g}"
    )
    return p


def less(a: np.ndarray, b: np.ndarray, label: str = "") -> float:
    """Assert `a` is stochastically smaller than `b` (one-sided Mann-Whitney U, ALPHA)."""
    return greater(b, a, f"{label} (reversed)")


def more_often(a: np.ndarray, b: np.ndarray, label: str = "") -> float:
    """Assert event indicator `a` is true more often than `b` (one-sided Fisher exact, ALPHA)."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    table = [[a.sum(), (~a).sum()], [b.sum(), (~b).sum()]]
    p = stats.fisher_exact(table, alternative="greater").pvalue
    if os.environ.get("SIM_TEST_PVALUES"):
        print(f"\nPVALUE {label}: {a.mean():.3g} vs {b.mean():.3g} p={p:.2g}")
    assert p < ALPHA, f"{label}: proportions {a.mean():.3f} vs {b.mean():.3f}, Fisher p = {p:.3g}"
    return p


def identical(a: np.ndarray, b: np.ndarray) -> bool:
    """Arrays equal element by element, NaN equal to NaN."""
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def differing_columns(a: np.ndarray, b: np.ndarray) -> list[str]:
    """Names of the record columns where two `values` arrays differ anywhere."""
    diff = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    return [COLUMNS[c] for c in np.unique(np.nonzero(diff)[-1])]
