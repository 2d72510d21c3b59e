"""A results directory: manifest, chunk files written atomically, resumable, then consolidated.

Layout of `--out`:
    manifest.json        resolved scenario, hashes, seeds, versions, times, agent counts
    runs.parquet         one row per replicate
    timeseries.parquet   one row per (replicate, step, actor)
    chunks/              work in progress (removed once the two tables are written)
    plots/               figures
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

IDENTITY = ("scenario_name", "resolved_sha256", "seed", "steps", "replicates", "posterior_sha256")


class OutputMismatchError(ValueError):
    """An existing results directory holds a different experiment; nothing is mixed."""


def write_atomic(path: Path, write: Any) -> None:
    """Call `write(tmp_path)` then rename into place, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(path: Path, data: dict) -> None:
    """Write JSON atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str) + "\n"))


class ResultStore:
    """One results directory; `open` refuses a directory holding another experiment."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.chunks = self.out / "chunks"
        self.manifest_path = self.out / "manifest.json"

    def open(self, manifest: dict) -> dict:
        """Create the directory or check it holds the same experiment; return the manifest."""
        if self.manifest_path.exists():
            existing = json.loads(self.manifest_path.read_text())
            diffs = [k for k in IDENTITY if existing.get(k) != manifest.get(k)]
            if diffs:
                detail = "; ".join(
                    f"{k}: {existing.get(k)!r} there, {manifest.get(k)!r} now" for k in diffs
                )
                raise OutputMismatchError(
                    f"{self.out} holds results of a different experiment ({detail}). "
                    "Choose another --out, or delete that directory to start again."
                )
            manifest = existing | {k: v for k, v in manifest.items() if k == "versions"}
        self.out.mkdir(parents=True, exist_ok=True)
        if not self.is_complete():
            self.chunks.mkdir(exist_ok=True)
        write_json(self.manifest_path, manifest)
        return manifest

    def update_manifest(self, **fields: Any) -> None:
        """Add or replace fields of the manifest."""
        manifest = json.loads(self.manifest_path.read_text())
        write_json(self.manifest_path, manifest | fields)

    def is_complete(self) -> bool:
        """True once the consolidated tables have been written."""
        return (self.out / "runs.parquet").exists() and (self.out / "timeseries.parquet").exists()

    def done(self) -> set[int]:
        """Replicates whose chunk has been written in full."""
        finished: set[int] = set()
        for first, last in self._chunk_ranges():
            finished.update(range(first, last + 1))
        return finished

    def write_chunk(self, runs: pa.Table, timeseries: pa.Table) -> None:
        """Write one chunk: the time series first, the runs file last as the commit mark."""
        replicates = runs.column("replicate").to_pylist()
        name = f"{min(replicates):07d}-{max(replicates):07d}.parquet"
        write_atomic(self.chunks / f"ts-{name}", lambda tmp: pq.write_table(timeseries, tmp))
        write_atomic(self.chunks / f"runs-{name}", lambda tmp: pq.write_table(runs, tmp))

    def consolidate(self) -> None:
        """Stream the chunks, in replicate order, into runs.parquet and timeseries.parquet."""
        ranges = sorted(self._chunk_ranges())
        for kind, target in (("runs", "runs.parquet"), ("ts", "timeseries.parquet")):
            files = [self.chunks / f"{kind}-{a:07d}-{b:07d}.parquet" for a, b in ranges]
            write_atomic(self.out / target, lambda tmp, files=files: _concatenate(files, tmp))
        shutil.rmtree(self.chunks)

    def _chunk_ranges(self) -> Iterator[tuple[int, int]]:
        if not self.chunks.exists():
            return
        for path in self.chunks.glob("runs-*.parquet"):
            first, last = path.stem.removeprefix("runs-").split("-")
            yield int(first), int(last)


def _concatenate(files: list[Path], target: Path) -> None:
    """Append the row groups of `files` to one Parquet file without loading them all."""
    writer = None
    try:
        for file in files:
            table = pq.read_table(file)
            if writer is None:
                writer = pq.ParquetWriter(target, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
