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
    spec |= {
        "scenario": str(SCENARIO_DIR / "baseline.yaml"),
        "observed": str(ROOT / "data" / "observed.yaml"),
        "calibrated": "calibrated.yaml",
        "posterior": "posterior.csv",
        "parameters": [{"key": "rules.attacks.base_rate"}],
        "targets": spec["targets"][1:2],
        "abc": spec["abc"] | {"population_size": 10, "generations": 1},
        "predictive_draws": 10,
        **settings,
    }
    path = folder / "calibration.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path
