"""The results folder of a calibration: one fit per folder, written by one process at a time.

`claim(plan, out)` holds the folder's lock (the results store's `.lock`) and refuses a
folder that holds something else: results of another kind (a run, a sweep), files but
no manifest, or a calibration of another fit. What defines the fit (seed, priors,
targets, ABC settings, the scenario it runs) is hashed into the manifest before the
first simulation, so a resume continues only the same fit. The generation count may
be raised (the fit goes on exactly as if never stopped) but not lowered: the stored
history would already be further on than asked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.analysis.targets import check_targets
from sim.inputs.calibration import CalibrationPlan
from sim.inputs.problems import ScenarioError, quote
from sim.inputs.reading import read_bytes
from sim.runs.output import refuse_links, write_json
from sim.runs.store import LOCK, OutputMismatchError, ResultStore

KIND = "calibration"
MANIFEST = "manifest.json"
OBSERVATION_POSTERIOR = "observation_posterior.csv"  # fitted observation parameters, per draw
REFERENCE = "reference"  # rejection's reference table, in chunks
OWN_FILES = (
    MANIFEST,
    "abc.db",
    REFERENCE,
    "posterior.csv",
    OBSERVATION_POSTERIOR,
    "posterior_summary.csv",
    "generations.csv",
    "calibrated.yaml",
    "predictive.csv",
)  # what a calibration writes into its folder (its figures go under plots/)


def fit_sha256(plan: CalibrationPlan) -> str:
    """SHA-256 of what decides the fit's draws.

    Not the generation count (it only stops ABC-SMC), nor rejection's table size and
    acceptance (a row is the same in any table; the kept rows are chosen anew each run).
    """
    calibration = plan.calibration
    fit = {
        "seed": calibration.seed,
        "priors": [[p.key, p.low, p.high, p.integer] for p in plan.priors],
        "targets": [t.model_dump(exclude={"source", "note"}) for t in calibration.targets],
        "scenario": plan.short_scenario.model_dump(mode="json"),
    }
    if calibration.abc is not None:
        fit["abc"] = calibration.abc.model_dump(exclude={"generations"})
    else:
        fit["method"] = "rejection"
    return hashlib.sha256(json.dumps(fit, sort_keys=True).encode()).hexdigest()


def fit_identity(plan: CalibrationPlan) -> dict[str, Any]:
    """The manifest fields a resume is checked against."""
    return {
        "kind": KIND,
        "fit_sha256": fit_sha256(plan),
        "generations_asked": _generations_asked(plan),
        "calibration_file": str(plan.file),
        "scenario_file": str(plan.scenario_file),
    }


@contextmanager
def claim(plan: CalibrationPlan, out: Path, *, install: bool = False) -> Iterator[None]:
    """Hold `out` for this calibration while the block runs; raise if it cannot run there.

    Before the folder is touched: the targets must be ones the record gives
    (`ScenarioError`) and, with `install`, the calibration file must name the files
    to install to. The lock is taken before the folder is checked, so two calibrations
    into one folder never both pass the check; the second is refused at once
    (`OutputBusyError`).
    """
    check_targets(plan)
    if install:
        plan.install_files()
    with ResultStore(out).lock():
        _check(plan, out)
        write_json(out / MANIFEST, fit_identity(plan))
        yield


def _check(plan: CalibrationPlan, out: Path) -> None:
    """Refuse a folder holding anything but this fit, or in which a write would hit an input."""
    written = [out / name for name in OWN_FILES]
    refuse_links(written)
    hit = [p for p in written if p.resolve() in plan.inputs]
    if hit:
        raise OutputMismatchError(
            f"--out {out}: writing {hit[0].name} there would overwrite an input of the "
            "calibration: choose another --out"
        )
    if not (out / MANIFEST).exists():
        found = sorted(p.name for p in out.iterdir() if p.name != LOCK)
        if found:
            listed = ", ".join(quote(name) for name in found[:3]) + (", ..." if found[3:] else "")
            raise OutputMismatchError(
                f"{out} holds files ({listed}) but no calibration manifest: choose a new or "
                "empty --out"
            )
        return
    there = _manifest(out / MANIFEST)
    if there.get("kind") != KIND:
        what = quote(there["kind"]) if "kind" in there else "a run or an older calibration"
        raise OutputMismatchError(
            f"{out} holds results of another kind ({what}); a calibration would replace its "
            "manifest: choose another --out"
        )
    if there.get("fit_sha256") != fit_sha256(plan):
        raise OutputMismatchError(
            f"{out} holds a calibration of another fit (the seed, priors, targets, method's "
            "settings or scenario changed since it started): resuming would continue the old "
            "history. Use another --out, or delete that folder to start again"
        )
    asked, now = there.get("generations_asked"), _generations_asked(plan)
    if isinstance(asked, int) and now is not None and now < asked:
        raise OutputMismatchError(
            f"{out} holds a calibration asked for {asked} generations; you asked for "
            f"{now}. Generations may be raised to continue a fit, not lowered: use another --out"
        )


def _generations_asked(plan: CalibrationPlan) -> int | None:
    """ABC-SMC's generation count; None for rejection, which has one."""
    abc = plan.calibration.abc
    return None if abc is None else abc.generations


def _manifest(path: Path) -> dict[str, Any]:
    """The folder's manifest, as a mapping; a damaged one is refused."""
    try:
        manifest = json.loads(read_bytes(path))
    except ScenarioError as exc:
        raise OutputMismatchError(f"{path}: {exc.problems[0].message}") from None
    except ValueError as exc:
        raise OutputMismatchError(
            f"{path} is damaged ({exc}), so what the folder holds cannot be checked: use another "
            "--out, or delete that folder to start again"
        ) from None
    if not isinstance(manifest, dict):
        raise OutputMismatchError(f"{path} is not a manifest of sim: use another --out")
    return manifest
