"""The executor interface every kind of experiment submits its runs to.

An experiment is a `Job`: a scenario, and a way to run any chunk of its numbered runs as
one batch (`sim.runs.batch`) into a runs table and a time series. An `Executor` runs
the chunks it is given (in this process, on a process pool, on a Dask cluster) and lands
each chunk's tables in the `ResultStore`, whole or not at all. Planning, resuming and
consolidating stay with `sim.runs.chunked`, so a run begun on one executor resumes on
another, and the results are identical bit for bit whichever ran them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import pyarrow as pa
from tqdm import tqdm

from sim.inputs.schema import Scenario
from sim.runs.store import ResultStore

Progress = Callable[[], tqdm]
"""Opens the progress bar. An executor opens it once it can run chunks (its workers
started), so that the bar's clock, and the time left it shows, count the runs only."""


class ExecutorError(ValueError):
    """An executor cannot be built or used as asked: a missing extra, options that clash."""


class Job(Protocol):
    """One experiment's runs, numbered 0..n-1; any chunk of them runs as one batch."""

    scenario: Scenario  # the base scenario: its steps size the work, its seed the streams

    def run(self, runs: list[int]) -> tuple[pa.Table, pa.Table | None]:
        """The runs table and time series (None if the experiment keeps none) of `runs`."""
        ...


class Executor(Protocol):
    """Runs chunks of a job and writes each finished chunk to the store."""

    def capacity(self, replicate_months: int) -> int:
        """How many chunks it would run at once on this much work; sizes the chunks."""
        ...

    def prepare(self, job: Job, workers: int) -> None:
        """Start, in the background, what running `workers` chunks of `job` at once needs.

        Called before this process loads the compiled loops, so that a start-up (a
        pool's server importing the job's code) overlaps the load; may do nothing.
        """
        ...

    def run_chunks(
        self, job: Job, chunks: list[list[int]], store: ResultStore, progress: Progress
    ) -> None:
        """Run every chunk into `store`, advancing the bar `progress` opens by each chunk's runs.

        Raises what a chunk raised.
        """
        ...


def store_chunk(job: Job, runs: list[int], store: ResultStore) -> int:
    """Run a chunk and write its files where it runs: no table crosses processes."""
    store.write_chunk(*job.run(runs))
    return len(runs)
