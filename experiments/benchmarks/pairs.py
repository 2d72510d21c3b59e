"""This tree against another commit, timed in alternating pairs: did a change make it faster?

    python experiments/benchmarks/pairs.py 2bb701d                 # 5 pairs
    python experiments/benchmarks/pairs.py HEAD~3 --pairs 3 --replicates 300

Extracts the commit's `sim/`, `scenarios/` and `experiments/` (`git archive`) into a
temporary folder, warms each version's compiled loops with a small run, then, pair
after pair, runs in each version in turn `experiments/benchmarks/rules.py` (CPU ns per
agent-month of one batch, the least of 3 rounds) and `sim run scenarios/baseline.yaml
-n N -w 2 --no-plots` (wall seconds), and prints each figure's range and median per
version. The machine's speed drifts by up to a fifth within minutes: pairs let both
versions meet the same drift, where two benchmark runs an hour apart would not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("sim", "scenarios", "experiments")  # what a version needs to run both timings


def resolved(commit: str) -> str | None:
    """The full hash of `commit` in this repository, or None if it names no commit."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{commit}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() if found.returncode == 0 else None


def extract(commit: str, into: Path) -> None:
    """The `PARTS` of `commit` (a full hash), written under `into`."""
    archive = subprocess.run(
        ["git", "archive", commit, *PARTS], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def run_in(tree: Path, args: list[str]) -> tuple[float, str]:
    """Wall seconds and standard output of `python args` with `tree`'s package first on the path."""
    env = os.environ | {"PYTHONPATH": str(tree)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], cwd=tree, env=env, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start, done.stdout


def one_pair(tree: Path, batch: int, replicates: int, out: Path) -> tuple[float, float]:
    """The ns per agent-month of `rules.py` and the seconds of `sim run`, in `tree`."""
    _, printed = run_in(
        tree, ["experiments/benchmarks/rules.py", "--replicates", str(batch), "--rounds", "3"]
    )
    ns = float(printed.strip().splitlines()[-1].split()[0])
    command = ["-m", "sim.cli", "run", "scenarios/baseline.yaml", "-n", str(replicates)]
    seconds, _ = run_in(tree, [*command, "-w", "2", "--no-plots", "--quiet", "--out", str(out)])
    return ns, seconds


def summary(values: list[float], digits: int) -> str:
    """'lowest-highest (median m)' of the values."""
    low, high, mid = min(values), max(values), statistics.median(values)
    return f"{low:.{digits}f}-{high:.{digits}f} (median {mid:.{digits}f})"


def main() -> None:
    """Time both versions in alternating pairs and print each figure's range and median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the version to compare this tree against")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=167, help="replicates of rules.py's batch")
    parser.add_argument("--replicates", type=int, default=1_000, help="of the sim run")
    args = parser.parse_args()
    commit = resolved(args.commit)
    if commit is None:
        parser.error(f"{args.commit!r} names no commit of this repository")
    with tempfile.TemporaryDirectory() as scratch:
        other = Path(scratch) / "other"
        extract(commit, other)
        versions = {args.commit: other, "this tree": ROOT}
        for tree in versions.values():  # compile or load each version's loops once
            run_in(tree, ["experiments/benchmarks/rules.py", "--replicates", "2", "--rounds", "1"])
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in versions}
        for pair in range(args.pairs):
            for name, tree in versions.items():
                out = Path(scratch) / f"out-{pair}-{tree.name}"
                figures[name].append(one_pair(tree, args.batch, args.replicates, out))
                ns, seconds = figures[name][-1]
                print(f"pair {pair + 1}, {name}: {ns:.0f} ns, {seconds:.2f} s", flush=True)
    print(f"\n{'version':<12} rules.py --replicates {args.batch}, ns per agent-month   ", end="")
    print(f"sim run -n {args.replicates} -w 2 --no-plots, s")
    for name, pairs in figures.items():
        ns, seconds = zip(*pairs, strict=True)
        print(f"{name:<12} {summary(list(ns), 0):<46} {summary(list(seconds), 2)}")


if __name__ == "__main__":
    main()
