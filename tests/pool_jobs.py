"""Jobs for the local pool's tests: module-level, so that the pool's workers can load them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sim.inputs.schema import Scenario


@dataclass(frozen=True)
class FailingJob:
    """Chunk [0] fails at once; every other chunk waits, then leaves a marker file."""

    scenario: Scenario
    markers: Path

    def run(self, runs: list[int]) -> tuple:
        if runs == [0]:
            raise RuntimeError("chunk 0 fails")
        time.sleep(0.5)
        (self.markers / f"chunk-{runs[0]}").touch()
        raise RuntimeError("no tables: the markers are what the test reads")
