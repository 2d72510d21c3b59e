"""The regression summary: every outcome of a few replicates of every scenario, for fixed seeds.

`tests/test_regression.py` checks that the engine still gives these numbers (counts
exactly, other floats to a relative 1e-9, so that another CPU's last-bit differences
in exp and log do not fail it). `experiments/regression.py` regenerates the file,
only when a change is meant to change results.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_with_origin, override
from sim.rules import new_world

REPLICATES = 6
STEPS = 24
RELATIVE_TOLERANCE = 1e-9


def summary(scenarios: Path) -> dict:
    """Outcomes of replicates 0..5 of each scenario file: 24 months, or to its last event."""
    runs_by_name = {}
    for path in sorted(scenarios.glob("*.yaml")):
        scenario, _ = load_with_origin(path)
        last_event = max((e.month for e in scenario.events), default=0)
        scenario = override(scenario, {"steps": max(STEPS, last_event)})  # every event happens
        gens = [replicate_rng(scenario.seed, r) for r in range(REPLICATES)]
        runs = new_world(scenario, gens).run().outcomes()
        runs_by_name[path.stem] = [{k: _plain(v) for k, v in run.items()} for run in runs]
    return {
        "regenerate": "python experiments/regression.py, only for changes meant to change results",
        "replicates": REPLICATES,
        "steps": STEPS,
        "numpy": np.__version__,
        "scenarios": runs_by_name,
    }


def differences(expected: dict, got: dict) -> list[str]:
    """Each (scenario, replicate, outcome) whose value changed, as readable lines."""
    lines = []
    for name in sorted(set(expected["scenarios"]) | set(got["scenarios"])):
        old, new = expected["scenarios"].get(name), got["scenarios"].get(name)
        if old is None or new is None:
            lines.append(f"{name}: scenario {'added' if old is None else 'removed'}")
            continue
        for r, (a, b) in enumerate(zip(old, new, strict=True)):
            for key in sorted(set(a) | set(b)):
                if not _same(a.get(key), b.get(key)):
                    lines.append(f"{name}, replicate {r}, {key}: {a.get(key)} -> {b.get(key)}")
    return lines


def _same(old: float | bool | None, new: float | bool | None) -> bool:
    """Equal, or both floats within the relative tolerance (integers compare exactly)."""
    if isinstance(old, float) and isinstance(new, float) and not old.is_integer():
        return math.isclose(old, new, rel_tol=RELATIVE_TOLERANCE)
    return old == new


def _plain(value: float | bool) -> float | bool | None:
    """JSON has no NaN: a NaN outcome (an event that never happened) is written as null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
