"""Draw an ensemble's figures in two helper processes started before its replicates run.

Importing matplotlib and pandas and drawing the figures cost more than a small ensemble
does. The helpers import while the replicates run, then each draws its share of the
figures as soon as the results are written, so a run waits only for the larger share.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import signal
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from sim.plots import FIGURES

if TYPE_CHECKING:  # matplotlib and pandas load in the helpers only
    from sim.plots.style import Styles

SHARES = (("outcomes",), ("strength", "events"))  # about equal drawing times
FINISH_SECONDS = 60  # how long a helper may take to finish a figure after an error elsewhere


class Plotter:
    """Helper processes that each draw one share of `write_plots`' figures, once.

    Use it as a context manager around the ensemble: the helpers start on entry and are
    stopped on exit, also when the ensemble fails or is interrupted.
    """

    def __init__(self) -> None:
        self._helpers: list[tuple[multiprocessing.Process, Connection]] = []
        self._drawing = False  # once True, helpers may be writing files: let them finish

    def __enter__(self) -> Plotter:
        context = multiprocessing.get_context("spawn")  # imports nothing of the parent's
        for share in SHARES:
            ours, theirs = context.Pipe()
            helper = context.Process(target=_serve, args=(theirs, share), daemon=True)
            helper.start()
            theirs.close()
            self._helpers.append((helper, ours))
        return self

    def draw(self, out: Path, steps: int, start: str, styles: Styles | None) -> list[Path]:
        """Have every helper draw its share of the figures of `out`; the files, in order.

        An error in a helper is raised here, as the error it raised there.
        """
        self._drawing = True
        for _, connection in self._helpers:
            connection.send((Path(out), steps, start, styles))
        written: list[Path] = []
        for share, (_, connection) in zip(SHARES, self._helpers, strict=True):
            try:
                status, result = connection.recv()
            except EOFError:
                raise RuntimeError(f"the process drawing {', '.join(share)} died") from None
            if status == "error":
                raise result
            written += result
        return sorted(written, key=lambda path: FIGURES.index(path.stem))  # formats keep order

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for helper, connection in self._helpers:
            connection.close()  # a waiting helper sees the end of its pipe and returns
            helper.join(timeout=FINISH_SECONDS if self._drawing else 0)
            if helper.is_alive():  # still importing, or hung
                helper.kill()
                helper.join()


def _serve(connection: Connection, share: tuple[str, ...]) -> None:
    """Helper process: import the plotting code, wait for one ensemble, draw `share` of it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    from sim.plots.files import write_plots

    warm_up()
    try:
        out, steps, start, styles = connection.recv()
    except EOFError:  # the ensemble failed or was interrupted: nothing to draw
        return
    try:
        reply = ("ok", write_plots(out, steps, start, styles, names=share))
    except Exception as error:  # raised again in the parent
        reply = ("error", _picklable(error))
    with contextlib.suppress(BrokenPipeError):  # the parent stopped on another helper's error
        connection.send(reply)
    gc.freeze()  # as `sim.cli.console`: the parent waits for this exit, so skip the last collection


def _picklable(error: Exception) -> Exception:
    """The error itself if it can cross the pipe, else a RuntimeError that tells it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # any error that does not survive pickling
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def warm_up() -> None:
    """Draw a small figure in memory, so fonts and renderers are loaded before the real ones."""
    import io

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2), layout="constrained")
    ax.set_title("warm-up")
    ax.plot([0, 1], [0, 1])
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)
    plt.close(fig)
