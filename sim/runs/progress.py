"""The progress bar of a run, whose time left is right from its first estimate on a pool.

A pool's workers start their first chunks together and finish them at about the same
time. tqdm's estimate at the first of those finishes (one chunk done in the time the
workers took for all of theirs) is as many times too long as there are workers: about
twice the real time on two. So the bar shows no time left until every worker has
finished a chunk, and from then on the mean rate since it opened (runs done over time
elapsed), not a smoothed one: chunks arrive in bursts, one per worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tqdm import tqdm


class RunBar(tqdm):
    """A tqdm bar advanced by one chunk's runs per `update`; `workers` run chunks at once.

    `landed` is called after each chunk is counted: the run appends the chunks that have
    landed to its tables (`sim.runs.store.Consolidation`). `clock` (seconds, by default
    tqdm's wall clock) is for tests.
    """

    def __init__(
        self,
        *args: Any,
        workers: int = 1,
        landed: Callable[[], object] | None = None,
        clock: Callable[[], float] | None = None,
        **kwargs: Any,
    ) -> None:
        self.first_round = max(1, workers)
        self.landed = landed
        self.chunks_done = 0
        super().__init__(*args, smoothing=0, **kwargs)
        if clock is not None:
            self._time = clock
            self.start_t = self.last_print_t = clock()

    def update(self, n: float | None = 1) -> bool | None:
        """Count one finished chunk of `n` runs."""
        self.chunks_done += 1
        shown = super().update(n)
        if self.landed is not None:
            self.landed()
        return shown

    @property
    def format_dict(self) -> dict[str, Any]:
        """The fields tqdm prints; before the first round, a rate of 0: `?`, and no time left."""
        fields = super().format_dict
        if self.chunks_done < self.first_round:
            fields["rate"] = 0
        return fields
