"""A Dask cluster as an executor: one task per chunk of a job, written whole or not at all.

By default a task returns its chunk's two tables and this process writes them through
the `ResultStore`, which works whatever the workers' filesystems. With `shared_path`
(always, for a `LocalCluster` started on this machine) the workers write the chunk
files themselves, which spares pickling the tables (7 MB a chunk of 50) and writing
Parquet on this process, but needs the results directory at the same path on every
worker. Either way a chunk file appears only once complete, and Dask recomputes the
tasks of a worker that dies, so a lost worker costs time, never results. Workers warm
up lazily: a worker's first chunk loads the compiled loops (the local pool's workers load
them as they start).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import dask
import pyarrow as pa
from distributed import Client, LocalCluster, as_completed
from tqdm import tqdm

from sim.runs.executor import ExecutorError, Job, Progress, store_chunk
from sim.runs.kinds import available_cpus
from sim.runs.store import ResultStore

# Dask gives its workers MALLOC_TRIM_THRESHOLD_=65536, so that they hand freed memory
# back at once; the engine's many short-lived arrays then run 1.3 to 1.8 times slower.
UNTRIMMED = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker thread: none idle, memory flat
CONNECT_SECONDS = 10.0  # to reach a scheduler (Dask's own default is 30 s of retries)
WORKERS_SECONDS = 60.0  # for a first worker to join a scheduler that has none yet


def run_chunk(job: Job, runs: list[int]) -> tuple[pa.Table, pa.Table | None]:
    """A chunk's tables, to return to the client (a task named after what it does)."""
    return job.run(runs)


def store_shared_chunk(job: Job, runs: list[int], store: ResultStore) -> int:
    """Write a chunk into the store on the worker, refusing a directory the client did not open.

    Writing would otherwise create the directory on the worker's own disk, where the
    client never sees it.
    """
    if not store.manifest_path.exists():
        raise FileNotFoundError(
            f"--shared-path: {store.out} has no manifest.json on this worker; the results "
            "directory must be on a filesystem shared by the client and every worker"
        )
    return store_chunk(job, runs, store)


@contextmanager
def connect(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, or of a `LocalCluster` on loopback only."""
    if scheduler is not None:
        with _client_of(scheduler) as client:
            yield client
        return
    with (
        _environment_kept(),
        dask.config.set({UNTRIMMED: None}),  # None: the nannies do not set it
        LocalCluster(
            n_workers=workers or available_cpus(),
            threads_per_worker=1,  # the engine is single-threaded Python and numpy
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def _client_of(scheduler: str) -> Iterator[Client]:
    """A client of a running scheduler with at least one worker, or an `ExecutorError` in time.

    A malformed address, a scheduler not reached within CONNECT_SECONDS, or one no worker
    joins within WORKERS_SECONDS, is refused with the address in the message.
    """
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except ValueError as exc:  # distributed's word for a malformed address
        raise ExecutorError(
            f"--scheduler {scheduler}: not a Dask scheduler address ({exc})"
        ) from None
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_SECONDS:g} s "
            f"({exc}): is it running, and is the address right?"
        ) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise ExecutorError(
                f"no worker joined the Dask scheduler at {scheduler} within "
                f"{WORKERS_SECONDS:g} s: start workers (`dask worker {scheduler}`) and run again"
            ) from None
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

    def capacity(self, replicate_months: int) -> int:
        """The worker threads: a cluster already running pays no start-up for small work."""
        return self.workers

    def prepare(self, job: Job, workers: int) -> None:
        """Nothing: the cluster's workers are running already."""

    def run_chunks(
        self, job: Job, chunks: list[list[int]], store: ResultStore, progress: Progress
    ) -> None:
        """Submit the chunks, write each returned chunk (or count it, if the worker wrote it)."""
        with progress() as bar:
            self._run_chunks(job, chunks, store, bar)

    def _run_chunks(self, job: Job, chunks: list[list[int]], store: ResultStore, bar: tqdm) -> None:
        if self.shared_path:
            self._check_shared(store)
            store = ResultStore(store.out.resolve(), key=store.key, timeseries=store.timeseries)
        queue = list(reversed(chunks))
        running = as_completed()

        def submit() -> None:
            if self.shared_path:
                task = self.client.submit(store_shared_chunk, job, queue.pop(), store, pure=False)
            else:
                task = self.client.submit(run_chunk, job, queue.pop(), pure=False)
            running.add(task)

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
