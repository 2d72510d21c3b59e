"""Choose the calibration's parameters by the Sobol' analysis of its targets.

Runs Saltelli's design over every parameter with a plausible range and every
observation parameter (`sim.analysis.selection`), on the calibration's short scenario
(October 2021 to its last target month), and writes:

- `experiments/calibration_parameters.yaml`: the parameters whose total-order index
  exceeds the threshold for some target (the list `experiments/calibration.yaml` fits);
- the indices table (all parameters and targets) and the noise table into `--out`;
- the table of the selected parameters into docs/calibration.md, between its markers.

Run: python experiments/calibration_parameters.py [--points 64] [--workers 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from sim.analysis.selection import (
    THRESHOLD,
    influential,
    markdown_table,
    parameters_file,
    screen,
    screening_priors,
)
from sim.analysis.sensitivity import write_tables
from sim.inputs.calibration import Uncertain, load_calibration
from sim.inputs.observation_parameters import OBSERVATION_PREFIX, PARAMETERS
from sim.runs.output import replace_section

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION = ROOT / "experiments" / "calibration.yaml"
LIST_FILE = ROOT / "experiments" / "calibration_parameters.yaml"
DOC = ROOT / "docs" / "calibration.md"
SECTION = "sobol-selection"  # the generated part of the doc, between its markers


def main() -> None:
    """Screen, select, and write the list, the tables and the doc's table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=64, help="Sobol' base samples N")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/calibration_parameters"))
    parser.add_argument("--calibration", type=Path, default=CALIBRATION)
    parser.add_argument("--list", type=Path, default=LIST_FILE, help="where to write the list")
    parser.add_argument("--doc", type=Path, default=DOC, help="markdown file with the markers")
    parser.add_argument(
        "--indices", type=Path, help="select from a finished screening's indices.csv, no runs"
    )
    args = parser.parse_args()

    placeholder = [Uncertain(key=OBSERVATION_PREFIX + next(iter(PARAMETERS)))]
    plan = load_calibration(args.calibration, fitted=placeholder)
    dims = len(screening_priors(plan))
    runs = args.points * (dims + 2)
    size = f"N = {args.points}, {runs:,} runs of {plan.steps} months"
    print(f"Sobol' screening: {dims} parameters, {size}")
    if args.indices is not None:
        indices = pd.read_csv(args.indices)
        how = f"{size}, from {args.indices.name}"
    else:
        started = time.perf_counter()
        result = screen(plan, args.points, args.workers)
        seconds = time.perf_counter() - started
        write_tables(args.out, result)
        indices = result.indices
        how = f"{size}, {seconds:.0f} s on {args.workers} workers"
    table = influential(indices, args.threshold)
    args.list.write_text(parameters_file(table, args.threshold, how))
    text = markdown_table(table, args.threshold) + f"\n{dims} parameters screened; {how}.\n"
    replace_section(args.doc, SECTION, text)
    print(table[table["selected"]].to_string(index=False))
    print(f"\n{int(table['selected'].sum())} selected; {how}")
    tables = "" if args.indices is not None else f", {args.out}/indices.csv"
    print(f"wrote {args.list}{tables}, the table in {args.doc}")


if __name__ == "__main__":
    main()
