"""Write a figure to files, one per format, atomically."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sim.runs.folders import own_folder


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
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        fig.savefig(temporary, format=fmt, dpi=150)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
