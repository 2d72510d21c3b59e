"""Ensembles: N replicates of a scenario in chunks on an executor, streamed to a results folder.

Replicate r always draws from `SeedSequence(seed, spawn_key=(r,))`, so results are
identical whatever the number of workers, the chunk size, in-process or pooled, or an
interruption and resume.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from sim.engine.seeds import replicate_rng
from sim.inputs.schema import Scenario
from sim.rules import new_world
from sim.runs import provenance
from sim.runs.lifeline import watch_parent
from sim.runs.posterior import PosteriorDraws
from sim.runs.store import CODE, ResultStore
from sim.runs.tables import runs_table, timeseries_table

if TYPE_CHECKING:
    from sim.runs.executors import Executor

# Below this many replicate-months a pool's start-up (forkserver, imports, numba's cache
# in each worker: about 2 s) costs more than a second process saves; run in-process.
IN_PROCESS_REPLICATE_MONTHS = 12_000


def run_chunk(
    scenario: Scenario, replicates: list[int], draws: PosteriorDraws | None = None
) -> tuple[pa.Table, pa.Table]:
    """Step the given replicates together as one batch; return their runs and time series.

    With posterior `draws`, each run of consecutive replicates sharing a draw is one
    batch of that draw's scenario, and the runs table gains the draw and its values.
    """
    if draws is not None:
        parts = [run_chunk(s, group) for s, group in draws.batches(scenario, replicates)]
        runs = pa.concat_tables([p[0] for p in parts])
        return draws.annotate(runs, scenario), pa.concat_tables([p[1] for p in parts])
    recorder = new_world(scenario, [replicate_rng(scenario.seed, r) for r in replicates]).run()
    runs = runs_table(scenario.name, scenario.seed, replicates, recorder.outcomes())
    series = timeseries_table(
        scenario.name,
        replicates,
        recorder.values,
        recorder.actors,
        recorder.actor_types,
        scenario.start,
    )
    return runs, series


def store_chunk(
    scenario: Scenario, replicates: list[int], out: Path, draws: PosteriorDraws | None = None
) -> int:
    """Run a chunk and write its files into `out`, in the worker: no table crosses processes."""
    ResultStore(out).write_chunk(*run_chunk(scenario, replicates, draws))
    return len(replicates)


def plan_chunks(missing: list[int], chunk_size: int) -> list[list[int]]:
    """Split the missing replicates into runs of consecutive numbers, at most `chunk_size` long."""
    chunks: list[list[int]] = []
    for replicate in sorted(missing):
        if chunks and replicate == chunks[-1][-1] + 1 and len(chunks[-1]) < chunk_size:
            chunks[-1].append(replicate)
        else:
            chunks.append([replicate])
    return chunks


def default_chunk_size(replicates: int, workers: int) -> int:
    """Chunks large enough to batch well (up to 50); on a pool, at least two per worker."""
    per_chunk = replicates if workers <= 1 else -(-replicates // (2 * workers))
    return int(np.clip(per_chunk, 1, 50))


def manifest_for(scenario: Scenario, scenario_sha256: str, source: str | None) -> dict:
    """What identifies and describes an ensemble, written before any run starts."""
    world = new_world(scenario, [replicate_rng(scenario.seed, 0)])
    resolved = scenario.model_dump(mode="json")
    return {
        "scenario_name": scenario.name,
        "scenario_file": source,
        "scenario_sha256": scenario_sha256,
        "resolved_sha256": hashlib.sha256(
            json.dumps(resolved, sort_keys=True).encode()
        ).hexdigest(),
        "seed": scenario.seed,
        "seed_derivation": "numpy.random.SeedSequence(seed, spawn_key=(replicate,)); "
        "the model's Generator, after the one integer Mesa draws from it",
        "replicates": scenario.replicates,
        "steps": scenario.steps,
        "start": scenario.start,
        "scenario": resolved,
        "agents_at_start": {
            "units": int(world.units.n[0]),
            "cells": int(world.cells.n[0]),
            "factions": len(world.faction_names),
            "foreign_groups": len(world.group_names),
            "international_actors": len(world.state_names),
        },
        CODE: provenance.code_identity(),
        "versions": provenance.versions(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def available_cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_ensemble(
    scenario: Scenario,
    out: Path,
    *,
    scenario_sha256: str,
    source: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    executor: Executor | None = None,
    force_resume: bool = False,
    draws: PosteriorDraws | None = None,
) -> Path:
    """Run `scenario.replicates` replicates into `out`, resuming whatever is already there.

    The chunks run on `executor` (see `sim.runs.executors`), by default this machine's
    process pool of at most `workers` processes (default: the CPUs); an ensemble of fewer
    than IN_PROCESS_REPLICATE_MONTHS replicate-months then runs in this process. Returns
    the results directory. Raises `OutputBusyError` if another run holds `out`,
    `OutputMismatchError` if `out` holds another experiment (different scenario hash,
    seed, steps or replicate count), or results of other code unless `force_resume`.
    With posterior `draws` (`sim.runs.posterior`), replicate r runs with draw k(r).
    """
    if executor is not None and workers is not None:
        raise ValueError(f"workers={workers}: give the workers to the executor, not to both")
    store = ResultStore(out)
    manifest = manifest_for(scenario, scenario_sha256, source)
    if draws is not None:
        manifest |= {"posterior_file": draws.source, "posterior_sha256": draws.sha256}
    with store.lock():
        store.open(manifest, force_resume=force_resume)
        if store.is_complete():
            return store.out
        missing = sorted(set(range(scenario.replicates)) - store.done())
        if executor is None:
            from sim.runs.executors import LocalPool  # executors builds on this module

            workers = workers or available_cpus()
            if len(missing) * scenario.steps < IN_PROCESS_REPLICATE_MONTHS:
                workers = 1
            executor = LocalPool(workers)
        chunk = chunk_size or default_chunk_size(len(missing), executor.workers)
        chunks = plan_chunks(missing, chunk)
        started = time.perf_counter()
        with tqdm(
            total=scenario.replicates,
            initial=scenario.replicates - len(missing),
            desc=scenario.name,
            unit="run",
            disable=not progress,
        ) as bar:
            executor.run_chunks(scenario, chunks, store, bar, draws)
        store.consolidate()
        store.update_manifest(
            finished=datetime.now(UTC).isoformat(timespec="seconds"),
            compute_seconds_this_session=round(time.perf_counter() - started, 3),
        )
    return store.out


def run_in_process(
    scenario: Scenario,
    chunks: list[list[int]],
    out: Path,
    draws: PosteriorDraws | None = None,
) -> Iterator[int]:
    """Run the chunks one after another here; yield each one's replicate count as it is stored."""
    for chunk in chunks:
        yield store_chunk(scenario, chunk, out, draws)


def run_on_pool(
    scenario: Scenario,
    chunks: list[list[int]],
    out: Path,
    workers: int,
    draws: PosteriorDraws | None = None,
) -> Iterator[int]:
    """Run the chunks on a process pool; yield each one's replicate count as it is stored."""
    yield from pooled(partial(store_chunk, scenario, out=out, draws=draws), chunks, workers)


def pooled(
    task: Callable[[list[int]], int],
    chunks: list[list[int]],
    workers: int,
    preload: str = "sim.runs.ensemble",
) -> Iterator[int]:
    """Run `task(chunk)` for every chunk on a process pool; yield each result as it comes.

    At most 2 chunks per worker are in flight, so memory stays flat as N grows. The
    workers start with `preload` imported and end by themselves if this process dies
    (`sim.runs.lifeline`). `task` must pickle (a module-level function or a partial).
    """
    queue = list(reversed(chunks))
    context = multiprocessing.get_context("forkserver")  # fork is unsafe with threads
    context.set_forkserver_preload([preload])  # workers start with the package loaded
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=watch_parent,
        initargs=(os.getpid(),),
    ) as pool:
        running: set[Future] = set()
        while queue or running:
            while queue and len(running) < 2 * workers:
                running.add(pool.submit(task, queue.pop()))
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
