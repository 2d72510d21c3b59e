"""Rejection ABC on a reference table: prior points simulated once, the nearest kept.

Row i of the table is the point drawn from the priors by `SeedSequence(seed,
spawn_key=(PRIOR_STREAM, i))` and its target statistics, simulated from the point's own
seed (`point_seed`, as ABC-SMC would simulate it): a row does not depend on chunking,
workers or how far an earlier run got. The table is stored in chunks under
`out/reference/`, so an interrupted calibration resumes after its last chunk and a larger
`simulations` extends the table. Rejection keeps the `accept` rows nearest the observed
targets, each with weight 1/accept: there are no importance weights to degenerate, and
one table serves every fit of the same statistics (SBC, leave-one-pattern-out).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sim.analysis.calibration_folder import REFERENCE
from sim.analysis.targets import target_gaps
from sim.inputs.calibration import CalibrationPlan, Target
from sim.runs.output import write_npz
from sim.runs.store import StoreError

PRIOR_STREAM = 3  # spawn-key word of the prior draws (the observation draws use 2)
CHUNK = 200  # rows a worker simulates and the table stores per file


@dataclass(frozen=True)
class ReferenceTable:
    """Prior points and their simulated target statistics, a row each."""

    points: np.ndarray  # (rows, priors)
    statistics: np.ndarray  # (rows, targets)


def prior_point(plan: CalibrationPlan, row: int) -> np.ndarray:
    """Row `row`'s parameter point, uniform over each prior, from its own stream."""
    gen = np.random.default_rng(
        np.random.SeedSequence(plan.calibration.seed, spawn_key=(PRIOR_STREAM, row))
    )
    return gen.uniform([p.low for p in plan.priors], [p.high for p in plan.priors])


def simulate_rows(plan: CalibrationPlan, rows: range) -> ReferenceTable:
    """The points of `rows` and their target statistics, one replicate each."""
    from sim.analysis.calibration import simulate_point  # calibration imports this module

    keys = [p.key for p in plan.priors]
    points = np.array([prior_point(plan, row) for row in rows])
    statistics = np.array(
        [simulate_point(plan, dict(zip(keys, point.tolist(), strict=True))) for point in points]
    )
    return ReferenceTable(points, statistics)


def reference_table(
    plan: CalibrationPlan, out: Path, simulations: int, workers: int = 1, progress: bool = True
) -> ReferenceTable:
    """The table's first `simulations` rows: those stored under `out` read, the rest simulated.

    Each chunk is written whole or not at all as soon as it is done, so no finished work
    is lost to an interruption.
    """
    folder = out / REFERENCE
    starts = range(0, simulations, CHUNK)
    stored = _stored(plan, folder, simulations)
    missing = [s for s in starts if stored[s] is None]
    with tqdm(
        total=simulations,
        initial=simulations - sum(len(_rows(s, simulations)) for s in missing),
        desc="reference table",
        unit="sim",
        disable=not progress,
    ) as bar:
        for start, chunk in _simulated(plan, missing, simulations, workers):
            write_npz(_chunk_file(folder, start), points=chunk.points, statistics=chunk.statistics)
            stored[start] = chunk
            bar.update(len(chunk.points))
    return ReferenceTable(
        np.concatenate([stored[s].points for s in starts]),
        np.concatenate([stored[s].statistics for s in starts]),
    )


def stored_table(plan: CalibrationPlan, out: Path, simulations: int) -> ReferenceTable:
    """The table a finished calibration stored under `out`, read only; incomplete, refused.

    The checks read the fit's table this way: simulating into another command's folder
    would write where no lock holds and leave files its calibration did not expect.
    """
    stored = _stored(plan, out / REFERENCE, simulations)
    missing = [start for start, chunk in stored.items() if chunk is None]
    if missing:
        raise StoreError(
            f"{out / REFERENCE}: the reference table lacks {len(missing)} of its "
            f"{len(stored)} chunks (rows {missing[0]} on): run `sim calibrate` into {out} first"
        )
    return ReferenceTable(
        np.concatenate([chunk.points for chunk in stored.values()]),
        np.concatenate([chunk.statistics for chunk in stored.values()]),
    )


def distances(statistics: np.ndarray, targets: Sequence[Target]) -> np.ndarray:
    """Each row's distance to the targets: the norm of its gaps scaled as ABC-SMC's."""
    return np.sqrt((target_gaps(statistics, targets) ** 2).sum(axis=1))


def nearest(statistics: np.ndarray, targets: Sequence[Target], accept: int) -> np.ndarray:
    """The rows of the `accept` smallest distances, nearest first (ties by row)."""
    return np.argsort(distances(statistics, targets), kind="stable")[:accept]


def _rows(start: int, simulations: int) -> range:
    """The rows of the chunk starting at `start`."""
    return range(start, min(start + CHUNK, simulations))


def _simulated(
    plan: CalibrationPlan, starts: list[int], simulations: int, workers: int
) -> Iterator[tuple[int, ReferenceTable]]:
    """Simulate the chunks starting at `starts`, in this process or a pool; yield each when done."""
    if workers == 1 or len(starts) < 2:
        for start in starts:
            yield start, simulate_rows(plan, _rows(start, simulations))
        return
    from sim.runs.local_pool import process_pool

    with process_pool(workers, __name__) as pool:
        running: dict[Future, int] = {}
        queue = list(reversed(starts))
        while queue or running:
            while queue and len(running) < 2 * workers:
                start = queue.pop()
                running[pool.submit(simulate_rows, plan, _rows(start, simulations))] = start
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield running.pop(future), future.result()


def _stored(
    plan: CalibrationPlan, folder: Path, simulations: int
) -> dict[int, ReferenceTable | None]:
    """Each chunk of the first `simulations` rows by its first row, None where not stored."""
    return {
        start: _read(_chunk_file(folder, start), plan, len(_rows(start, simulations)))
        for start in range(0, simulations, CHUNK)
    }


def _chunk_file(folder: Path, start: int) -> Path:
    """Where the chunk starting at row `start` is stored."""
    return folder / f"rows-{start:08d}.npz"


def _read(path: Path, plan: CalibrationPlan, rows: int) -> ReferenceTable | None:
    """A stored chunk's first `rows` rows, or None if it holds fewer (a shorter table's last).

    A chunk that cannot be read, or of another fit's shape, is refused.
    """
    if not path.exists():
        return None
    try:
        with np.load(path) as stored:
            chunk = ReferenceTable(stored["points"], stored["statistics"])
    except (OSError, ValueError, KeyError) as exc:
        raise StoreError(
            f"{path}: a chunk of the reference table cannot be read ({exc}); delete it to "
            "simulate it again"
        ) from None
    shape = (len(plan.priors), len(plan.calibration.targets))
    if (chunk.points.shape[1], chunk.statistics.shape[1]) != shape:
        raise StoreError(
            f"{path}: a chunk of another fit ({chunk.points.shape[1]} parameters, "
            f"{chunk.statistics.shape[1]} targets; this one has {shape[0]} and {shape[1]}); "
            "use another --out"
        )
    if len(chunk.points) < rows:
        return None
    return ReferenceTable(chunk.points[:rows], chunk.statistics[:rows])
