"""Ensembles: N replicates of a scenario, in chunks on an executor, streamed to a results folder.

Replicate r always draws from `SeedSequence(seed, spawn_key=(r,))`, so results are
identical whatever the executor, the number of workers, the chunk size, or an
interruption and resume.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from sim.engine.seeds import replicate_rng
from sim.engine.world import starting_agents
from sim.inputs.calibration import calibrated_in_chain
from sim.inputs.schema import Scenario
from sim.runs import provenance
from sim.runs.batch import run_batch
from sim.runs.chunked import run_missing
from sim.runs.executor import Executor
from sim.runs.kinds import available_cpus
from sim.runs.local_pool import LocalPool
from sim.runs.posterior import PosteriorDraws
from sim.runs.store import CODE, ResultStore


@dataclass(frozen=True)
class Replicates:
    """An ensemble as a job: run r is replicate r, with its posterior draw if `draws` is given."""

    scenario: Scenario
    draws: PosteriorDraws | None = None

    def run(self, runs: list[int]) -> tuple[pa.Table, pa.Table]:
        """One batch of the replicates; with draws, each run also records its draw and values."""
        if self.draws is None:
            return run_batch(self.scenario, runs)
        chosen = self.draws.chosen(self.scenario.seed, runs)
        values = self.draws.values_of(self.scenario, chosen)
        table, series = run_batch(self.scenario, runs, values)
        return self.draws.annotate(table, chosen, values), series


def manifest_for(scenario: Scenario, scenario_sha256: str, source: str | None) -> dict:
    """What identifies and describes an ensemble, written before any run starts."""
    units, cells = starting_agents(scenario, [replicate_rng(scenario.seed, 0)])
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
            "units": int(units.n[0]),
            "cells": int(cells.n[0]),
            "factions": len(scenario.taliban.factions),
            "foreign_groups": len(scenario.foreign_groups),
            "international_actors": len(scenario.international),
        },
        CODE: provenance.code_identity(),
        "versions": provenance.versions(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


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

    The chunks run on `executor` (`sim.runs.executor`), by default this machine's process
    pool of at most `workers` processes (default: the CPUs), which runs small ensembles
    in this process. Returns the results directory. Raises `OutputBusyError` if another
    run holds `out`, `OutputMismatchError` if `out` holds another experiment (different
    scenario hash, seed, steps or replicate count), or results of other code unless
    `force_resume`. With posterior `draws` (`sim.runs.posterior`), replicate r runs with
    draw k(r).
    """
    if executor is not None and workers is not None:
        raise ValueError(f"workers={workers}: give the workers to the executor, not to both")
    store = ResultStore(out)
    manifest = manifest_for(scenario, scenario_sha256, source)
    if draws is not None:
        manifest |= {"posterior_file": draws.source, "posterior_sha256": draws.sha256}
    if source is not None and (calibrated := calibrated_in_chain(source)) is not None:
        manifest["calibrated_file"] = str(calibrated)  # the posterior medians it starts from
    with store.lock():
        store.open(manifest, force_resume=force_resume)
        run_missing(
            Replicates(scenario, draws),
            scenario.replicates,
            store,
            executor or LocalPool(workers or available_cpus()),
            chunk_size=chunk_size,
            progress=progress,
        )
    return store.out
