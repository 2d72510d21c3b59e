"""Pool workers die with the `sim` process that started them, even when it is killed by -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sim.runs.lifeline import alive

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def test_workers_end_when_the_parent_is_killed(tmp_path):
    out = tmp_path / "orphans"
    command = [sys.executable, "-m", "sim.cli", "run", str(BASELINE), "-n", "3000", "-w", "2",
               "--chunk-size", "5", "--out", str(out), "--no-plots", "--quiet"]  # fmt: skip
    parent = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not list(out.glob("chunks/runs-*.parquet")):
        time.sleep(0.05)
    below = descendants(parent.pid)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert len(below) >= 3, "forkserver and two workers must be running before the kill"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in below):
        time.sleep(0.1)
    survivors = [p for p in below if alive(p)]
    for pid in survivors:  # do not leave them running whatever the outcome
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
    chunks = len(list(out.glob("chunks/runs-*.parquet")))
    time.sleep(1)
    assert len(list(out.glob("chunks/runs-*.parquet"))) == chunks, "no chunk after the end"
