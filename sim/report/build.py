"""Build a results folder's report and write it: into the folder, or to a file named by the user."""

from __future__ import annotations

from pathlib import Path

from sim.report.kinds import KINDS
from sim.report.page import page
from sim.report.parts import manifest_sections, read_manifest
from sim.runs.output import write_text

REPORT = "report.html"  # the report's name inside the results folder


class ReportError(Exception):
    """A folder cannot be reported on, or the report cannot be written there; says why."""


def build_report(folder: Path) -> str:
    """The report of a results folder: the sections of every kind it is, then its scenario."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a folder")
    manifest = read_manifest(folder)
    sections = [part for kind in KINDS for part in kind(folder, manifest)]
    if not sections:
        raise ReportError(
            f"{folder} holds no results sim knows: expected the folder of sim run, compare, "
            "experiment, sensitivity, discover or calibrate"
        )
    sections += manifest_sections(manifest)
    title = manifest.get("scenario_name") or manifest.get("name") or folder.resolve().name
    return page(f"Results: {title}", sections)


def write_report(folder: Path, out: Path | None = None) -> Path:
    """Write the report to `out`, by default `report.html` inside `folder`; return the path.

    The default file is refused when it is a symbolic link: sim never writes through a
    link inside a results folder.
    """
    path = Path(out) if out is not None else Path(folder) / REPORT
    if out is None and path.is_symlink():
        raise ReportError(
            f"{path} is a symbolic link: sim never writes through a link inside a results "
            "folder; remove the link or give --out FILE"
        )
    report = build_report(folder)
    write_text(path, report)
    return path
