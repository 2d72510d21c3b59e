"""The kinds of executor and this machine's CPUs: light, so `sim --help` reads them at once.

The command line offers the kinds as choices and caps `--workers` at the CPUs without
loading the engine; the executors read the same two names from here.
"""

from __future__ import annotations

import os

KINDS = ("local", "dask")  # this machine's process pool; a Dask cluster


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
