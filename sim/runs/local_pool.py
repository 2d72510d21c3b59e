"""This machine as an executor: the chunks in this process, or on a forkserver process pool.

Workers write their own chunk files into the results directory, so no table crosses
processes; they start with the job's module imported and end by themselves if the
process that started them dies (`sim.runs.lifeline`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import partial

from tqdm import tqdm

from sim.runs.executor import Job, store_chunk
from sim.runs.lifeline import watch_parent
from sim.runs.store import ResultStore

# Below this many replicate-months a pool's start-up (forkserver, imports, numba's cache
# in each worker: about 2 s) costs more than a second process saves; run in-process.
IN_PROCESS_REPLICATE_MONTHS = 12_000


@dataclass(frozen=True)
class LocalPool:
    """At most `workers` processes of this machine; small work runs in this process."""

    workers: int

    def capacity(self, replicate_months: int) -> int:
        """The workers, or 1 below IN_PROCESS_REPLICATE_MONTHS (the pool would not pay)."""
        return 1 if replicate_months < IN_PROCESS_REPLICATE_MONTHS else self.workers

    def run_chunks(self, job: Job, chunks: list[list[int]], store: ResultStore, bar: tqdm) -> None:
        """Each chunk's files are written by the process that ran it."""
        months = sum(map(len, chunks)) * job.scenario.steps
        workers = max(1, min(self.capacity(months), len(chunks)))
        task = partial(store_chunk, job, store=store)
        finished = (
            map(task, chunks)
            if workers == 1
            else pooled(task, chunks, workers, preload=type(job).__module__)
        )
        for runs in finished:
            bar.update(runs)


def pooled(
    task: Callable[[list[int]], int], chunks: list[list[int]], workers: int, preload: str
) -> Iterator[int]:
    """Run `task(chunk)` for every chunk on a process pool; yield each result as it comes.

    At most 2 chunks per worker are in flight, so memory stays flat as N grows. The
    workers start with module `preload` imported. `task` must pickle (a module-level
    function or a partial of one).
    """
    queue = list(reversed(chunks))
    context = multiprocessing.get_context("forkserver")  # fork is unsafe with threads
    context.set_forkserver_preload([preload])  # workers start with the job's code loaded
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
