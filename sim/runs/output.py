"""The one way sim writes a file: inside --out, never through a link, whole or not at all.

`sim` writes only inside `--out` (and, for `sim report --out` or `sim calibrate
--install`, the files named on its command line). A symbolic link inside a results
folder (a `plots/`, a `chunks/`, a manifest, a chunk file, the lock) would carry a
write, a deletion or a read elsewhere, so it is refused, never followed or replaced.
A file is written under a temporary name beside its target and renamed into place, so
a reader never sees half of it; on any error, disk full included, the temporary file
is removed. tests/test_writes.py checks that no other module of the package writes.
This module imports nothing heavy: the figures are saved through it too.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

# `.<target>.<8 random characters>.tmp`, in the folder of <target>; what `temp_path` makes
TEMP_NAME = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp")


class OutputError(Exception):
    """A results folder, or a file in it, cannot be written as asked; the message says why."""


def results_folder(out: Path) -> Path:
    """`--out`, made if missing and checked writable; it may itself be a link the user chose."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder: choose another --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create --out {out}: {exc.strerror}") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write into --out {out}: {os.strerror(errno.EACCES)}")
    return out


def own_folder(folder: Path) -> Path:
    """A folder inside a results folder, made if missing; refused if a link or not a folder."""
    folder = Path(folder)
    refuse_links([folder])
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is not a folder: remove it or choose another --out")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def refuse_links(paths: Iterable[Path]) -> None:
    """Raise `OutputError` naming the first of `paths` that is a symbolic link."""
    links = [Path(path) for path in paths if Path(path).is_symlink()]
    if links:
        more = f" (and {len(links) - 1} more)" if len(links) > 1 else ""
        raise OutputError(
            f"{links[0]} is a symbolic link{more}: sim never follows a link inside a results "
            "folder, so as not to write, delete or read files elsewhere. Remove the link, or "
            "choose another --out"
        )


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call `write(tmp_path)` then rename into place; a link at `path` is refused.

    The file is created with mode 0666 less the umask (as `open` does).
    """
    with files_in_place([path]) as (tmp,):
        write(tmp)


@contextlib.contextmanager
def files_in_place(paths: list[Path]) -> Iterator[list[Path]]:
    """Temporary files beside `paths`, renamed into place when the block ends without error.

    For files written over a while (the tables taking a run's chunks as they land); on
    an error the temporary files are deleted. Links at `paths` are refused; the files
    are created with mode 0666 less the umask (as `open` does).
    """
    paths = [Path(path) for path in paths]
    refuse_links(paths)
    temps: list[Path] = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            temps.append(temp_path(path))
            os.close(os.open(temps[-1], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        yield temps
        for tmp, path in zip(temps, paths, strict=True):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Text (UTF-8) written whole or not at all."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_csv(path: Path, table: Any, **options: Any) -> None:
    """A pandas table as CSV without its index (`options` go to `to_csv`), whole or not at all."""
    write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, **options))


def write_npz(path: Path, **arrays: Any) -> None:
    """Numpy arrays as one .npz file, whole or not at all."""
    import numpy as np

    def save(tmp: Path) -> None:
        with tmp.open("wb") as file:
            np.savez(file, **arrays)

    write_atomic(path, save)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """JSON, indented, written whole or not at all."""
    write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def open_lock(path: Path) -> int:
    """A read-write descriptor of the lock file `path`, created if missing; a link is refused."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        refuse_links([path])
        raise


def temp_path(path: Path) -> Path:
    """A fresh temporary name beside `path`, matching TEMP_NAME."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def is_temporary(path: Path, targets: Callable[[str], bool]) -> bool:
    """True for a temporary file `write_atomic` left behind for a target `targets` accepts."""
    match = TEMP_NAME.fullmatch(path.name)
    return bool(match) and targets(match["target"])


def replace_section(doc: Path, name: str, text: str) -> None:
    """Put `text` between the lines `<!-- name: start -->` and `<!-- name: end -->` of `doc`.

    For the generated parts of a hand-written document (a table of results); the rest of
    it is kept as it is. Raises ValueError naming the document when a marker is missing.
    """
    content = doc.read_text()
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    if start not in content or end not in content:
        raise ValueError(f"{doc}: expected the markers {start} and {end}")
    before, after = content[: content.index(start) + len(start)], content[content.index(end) :]
    write_atomic(doc, lambda tmp: tmp.write_text(before + "\n" + text + after))
