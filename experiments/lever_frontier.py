"""The Catch-22 as a measured property: a grid over the Taliban's levers and its trade-offs.

Runs every combination of the policy levers (crackdown intensity, joint with the US,
accuracy, punishment, concessions, amnesty, purge of the foreign groups) for R
replicates of the baseline under common random numbers, and writes

    OUT/points.csv              median (or probability) of each outcome per lever setting
    docs/frontier.md            the lever effects, the efficient settings, and for every
                                pair of settings whether one is better on every outcome
                                (paired replicates, with the test's power), as tables
    docs/figures/frontier.png   ISIS-K strength against defections, and revenue against
                                recognition, each setting a dot, the efficient ones joined

    python experiments/lever_frontier.py [--replicates 100] [--workers 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import itertools
import time
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from sim.engine.outcomes import OUTCOMES
from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_scenario, override
from sim.inputs.schema import Scenario
from sim.rules import new_world

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
LEVERS = {  # lever -> (low, high) settings of the grid
    "policy.crackdown": (0.0, 0.3, 0.6, 0.9),
    "policy.joint_with_us": (False, True),
    "policy.accuracy": (0.2, 0.8),
    "policy.punishment": (0.1, 0.9),
    "policy.concessions": (0.0, 0.5),
    "policy.amnesty": (0.0, 1.0),
    "purge": (0.0, 0.6),  # every foreign group's purge intensity
}
FRONTIER = OUTCOMES.shown("frontier")  # the outcomes of the tables and figures
BETTER = {  # +1: higher is better for the Taliban's leadership, -1: lower is better
    "isisk_final": -1,
    "attacks_total": -1,
    "defections_total": -1,
    "desertions_total": -1,
    "fragmented": -1,
    "recognized": +1,
    "revenue_mean": +1,
    "pressure_final": -1,
    "hardship_final": -1,
}
"""The outcomes of the dominance test, with their good direction (surrenders are a means:
their worth shows in ISIS-K's strength, so they are left out)."""
ALPHA, POWER = 0.05, 0.80
BATCH = 50


@cache
def baseline() -> Scenario:
    """The baseline scenario, loaded once per process."""
    return load_scenario(BASELINE)


def changes_of(point: dict) -> dict:
    """Scenario overrides of a grid point (the purge lever sets every group's intensity)."""
    changes = {k: v for k, v in point.items() if k != "purge"}
    changes["policy.purge"] = {g: point["purge"] for g in baseline().foreign_groups}
    return changes


def run_point(point: dict, replicates: int) -> dict:
    """Median (probability for events) of each outcome over replicates 0..R-1 of a point."""
    spec = override(baseline(), changes_of(point))
    runs = []
    for first in range(0, replicates, BATCH):
        rows = range(first, min(replicates, first + BATCH))
        runs += new_world(spec, [replicate_rng(spec.seed, r) for r in rows]).run().outcomes()
    table = pd.DataFrame(runs)
    summary = {
        name: table[name].mean() if name in OUTCOMES.events else table[name].median()
        for name in FRONTIER
    }
    return point | summary | {"replicates": table[list(BETTER)].to_numpy(float)}


def grid() -> list[dict]:
    """Every lever combination; joint operations only where there is a crackdown."""
    points = [
        dict(zip(LEVERS, values, strict=True)) for values in itertools.product(*LEVERS.values())
    ]
    return [p for p in points if not (p["policy.joint_with_us"] and p["policy.crackdown"] == 0)]


def lever_effects(points: pd.DataFrame) -> pd.DataFrame:
    """Per lever: outcome at its high setting minus its low one, other levers held (mean, range)."""
    rows = []
    for lever, settings in LEVERS.items():
        low, high = settings[0], settings[-1]
        others = [k for k in LEVERS if k != lever]
        a = points[points[lever] == low].set_index(others)[list(FRONTIER)]
        b = points[points[lever] == high].set_index(others)[list(FRONTIER)]
        diff = (b - a.reindex(b.index)).dropna()
        for outcome in FRONTIER:
            d = diff[outcome]
            rows.append(
                {
                    "lever": f"{lever} {low} -> {high}",
                    "outcome": outcome,
                    "mean": d.mean(),
                    "min": d.min(),
                    "max": d.max(),
                }
            )
    return pd.DataFrame(rows)


def efficient(points: pd.DataFrame, lower: list[str]) -> pd.DataFrame:
    """Settings no other setting beats on every one of `lower` (all to be minimised)."""
    values = points[lower].to_numpy()
    keep = [
        not np.any(np.all(values <= row, axis=1) & np.any(values < row, axis=1)) for row in values
    ]
    return points[keep]


def dominance(replicates: np.ndarray) -> dict:
    """Pairs of settings of which one is better on every outcome, and the test's power.

    `replicates[point, replicate, outcome]` (outcomes of `BETTER`, replicates paired by
    common random numbers). For each ordered pair (a, b) the paired differences a - b,
    signed so that positive is better, are tested one-sided (paired t) per outcome:
    a is *weakly better by estimate* if no mean difference is negative, and *detectably
    better* if no outcome is detectably worse (p < ALPHA) and at least one is
    detectably better. The smallest difference the test detects at POWER is
    (z(1 - ALPHA) + z(POWER)) x sd(differences) / sqrt(n), per pair and outcome.
    """
    signs = np.array([BETTER[name] for name in BETTER])
    values = replicates * signs
    n = values.shape[1]
    crit = stats.t.ppf(1 - ALPHA, n - 1)
    reach = stats.norm.ppf(1 - ALPHA) + stats.norm.ppf(POWER)
    by_estimate, detectably, detectable = [], [], []
    for a in range(len(values)):
        d = values[a][None] - values  # (points, replicates, outcomes)
        mean, sd = d.mean(axis=1), d.std(axis=1, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(sd > 0, mean / (sd / np.sqrt(n)), 0.0)
        others = np.arange(len(values)) != a
        by_estimate += [(a, b) for b in np.flatnonzero(others & (mean >= 0).all(axis=1))]
        better = (t > -crit).all(axis=1) & (t > crit).any(axis=1)
        detectably += [(a, b) for b in np.flatnonzero(others & better)]
        detectable.append(np.where(sd > 0, reach * sd / np.sqrt(n), np.nan)[others])
    return {
        "by_estimate": by_estimate,
        "detectably": detectably,
        "detectable": np.nanmedian(np.concatenate(detectable), axis=0),
        "pairs": len(values) * (len(values) - 1),
    }


def one_lever_apart(points: pd.DataFrame, a: int, b: int) -> str | None:
    """The lever whose setting alone differs between points a and b, None if several do."""
    differ = [k for k in LEVERS if points.at[a, k] != points.at[b, k]]
    return differ[0] if len(differ) == 1 else None


def dominance_lines(points: pd.DataFrame, found: dict, replicates: int) -> list[str]:
    """The dominance section of docs/frontier.md."""
    single = [
        (a, b, lever)
        for a, b in found["detectably"]
        if (lever := one_lever_apart(points, a, b)) is not None
    ]
    power = pd.DataFrame(
        {
            "outcome": list(BETTER),
            "better": ["higher" if BETTER[o] > 0 else "lower" for o in BETTER],
            "smallest difference detected at 80% power (median over pairs)": found["detectable"],
        }
    )
    lines = [
        "## Is any setting better than another on every outcome?",
        "",
        f"Every ordered pair of the {len(points)} settings ({found['pairs']:,} pairs), on "
        f"{len(BETTER)} outcomes ({', '.join(BETTER)}), with the {replicates} replicates "
        "paired by common random numbers. One-sided paired t-tests at 5% per outcome; "
        "no correction for the many pairs, so a few pairs pass by chance.",
        "",
        f"- better or equal on every outcome by the estimate (mean paired difference): "
        f"{len(found['by_estimate']):,} pairs",
        f"- detectably better on at least one outcome and detectably worse on none: "
        f"{len(found['detectably']):,} pairs",
        f"- of which the two settings differ in one lever only: {len(single):,}",
        "",
    ]
    if single:
        rows = [
            {
                "lever": lever,
                "better setting": str(points.at[a, lever]),
                "worse": str(points.at[b, lever]),
            }
            for a, b, lever in single
        ]
        counts = pd.DataFrame(rows).value_counts().rename("pairs").reset_index()
        lines += [
            "Where one lever alone moves a setting to a detectably better one:",
            "",
            table(counts),
            "",
        ]
    lines += [
        "The power of the test: the smallest paired difference (in the outcome's unit; "
        "probability for events) a one-sided 5% test detects with 80% probability, the "
        "median over the pairs whose differences vary (an outcome that never varies between "
        "two settings, such as a recognition that never happens, cannot tell them apart):",
        "",
        table(power),
        "",
    ]
    return lines


def draw(points: pd.DataFrame, path: Path) -> None:
    """Two trade-off panels: ISIS-K vs defections, and revenue vs P(recognised)."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5), constrained_layout=True)
    colours = points["policy.crackdown"].map(
        {0.0: "0.6", 0.3: "tab:blue", 0.6: "tab:orange", 0.9: "tab:red"}
    )
    marker = points["policy.joint_with_us"].map({False: "o", True: "^"})
    panels = [("defections_total", "isisk_final"), ("recognized", "revenue_mean")]
    for ax, (x, y) in zip(axes, panels, strict=True):
        for m in ("o", "^"):
            chosen = marker == m
            ax.scatter(
                points.loc[chosen, x],
                points.loc[chosen, y],
                c=colours[chosen],
                marker=m,
                s=28,
                alpha=0.8,
                edgecolor="none",
            )
        ax.set_xlabel(
            f"{OUTCOMES[x].label} ({'probability' if x in OUTCOMES.events else OUTCOMES[x].unit})"
        )
        ax.set_ylabel(f"{OUTCOMES[y].label} ({OUTCOMES[y].unit})")
        ax.grid(alpha=0.3)
    front = efficient(points, ["defections_total", "isisk_final"]).sort_values("defections_total")
    axes[0].plot(
        front["defections_total"],
        front["isisk_final"],
        color="black",
        lw=1,
        label="efficient settings",
    )
    axes[0].legend(loc="upper right", frameon=False)
    axes[0].set_title("ISIS-K strength against defections (lower is better on both)", loc="left")
    axes[1].set_title("Revenue against recognition", loc="left")
    handles = [
        plt.Line2D([], [], color=c, marker="o", ls="")
        for c in ("0.6", "tab:blue", "tab:orange", "tab:red")
    ]
    handles += [plt.Line2D([], [], color="k", marker=m, ls="") for m in ("o", "^")]
    labels = ["crackdown 0", "0.3", "0.6", "0.9", "unilateral", "joint with the US"]
    axes[1].legend(handles, labels, loc="lower right", frameon=False)
    fig.suptitle(
        "The Catch-22: every lever setting of the grid, medians over replicates", weight="bold"
    )
    fig.savefig(path, dpi=110)


def table(frame: pd.DataFrame, digits: int = 2) -> str:
    """A markdown table of a small frame."""
    cells = frame.map(lambda v: f"{v:,.{digits}f}" if isinstance(v, float) else str(v))
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.to_numpy()]
    return "\n".join(lines)


def main() -> None:
    """Run the grid, write the tables and the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "lever_frontier")
    args = parser.parse_args()
    points = grid()
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        jobs = pool.map(run_point, points, [args.replicates] * len(points))
        rows = list(tqdm(jobs, total=len(points), desc="lever grid", unit="point"))
    seconds = time.perf_counter() - started
    replicates = np.stack([row.pop("replicates") for row in rows])
    frame = pd.DataFrame(rows)
    found = dominance(replicates)
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "points.csv", index=False)
    draw(frame, ROOT / "docs" / "figures" / "frontier.png")
    effects = lever_effects(frame)
    wide = effects.pivot(index="lever", columns="outcome", values="mean")[list(FRONTIER)]
    front = efficient(frame, ["isisk_final", "defections_total"])
    doc = [
        "# The Catch-22 as a measured property",
        "",
        f"Generated by `python experiments/lever_frontier.py --replicates {args.replicates}` "
        f"({len(points)} lever settings x {args.replicates} replicates of the baseline, "
        f"60 months, common random numbers; {seconds:.0f} s on {args.workers} workers). "
        "Medians over replicates; `fragmented` and `recognized` are probabilities.",
        "",
        "## What each lever trades (high setting minus low, other levers held; mean over them)",
        "",
        table(wide.reset_index()),
        "",
        "## Settings no other setting beats on both ISIS-K strength and defections",
        "",
        table(front[[*LEVERS, *FRONTIER]].sort_values("defections_total")),
        "",
        *dominance_lines(frame, found, args.replicates),
        "![frontier](figures/frontier.png)",
        "",
    ]
    (ROOT / "docs" / "frontier.md").write_text("\n".join(doc))
    print("\n".join(doc))


if __name__ == "__main__":
    main()
