"""The README's commands do what it says: the Python check before install, the DuckDB example."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def fenced(language: str) -> list[str]:
    """The README's code blocks in `language`, in order."""
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def install_check() -> str:
    """The first line of the README's commands: the check that runs before any install."""
    line = fenced("bash")[0].splitlines()[0]
    assert "install" not in line and "sys.version_info" in line, f"not a Python check: {line}"
    return line


def run_with_python3(command: str, python: str, folder: Path) -> subprocess.CompletedProcess:
    """Run a shell command with `python3` on the PATH being the interpreter `python`."""
    folder.mkdir()
    (folder / "python3").symlink_to(python)
    env = {"PATH": f"{folder}:/usr/bin:/bin"}
    return subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)


def real_python(command: str) -> str | None:
    """The interpreter that `command` (e.g. `python3.11`) starts, or None if there is none."""
    if shutil.which(command) is None:
        return None
    found = subprocess.run(
        [command, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True
    )
    return found.stdout.strip() if found.returncode == 0 else None


def test_the_install_check_passes_on_this_python(tmp_path):
    done = run_with_python3(install_check(), sys.executable, tmp_path / "bin")
    assert done.returncode == 0 and done.stderr == ""


def test_the_install_check_says_an_older_python_is_too_old(tmp_path):
    old = real_python("python3.11")
    if old is None:
        pytest.skip("no python3.11 on this machine to run the check under")
    done = run_with_python3(install_check(), old, tmp_path / "bin")
    assert done.returncode == 1
    assert done.stderr.strip() == "sim needs Python 3.12 or newer; python3 is 3.11"


def test_the_duckdb_example_runs_in_python_on_a_results_folder(tmp_path):
    assert "duckdb -c" not in README  # DuckDB's pip package installs no `duckdb` command
    example = next((code for code in fenced("python") if "import duckdb" in code), None)
    assert example is not None, "the README shows no DuckDB example in Python"
    runs = tmp_path / re.search(r"'(results/[^']+/runs\.parquet)'", example).group(1)
    scenario = str(ROOT / "scenarios" / "baseline.yaml")
    small = ["-n", "4", "--steps", "6", "--out", str(runs.parent), "--no-plots", "--quiet"]
    assert main(["run", scenario, *small]) == 0
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    median = pd.read_parquet(runs)["isisk_final"].median()
    assert median in [float(n) for n in re.findall(r"\d+(?:\.\d+)?", done.stdout)], done.stdout
