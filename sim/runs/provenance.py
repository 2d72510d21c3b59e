"""What code made a result: sim's version and source hash, and the packages results depend on.

Two runs give the same numbers for the same scenario and seed only if this is the same,
so a results directory refuses to be resumed by other code (see `sim.runs.store`).
"""

from __future__ import annotations

import hashlib
import platform
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the `sim` folder

# packages whose version can change a replicate's numbers (numba compiles the draws)
RESULT_PACKAGES = ("numpy", "numba")
# every package worth recording in a manifest, for the reader's information
PACKAGES = ("sim", "mesa", "numpy", "numba", "pandas", "pyarrow", "pydantic", "matplotlib", "scipy")


@cache
def source_sha256(package_dir: Path = PACKAGE) -> str:
    """SHA-256 over the relative path and bytes of every `*.py` file of the package."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_identity() -> dict[str, str]:
    """The version and source hash of sim, the versions of Python and RESULT_PACKAGES."""
    return {
        "sim": metadata.version("sim"),
        "sim_source_sha256": source_sha256(),
        "python": platform.python_version(),
    } | {name: metadata.version(name) for name in RESULT_PACKAGES}


def versions() -> dict[str, str]:
    """Versions of Python and of every package in PACKAGES."""
    return {"python": platform.python_version()} | {p: metadata.version(p) for p in PACKAGES}
