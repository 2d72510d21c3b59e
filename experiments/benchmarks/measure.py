"""Measurements of the benchmark: serial throughput, ensembles, peak memory, scaling.

Each function measures one thing and returns plain numbers; `run.py` chooses the
sizes, prints the table and writes the results. Times are wall-clock seconds.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiled_kernel import kernel_seconds

from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import override
from sim.inputs.schema import MAX_FIGHTERS, Scenario
from sim.reference.model import ReferenceModel
from sim.rules import new_world
from sim.runs.ensemble import run_ensemble
from sim.runs.executors import open_executor

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 50  # replicates stepped together in the serial timing, as it has been measured
# from the start (ensembles now batch 125 to 200: `sim.runs.chunked.default_chunk_size`)
KERNEL_AGENT_MONTHS = 1_000_000  # work of each timing of the compiled kernel
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
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


def median_timing(timings: list[Timing]) -> Timing:
    """The timing with the median wall time (the middle one of an odd number)."""
    return sorted(timings, key=lambda t: t.seconds)[len(timings) // 2]


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


def vectorised(scenario: Scenario, replicates: int, chunk: int = CHUNK) -> Timing:
    """Serial replicates of the engine as the ensemble runs them: batches of `chunk` `World`s."""
    units = cells = 0
    start = time.perf_counter()
    for first in range(0, replicates, chunk):
        batch = range(first, min(first + chunk, replicates))
        world = new_world(scenario, [replicate_rng(scenario.seed, r) for r in batch])
        while world.month < scenario.steps:
            units += int(world.units.n.sum())
            cells += int(world.cells.n.sum())
            world.step()
        world.recorder.outcomes()
    seconds = time.perf_counter() - start
    return Timing(seconds, replicates, scenario.steps, float(units), float(cells))


def reference(scenario: Scenario, replicates: int) -> Timing:
    """Serial replicates of the plain-Mesa `ReferenceModel`, DataCollector included."""
    return timed_runs(lambda r: ReferenceModel(scenario, replicate=r), replicates)


def compiled_limit(scenario: Scenario, timing: Timing, threads: int = 1) -> float:
    """Nanoseconds per agent-month of the compiled kernel of the month on `threads` threads.

    It starts at the timed mean units and cells per step, runs as many steps and at least
    2 replicates (about a million agent-months in all); its own agent-months count.
    """
    units, cells = max(1, round(timing.mean_units)), max(1, round(timing.mean_cells))
    replicates = max(2, math.ceil(KERNEL_AGENT_MONTHS / (timing.steps * (units + cells))))
    seconds, agent_months = kernel_seconds(
        scenario, units, cells, timing.steps, replicates, threads
    )
    return 1e9 * seconds / agent_months


def ensemble(scenario: Scenario, replicates: int, workers: int) -> float:
    """Wall seconds of `run_ensemble` (manifest, pool, streaming to Parquet) into a temp dir."""
    spec = override(scenario, {"replicates": replicates})
    with tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp:
        start = time.perf_counter()
        run_ensemble(
            spec, Path(tmp) / "out", scenario_sha256="benchmark", workers=workers, progress=False
        )
        return time.perf_counter() - start


def dask_ensemble(scenario: Scenario, replicates: int, workers: int) -> tuple[float, float]:
    """Seconds to start a Dask `LocalCluster` of `workers` processes, and of `run_ensemble` on it.

    The second includes what the local pool's time includes but its start-up: each
    worker's first chunk loading the compiled loops, sending chunks out, and the workers
    writing the chunk files (a LocalCluster shares this machine's disk).
    """
    spec = override(scenario, {"replicates": replicates})
    start = time.perf_counter()
    with (
        open_executor("dask", workers=workers) as executor,
        tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp,
    ):
        cluster_start = time.perf_counter() - start
        start = time.perf_counter()
        run_ensemble(
            spec, Path(tmp) / "out", scenario_sha256="benchmark", progress=False, executor=executor
        )
        return cluster_start, time.perf_counter() - start


def _burn(n: int) -> int:
    """Pure CPU work: a Python loop with no memory traffic."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_ceiling(n: int = 10_000_000) -> float:
    """Speedup of 2 processes over 1 on pure CPU work: what this machine's 2 CPUs deliver.

    On shared virtual CPUs it can be well below 2; read `speedup_2_workers` against it.
    Each worker imports this module (the engine with it) as it starts, which a timed
    round would otherwise count as parallel work.
    """
    start = time.perf_counter()
    _burn(n)
    _burn(n)
    serial = time.perf_counter() - start
    context = multiprocessing.get_context("forkserver")
    with context.Pool(2, initializer=_burn, initargs=(1,)) as pool:  # imports this module
        pool.map(_burn, [1, 1], chunksize=1)  # both workers up before the clock starts
        start = time.perf_counter()
        pool.map(_burn, [n, n], chunksize=1)
        parallel = time.perf_counter() - start
    return serial / parallel


def peak_memory(scenario_file: Path, replicates: int, workers: int) -> dict[str, float]:
    """Run `sim run` as a subprocess; sample the memory of its whole process tree every 0.1 s.

    Returns, in MB: the peak of the summed RSS of the CLI process and all its
    descendants (forkserver and workers; pages they share are counted once per
    process, so this over-states), the peak of their summed PSS (shared pages split
    between the processes sharing them: the memory the run really holds), the largest
    single-process RSS that `getrusage(RUSAGE_CHILDREN)` saw; and the wall seconds.
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
        peak_rss = peak_pss = 0
        while probe.poll() is None:
            rss, pss = _tree_memory(probe.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        if probe.returncode != 0:
            raise RuntimeError(f"`{' '.join(command)}` failed with code {probe.returncode}")
        largest_kb = float(probe.stdout.read().split()[-1])
    return {
        "tree_rss_mb": peak_rss / 2**20,
        "tree_pss_mb": peak_pss / 2**20,
        "largest_process_mb": largest_kb / 1024,
        "seconds": seconds,
    }


def command_seconds(arguments: list[str], repeats: int) -> float:
    """Median wall seconds of `python -m sim.cli ARGUMENTS` run afresh, `{out}` a new folder.

    Counts what a user waits for at the prompt: interpreter start, imports, the work
    and, for `run`, pool start-up, consolidation and figures.
    """
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp:
            command = [sys.executable, "-m", "sim.cli"]
            command += [a.format(out=Path(tmp) / "out") for a in arguments]
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _tree_memory(root: int) -> tuple[int, int]:
    """Summed RSS and PSS bytes of the descendants of `root` (not `root` itself), from /proc."""
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
    rss = pss = 0
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss += int(f.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return rss, pss


def initial_units(scenario: Scenario) -> int:
    """Taliban units at month 0: each faction's fighters / unit_size, rounded, at least 1."""
    size = scenario.taliban.unit_size
    return sum(max(1, round(f.fighters / size)) for f in scenario.taliban.factions.values())


def scaled(scenario: Scenario, units: int) -> Scenario:
    """The scenario with k = units / initial_units times as many units.

    Every extensive quantity is multiplied by m = min(k, what the schema's bound on a
    faction's fighters allows) (fighters of factions, ISIS-K and groups, ISIS-K cells,
    arrivals, local recruits, revenue, aid, frozen funds, the successes that saturate
    momentum, the attack tolerance), the per-attack sensitivities (credibility loss,
    states' sectarian sensitivity) divided by m, and `unit_size` by k / m: up to the
    bound each unit and cell lives as in the baseline while their numbers grow; beyond
    it units are smaller, so that there are still k times as many.
    """
    s = scenario
    k = units / initial_units(s)
    k_units, k = k, min(k, MAX_FIGHTERS / max(f.fighters for f in s.taliban.factions.values()))
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
        "taliban.unit_size": s.taliban.unit_size * k / k_units,
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


class OtherLoad:
    """CPU seconds that processes outside this benchmark's process tree use meanwhile.

    A thread reads every process's CPU time from /proc twice a second; processes
    that are neither this one nor its descendants count as others. Processes that
    live less than half a second between two reads are missed. Zero without /proc.
    """

    def __init__(self, interval: float = 0.5) -> None:
        """Prepare to sample every `interval` seconds."""
        self.interval = interval
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.mine: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> OtherLoad:
        """Start sampling."""
        self.started = time.perf_counter()
        self._sample(initial=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()
        self._sample()
        self.seconds = time.perf_counter() - self.started

    @property
    def cpu_seconds(self) -> float:
        """CPU seconds used by other processes while sampling."""
        return sum(self.last[pid] - self.first.get(pid, 0.0) for pid in self.last)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self, initial: bool = False) -> None:
        stats = _process_stats()
        stack = [os.getpid()]
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        while stack:
            pid = stack.pop()
            self.mine.add(pid)
            stack.extend(children.get(pid, []))
        for pid, (_, cpu) in stats.items():
            if pid in self.mine:
                continue
            if initial:
                self.first[pid] = cpu
            self.last[pid] = cpu


def _process_stats() -> dict[int, tuple[int, float]]:
    """Parent pid and CPU seconds (user + system) of every process, from /proc."""
    stats = {}
    if not os.path.isdir("/proc"):
        return stats
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
        except (OSError, ValueError, IndexError):
            continue
    return stats
