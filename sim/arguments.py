"""Argument types of the `sim` command: each refuses, with the reason, a value it cannot use.

argparse turns the `ArgumentTypeError` into `sim run: error: argument -n/--replicates:
...` and exit status 2, before anything runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

# Seeds are stored as int64 in runs.parquet; SeedSequence itself takes any integer >= 0.
SEED_MAX = 2**63 - 1
PORT_MAX = 65_535  # TCP ports are 16-bit; 0 would be any free port, which no one could find
BAND_MAX = 10_000  # replicates the viz page reruns on every move of a lever: minutes, at most


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def at_least_one(what: str) -> Callable[[str], int]:
    """An argument type accepting whole numbers >= 1; `what` names the thing counted."""

    def parse(text: str) -> int:
        value = _integer(text)
        if value < 1:
            raise argparse.ArgumentTypeError(f"needs at least 1 {what}, got {value}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


def _between(text: str, low: int, high: int, expected: str) -> int:
    """A whole number from `low` to `high`; else an error saying what was `expected`."""
    value = _integer(text)
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{expected}, got {value}")
    return value


def seed(text: str) -> int:
    """A scenario seed: a whole number from 0 to 2**63-1."""
    return _between(text, 0, SEED_MAX, f"seeds run from 0 to 2**63-1 ({SEED_MAX})")


def port(text: str) -> int:
    """A TCP port to listen on: a whole number from 1 to 65535."""
    return _between(text, 1, PORT_MAX, f"ports run from 1 to {PORT_MAX}")


def band(text: str) -> int:
    """Replicates of the viz page's ensemble band: 0 (none) to BAND_MAX."""
    return _between(text, 0, BAND_MAX, f"expected 0 (no band) to {BAND_MAX:,}")


def out_folder(text: str) -> Path:
    """A results folder: not empty (that would be the current folder), and UTF-8.

    A file name with a byte that is not UTF-8 cannot be stored in the manifest or given
    to pyarrow, so it is refused before anything is written.
    """
    if not text:
        raise argparse.ArgumentTypeError("expected a folder, got '' (the current folder)")
    try:
        text.encode()
    except UnicodeEncodeError:
        shown = text.encode(errors="surrogateescape").decode(errors="backslashreplace")
        raise argparse.ArgumentTypeError(
            f"{shown!r} holds a byte that is not UTF-8; give a folder name in UTF-8"
        ) from None
    return Path(text)


replicates = at_least_one("replicate")
steps = at_least_one("month")
workers = at_least_one("worker")
chunk_size = at_least_one("replicate per chunk")
resamples = at_least_one("resample")
