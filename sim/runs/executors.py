"""Open the executor a command asks for: this machine's process pool or a Dask cluster."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sim.runs.executor import Executor, ExecutorError
from sim.runs.kinds import KINDS, available_cpus
from sim.runs.local_pool import LocalPool


@contextmanager
def open_executor(
    kind: str = "local",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    shared_path: bool = False,
) -> Iterator[Executor]:
    """The executor the command line asks for, shut down (pool, or cluster and client) on exit.

    Args:
        kind: `local` (this machine's process pool) or `dask`.
        workers: processes of the local pool, or of a Dask `LocalCluster` started here
            (default: the CPUs).
        scheduler: address of a running `dask.distributed` scheduler (`dask` only); without
            it a `LocalCluster` of `workers` processes starts on this machine.
        shared_path: the workers of the scheduler write their chunk files straight into
            the results directory, which must be the same path on every worker (`dask`
            only; a `LocalCluster` started here always does, its workers sharing this
            machine's disk); by default they return the tables to this process.

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
        with LocalPool(workers or available_cpus()) as pool:  # one pool for every run
            yield pool
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
        yield dask_cluster.DaskExecutor(client, shared_path=shared_path or scheduler is None)
