"""Every script in experiments/ imports and answers `--help`: a broken import fails here first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(
    path
    for path in [*ROOT.glob("experiments/*.py"), *ROOT.glob("experiments/benchmarks/*.py")]
    if "__main__" in path.read_text()
)

# One interpreter runs every script's --help (imports are shared, so it takes seconds)
# and exits with 1 after naming, on stderr, the scripts that did not exit with 0.
CHECK = """
import runpy, sys
failed = []
for script in sys.argv[1:]:
    sys.argv = [script, "--help"]
    sys.path[0] = script.rsplit("/", 1)[0]  # as `python script` sees its own folder
    try:
        runpy.run_path(script, run_name="__main__")
        failed.append(f"{script}: did not exit after --help")
    except SystemExit as stop:
        if stop.code not in (0, None):
            failed.append(f"{script}: exit {stop.code}")
    except Exception as error:
        failed.append(f"{script}: {type(error).__name__}: {error}")
sys.stderr.write("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_there_are_scripts_to_check():
    assert len(SCRIPTS) >= 10


def test_every_experiment_script_answers_help():
    run = subprocess.run(
        [sys.executable, "-c", CHECK, *map(str, SCRIPTS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
