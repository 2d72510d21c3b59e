"""This machine as an executor: the chunks in this process, or on a forkserver process pool.

Workers write their own chunk files into the results directory, so no table crosses
processes; they start with the job's module imported and the compiled loops loaded, and
end by themselves if the process that started them dies (`sim.runs.lifeline`). Inside a
`with` block the pool's processes serve every run until the block ends, so that many
short experiments (an EMA evaluator's calls) pay the pool's start-up once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import forkserver
from types import TracebackType
from typing import TYPE_CHECKING

from sim.rules import load_kernels
from sim.runs.executor import Job, Progress, store_chunk
from sim.runs.lifeline import watch_parent
from sim.runs.store import ResultStore

if TYPE_CHECKING:
    from threading import Barrier

# Below this many replicate-months a pool's start-up (forkserver, imports, numba's cache
# in each worker: about 2 s) costs more than a second process saves; run in-process.
IN_PROCESS_REPLICATE_MONTHS = 12_000
START_SECONDS = 120  # a worker that has not started by then will not: the pool is broken


@dataclass
class LocalPool:
    """At most `workers` processes of this machine; small work runs in this process.

    Used as a context manager, it keeps the processes the first pooled run starts
    (about 2 s) for every later run, and shuts them down on exit.
    """

    workers: int
    _kept: list[ProcessPoolExecutor] | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> LocalPool:
        self._kept = []
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for pool in self._kept or []:
            pool.shutdown(cancel_futures=True)
        self._kept = None

    def capacity(self, replicate_months: int) -> int:
        """The workers, or 1 below IN_PROCESS_REPLICATE_MONTHS (the pool would not pay)."""
        return 1 if replicate_months < IN_PROCESS_REPLICATE_MONTHS else self.workers

    def prepare(self, job: Job, workers: int) -> None:
        """Start the pool's forkserver, importing the job's code, if the run will pool.

        The forkserver's imports (about 0.5 s) then overlap this process loading the
        compiled loops; the workers it forks later find them in numba's cache.
        """
        if workers > 1 and not self._kept:
            start_forkserver(type(job).__module__)

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
        if workers == 1:
            with progress() as bar:
                for runs in map(task, chunks):
                    bar.update(runs)
            return
        with self._pool(type(job).__module__) as pool, progress() as bar:
            try:
                for runs in pooled(task, chunks, workers, pool):
                    bar.update(runs)
            except BrokenProcessPool:
                self._drop(pool)  # a kept pool that broke serves no later run
                raise

    def start(self, preload: str) -> None:
        """Start the kept processes now, with module `preload` imported (inside `with`).

        As EMA's evaluators start theirs on entry: the first run then finds them ready.
        """
        if self._kept is None:
            raise RuntimeError("LocalPool.start: open the pool with `with` first")
        if self.workers == 1:
            return  # one worker runs every chunk in this process
        with self._pool(preload):
            pass

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        """Forget a kept pool (shut down) so that the next run inside `with` starts afresh."""
        if self._kept and self._kept[0] is pool:
            self._kept.pop().shutdown(cancel_futures=True)

    def _pool(self, preload: str) -> AbstractContextManager[ProcessPoolExecutor]:
        """The kept pool inside `with` (made on first use), else a pool for this run."""
        if self._kept is None:
            return process_pool(self.workers, preload)
        if not self._kept:
            self._kept.append(process_pool(self.workers, preload))
        return nullcontext(self._kept[0])


def start_forkserver(preload: str) -> None:
    """Start this process's forkserver now, importing module `preload`, without waiting for it.

    A forkserver already running is kept (its imports are whatever it started with).
    """
    multiprocessing.get_context("forkserver").set_forkserver_preload([preload])
    forkserver.ensure_running()


def process_pool(workers: int, preload: str) -> ProcessPoolExecutor:
    """A forkserver pool of `workers` processes, returned once all of them have started.

    The workers start with module `preload` imported and the compiled loops loaded, and
    wait for one another before taking work; each ends by itself if this process dies.
    """
    context = multiprocessing.get_context("forkserver")  # fork is unsafe with threads
    start_forkserver(preload)  # workers start with the job's code loaded
    everyone = context.Barrier(workers)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), everyone),
    )
    started = [pool.submit(os.getpid) for _ in range(workers)]  # return once all have started
    try:
        for future in started:
            future.result()
    except Exception as exc:
        pool.shutdown(cancel_futures=True)
        raise BrokenProcessPool(f"the local pool's workers did not start: {exc!r}") from exc
    return pool


def _start_worker(parent: int, everyone: Barrier) -> None:
    """Pool initializer: watch the parent, load the compiled loops, wait for the others."""
    watch_parent(parent)
    load_kernels()
    everyone.wait(timeout=START_SECONDS)  # else BrokenBarrierError: the pool is broken


def pooled(
    task: Callable[[list[int]], int],
    chunks: list[list[int]],
    workers: int,
    pool: ProcessPoolExecutor,
) -> Iterator[int]:
    """Run `task(chunk)` for every chunk on `pool`; yield each result as it comes.

    At most 2 chunks per worker are in flight, so memory stays flat as N grows. `task`
    must pickle (a module-level function or a partial of one).
    """
    queue = list(reversed(chunks))
    running: set[Future] = set()
    try:
        while queue or running:
            while queue and len(running) < 2 * workers:
                running.add(pool.submit(task, queue.pop()))
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    finally:  # on an error or an interrupt, no chunk goes on writing after we return
        for future in running:
            future.cancel()
        wait(running)
