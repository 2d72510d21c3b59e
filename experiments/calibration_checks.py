"""Check the model's calibration: simulation-based calibration and leave-one-pattern-out.

Simulation-based calibration (Talts et al. 2018): `--simulations` truths drawn from the
priors of experiments/calibration.yaml, each fitted by its ABC-SMC with a reduced budget
(`--population`, `--generations`); rank histograms with their 99% binomial bands and the
coverage of the 50% and 90% intervals per fitted parameter (by the fits' importance
weights), and the effective sample size of each fit's weights. Leave-one-pattern-out:
the calibration without each target in turn, and whether its 90% predictive band meets
the target left out. Writes tables and figures into `--out`, the rank histograms into
docs/figures/, and a summary into docs/calibration.md between its markers.

The posterior predictive check of every series over calendar time is `sim hindcast`
with the posterior (docs/calibration.md gives the command).

Run: python experiments/calibration_checks.py [--simulations 20] [--population 200]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from sim.analysis.calibration_model_checks import model_lopo, model_sbc
from sim.inputs.calibration import load_calibration
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
    parser.add_argument("--simulations", type=int, default=20, help="SBC truths")
    parser.add_argument("--draws", type=int, default=49, help="posterior draws ranked per truth")
    parser.add_argument("--population", type=int, default=200, help="ABC particles per fit")
    parser.add_argument("--generations", type=int, default=3, help="ABC generations per fit")
    parser.add_argument("--replicates", type=int, default=100, help="predictive runs (LOPO)")
    parser.add_argument("--out", type=Path, default=Path("results/calibration_checks"))
    parser.add_argument("--calibration", type=Path, default=CALIBRATION)
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--figure", type=Path, default=FIGURE, help="rank histograms, no suffix")
    args = parser.parse_args()

    plan = load_calibration(args.calibration)
    abc = plan.calibration.abc.model_copy(
        update={"population_size": args.population, "generations": args.generations}
    )
    names = [p.key for p in plan.priors]
    started = time.perf_counter()
    check = model_sbc(
        plan,
        abc,
        args.out,
        simulations=args.simulations,
        draws=args.draws,
        seed=plan.calibration.seed,
    )
    sbc_seconds = time.perf_counter() - started
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

    started = time.perf_counter()
    lopo = model_lopo(plan, abc, args.out, replicates=args.replicates)
    lopo_seconds = time.perf_counter() - started
    write_csv(args.out / "lopo.csv", lopo, float_format="%.6g")

    budget = (
        f"{args.simulations} truths, ABC-SMC of {args.population} particles and at most "
        f"{args.generations} generations per fit, {args.draws} draws ranked; effective "
        f"sample size of the fits' weights: median {np.median(check.ess):.1f}, "
        f"{check.ess.min():.1f}-{check.ess.max():.1f}"
    )
    summary = _summary(coverage, lopo, budget, sbc_seconds, lopo_seconds, args.replicates)
    replace_section(args.doc, SECTION, summary)
    print(summary)


def _summary(
    coverage: pd.DataFrame,
    lopo: pd.DataFrame,
    budget: str,
    sbc_seconds: float,
    lopo_seconds: float,
    replicates: int,
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
        f"Leave-one-pattern-out ({lopo_seconds:.0f} s; {replicates} predictive runs each):",
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
