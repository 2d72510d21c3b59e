"""The run's progress bar: no time left until every worker has finished a chunk, then the mean rate.

Five chunks of 100 runs on two workers, which finish their first chunks at 10 s and
10.2 s: about 20 s are left. tqdm's own estimate at 10 s (400 runs at 10 a second: 40 s)
is twice that.
"""

from __future__ import annotations

import io

import pytest

from sim.runs.progress import RunBar


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def shown(bar: RunBar) -> str:
    """The bar's line as it would print it."""
    return bar.format_meter(**bar.format_dict)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def open_bar(clock: Clock, workers: int, **kwargs) -> RunBar:
    return RunBar(total=500, workers=workers, clock=clock, file=io.StringIO(), unit="run", **kwargs)


def test_no_time_left_until_every_worker_has_finished_a_chunk(clock):
    bar = open_bar(clock, workers=2)
    clock.now = 10.0
    bar.update(100)
    assert "<?" in shown(bar)
    clock.now = 10.2
    bar.update(100)
    assert "<00:15" in shown(bar)  # 300 runs at 200 per 10.2 s: 15.3 s (about 20 s in truth)
    clock.now = 20.0
    bar.update(100)
    assert "<00:13" in shown(bar)  # 200 runs at 300 per 20 s: 13.3 s


def test_one_worker_estimates_from_its_first_chunk(clock):
    bar = open_bar(clock, workers=1)
    clock.now = 5.0
    bar.update(100)
    assert "<00:20" in shown(bar)  # 400 runs at 20 a second


def test_resumed_runs_do_not_count_in_the_rate(clock):
    bar = open_bar(clock, workers=1, initial=300)
    clock.now = 5.0
    bar.update(100)
    assert "<00:05" in shown(bar)  # 100 runs left at 100 / 5 s
