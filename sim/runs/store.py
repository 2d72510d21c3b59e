"""A results directory: locked, checked, chunk files written atomically, resumable, consolidated.

Layout of `--out`:
    manifest.json        resolved scenario, hashes, seeds, code and versions, times, agent counts
    runs.parquet         one row per replicate
    timeseries.parquet   one row per (replicate, step, actor)
    chunks/              work in progress (its chunk files are removed once the tables exist)
    plots/               figures
    .lock                held by the run writing into the directory

The two tables take the chunks in replicate order while the run goes on, each as soon as
the chunks before it have landed, under temporary names until the last one is in
(`ResultStore.consolidation`).

Only files sim wrote are ever deleted: chunk files by their exact names and temporary
files by their pattern (`sim.runs.chunks`); anything else is left alone and reported.
A symbolic link where the store reads or writes (`.lock`, `chunks`, the manifest, the
tables, a chunk file) is refused, never followed: through it the store would write,
delete or read files outside the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim.runs import chunks
from sim.runs.chunks import chunk_name
from sim.runs.output import (
    OutputError,
    files_in_place,
    is_temporary,
    open_lock,
    own_folder,
    refuse_links,
    results_folder,
    write_atomic,
    write_json,
)

__all__ = ["OutputBusyError", "OutputMismatchError", "ResultStore", "StoreError"]

IDENTITY = ("scenario_name", "resolved_sha256", "seed", "steps", "replicates")
# the posterior draws an ensemble carries, and whether a sweep keeps its time series
IDENTITY_IF_GIVEN = ("posterior_sha256", "timeseries")
CODE = "code"  # the manifest key of `sim.runs.provenance.code_identity()`
TABLES = ("runs.parquet", "timeseries.parquet")
LOCK = ".lock"
ROW_GROUP = 50_000
"""Rows of a chunk's time series per Parquet row group (about 50 replicates): the tables
take a chunk one row group at a time, so the process writing them holds about 7.5 MB of
it, not the whole chunk, while the workers run the next ones."""
OWN_FILES = ("manifest.json", *TABLES)


class StoreError(OutputError):
    """A results directory cannot be used as asked; the message says why and what to do."""


class OutputMismatchError(StoreError, ValueError):
    """An existing results directory holds a different experiment; nothing is mixed."""


class OutputBusyError(StoreError):
    """Another run holds the results directory's lock."""


class StoreWarning(UserWarning):
    """Something in a results directory was repaired or left alone; the run goes on."""


class ResultStore:
    """One results directory; `open` refuses a directory holding another experiment.

    Chunks are named by the run numbers in column `key` (`replicate` for an ensemble;
    a sweep numbers its point-replicate runs); `timeseries=False` keeps runs only.
    """

    def __init__(self, out: Path, *, key: str = "replicate", timeseries: bool = True) -> None:
        self.out = Path(out)
        self.key = key
        self.timeseries = timeseries
        self.chunks = self.out / "chunks"
        self.manifest_path = self.out / "manifest.json"
        self._strays: set[Path] = set()  # files of someone else in chunks/, reported once

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the directory (created if need be) while the block runs.

        Raises `OutputBusyError` at once if another process holds it. The lock is an
        `flock` on `.lock`, so the system releases it when its holder dies, however.
        """
        results_folder(self.out)
        self._refuse_links()
        path = self.out / LOCK
        fd = open_lock(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise OutputBusyError(
                f"{self.out} is in use by another run of sim (process {holder} holds {path}); "
                "wait for it to finish, or choose another --out"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def open(self, manifest: dict, *, force_resume: bool = False) -> dict:
        """Create the directory or check it holds the same experiment; return the manifest.

        Call it holding `lock()`. Refuses (`OutputMismatchError`) a directory with
        result files but no readable manifest, one whose scenario, seed, steps or
        replicate count differ, and, unless `force_resume`, one made by other code
        (which is then recorded in the manifest). Removes sim's leftovers of a killed run.
        """
        results_folder(self.out)
        self._refuse_links()
        existing = self._read_manifest()
        if existing is None:
            self._refuse_orphan_results()
        else:
            manifest = self._check(existing, manifest, force_resume)
        self._clean_leftovers()
        if not self.is_complete():
            own_folder(self.chunks)
        write_json(self.manifest_path, manifest)
        return manifest

    def update_manifest(self, **fields: Any) -> None:
        """Add or replace fields of the manifest."""
        manifest = json.loads(self.manifest_path.read_text())
        write_json(self.manifest_path, manifest | fields)

    def is_complete(self) -> bool:
        """True once the consolidated tables have been written."""
        return all((self.out / name).exists() for name in self._tables())

    def done(self) -> set[int]:
        """Replicates whose chunk is written in full; a damaged chunk is removed with a warning."""
        finished: set[int] = set()
        for first, last in self._chunk_ranges():
            trouble = chunks.problem(self.chunks, first, last, timeseries=self.timeseries)
            if trouble is None:
                finished.update(range(first, last + 1))
                continue
            warnings.warn(
                f"{self.chunks / chunk_name('runs', first, last)}: {trouble}; "
                f"recomputing replicates {first}-{last}",
                StoreWarning,
                stacklevel=2,
            )
            for kind in ("runs", "ts"):
                (self.chunks / chunk_name(kind, first, last)).unlink(missing_ok=True)
        return finished

    def write_chunk(self, runs: pa.Table, timeseries: pa.Table | None) -> None:
        """Write one chunk: the time series first, the runs file last as the commit mark."""
        numbers = runs.column(self.key).to_pylist()
        first, last = min(numbers), max(numbers)
        if self.timeseries:
            write_atomic(
                self.chunks / chunk_name("ts", first, last),
                lambda tmp: pq.write_table(
                    timeseries, tmp, row_group_size=ROW_GROUP, **encoding(timeseries.schema, "lz4")
                ),
            )
        write_atomic(
            self.chunks / chunk_name("runs", first, last),
            lambda tmp: pq.write_table(runs, tmp, **encoding(runs.schema, "lz4")),
        )

    @contextlib.contextmanager
    def consolidation(self, planned: list[tuple[int, int]]) -> Iterator[Consolidation]:
        """The tables of the chunks written and the `planned` ranges, appended as they land.

        Leaving the block appends the chunks still waiting, puts the tables in place and
        deletes the chunks; an error deletes the tables' temporary files and keeps the
        chunks (but for a damaged one, which is removed), so that the run resumes. A chunk
        written earlier that overlaps a planned one (a stray worker's) is left out.
        """
        written = [c for c in self._chunk_ranges() if not any(_overlap(c, p) for p in planned)]
        with files_in_place([self.out / name for name in self._tables()]) as temps:
            tables = Consolidation(self.chunks, sorted({*written, *planned}), temps)
            try:
                yield tables
                tables.finish()
            except BaseException:
                with contextlib.suppress(Exception):  # the error that stopped the run is the one
                    tables.close()
                raise
            tables.close()
        self._remove_chunks()

    def _tables(self) -> tuple[str, ...]:
        """The consolidated tables this store writes: the time series only if it keeps one."""
        return TABLES if self.timeseries else TABLES[:1]

    def _refuse_links(self) -> None:
        """Refuse a symbolic link at any name the store reads, writes or deletes."""
        names = [self.out / name for name in (LOCK, *OWN_FILES)] + [self.chunks]
        if self.chunks.is_dir() and not self.chunks.is_symlink():
            names += [path for path in self.chunks.iterdir() if chunks.parse(path)]
        refuse_links(names)

    def _read_manifest(self) -> dict | None:
        if not self.manifest_path.exists():
            return None
        try:
            manifest = json.loads(self.manifest_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise OutputMismatchError(
                f"{self.manifest_path} is damaged ({exc}), so what {self.out} holds cannot be "
                "checked: use another --out, or delete that folder to start again"
            ) from exc
        lacking = [k for k in IDENTITY if not isinstance(manifest, dict) or k not in manifest]
        if lacking:
            raise OutputMismatchError(
                f"{self.manifest_path} is not a sim manifest (it lacks {', '.join(lacking)}): "
                "use another --out, or delete that folder to start again"
            )
        return manifest

    def _refuse_orphan_results(self) -> None:
        found = [self.out / name for name in TABLES if (self.out / name).exists()]
        found += [p for p in self._chunk_files() if chunks.parse(p)]
        if found:
            raise OutputMismatchError(
                f"{self.out} holds results ({found[0].name}"
                f"{f' and {len(found) - 1} more' if len(found) > 1 else ''}) but no "
                "manifest.json, so what they are cannot be checked: use another --out, or move "
                "those files away"
            )

    def _check(self, existing: dict, manifest: dict, force_resume: bool) -> dict:
        """The manifest to keep: the existing one, if the experiment and the code match."""
        diffs = [k for k in (*IDENTITY, *IDENTITY_IF_GIVEN) if existing.get(k) != manifest.get(k)]
        if diffs:
            raise OutputMismatchError(_mismatch(self.out, existing, manifest, diffs))
        old, new = existing.get(CODE) or {}, manifest.get(CODE) or {}
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        if not changed:
            return existing
        detail = ", ".join(f"{k} {old.get(k, 'unknown')} there, {new.get(k)} now" for k in changed)
        if not force_resume and self.is_complete():
            raise OutputMismatchError(
                f"{self.out} holds finished results of other code ({detail}): use another "
                "--out to run this code, or delete that folder"
            )
        if not force_resume:
            raise OutputMismatchError(
                f"{self.out} was started by other code ({detail}): resuming would mix results "
                "of two models. Use another --out, or --force-resume to mix them anyway "
                "(recorded in the manifest)"
            )
        warnings.warn(f"resuming {self.out} with other code ({detail})", StoreWarning, stacklevel=3)
        forced = {"at": datetime.now(UTC).isoformat(timespec="seconds"), CODE: new}
        return existing | {"forced_resumes": [*existing.get("forced_resumes", []), forced]}

    def _chunk_files(self) -> list[Path]:
        return sorted(self.chunks.iterdir()) if self.chunks.is_dir() else []

    def _chunk_ranges(self) -> list[tuple[int, int]]:
        """Ranges of the chunks with a runs file; files sim did not write are reported."""
        ranges = []
        for path in self._chunk_files():
            parsed = chunks.parse(path)
            if parsed is not None:
                if parsed[0] == "runs":
                    ranges.append(parsed[1:])
            elif path not in self._strays and not is_temporary(path, _is_chunk):
                self._strays.add(path)
                warnings.warn(
                    f"{path} is not a file sim wrote: left alone", StoreWarning, stacklevel=3
                )
        return ranges

    def _clean_leftovers(self) -> None:
        """Delete temporary files of killed writes, lone time-series halves, stale chunks."""
        for folder, targets in ((self.out, OWN_FILES.__contains__), (self.chunks, _is_chunk)):
            if folder.is_dir():
                for path in folder.iterdir():
                    if is_temporary(path, targets):
                        path.unlink(missing_ok=True)
        if self.is_complete():
            self._remove_chunks()
            return
        for path in self._chunk_files():
            parsed = chunks.parse(path)
            lone = parsed and not (self.chunks / chunk_name("runs", *parsed[1:])).exists()
            if lone and parsed[0] == "ts":
                path.unlink(missing_ok=True)

    def _remove_chunks(self) -> None:
        """Delete the chunk files; `chunks/` goes too unless it holds files of someone else.

        Temporary chunk files are sim's too: a worker killed mid-write (a Dask worker on a
        shared path) leaves one, and once the tables are written nothing writes chunks.
        """
        for path in self._chunk_files():
            if chunks.parse(path) or is_temporary(path, _is_chunk):
                path.unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            left = self._chunk_files()
            if left:
                warnings.warn(
                    f"{self.chunks} kept: it holds files sim did not write ({left[0].name}"
                    f"{f' and {len(left) - 1} more' if len(left) > 1 else ''})",
                    StoreWarning,
                    stacklevel=3,
                )
            else:
                self.chunks.rmdir()


class Consolidation:
    """The tables of a run, written while its chunks land: each chunk in replicate order.

    On a pool or a cluster, chunks land while the workers run the next ones; appending
    each as soon as every chunk before it is in keeps most of the consolidation off the
    end of the run. `temps` are the tables' files (runs, then the time series if kept).
    """

    def __init__(self, folder: Path, ranges: list[tuple[int, int]], temps: list[Path]) -> None:
        self.folder = folder
        self.waiting = ranges  # in replicate order
        self.kinds = ("runs", "ts")[: len(temps)]
        self.temps = temps
        self.writers: list[pq.ParquetWriter | None] = [None] * len(temps)

    def append_landed(self) -> None:
        """Append each waiting chunk, in order, while the next one's commit mark is written."""
        while self.waiting and self._landed(self.waiting[0]):
            self._append(self.waiting.pop(0))

    def finish(self) -> None:
        """Append the chunks still waiting; each must have landed."""
        for chunk in self.waiting:
            if not self._landed(chunk):
                raise StoreError(
                    f"{self.folder / chunk_name('runs', *chunk)} was never written: run the "
                    "same command again to compute it"
                )
            self._append(chunk)
        self.waiting = []

    def close(self) -> None:
        """Close the tables' writers, each even if another fails (whole after `finish` only)."""
        writers, self.writers = self.writers, [None] * len(self.writers)
        with contextlib.ExitStack() as closing:
            for writer in writers:
                if writer is not None:
                    closing.callback(writer.close)

    def _landed(self, chunk: tuple[int, int]) -> bool:
        return (self.folder / chunk_name("runs", *chunk)).exists()

    def _append(self, chunk: tuple[int, int]) -> None:
        """Append one chunk's row groups to each table, one at a time."""
        for i, kind in enumerate(self.kinds):
            for part in _row_groups(self.folder, kind, chunk):
                if self.writers[i] is None:
                    options = encoding(part.schema, "zstd")
                    self.writers[i] = pq.ParquetWriter(self.temps[i], part.schema, **options)
                self.writers[i].write_table(part)
        pa.default_memory_pool().release_unused()  # what a chunk took, back before the next


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two chunks' ranges of runs share a run."""
    return a[0] <= b[1] and b[0] <= a[1]


def _row_groups(folder: Path, kind: str, chunk: tuple[int, int]) -> Iterator[pa.Table]:
    """The row groups of one half of a chunk; a damaged chunk is removed (both halves), and said."""
    file = folder / chunk_name(kind, *chunk)
    try:
        with pq.ParquetFile(file) as parts:
            for k in range(parts.num_row_groups):
                yield parts.read_row_group(k)
    except (OSError, ValueError) as exc:  # reading only: a write's error is not thrown in here
        for half in ("runs", "ts"):
            (folder / chunk_name(half, *chunk)).unlink(missing_ok=True)
        raise StoreError(
            f"{file} is damaged ({exc}); it was removed: run the same command again to recompute it"
        ) from exc


def encoding(schema: pa.Schema, compression: str) -> dict[str, Any]:
    """Parquet options: dictionaries for the label columns only, `compression` for all.

    Dictionary-encoding the float columns, Parquet's default, makes the time series
    larger and about ten times slower to read; chunks, written once and read once, take
    the faster lz4, the consolidated tables zstd.
    """
    labels = [field.name for field in schema if pa.types.is_dictionary(field.type)]
    return {"compression": compression, "use_dictionary": labels}


def _is_chunk(name: str) -> bool:
    return chunks.CHUNK_NAME.fullmatch(name) is not None


def _mismatch(out: Path, there: dict, now: dict, diffs: list[str]) -> str:
    """The difference in words, first; the hashes, if they differ, at the end."""
    name = there["scenario_name"]
    if "scenario_name" in diffs:
        lead = f"{out} holds results of {name}; you asked for {now['scenario_name']}"
    elif "replicates" in diffs:
        lead = (
            f"{out} holds {there['replicates']} replicates of {name}; "
            f"you asked for {now['replicates']}"
        )
    elif "seed" in diffs:
        lead = f"{out} holds {name} with seed {there['seed']}; you asked for seed {now['seed']}"
    elif "timeseries" in diffs:
        held, asked = ("with", "without") if there["timeseries"] else ("without", "with")
        lead = (
            f"{out} holds {name} {held} its time series; you asked for it {asked} "
            "(--keep-timeseries)"
        )
    elif "steps" in diffs:
        lead = f"{out} holds {there['steps']}-month runs of {name}; you asked for {now['steps']}"
    else:
        lead = (
            f"{out} holds {name} with other parameters (the scenario file, or a file it "
            "extends, changed since)"
        )
    rest = [k for k in diffs if k not in ("scenario_name", "resolved_sha256")]
    also = "; ".join(f"{k} {there.get(k)} there, {now.get(k)} now" for k in rest)
    hashes = (
        f" (resolved scenario sha256 {there['resolved_sha256'][:12]} there, "
        f"{now['resolved_sha256'][:12]} now)"
        if "resolved_sha256" in diffs
        else ""
    )
    return (
        f"{lead}: a different experiment{f' ({also})' if also else ''}. Use another --out, or "
        f"delete that folder to start again{hashes}"
    )
