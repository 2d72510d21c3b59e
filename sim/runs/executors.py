"""Where an ensemble's chunks run: this machine's process pool or a Dask cluster.

An executor takes the planned chunks of replicates and lands each chunk's two tables in
the `ResultStore`, whole or not at all. Planning, resuming and consolidating stay with
`run_ensemble`, so a run started on one executor can be resumed on another, and the
results are identical bit for bit whichever ran them (replicate r draws from its own
`SeedSequence(seed, spawn_key=(r,))`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from tqdm import tqdm

from sim.inputs.schema import Scenario
from sim.runs import ensemble
from sim.runs.posterior import PosteriorDraws
from sim.runs.store import ResultStore

KINDS = ("local", "dask")


class ExecutorError(ValueError):
    """An executor cannot be built as asked: a missing extra, or options that do not combine."""


class Executor(Protocol):
    """Runs chunks of replicates and writes each finished chunk to the store."""

    @property
    def workers(self) -> int:
        """How many chunks can run at once; sizes the chunks."""
        ...

    def run_chunks(
        self,
        scenario: Scenario,
        chunks: list[list[int]],
        store: ResultStore,
        bar: tqdm,
        draws: PosteriorDraws | None = None,
    ) -> None:
        """Run every chunk into `store`, advancing `bar` by each chunk's replicates; or raise.

        With posterior `draws`, replicate r runs with draw k(r) (`sim.runs.posterior`).
        """
        ...


@dataclass(frozen=True)
class LocalPool:
    """This machine: the chunks in this process (1 worker) or on a forkserver process pool."""

    workers: int

    def run_chunks(
        self,
        scenario: Scenario,
        chunks: list[list[int]],
        store: ResultStore,
        bar: tqdm,
        draws: PosteriorDraws | None = None,
    ) -> None:
        """Each worker process writes its own chunk files into the results directory."""
        workers = max(1, min(self.workers, len(chunks)))
        finished = (
            ensemble.run_in_process(scenario, chunks, store.out, draws)
            if workers == 1
            else ensemble.run_on_pool(scenario, chunks, store.out, workers, draws)
        )
        for replicates in finished:
            bar.update(replicates)


@contextmanager
def open_executor(
    kind: str = "local",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    shared_path: bool = False,
) -> Iterator[Executor]:
    """The executor the command line asks for, shut down (cluster and client) on exit.

    Args:
        kind: `local` (this machine's process pool) or `dask`.
        workers: processes of the local pool, or of a Dask `LocalCluster` started here.
        scheduler: address of a running `dask.distributed` scheduler (`dask` only); without
            it a `LocalCluster` of `workers` processes starts on this machine.
        shared_path: Dask workers write their chunk files straight into the results
            directory, which must be the same path on every worker (`dask` only); by
            default they return the tables to this process, which writes them.

    Raises:
        ExecutorError: an unknown kind, options that do not apply to it, or Dask missing.
    """
    if kind not in KINDS:
        raise ExecutorError(f"executor: {kind!r} is not one of {', '.join(KINDS)}")
    if workers is not None and workers < 1:
        raise ExecutorError(f"workers: expected a positive number, got {workers}")
    if kind == "local":
        if scheduler is not None or shared_path:
            raise ExecutorError(
                "--scheduler and --shared-path apply to --executor dask, not to the local pool"
            )
        yield LocalPool(workers or os.cpu_count() or 1)
        return
    if scheduler is not None and workers is not None:
        raise ExecutorError(
            f"--workers {workers}: the workers of the scheduler at {scheduler} are its own; "
            "give --workers only for a LocalCluster started here (no --scheduler)"
        )
    try:
        from sim.runs import dask_cluster  # the optional extra, loaded only when asked for
    except ImportError as exc:
        raise ExecutorError(
            f'--executor dask needs the dask extra: pip install -e ".[dask]" ({exc})'
        ) from exc
    with dask_cluster.connect(scheduler, workers) as client:
        yield dask_cluster.DaskExecutor(client, shared_path=shared_path)
