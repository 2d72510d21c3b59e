"""sim writes only inside `--out`, and only through `sim.runs.output`.

Two checks. The source of the package is scanned for every call that creates or
changes a file (`write_text`, `open(..., "w")`, `savefig`, `to_csv`, `mkdir`, ...):
outside `sim.runs.output` such a call may only fill the temporary file that
`write_atomic` hands to it, or be in the allow-list below with its reason. Then every
command that writes is run with `--out` in a temporary folder, and nothing outside that
folder (the rest of the temporary tree, the working folder, the repository's
scenarios/, data/ and results/) may be created, changed or removed.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SCENARIO_DIR
from small_files import calibration_file, search_file, sobol_file

from sim.cli import main

PACKAGE = ROOT / "sim"
THE_WRITER = PACKAGE / "runs" / "output.py"
THE_WRITER_MODULE = "sim.runs.output"

# method or function names whose call creates or changes a file, whatever their receiver
WRITING = {
    "write_text", "write_bytes", "touch", "mkdir", "makedirs", "symlink_to", "hardlink_to",
    "savefig", "to_csv", "to_parquet", "to_json", "to_feather", "to_excel", "to_hdf",
    "write_table", "write_to_dataset", "ParquetWriter", "save", "savez", "savetxt",
    "ftruncate", "pwrite", "truncate",
}  # fmt: skip
# functions of these modules that create or change a file
MODULE_WRITING = {
    "os": {"replace", "rename", "link", "symlink", "write"},
    "shutil": {"copy", "copy2", "copyfile", "copytree", "move"},
    "json": {"dump"},
    "yaml": {"dump", "safe_dump"},  # with a stream: without, they return text
}
WRITE_FLAGS = {"O_CREAT", "O_WRONLY", "O_RDWR", "O_APPEND", "O_TRUNC"}

# (file, function, call): why it may write outside `sim.runs.output`
ALLOWED = {
    ("runs/store.py", "Consolidation._append", "ParquetWriter"): (
        "streams the chunks into the temporary file `output.files_in_place` hands to it"
    ),
    ("runs/store.py", "Consolidation._append", "write_table"): (
        "the same ParquetWriter, one chunk at a time"
    ),
    ("runs/store.py", "ResultStore.lock", "ftruncate"): (
        "the holder's PID, into the lock file `output.open_lock` opened (a link refused)"
    ),
    ("runs/store.py", "ResultStore.lock", "pwrite"): "the same PID",
    ("runs/dask_cluster.py", "DaskExecutor._check_shared", "touch"): (
        "an empty probe inside --out, removed at once, to see that the workers share the path"
    ),
    ("inputs/pars/generate.py", "generate", "write_text"): (
        "regenerates the repository's documentation and commented baseline from the "
        "parameter declarations (`python -m sim.inputs.pars.generate`): never a results folder"
    ),
    ("inputs/pars/generate.py", "generate", "mkdir"): "the folders of those same files",
    ("plots/background.py", "warm_up", "savefig"): (
        "draws a throw-away figure into memory (io.BytesIO) to load the renderers early"
    ),
}


def _name(call: ast.Call) -> tuple[str | None, str]:
    """(module or receiver name, called name) of a call: ("os", "replace"), (None, "open")."""
    func = call.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, ""


def _mode(call: ast.Call, owner: str | None) -> str:
    """The mode of `open(path, mode)`, `os.fdopen(fd, mode)` or `path.open(mode)`; "r" if none."""
    at = 1 if owner in (None, "os") else 0
    node = call.args[at] if len(call.args) > at else None
    node = next((k.value for k in call.keywords if k.arg == "mode"), node)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "r"


def is_write(call: ast.Call) -> bool:
    """True if the call creates or changes a file."""
    owner, name = _name(call)
    if owner == "os" and name == "open":
        flags = {n.attr for n in ast.walk(call) if isinstance(n, ast.Attribute)}
        return bool(flags & WRITE_FLAGS)
    if name in ("open", "fdopen"):
        return bool(set(_mode(call, owner)) & set("wax+"))
    if owner in MODULE_WRITING:
        stream = len(call.args) > 1 or any(k.arg == "stream" for k in call.keywords)
        return name in MODULE_WRITING[owner] and (owner != "yaml" or stream)
    return name in WRITING


def _calls(call: ast.Call, names: set[str]) -> bool:
    """True if `call` calls one of `names` by its bare name (not a method of that name)."""
    return isinstance(call.func, ast.Name) and call.func.id in names


def _fills_the_temporary(call: ast.Call, lambdas: dict[ast.AST, str]) -> bool:
    """True if `call` sits in a function handed to `write_atomic` and writes its argument."""
    for function, parameter in lambdas.items():
        if any(node is call for node in ast.walk(function)):
            names = {n.id for n in ast.walk(call) if isinstance(n, ast.Name)}
            return parameter in names
    return False


def writes_outside_the_writer(source: str, relative: str) -> list[str]:
    """`function: call (line n)` for each write in the module that is neither allowed nor atomic.

    `relative` is the module's path inside the package, as the allow-list names it.
    """
    tree = ast.parse(source)
    writers = {  # the writing functions of `sim.runs.output`, called by name
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == THE_WRITER_MODULE
        for alias in node.names
    }
    lambdas = {}  # the functions handed to write_atomic, with the name of their parameter
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node)[1] == "write_atomic":
            for arg in node.args[1:]:
                if isinstance(arg, ast.Lambda) and arg.args.args:
                    lambdas[arg] = arg.args.args[0].arg
    found = []

    def visit(node: ast.AST, where: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [*where, child.name]
            if isinstance(child, ast.Call) and is_write(child) and not _calls(child, writers):
                function, call = ".".join(where) or "<module>", _name(child)[1]
                atomic = _fills_the_temporary(child, lambdas)
                if not atomic and (relative, function, call) not in ALLOWED:
                    found.append(f"{function}: {call} (line {child.lineno})")
            visit(child, inner)

    visit(tree, [])
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p != THE_WRITER)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_only_the_output_module_writes_files(path):
    assert writes_outside_the_writer(path.read_text(), path.relative_to(PACKAGE).as_posix()) == []


def test_every_allowed_write_is_still_there():
    """An entry of the allow-list whose call has gone would allow a new one unseen."""
    for file, function, call in ALLOWED:
        tree = ast.parse((PACKAGE / file).read_text())
        assert any(isinstance(n, ast.Call) and _name(n)[1] == call for n in ast.walk(tree)), (
            f"{file} {function} {call}"
        )


def test_the_scan_finds_a_write_outside_the_output_module():
    source = (
        "import os, json, yaml\n"
        "from sim.runs.output import write_atomic, write_text\n\n"
        "def save(fig, table, data, path):\n"
        "    fig.savefig(path)\n"
        "    with open(path, 'w') as f:\n"
        "        json.dump(data, f)\n"
        "    yaml.safe_dump(data, f)\n"
        "    fd = os.open(path, os.O_CREAT | os.O_WRONLY)\n"
        "    os.replace(path, path)\n"
        "    write_atomic(path, lambda tmp: table.to_csv(path))\n"
        "    write_atomic(path, lambda tmp: table.to_csv(tmp))\n"
        "    text = yaml.safe_dump(data)\n"
        "    write_text(path, text)\n"
        "    (path / 'x').write_text(text)\n"
        "    return open(path).read(), path.open('rb').read(), text\n"
    )
    found = writes_outside_the_writer(source, "plots/planted.py")
    assert [entry.split(" (")[0] for entry in found] == [
        "save: savefig",
        "save: open",
        "save: dump",
        "save: safe_dump",
        "save: open",
        "save: replace",
        "save: to_csv",
        "save: write_text",
    ]
    assert writes_outside_the_writer(
        source.replace("def save", "def generate"), "inputs/pars/generate.py"
    )


# --- every command that writes stays inside --out ----------------------------------------

SMALL = ["-n", "2", "--steps", "3", "--quiet", "--workers", "1"]


def snapshot(*roots: Path, leave_out: Path | None = None) -> dict[str, str]:
    """Every file and folder under `roots` (but `leave_out`), with its content's SHA-256."""
    seen = {}
    for root in roots:
        if not root.exists():
            seen[str(root)] = "absent"
            continue
        for path in sorted(root.rglob("*")):
            if leave_out is not None and path.is_relative_to(leave_out):
                continue
            if path.is_symlink() or not path.is_file():
                seen[str(path)] = "link" if path.is_symlink() else "folder"
            else:
                seen[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


@pytest.fixture
def inputs(tmp_path) -> Path:
    """A folder beside --out with the input files of the commands."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    sobol_file(folder, steps=3)
    calibration_file(folder)  # names calibrated.yaml and posterior.csv here: never written
    search_file(folder)
    return folder


def test_every_command_that_writes_stays_inside_out(tmp_path, inputs, monkeypatch, capsys):
    out = tmp_path / "out"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # a default path would land here, outside --out
    repository = [ROOT / name for name in ("scenarios", "data", "results")]
    before = snapshot(tmp_path, *repository, leave_out=out)
    baseline, crackdown = (str(SCENARIO_DIR / f"{n}.yaml") for n in ("baseline", "crackdown"))
    sweep, hindcast, observed = out / "sobol", out / "hindcast", ROOT / "data" / "observed.yaml"
    commands = [
        ["run", baseline, *SMALL, "--out", str(out / "run")],
        ["compare", baseline, crackdown, *SMALL, "--out", str(out / "compare")],
        ["experiment", str(inputs / "sobol.yaml"), "-q", "-w", "1", "--out", str(sweep)],
        ["sensitivity", str(sweep), "--resamples", "20"],
        ["calibrate", str(inputs / "calibration.yaml"), "--quiet", "--out", str(out / "calib")],
        ["hindcast", baseline, "--observed", str(observed), *SMALL, "--out", str(hindcast)],
        ["optimize", str(inputs / "search.yaml"), "-w", "1", "-q", "--out", str(out / "optimize")],
    ]
    for command in commands:
        assert main(command) == 0, (command, capsys.readouterr().err)
    middle = float(np.median(pd.read_parquet(sweep / "runs.parquet")["attacks_total"]))
    assert main(["discover", str(sweep), "--outcome", f"attacks_total > {middle}"]) == 0
    for folder in ("run", "compare", "sobol", "calib", "hindcast", "optimize"):
        assert main(["report", str(out / folder)]) == 0
    for folder, section in (("hindcast", "Hindcast"), ("optimize", "Robust policy search")):
        assert f">{section}<" in (out / folder / "report.html").read_text()
    assert {p.name for p in out.iterdir()} == {
        "run",
        "compare",
        "sobol",
        "calib",
        "hindcast",
        "optimize",
    }
    assert (sweep / "sensitivity").is_dir() and (sweep / "discovery").is_dir()
    assert snapshot(tmp_path, *repository, leave_out=out) == before


def test_the_walk_sees_a_write_outside_out(tmp_path, inputs, monkeypatch):
    """The snapshot catches what the walk guards against: a file changed outside --out."""
    repository = [ROOT / name for name in ("scenarios", "data", "results")]
    before = snapshot(tmp_path, *repository, leave_out=tmp_path / "out")
    (inputs / "calibrated.yaml").write_text("written where the calibration file names\n")
    assert snapshot(tmp_path, *repository, leave_out=tmp_path / "out") != before
