"""This machine as an executor: the chunks in this process, or on a forkserver process pool.

Workers write their own chunk files into the results directory, so no table crosses
processes; they start with the job's module imported and the compiled loops loaded, and
end by themselves if the process that started them dies (`sim.runs.lifeline`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from sim.engine.kernels import load_kernels
from sim.runs.executor import Job, Progress, store_chunk
from sim.runs.lifeline import watch_parent
from sim.runs.store import ResultStore

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier

# Below this many replicate-months a pool's start-up (forkserver, imports, numba's cache
# in each worker: about 2 s) costs more than a second process saves; run in-process.
IN_PROCESS_REPLICATE_MONTHS = 12_000
START_SECONDS = 120  # a worker that has not started by then will not: the pool is broken

Runner = Callable[[Callable[[list[int]], int], list[list[int]]], Iterator[int]]
"""Runs `task(chunk)` for every chunk, yielding each result as it comes."""


@dataclass(frozen=True)
class LocalPool:
    """At most `workers` processes of this machine; small work runs in this process."""

    workers: int

    def capacity(self, replicate_months: int) -> int:
        """The workers, or 1 below IN_PROCESS_REPLICATE_MONTHS (the pool would not pay)."""
        return 1 if replicate_months < IN_PROCESS_REPLICATE_MONTHS else self.workers

    def run_chunks(
        self, job: Job, chunks: list[list[int]], store: ResultStore, progress: Progress
    ) -> None:
        """Each chunk's files are written by the process that ran it.

        The bar opens once the pool's workers have started, so that its rate, and the
        time left it shows from its first update, count the runs and not the start-up.
        """
        months = sum(map(len, chunks)) * job.scenario.steps
        workers = max(1, min(self.capacity(months), len(chunks)))
        task = partial(store_chunk, job, store=store)
        runner = nullcontext(map) if workers == 1 else started_pool(workers, type(job).__module__)
        with runner as run, progress() as bar:
            for runs in run(task, chunks):
                bar.update(runs)


@contextmanager
def started_pool(workers: int, preload: str) -> Iterator[Runner]:
    """A forkserver pool whose `workers` processes have all started; yields its `Runner`.

    The workers start with module `preload` imported and the compiled loops loaded, and
    wait for one another before taking work: once the first task returns, all are ready.
    """
    context = multiprocessing.get_context("forkserver")  # fork is unsafe with threads
    context.set_forkserver_preload([preload])  # workers start with the job's code loaded
    everyone = context.Barrier(workers)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), everyone),
    ) as pool:
        wait([pool.submit(os.getpid) for _ in range(workers)])  # one process spawned each
        yield partial(_pooled, pool, workers)


def _start_worker(parent: int, everyone: Barrier) -> None:
    """Pool initializer: watch the parent, load the compiled loops, wait for the others."""
    watch_parent(parent)
    load_kernels()
    everyone.wait(timeout=START_SECONDS)  # else BrokenBarrierError: the pool is broken


def _pooled(
    pool: ProcessPoolExecutor,
    workers: int,
    task: Callable[[list[int]], int],
    chunks: list[list[int]],
) -> Iterator[int]:
    """Run `task(chunk)` for every chunk on the pool; yield each result as it comes.

    At most 2 chunks per worker are in flight, so memory stays flat as N grows. `task`
    must pickle (a module-level function or a partial of one).
    """
    queue = list(reversed(chunks))
    running: set[Future] = set()
    while queue or running:
        while queue and len(running) < 2 * workers:
            running.add(pool.submit(task, queue.pop()))
        finished, running = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            yield future.result()
