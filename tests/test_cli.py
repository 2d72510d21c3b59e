"""The `sim` command: arguments checked before anything runs, messages, a light start."""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.cli
from sim.cli import console, main
from sim.engine.outcomes import OUTCOMES
from sim.inputs.scenario import load_scenario
from sim.runs.kinds import available_cpus

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CRACKDOWN = ROOT / "scenarios" / "crackdown.yaml"
HEAVY = ("pandas", "matplotlib", "mesa", "numba", "pydantic", "numpy")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("-n", "0", "needs at least 1 replicate, got 0"),
        ("--steps", "0", "needs at least 1 month, got 0"),
        ("-w", "-1", "needs at least 1 worker, got -1"),
        ("-w", "0", "needs at least 1 worker, got 0"),
        ("--seed", str(2**70), "seeds run from 0 to 2**63-1"),
        ("--seed", "-1", "seeds run from 0 to 2**63-1"),
        ("-n", "ten", "expected a whole number, got 'ten'"),
    ],
)
@pytest.mark.parametrize("command", ["run", "compare"])
def test_bad_numbers_are_refused_before_anything_runs(
    command, option, value, message, tmp_path, capsys
):
    files = [str(BASELINE)] + ([str(CRACKDOWN)] if command == "compare" else [])
    with pytest.raises(SystemExit) as exited:
        main([command, *files, option, value, "--out", str(tmp_path / "out")])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_chunk_size_zero_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", str(BASELINE), "--chunk-size", "0", "--out", str(tmp_path)])
    assert "needs at least 1 replicate per chunk, got 0" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "experiment"])
def test_an_option_must_be_spelled_out(command, tmp_path, capsys):
    """`--force` would otherwise be taken for `--force-resume` and resume other code's results."""
    with pytest.raises(SystemExit) as exited:
        main([command, str(BASELINE), "--force", "--out", str(tmp_path / "out")])
    assert exited.value.code == 2
    assert "unrecognized arguments: --force" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_compare_needs_two_different_scenarios(tmp_path, capsys):
    assert main(["compare", str(BASELINE), "-n", "2", "--out", str(tmp_path), "-q"]) == 2
    assert "at least two scenarios, got 1" in capsys.readouterr().err
    twice = ["compare", str(BASELINE), str(BASELINE), "-n", "2", "--out", str(tmp_path), "-q"]
    assert main(twice) == 2
    err = capsys.readouterr().err
    assert "each scenario can be compared once" in err and "baseline" in err
    assert list(tmp_path.iterdir()) == []


def test_the_largest_seed_runs_and_is_stored(tmp_path):
    out = tmp_path / "seed"
    seed = 2**63 - 1
    assert main(["run", str(BASELINE), "-n", "1", "--steps", "2", "--seed", str(seed), "--out",
                 str(out), "--no-plots", "-q"]) == 0  # fmt: skip
    assert pq.read_table(out / "runs.parquet").column("seed").to_pylist() == [seed]
    assert json.loads((out / "manifest.json").read_text())["seed"] == seed


def test_more_workers_than_cpus_are_capped_and_said(tmp_path, capsys):
    out = tmp_path / "capped"
    workers = available_cpus() + 1000
    assert main(["run", str(BASELINE), "-n", "2", "--steps", "2", "-w", str(workers), "--out",
                 str(out), "--no-plots", "-q"]) == 0  # fmt: skip
    assert f"--workers {workers} capped at the {available_cpus()} CPUs" in capsys.readouterr().err


def loaded_after(code: str) -> list[str]:
    """Which of HEAVY a fresh interpreter has imported after running `code`."""
    probe = f"import sys\n{code}\nprint('\\n' + ' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()[-1].split() if result.stdout.strip() else []


def test_help_loads_none_of_the_heavy_packages():
    code = "import sim.cli\ntry:\n    sim.cli.main(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_after(code) == []


def test_validate_loads_neither_pandas_nor_matplotlib():
    loaded = loaded_after(f"import sim.cli\nsim.cli.main(['validate', {str(BASELINE)!r}])")
    assert "pydantic" in loaded, "the probe must see what validate imports"
    assert not {"pandas", "matplotlib", "mesa"} & set(loaded)


def test_the_figures_load_no_pydantic():
    """The plotting helpers import only what drawing needs: the scenario is checked already."""
    loaded = loaded_after("import sim.plots.files")
    assert "matplotlib" in loaded, "the probe must see what the figures import"
    assert "pydantic" not in loaded


def test_the_console_script_exits_with_the_code_of_main_and_freezes_what_is_left(monkeypatch):
    monkeypatch.setattr(sim.cli, "main", lambda: 3)
    try:
        with pytest.raises(SystemExit) as exit_:
            console()
        assert exit_.value.code == 3
        assert gc.get_freeze_count() > 0, "the last collection at exit is not skipped"
    finally:
        gc.unfreeze()


def test_ensemble_workers_load_neither_pandas_nor_matplotlib_nor_mesa(tmp_path):
    """A worker as the forkserver makes it (`sim.runs.ensemble` preloaded), after one chunk."""
    out = tmp_path / "out"
    code = (
        "from pathlib import Path\n"
        "from sim.inputs.scenario import load_with_origin\n"
        "from sim.runs.ensemble import Replicates, manifest_for\n"
        "from sim.runs.executor import store_chunk\n"
        "from sim.runs.store import ResultStore\n"
        f"spec, _ = load_with_origin(Path({str(BASELINE)!r}), {{'steps': 2}})\n"
        f"ResultStore(Path({str(out)!r})).open(manifest_for(spec, 'x', None))\n"
        f"store_chunk(Replicates(spec), [0], ResultStore(Path({str(out)!r})))"
    )
    loaded = loaded_after(code)
    assert "numba" in loaded, "the probe must see what the engine imports"
    assert not {"pandas", "matplotlib", "mesa"} & set(loaded)
    assert len(list((out / "chunks").glob("*.parquet"))) == 2


def test_a_run_without_figures_loads_neither_pandas_nor_matplotlib(tmp_path):
    """Tables, consolidation and the printed summary go through pyarrow and numpy alone."""
    arguments = ["run", str(BASELINE), "-n", "2", "--steps", "3", "-w", "1", "--no-plots", "-q"]
    arguments += ["--out", str(tmp_path / "out")]
    loaded = loaded_after(f"import sim.cli\nsim.cli.main({arguments!r})")
    assert "numba" in loaded, "the probe must see what the run imports"
    assert not {"pandas", "matplotlib", "mesa"} & set(loaded)
    assert (tmp_path / "out" / "runs.parquet").exists()


def test_the_printed_summary_matches_pandas_quantiles(tmp_path):
    import pandas as pd

    from sim.analysis.summary import read_summary
    from sim.inputs.scenario import load_with_origin
    from sim.runs.ensemble import run_ensemble

    scenario, digest = load_with_origin(BASELINE, {"replicates": 7, "steps": 12})
    out = run_ensemble(scenario, tmp_path, scenario_sha256=digest, workers=1, progress=False)
    count, summary = read_summary(out)
    runs = pd.read_parquet(out / "runs.parquet")
    assert count == 7
    for name, median, p5, p95 in summary:
        if runs[name].dtype == bool:
            assert (median, p5, p95) == (runs[name].mean(), None, None)
        else:
            assert [median, p5, p95] == runs[name].quantile([0.5, 0.05, 0.95]).tolist()


def test_compare_runs_each_scenario_into_its_own_locked_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(BASELINE), str(CRACKDOWN), "-n", "3", "--steps", "3",
                 "--out", str(out), "-q"]) == 0  # fmt: skip
    assert "differences from baseline" in capsys.readouterr().out
    for name in ("baseline", "crackdown"):
        manifest = json.loads((out / name / "manifest.json").read_text())
        assert (manifest["replicates"], manifest["steps"]) == (3, 3)
    assert (out / "differences.csv").exists() and (out / "plots" / "compare_strength.png").exists()


# --- every argument gets an answer, not a traceback ------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--port", "70000", "ports run from 1 to 65535, got 70000"),
        ("--port", "-1", "ports run from 1 to 65535, got -1"),
        ("--port", "0", "ports run from 1 to 65535, got 0"),
        ("--band", "-1", "expected 0 (no band) to 10,000, got -1"),
        ("--band", "1000000", "expected 0 (no band) to 10,000, got 1000000"),
    ],
)
def test_viz_ports_and_bands_out_of_range_are_refused(option, value, message, capsys, monkeypatch):
    served = []
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())
    monkeypatch.setitem(sys.modules, "sim.viz.serve", type(sys)("sim.viz.serve"))
    sys.modules["sim.viz.serve"].serve = lambda *a, **k: served.append((a, k))
    with pytest.raises(SystemExit) as exit_:
        main(["viz", str(BASELINE), option, value])
    assert exit_.value.code == 2 and not served
    assert message in capsys.readouterr().err


def test_sensitivity_needs_at_least_one_resample(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sensitivity", str(tmp_path), "--resamples", "0"])
    assert exit_.value.code == 2
    assert "needs at least 1 resample, got 0" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["", "bad\udcff"], ids=["empty", "not-utf8"])
@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_out_that_is_empty_or_not_utf8_is_refused_before_anything_is_written(
    command, out, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    extra = [str(CRACKDOWN)] if command == "compare" else ["--no-plots"]
    with pytest.raises(SystemExit) as exit_:
        main([command, str(BASELINE), *extra, "-n", "2", "--steps", "2", "--out", out])
    assert exit_.value.code == 2
    assert "argument --out/-o" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_scenario_named_like_a_comparison_entry_is_refused(tmp_path, capsys):
    plots = tmp_path / "plots.yaml"
    plots.write_text(f"extends: {BASELINE}\nname: plots\n")
    out = tmp_path / "out"
    assert main(["compare", str(BASELINE), str(plots), "-n", "2", "--out", str(out)]) == 2
    assert "a scenario named plots would share" in capsys.readouterr().err
    assert not out.exists()


def test_a_figure_helper_whose_command_has_stopped_ends_without_a_traceback(tmp_path, capfd):
    """A helper that fails after the command gave up on it (another helper's full disk)."""
    import multiprocessing

    from sim.plots.background import _serve

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    helper = context.Process(target=_serve, args=(theirs, ("outcomes",)), daemon=True)
    helper.start()
    theirs.close()
    ours.send((tmp_path / "no-results", 6, "2021-10", None))  # fails: no runs.parquet
    ours.close()  # as the command does when another helper's error ends it
    helper.join(timeout=60)
    assert helper.exitcode == 0
    assert "Traceback" not in capfd.readouterr().err


def test_compare_prints_each_scenario_then_the_differences_in_the_order_given(tmp_path, capsys):
    out, names = tmp_path / "cmp", ["baseline", "no_crackdown", "crackdown"]  # not alphabetical
    files = [str(ROOT / "scenarios" / f"{name}.yaml") for name in names]
    assert main(["compare", *files, "-n", "4", "--steps", "3", "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    blocks = [printed.index(f"\n{name}: 4 replicates\n") for name in names]
    assert blocks == sorted(blocks) and blocks[-1] < printed.index("differences from baseline")
    for name in names:
        values = pq.read_table(out / name / "runs.parquet").column("isisk_final").to_numpy()
        median, p5, p95 = np.quantile(values, [0.5, 0.05, 0.95])
        block = printed[printed.index(f"\n{name}: 4 replicates\n") :]
        line = next(row for row in block.splitlines() if row.strip().startswith("isisk_final"))
        assert line.split() == ["isisk_final", f"{median:,.0f}", f"[{p5:,.0f},", f"{p95:,.0f}]"]
    table = pd.read_csv(out / "differences.csv")
    assert list(table["scenario"].unique()) == ["no_crackdown", "crackdown"]
    differences = printed[printed.index("differences from") :].splitlines()
    rows = [
        line.split()
        for line in differences
        if line.split()[:1] in (["no_crackdown"], ["crackdown"])
    ]
    assert [row[:2] for row in rows] == table[["scenario", "outcome"]].to_numpy().tolist()
    for row, difference in zip(rows, table.itertuples(), strict=True):
        if difference.outcome in OUTCOMES.events:
            assert row[2:4] == [f"{100 * difference.difference:+.1f}", "pp"]
        else:
            assert row[2] == f"{difference.difference:+,.0f}"  # counts in whole numbers


def test_default_folders_of_different_requests_do_not_clash(tmp_path, monkeypatch):
    """`sim run baseline -n 100` after `sim run baseline` runs into a folder of its own."""
    monkeypatch.chdir(tmp_path)
    for replicates in ("2", "3"):
        assert main(["run", str(BASELINE), "-n", replicates, "--steps", "2", "--no-plots",
                     "-q"]) == 0  # fmt: skip
    seed = json.loads(next((tmp_path / "results").glob("*/manifest.json")).read_text())["seed"]
    folders = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert folders == [f"baseline-seed{seed}-n2-2m", f"baseline-seed{seed}-n3-2m"]
    own = load_scenario(BASELINE)  # the file's own replicates and steps: the plain name
    plain = sim.cli._default_folder(argparse.Namespace(scenario=BASELINE), own, "baseline")
    assert plain == f"baseline-seed{seed}"


def test_an_experiment_takes_replicates_steps_and_seed_from_the_command_line(tmp_path, monkeypatch):
    """Settings changed on the command line run, are recorded, and name their own folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cmp.yaml").write_text(
        f"name: cmp\nscenarios: [{BASELINE}, {CRACKDOWN}]\nreplicates: 300\nseed: 1\n"
    )
    assert main(["experiment", "cmp.yaml", "-n", "2", "--steps", "2", "--seed", "5", "-q"]) == 0
    for name in ("baseline", "crackdown"):
        manifest = json.loads(
            (tmp_path / "results/cmp-n2-2m-seed5" / name / "manifest.json").read_text()
        )
        assert (manifest["replicates"], manifest["steps"], manifest["seed"]) == (2, 2, 5)


def test_a_sweep_takes_replicates_per_point_steps_and_seed_from_the_command_line(tmp_path):
    out = tmp_path / "sweep"
    sweep = ROOT / "experiments" / "sweep_example.yaml"
    assert main(["experiment", str(sweep), "-n", "1", "--steps", "2", "--seed", "3",
                 "--out", str(out), "-q"]) == 0  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["replicates"], manifest["steps"], manifest["seed"]) == (1, 2, 3)
    assert manifest["settings_from_command_line"] == {"replicates": 1, "steps": 2, "seed": 3}
    assert pq.read_metadata(out / "runs.parquet").num_rows == manifest["points"] == 9


def test_a_sweep_refuses_a_command_line_seed_its_samplers_cannot_take(tmp_path, capsys):
    sweep = ROOT / "experiments" / "sweep_example.yaml"
    out = tmp_path / "sweep"
    assert main(["experiment", str(sweep), "--seed", str(2**40), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "command line" in err and "seed" in err
    assert not out.exists()
