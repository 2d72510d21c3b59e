"""Folders inside a results folder: made when missing, never written through a link.

`sim` writes only inside `--out`; a symbolic link inside it (a `plots/` or
`sensitivity/` pointing elsewhere) would carry the writes outside, so it is refused.
This module imports nothing heavy: the plotting helpers use it too.
"""

from __future__ import annotations

from pathlib import Path


class FolderError(Exception):
    """A folder inside a results folder cannot be written into; the message says why."""


def own_folder(folder: Path) -> Path:
    """`folder`, made if missing; refused if it is a symbolic link or not a folder."""
    folder = Path(folder)
    if folder.is_symlink():
        raise FolderError(
            f"{folder} is a symbolic link: sim never writes through a link inside a results "
            "folder; remove the link or choose another --out"
        )
    if folder.exists() and not folder.is_dir():
        raise FolderError(f"{folder} is not a folder: remove it or choose another --out")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
