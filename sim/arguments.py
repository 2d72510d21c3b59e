"""Argument types of the `sim` command: each refuses, with the reason, a value it cannot use.

argparse turns the `ArgumentTypeError` into `sim run: error: argument -n/--replicates:
...` and exit status 2, before anything runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

# Seeds are stored as int64 in runs.parquet; SeedSequence itself takes any integer >= 0.
SEED_MAX = 2**63 - 1


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


def seed(text: str) -> int:
    """A scenario seed: a whole number from 0 to 2**63-1."""
    value = _integer(text)
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"seeds run from 0 to 2**63-1 ({SEED_MAX}), got {value}")
    return value


replicates = at_least_one("replicate")
steps = at_least_one("month")
workers = at_least_one("worker")
chunk_size = at_least_one("replicate per chunk")
