"""Check the model's calibration: simulation-based calibration and leave-one-pattern-out.

Simulation-based calibration (Talts et al. 2018): `--simulations` truths drawn from the
priors of experiments/calibration.yaml, each fitted by the file's method: rejection on
the fit's reference table (`--table`, the calibration's folder, read only: run `sim
calibrate` first), or ABC-SMC with a reduced budget (`--population`, `--generations`). Rank
histograms with their 99% binomial bands and the coverage of the 50% and 90% intervals
per fitted parameter (by the fits' weights), and the effective sample size of each fit.
Leave-one-pattern-out: the calibration without each target in turn, and whether its
90% predictive band meets the target left out. Writes tables and figures into `--out`,
the rank histograms into docs/figures/, and a summary into docs/calibration.md between
its markers.

The posterior predictive check of every series over calendar time is `sim hindcast`
with the posterior (docs/calibration.md gives the command).

Run: python experiments/calibration_checks.py [--simulations 500]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from sim.analysis.calibration_checks import RankCheck
from sim.analysis.calibration_model_checks import model_lopo, model_sbc, table_lopo, table_sbc
from sim.analysis.reference_table import stored_table
from sim.inputs.calibration import CalibrationPlan, load_calibration
from sim.plots.calibration_checks import rank_histograms
from sim.plots.saving import save_figure
from sim.runs.output import replace_section, write_csv

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION = ROOT / "experiments" / "calibration.yaml"
DOC = ROOT / "docs" / "calibration.md"
FIGURE = ROOT / "docs" / "figures" / "calibration_sbc"
SECTION = "calibration-checks"  # the generated part of the doc, between its markers
BINS = 5


def main() -> None:
    """Run both checks and write their tables, figures and summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--simulations", type=int, help="SBC truths (default: 500 by rejection, 20 by ABC-SMC)"
    )
    parser.add_argument("--draws", type=int, default=49, help="posterior draws ranked per truth")
    parser.add_argument("--population", type=int, default=200, help="ABC-SMC particles per fit")
    parser.add_argument("--generations", type=int, default=3, help="ABC-SMC generations per fit")
    parser.add_argument(
        "--replicates", type=int, default=100, help="predictive runs (ABC-SMC's LOPO)"
    )
    parser.add_argument("--table", type=Path, help="rejection's table folder (default: the fit's)")
    parser.add_argument("--out", type=Path, default=Path("results/calibration_checks"))
    parser.add_argument("--calibration", type=Path, default=CALIBRATION)
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--figure", type=Path, default=FIGURE, help="rank histograms, no suffix")
    args = parser.parse_args()

    plan = load_calibration(args.calibration)
    names = [p.key for p in plan.priors]
    by_method = _by_rejection if plan.calibration.rejection is not None else _by_smc
    check, lopo, budget, sbc_seconds, lopo_seconds = by_method(plan, args)
    coverage = pd.DataFrame(
        {"parameter": names, **check.coverage, "uniformity_p": check.uniformity(BINS)}
    )
    low, high = check.band(BINS)
    counts = check.histogram(BINS)
    coverage["bins_outside_band"] = ((counts < low) | (counts > high)).sum(axis=0)
    write_csv(args.out / "sbc_coverage.csv", coverage, float_format="%.6g")
    ranks = pd.DataFrame(check.ranks, columns=names).assign(ess=check.ess)
    write_csv(args.out / "sbc_ranks.csv", ranks, float_format="%.6g")
    save_figure(rank_histograms(check, names, BINS), args.figure, ("png",))
    write_csv(args.out / "lopo.csv", lopo, float_format="%.6g")
    budget += (
        f"; effective sample size of the fits' weights: median {np.median(check.ess):.1f}, "
        f"{check.ess.min():.1f}-{check.ess.max():.1f}"
    )
    summary = _summary(coverage, lopo, budget, sbc_seconds, lopo_seconds)
    replace_section(args.doc, SECTION, summary)
    print(summary)


Checked = tuple[RankCheck, pd.DataFrame, str, float, float]  # SBC, LOPO, budget, their seconds


def _by_rejection(plan: CalibrationPlan, args: argparse.Namespace) -> Checked:
    """SBC and LOPO of rejection ABC, every fit from the calibration's reference table."""
    settings = plan.calibration.rejection
    folder = args.table or Path(plan.calibration.out or f"results/{plan.calibration.name}")
    started = time.perf_counter()
    table = stored_table(plan, folder, settings.simulations)
    table_seconds = time.perf_counter() - started
    truths = args.simulations or 500
    started = time.perf_counter()
    check = table_sbc(plan, table, simulations=truths, draws=args.draws, seed=plan.calibration.seed)
    sbc_seconds = time.perf_counter() - started
    lopo = table_lopo(plan, table)
    budget = (
        f"{truths} truths, each fitted by the {settings.accept:,} rows of the reference table "
        f"of {settings.simulations:,} nearest its data ({table_seconds:.0f} s to read the "
        f"table), {args.draws} draws ranked"
    )
    return check, lopo, budget, sbc_seconds, time.perf_counter() - started - sbc_seconds


def _by_smc(plan: CalibrationPlan, args: argparse.Namespace) -> Checked:
    """SBC and LOPO of ABC-SMC, every fit with the reduced budget of the arguments."""
    abc = plan.calibration.abc.model_copy(
        update={"population_size": args.population, "generations": args.generations}
    )
    truths = args.simulations or 20
    started = time.perf_counter()
    check = model_sbc(
        plan, abc, args.out, simulations=truths, draws=args.draws, seed=plan.calibration.seed
    )
    sbc_seconds = time.perf_counter() - started
    lopo = model_lopo(plan, abc, args.out, replicates=args.replicates)
    budget = (
        f"{truths} truths, ABC-SMC of {args.population} particles and at most "
        f"{args.generations} generations per fit, {args.draws} draws ranked; LOPO "
        f"{args.replicates} predictive runs each"
    )
    return check, lopo, budget, sbc_seconds, time.perf_counter() - started - sbc_seconds


def _summary(
    coverage: pd.DataFrame,
    lopo: pd.DataFrame,
    budget: str,
    sbc_seconds: float,
    lopo_seconds: float,
) -> str:
    """The checks' results as markdown."""
    lines = [
        f"Simulation-based calibration ({budget}; {sbc_seconds:.0f} s):",
        "",
        "| parameter | 50% coverage | 90% coverage | uniform ranks (chi-square p) | "
        f"bins outside the 99% band (of {BINS}) |",
        "|---|---|---|---|---|",
        *(
            f"| {r.parameter} | {r.in_50:.2f} | {r.in_90:.2f} | {r.uniformity_p:.2f} | "
            f"{r.bins_outside_band} |"
            for r in coverage.itertuples()
        ),
        "",
        "![rank histograms](figures/calibration_sbc.png)",
        "",
        f"Leave-one-pattern-out ({lopo_seconds:.0f} s):",
        "",
        "| target left out | observed | predicted 90% band | inside |",
        "|---|---|---|---|",
        *(
            f"| {r.target} | {r.observed_low:.4g}-{r.observed_high:.4g} | "
            f"{r.low:.4g}-{r.high:.4g} | {'yes' if r.inside else 'no'} |"
            for r in lopo.itertuples()
        ),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
