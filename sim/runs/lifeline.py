"""Pool workers end when the process that started the ensemble dies, even by `kill -9`.

A worker's parent is the forkserver, not the `sim` process, and a killed `sim` process
closes nothing the worker waits on; left alone, workers would finish their queued
chunks, writing into a folder whose lock is released, and then wait for ever. So each
worker runs a daemon thread that polls the starting process and exits when it is gone,
and on Linux also asks the kernel to kill it if the forkserver dies.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from pathlib import Path

POLL_SECONDS = 0.2
ORPHANED = 70  # exit status of a worker whose starting process died
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def watch_parent(pid: int) -> None:
    """Pool initializer: exit this worker soon after process `pid` ends."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    threading.Thread(target=_watch, args=(pid,), name="sim-lifeline", daemon=True).start()


def alive(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _watch(pid: int) -> None:
    while alive(pid):
        time.sleep(POLL_SECONDS)
    os._exit(ORPHANED)
