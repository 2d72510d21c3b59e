"""The regression summary: every outcome of a few replicates of every scenario, for fixed seeds.

`tests/test_regression.py` checks that the engine still gives exactly these numbers.
Regenerate the file only when a change is meant to change results, and say why:

    python experiments/regression.py          # rewrite tests/regression_summary.json
    python experiments/regression.py --check  # compare; exit 1 and list the differences
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from sim.scenario import load_with_origin, override
from sim.seeds import replicate_rng
from sim.world import World

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "tests" / "regression_summary.json"
REPLICATES = 6
STEPS = 24


def summary() -> dict:
    """Outcomes of replicates 0..5 of each scenario file, 24 months, as JSON-ready data."""
    scenarios = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario, _ = load_with_origin(path)
        scenario = override(scenario, {"steps": STEPS})
        gens = [replicate_rng(scenario.seed, r) for r in range(REPLICATES)]
        runs = World(scenario, gens).run().outcomes()
        scenarios[path.stem] = [{k: _plain(v) for k, v in run.items()} for run in runs]
    return {
        "regenerate": "python experiments/regression.py, only for changes meant to change results",
        "replicates": REPLICATES,
        "steps": STEPS,
        "numpy": np.__version__,
        "scenarios": scenarios,
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
                if a.get(key) != b.get(key):
                    lines.append(f"{name}, replicate {r}, {key}: {a.get(key)} -> {b.get(key)}")
    return lines


def _plain(value: float | bool) -> float | bool | None:
    """JSON has no NaN: a NaN outcome (an event that never happened) is written as null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def main() -> None:
    """Write the summary, or with --check compare it with the committed one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    got = summary()
    if not args.check:
        SUMMARY.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        print(f"wrote {SUMMARY.relative_to(ROOT)}")
        return
    lines = differences(json.loads(SUMMARY.read_text()), got)
    print("\n".join(lines) or "no differences")
    sys.exit(1 if lines else 0)


if __name__ == "__main__":
    main()
