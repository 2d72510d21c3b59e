"""Small input files for the tests that run `sim` commands end to end: a Sobol' sweep, a fit.

Each is written into a folder of the test's and runs in seconds.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import ROOT, SCENARIO_DIR


def sobol_file(folder: Path, steps: int) -> Path:
    """A Sobol' sweep of two parameters, 8 points x 2 replicates of `steps` months."""
    spec = {
        "name": "small_sobol",
        "kind": "sweep",
        "scenario": str(SCENARIO_DIR / "baseline.yaml"),
        "uncertainties": [{"key": "rules.attacks.base_rate"}, {"key": "rules.crackdown.leak"}],
        "sampler": "sobol",
        "points": 8,
        "replicates": 2,
        "seed": 1,
        "steps": steps,
        "outcomes": ["isisk_final", "attacks_total"],
    }
    path = folder / "sobol.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def calibration_file(folder: Path, **settings: object) -> Path:
    """experiments/calibration.yaml cut to one parameter, one target and one generation of 10.

    It names `calibrated.yaml` and `posterior.csv` beside itself (written with --install
    only); `settings` add or replace keys (`out`).
    """
    spec = yaml.safe_load((ROOT / "experiments" / "calibration.yaml").read_text())
    spec.pop("rejection", None)
    spec |= {
        "scenario": str(SCENARIO_DIR / "baseline.yaml"),
        "observed": str(ROOT / "data" / "observed.yaml"),
        "calibrated": "calibrated.yaml",
        "posterior": "posterior.csv",
        "parameters": [{"key": "rules.attacks.base_rate"}],
        "targets": spec["targets"][1:2],
        "abc": {
            "population_size": 10,
            "generations": 1,
            "quantile": 0.5,
            "minimum_epsilon": 0.0,
            "min_acceptance_rate": 0.02,
        },
        "predictive_draws": 10,
        **settings,
    }
    path = folder / "calibration.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


# A robust search of two levers on three states of the world, 6 months: a few seconds.
TINY_SEARCH = {
    "name": "tiny_search",
    "kind": "optimize",
    "scenario": str(SCENARIO_DIR / "calibrated.yaml"),
    "seed": 5,
    "replicates": 2,
    "steps": 6,
    "levers": {"policy.crackdown": [0.0, 1.0], "policy.adaptive_gain": []},
    "objectives": [
        {"outcome": "isisk_final", "direction": "minimize", "metric": "mean"},
        {
            "outcome": "hardship_final",
            "direction": "minimize",
            "metric": "regret",
            "percentile": 90,
        },
        {
            "outcome": "recognized",
            "direction": "maximize",
            "metric": "satisficing",
            "threshold": 0.5,
        },
    ],
    "states": {
        "count": 3,
        "seed": 7,
        "posterior": str(SCENARIO_DIR / "calibrated_posterior.csv"),
        "uncertainties": ["rules.defection.w_fear"],
    },
    "algorithm": {"population": 6, "generations": 3, "seed": 1},
    "compare_with": [str(SCENARIO_DIR / "crackdown.yaml")],
}


def search_file(folder: Path, name: str = "search.yaml", **changes) -> Path:
    """The tiny robust search, with `changes` to its top-level keys."""
    path = folder / name
    path.write_text(yaml.safe_dump(TINY_SEARCH | changes))
    return path
