"""Write a figure to files, one per format, atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sim.runs.output import own_folder, write_atomic


def save_figure(
    fig: Figure,
    path_without_suffix: str | os.PathLike[str],
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Save a figure once per format (dpi 150) atomically, then close it.

    The first format's draw lays the figure out; the layout is then frozen, so every
    format costs one draw. Each file is written to a temporary file in the same
    directory and renamed, so a reader never sees half a figure.
    """
    base = Path(path_without_suffix)
    own_folder(base.parent)
    written = []
    try:
        for fmt in formats:
            written.append(_save_atomically(fig, base.with_name(f"{base.name}.{fmt}"), fmt))
            fig.set_layout_engine("none")  # laid out by the first draw: frozen for the rest
        return written
    finally:
        plt.close(fig)


def _save_atomically(fig: Figure, path: Path, fmt: str) -> Path:
    write_atomic(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=150))
    return path
