"""Write the files generated from the declarations: the commented baseline and the tables.

    python -m sim.inputs.pars.generate

`scenarios/baseline.yaml` is rewritten from the declarations and the actors of the
current file; `docs/parameters.md` from the declarations, that baseline and the list of
parameters the calibration fits (`experiments/calibration_parameters.yaml`), and
`docs/events.md` (the keys events may change) from the loader's rule and that baseline.
A test (tests/test_pars.py) fails when any of them is stale.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.inputs.pars.baseline_file import baseline_text
from sim.inputs.pars.bases import fitted_ranges
from sim.inputs.pars.events_table import event_table
from sim.inputs.pars.table import parameter_table
from sim.inputs.reading import read_yaml
from sim.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[3]
BASELINE = Path("scenarios") / "baseline.yaml"
TABLE = Path("docs") / "parameters.md"
EVENTS = Path("docs") / "events.md"
FITTED = Path("experiments") / "calibration_parameters.yaml"
COMMAND = "python -m sim.inputs.pars.generate"


def generate(root: Path, out: Path) -> list[Path]:
    """Write the baseline and the tables of the repository at `root` into `out`, same layout."""
    baseline = out / BASELINE
    text = baseline_text(read_yaml(root / BASELINE))
    baseline.parent.mkdir(parents=True, exist_ok=True)
    baseline.write_text(text)
    table = out / TABLE
    table.parent.mkdir(parents=True, exist_ok=True)
    scenario = load_scenario(baseline)
    table.write_text(parameter_table(scenario, fitted_ranges(root / FITTED)))
    events = out / EVENTS
    events.write_text(event_table(scenario))
    return [baseline, table, events]


def main(argv: list[str] | None = None) -> None:
    """Regenerate the files in place (or into `--out`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="folder to write into")
    for path in generate(ROOT, parser.parse_args(argv).out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
