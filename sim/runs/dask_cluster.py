"""Ensembles on a Dask cluster: one task per chunk of replicates, written whole or not at all.

By default a task returns its chunk's two tables and this process writes them through
the `ResultStore`, which works whatever the workers' filesystems. With `shared_path`
the workers write the chunk files themselves, which spares the transfer but needs the
results directory at the same path on every worker (a shared filesystem). Either way a
chunk file appears only once complete, and Dask recomputes the tasks of a worker that
dies, so a lost worker costs time, never results.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dask
from distributed import Client, LocalCluster, WorkerPlugin, as_completed
from tqdm import tqdm

from sim.inputs.schema import Scenario
from sim.runs.ensemble import run_chunk, store_chunk
from sim.runs.executors import ExecutorError
from sim.runs.posterior import PosteriorDraws
from sim.runs.store import ResultStore

# Dask gives its workers MALLOC_TRIM_THRESHOLD_=65536, so that they hand freed memory
# back at once; the engine's many short-lived arrays then run 1.3 to 1.8 times slower.
UNTRIMMED = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker thread: none idle, memory flat


class WarmUp(WorkerPlugin):
    """Loads the engine and its compiled loops once per worker, before it takes a chunk.

    numba loads each loop from its cache (`sim/engine/__pycache__`) on first call, in each
    process; running one replicate at setup pays that once per worker, including a
    worker that joins or is restarted later, instead of in its first chunk.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def setup(self, worker: object) -> None:
        """Run replicate 0 of the scenario and discard it."""
        run_chunk(self.scenario, [0])


def store_shared_chunk(
    scenario: Scenario, replicates: list[int], out: str, draws: PosteriorDraws | None = None
) -> int:
    """Write a chunk into `out` on the worker, refusing a directory the client did not open.

    Writing would otherwise create the directory on the worker's own disk, where the
    client never sees it.
    """
    if not ResultStore(Path(out)).manifest_path.exists():
        raise FileNotFoundError(
            f"--shared-path: {out} has no manifest.json on this worker; the results "
            "directory must be on a filesystem shared by the client and every worker"
        )
    return store_chunk(scenario, replicates, Path(out), draws)


@contextmanager
def connect(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, or of a `LocalCluster` on loopback only."""
    if scheduler is not None:
        with Client(scheduler) as client:
            client.wait_for_workers(1)
            yield client
        return
    with (
        _environment_kept(),
        dask.config.set({UNTRIMMED: None}),  # None: the nannies do not set it
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,  # the engine is single-threaded Python and numpy
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def _environment_kept() -> Iterator[None]:
    """This process's environment as it was, once the cluster is closed (each changed name).

    Dask's nannies write their workers' variables (MALLOC_TRIM_THRESHOLD_,
    OMP_NUM_THREADS, ...) into the environment of the process that starts them, and
    leave them there, for every process it starts later to inherit.
    """
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in os.environ.keys() - saved.keys():
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


class DaskExecutor:
    """Chunks as Dask tasks; at most `IN_FLIGHT_PER_WORKER` per worker thread at a time."""

    def __init__(self, client: Client, *, shared_path: bool = False) -> None:
        self.client = client
        self.shared_path = shared_path

    @property
    def workers(self) -> int:
        """Worker threads the cluster has now (at least 1)."""
        return max(1, sum(self.client.nthreads().values()))

    def run_chunks(
        self,
        scenario: Scenario,
        chunks: list[list[int]],
        store: ResultStore,
        bar: tqdm,
        draws: PosteriorDraws | None = None,
    ) -> None:
        """Submit the chunks, write each returned chunk (or count it, if the worker wrote it)."""
        self.client.register_plugin(WarmUp(scenario), name="sim-warm-up")
        out = str(store.out.resolve())
        if self.shared_path:
            self._check_shared(store)
        queue = list(reversed(chunks))
        running = as_completed()

        def submit() -> None:
            chunk = queue.pop()
            if self.shared_path:
                running.add(
                    self.client.submit(store_shared_chunk, scenario, chunk, out, draws, pure=False)
                )
            else:
                running.add(self.client.submit(run_chunk, scenario, chunk, draws, pure=False))

        while queue and running.count() < IN_FLIGHT_PER_WORKER * self.workers:
            submit()
        for future in running:
            result = future.result()
            future.release()
            if self.shared_path:
                bar.update(result)
            else:
                store.write_chunk(*result)
                bar.update(result[0].num_rows)
            while queue and running.count() < IN_FLIGHT_PER_WORKER * self.workers:
                submit()
        if self.shared_path:
            self._check_written(chunks, store)

    def _check_shared(self, store: ResultStore) -> None:
        """Every worker must see a file this process writes into the results directory."""
        probe = store.out.resolve() / f".shared-path-probe-{uuid.uuid4().hex}"
        probe.touch()
        try:
            seen = self.client.run(os.path.exists, str(probe))
        finally:
            probe.unlink()
        blind = sorted(worker for worker, found in seen.items() if not found)
        if blind:
            raise ExecutorError(
                f"--shared-path: workers {', '.join(blind)} do not see {store.out.resolve()}; "
                "put --out on a filesystem they share, or drop --shared-path"
            )

    def _check_written(self, chunks: list[list[int]], store: ResultStore) -> None:
        """Every chunk the workers reported must be in the store as this process sees it."""
        missing = sorted({r for chunk in chunks for r in chunk} - store.done())
        if missing:
            raise ExecutorError(
                f"--shared-path: workers reported replicates {missing[:10]} "
                f"({len(missing)} in all) written, but {store.chunks} lacks them; a shared "
                "filesystem may show them late: run the same command again to resume"
            )
