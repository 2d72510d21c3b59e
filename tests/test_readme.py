"""The README's commands do what it says: pip upgraded before the install, the DuckDB example."""

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


def commands() -> list[str]:
    """The README's two opening commands (the first code block)."""
    return fenced("bash")[0].strip().splitlines()


def install_part(command: str) -> str:
    """A command up to and including its install of the package (what runs before `sim`)."""
    return command[: command.index(" && .venv/bin/", command.index("install -e"))]


def real_python(command: str) -> str | None:
    """The interpreter that `command` (e.g. `python3.11`) starts, or None if there is none."""
    if shutil.which(command) is None:
        return None
    found = subprocess.run(
        [command, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True
    )
    return found.stdout.strip() if found.returncode == 0 else None


def test_the_readme_opens_with_two_commands_that_upgrade_pip_before_installing():
    opening = commands()
    assert len(opening) == 2
    for command in opening:
        steps = command.split(" && ")
        upgrade = next(i for i, s in enumerate(steps) if "pip install" in s and " -U pip" in s)
        install = next(i for i, s in enumerate(steps) if "pip install -e" in s)
        assert upgrade < install, command


@pytest.mark.slow
def test_on_python_3_11_the_install_says_which_python_is_needed(tmp_path):
    old = real_python("python3.11")
    assert old is not None, "python3.11 is needed for this check"
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copy(ROOT / "README.md", tmp_path)
    (tmp_path / "sim").mkdir()
    (tmp_path / "sim" / "__init__.py").touch()
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python3").symlink_to(old)
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", "-c", install_part(commands()[0])],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "requires a different Python" in done.stderr, done.stderr[-2000:]


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
