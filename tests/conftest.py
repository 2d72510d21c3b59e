"""Shared helpers for the model tests: cached scenarios, batched runs over replicates, tests.

Replicates run in batches through `sim.engine.world.World` (one generator per row,
`replicate_rng(seed, r)`), which gives each replicate the same numbers as a Mesa
`AfghanistanModel(spec, replicate=r)` (see test_determinism) and is much faster than one
model per replicate. Batched runs are cached per (scenario, replicates, overrides) for
the whole session, so the mechanism tests share their reference arms. Replicates are
always numbered 0..n-1, so every comparison is deterministic.

Environment knobs for exploring margins (defaults are what the suite is tuned for):
SIM_TEST_STEPS, SIM_TEST_REPLICATES, SIM_TEST_CHUNK (replicates per World), and
SIM_TEST_PVALUES=1 (print every p-value; use -s).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from sim import AfghanistanModel, load_scenario
from sim.engine.outcomes import OUTCOMES, Record
from sim.engine.record import COL, COLUMNS, FLOWS, Recorder
from sim.engine.seeds import replicate_rng
from sim.engine.world import World
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario
from sim.rules import new_world

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "scenarios"
SCENARIO_FILES = sorted(SCENARIO_DIR.glob("*.yaml"))
BAD_DIR = Path(__file__).resolve().parent / "bad_scenarios"

# months per run, replicates per arm, one-sided significance level of the mechanism tests
STEPS = int(os.environ.get("SIM_TEST_STEPS", 24))
REPLICATES = int(os.environ.get("SIM_TEST_REPLICATES", 20))
CHUNK = int(os.environ.get("SIM_TEST_CHUNK", 50))
ALPHA = 0.01


@cache
def scenario(name: str) -> Scenario:
    """A shipped scenario by name (`baseline`, `crackdown`, ...), loaded once."""
    return load_scenario(SCENARIO_DIR / f"{name}.yaml")


def spec_of(name: str | Scenario, **overrides: Any) -> Scenario:
    """A scenario (by name or loaded) with `__`-joined overrides (`policy__crackdown=0.8`)."""
    spec = scenario(name) if isinstance(name, str) else name
    if not overrides:
        return spec
    return override(spec, {k.replace("__", "."): v for k, v in overrides.items()})


def world(name: str | Scenario, replicates: Iterable[int] = (0,), **overrides: Any) -> World:
    """A World at month 0 holding the given replicates, one row each, in that order."""
    spec = spec_of(name, **overrides)
    return new_world(spec, [replicate_rng(spec.seed, r) for r in replicates])


def batch(name: str | Scenario, replicates: Iterable[int] = (0,), **overrides: Any) -> Recorder:
    """Run the given replicates together in one World to the horizon: its Recorder."""
    return world(name, replicates, **overrides).run()


def run(name: str | Scenario, replicate: int = 0, **overrides: Any) -> Recorder:
    """One replicate run alone (a batch of one): its Recorder, `values[0]` the run."""
    return batch(name, (replicate,), **overrides)


def model(name: str | Scenario, replicate: int = 0, **overrides: Any) -> AfghanistanModel:
    """The Mesa facade at month 0 for one replicate (no DataCollector)."""
    return AfghanistanModel(spec_of(name, **overrides), replicate=replicate, collect=False)


def _key(overrides: dict[str, Any]) -> str:
    return repr(sorted(overrides.items()))


_VALUES: dict[tuple[str, int, str], tuple[np.ndarray, Recorder]] = {}


def values(name: str, n: int = REPLICATES, **overrides: Any) -> tuple[np.ndarray, Recorder]:
    """`values[replicate, step, actor, column]` of replicates 0..n-1, and a Recorder (layout).

    `steps` defaults to `STEPS` unless given in `overrides`. Replicates run in Worlds
    of at most CHUNK rows. Cached for the session.
    """
    overrides = {"steps": STEPS, **overrides}
    key = (name, n, _key(overrides))
    if key not in _VALUES:
        spec = spec_of(name, **overrides)
        records = [batch(spec, range(i, min(n, i + CHUNK))) for i in range(0, n, CHUNK)]
        _VALUES[key] = (np.concatenate([rec.values for rec in records]), records[0])
    return _VALUES[key]


_OUTCOMES: dict[tuple[str, int, str], dict[str, np.ndarray]] = {}


def outcomes(name: str, n: int = REPLICATES, **overrides: Any) -> dict[str, np.ndarray]:
    """Outcomes of replicates 0..n-1, one array (length n) per outcome.

    Besides `Recorder.outcomes()` (of the whole record), holds for each
    actor `<actor>_<flow>` (the flow summed over the run), `<column>_mean` /
    `<column>_final` of the taliban row's state columns, each faction's
    `<faction>_cohesion_mean` and `<faction>_broken` (broken away by the horizon), each
    state's `<state>_pressure_mean` and `<state>_engagement_final`, and ISIS-K's
    `momentum_mean` and `capability_mean`.
    """
    overrides = {"steps": STEPS, **overrides}
    key = (name, n, _key(overrides))
    if key not in _OUTCOMES:
        vals, layout = values(name, n, **overrides)
        _OUTCOMES[key] = summarise(vals, layout)
    return _OUTCOMES[key]


def summarise(vals: np.ndarray, rec: Recorder) -> dict[str, np.ndarray]:
    """Per-replicate outcomes from `values[replicate, step, actor, column]` laid out as `rec`."""
    isisk, factions = rec.isisk, rec.factions
    out: dict[str, np.ndarray] = {}
    for i, actor in enumerate(rec.actors[: rec.states.start]):
        for flow in FLOWS:
            out[f"{actor}_{flow}"] = vals[:, 1:, i, COL[flow]].sum(axis=1)
        out[f"{actor}_fighters_final"] = vals[:, -1, i, COL["fighters"]]
    taliban = ("cohesion", "pressure", "pay_ratio", "credibility", "revenue", "recognized")
    for column in (*taliban, "arrears", "aid", "hardship", "unfrozen"):
        out[f"{column}_mean"] = vals[:, 1:, 0, COL[column]].mean(axis=1)
        out[f"{column}_final"] = vals[:, -1, 0, COL[column]]
    for i in range(factions.start, factions.stop):
        out[f"{rec.actors[i]}_cohesion_mean"] = vals[:, 1:, i, COL["cohesion"]].mean(axis=1)
        out[f"{rec.actors[i]}_broken"] = vals[:, -1, i, COL["broken_away"]] > 0
    for i in range(rec.states.start, rec.states.stop):
        out[f"{rec.actors[i]}_pressure_mean"] = vals[:, 1:, i, COL["pressure"]].mean(axis=1)
        out[f"{rec.actors[i]}_engagement_final"] = vals[:, -1, i, COL["engagement"]]
    out["min_faction_cohesion"] = vals[:, 1:, factions, COL["cohesion"]].min(axis=(1, 2))
    for column in ("momentum", "capability"):
        out[f"{column}_mean"] = vals[:, 1:, isisk, COL[column]].mean(axis=1)
    runs = OUTCOMES.reduce(Record(vals, rec.actor_types, COLUMNS))
    out |= {name: np.array([run[name] for run in runs]) for name in OUTCOMES.names}
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
