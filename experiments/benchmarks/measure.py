"""Measurements of the benchmark: serial throughput, ensembles, peak memory, scaling.

Each function measures one thing and returns plain numbers; `run.py` chooses the
sizes, prints the table and writes the results. Times are wall-clock seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mesa_reference import ReferenceModel
from numpy_kernel import kernel_seconds

from sim.ensemble import run_ensemble
from sim.model import AfghanistanModel
from sim.scenario import override
from sim.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# Prints the largest RSS (kB) of any finished descendant of the wrapper, after the command.
RUSAGE_PROBE = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


@dataclass
class Timing:
    """Wall time of serial replicates and the agent-updates they did (units + cells per step)."""

    seconds: float
    replicates: int
    steps: int
    unit_updates: float
    cell_updates: float

    @property
    def runs_per_s(self) -> float:
        """Replicates per second."""
        return self.replicates / self.seconds

    @property
    def us_per_update(self) -> float:
        """Microseconds per agent-update."""
        return 1e6 * self.seconds / (self.unit_updates + self.cell_updates)

    @property
    def mean_units(self) -> float:
        """Units alive per step, on average."""
        return self.unit_updates / (self.replicates * self.steps)

    @property
    def mean_cells(self) -> float:
        """Cells alive per step, on average."""
        return self.cell_updates / (self.replicates * self.steps)


def timed_runs(build: Callable[[int], Any], replicates: int) -> Timing:
    """Build, run and summarise replicates 0..n-1 one after another in this process.

    `build(r)` returns a model with `running`, `step()`, `units`, `cells` and
    `outcomes()`; the loop is `run()`'s, plus a count of the units and cells each step
    works on (two `len` calls, negligible next to a step).
    """
    units = cells = steps = 0
    start = time.perf_counter()
    for replicate in range(replicates):
        model = build(replicate)
        while model.running:
            units += len(model.units)
            cells += len(model.cells)
            steps += 1
            model.step()
        model.outcomes()
    seconds = time.perf_counter() - start
    return Timing(seconds, replicates, steps // replicates, float(units), float(cells))


def vectorised(scenario: Scenario, replicates: int) -> Timing:
    """Serial replicates of `AfghanistanModel` as the ensemble runs them (no DataCollector)."""
    return timed_runs(
        lambda r: _Counted(AfghanistanModel(scenario, replicate=r, collect=False)), replicates
    )


def reference(scenario: Scenario, replicates: int) -> Timing:
    """Serial replicates of the plain-Mesa `ReferenceModel`, DataCollector included."""
    return timed_runs(lambda r: ReferenceModel(scenario, replicate=r), replicates)


class _Counted:
    """`AfghanistanModel` seen through the names `timed_runs` reads (units, cells, outcomes)."""

    def __init__(self, model: AfghanistanModel) -> None:
        self.model = model
        self.units = model.units
        self.cells = model.isisk.cells
        self.step = model.step

    @property
    def running(self) -> bool:
        return self.model.running

    def outcomes(self) -> dict:
        return self.model.recorder.outcomes()


def numpy_limit(scenario: Scenario, timing: Timing) -> float:
    """Microseconds per agent-update of the bare numpy kernel at the timed mean agent counts."""
    units, cells = max(1, round(timing.mean_units)), max(1, round(timing.mean_cells))
    seconds = kernel_seconds(scenario, units, cells, timing.steps)
    return 1e6 * seconds / (timing.steps * (units + cells))


def ensemble(scenario: Scenario, replicates: int, workers: int) -> float:
    """Wall seconds of `run_ensemble` (manifest, pool, streaming to Parquet) into a temp dir."""
    spec = override(scenario, {"replicates": replicates})
    with tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp:
        start = time.perf_counter()
        run_ensemble(
            spec, Path(tmp) / "out", scenario_sha256="benchmark", workers=workers, progress=False
        )
        return time.perf_counter() - start


def peak_memory(scenario_file: Path, replicates: int, workers: int) -> dict[str, float]:
    """Run `sim run` as a subprocess; sample the RSS of its whole process tree every 50 ms.

    Returns the peak of the summed RSS of the CLI process and all its descendants
    (forkserver and workers) in MB, the largest single-process RSS that
    `getrusage(RUSAGE_CHILDREN)` saw, and the wall seconds.
    """
    with tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp:
        command = [
            sys.executable,
            "-m",
            "sim.cli",
            "run",
            str(scenario_file),
            "-n",
            str(replicates),
            "--workers",
            str(workers),
            "--out",
            str(Path(tmp) / "out"),
            "--no-plots",
            "--quiet",
        ]
        start = time.perf_counter()
        probe = subprocess.Popen(
            [sys.executable, "-c", RUSAGE_PROBE, *command],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        peak = 0
        while probe.poll() is None:
            peak = max(peak, _tree_rss(probe.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        if probe.returncode != 0:
            raise RuntimeError(f"`{' '.join(command)}` failed with code {probe.returncode}")
        largest_kb = float(probe.stdout.read().split()[-1])
    return {"tree_mb": peak / 2**20, "largest_process_mb": largest_kb / 1024, "seconds": seconds}


def _tree_rss(root: int) -> int:
    """Summed resident bytes of the descendants of `root` (not `root` itself), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def initial_units(scenario: Scenario) -> int:
    """Taliban units at month 0: each faction's fighters / unit_size, rounded, at least 1."""
    size = scenario.taliban.unit_size
    return sum(max(1, round(f.fighters / size)) for f in scenario.taliban.factions.values())


def scaled(scenario: Scenario, units: int) -> Scenario:
    """The scenario k = units / initial_units times larger, `unit_size` kept.

    Every extensive quantity is multiplied by k (fighters of factions, ISIS-K and
    groups, ISIS-K cells, arrivals, local recruits, revenue, aid, frozen funds, the
    successes that saturate momentum, the attack tolerance) and the per-attack
    sensitivities (credibility loss, states' sectarian sensitivity) divided by k, so
    each unit and cell lives as in the baseline while their numbers grow k-fold.
    """
    k = units / initial_units(scenario)
    s = scenario
    changes: dict[str, float] = {
        "isisk.fighters": round(s.isisk.fighters * k),
        "isisk.cells": max(1, round(s.isisk.cells * k)),
        "economy.domestic_revenue_musd": s.economy.domestic_revenue_musd * k,
        "economy.frozen_funds_musd": s.economy.frozen_funds_musd * k,
        "rules.recruitment.isisk_local_per_month": s.rules.recruitment.isisk_local_per_month * k,
        "rules.recruitment.anger_recruits": s.rules.recruitment.anger_recruits * k,
        "rules.attacks.momentum_saturation": s.rules.attacks.momentum_saturation * k,
        "rules.attacks.credibility_loss": s.rules.attacks.credibility_loss / k,
        "policy.attack_tolerance": s.policy.attack_tolerance * k,
    }
    for name, faction in s.taliban.factions.items():
        changes[f"taliban.factions.{name}.fighters"] = max(1, round(faction.fighters * k))
    for name, group in s.foreign_groups.items():
        changes[f"foreign_groups.{name}.fighters"] = round(group.fighters * k)
        changes[f"foreign_groups.{name}.arrivals_per_month"] = group.arrivals_per_month * k
    for name, actor in s.international.items():
        changes[f"international.{name}.aid_musd"] = actor.aid_musd * k
        changes[f"international.{name}.sectarian_sensitivity"] = actor.sectarian_sensitivity / k
    return override(scenario, changes)
