"""Chunk files of a results directory: their names, their check, and what may be deleted.

A chunk of replicates a..b is two Parquet files in `chunks/`: `ts-a-b.parquet` (the time
series, written first) and `runs-a-b.parquet` (one row per replicate, written last as
the commit mark), numbers zero-padded to 7 digits. Only files with these exact names,
and the temporary files `sim.runs.output.write_atomic` makes, were written by sim;
anything else in the folder belongs to someone else and is never deleted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq

CHUNK_NAME = re.compile(r"(?P<kind>runs|ts)-(?P<first>\d{7})-(?P<last>\d{7})\.parquet")


def chunk_name(kind: str, first: int, last: int) -> str:
    """File name of one half (`runs` or `ts`) of the chunk holding replicates first..last."""
    return f"{kind}-{first:07d}-{last:07d}.parquet"


def parse(path: Path) -> tuple[str, int, int] | None:
    """(kind, first, last) of a chunk file's name; None for any other file."""
    match = CHUNK_NAME.fullmatch(path.name)
    if match is None:
        return None
    return match["kind"], int(match["first"]), int(match["last"])


def problem(folder: Path, first: int, last: int, *, timeseries: bool = True) -> str | None:
    """What is wrong with the chunk first..last (unreadable footer, wrong row count), or None.

    Reads only the Parquet footers: a file cut short by a kill or a full disk has none,
    and a runs file must hold one row per run of its name. Without a time series (a
    sweep's default), only the runs file is checked.
    """
    replicates = last - first + 1
    try:
        runs = pq.read_metadata(folder / chunk_name("runs", first, last)).num_rows
        series = (
            pq.read_metadata(folder / chunk_name("ts", first, last)).num_rows
            if timeseries
            else replicates
        )
    except (OSError, ValueError) as exc:  # pyarrow: ArrowInvalid is a ValueError
        return f"unreadable ({exc})"
    if runs != replicates:
        return f"{runs} rows in the runs file, expected {replicates}"
    if series == 0 or series % replicates:
        return f"{series} rows in the time series, not a positive multiple of {replicates}"
    return None
