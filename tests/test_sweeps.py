"""Sweeps: designs follow their declared ranges, grids give their rows, runs do not depend
on the workers, a killed sweep resumes, and bad sweep files are refused with their key."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim.cli import main
from sim.engine import world
from sim.inputs.problems import ScenarioError
from sim.inputs.ranges import range_of
from sim.inputs.sampling import Design, Parameter, design_size, points_table, unit_sample
from sim.inputs.scenario import load_scenario
from sim.inputs.sweep import load_sweep, scalar_leaves
from sim.runs import local_pool
from sim.runs.batch import run_batch
from sim.runs.store import OutputBusyError, ResultStore
from sim.runs.sweep import run_points, run_sweep, sweep_tables

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def sweep_file(tmp_path: Path, **fields) -> Path:
    spec = {
        "name": "test_sweep",
        "scenario": str(BASELINE),
        "uncertainties": [
            {"key": "rules.attacks.base_rate"},
            {"key": "policy.crackdown", "range": [0.1, 0.7]},
        ],
        "sampler": "grid",
        "points": 3,
        "replicates": 2,
        "seed": 11,
        "steps": 6,
    } | fields
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


@pytest.mark.parametrize("sampler", ["latin_hypercube", "sobol", "morris"])
def test_sampled_points_follow_their_ranges_and_distributions(sampler):
    parameters = (
        Parameter("a", 2.0, 5.0),
        Parameter("b", 0.01, 10.0, "loguniform"),
        Parameter("c", distribution="discrete", values=(1, 2, 3)),
        Parameter("d", 10, 40, integer=True),
    )
    design = Design(parameters, sampler, 256 if sampler != "morris" else 100, seed=3)
    points = points_table(design, unit_sample(design))
    assert len(points) == design_size(design)
    assert points["a"].between(2.0, 5.0).all()
    assert points["b"].between(0.01, 10.0).all()
    assert set(points["c"]) <= {1, 2, 3}
    assert points["d"].between(10, 40).all() and (points["d"] == points["d"].round()).all()
    if sampler != "morris":  # Morris's grid has 4 levels, not a distribution to test
        assert stats.kstest(points["a"], stats.uniform(2.0, 3.0).cdf).pvalue > 0.01
        assert stats.kstest(np.log10(points["b"]), stats.uniform(-2, 3).cdf).pvalue > 0.01
        assert set(points["c"]) == {1, 2, 3}
        # loguniform: as many points below 0.1 as between 1 and 10
        low, high = (points["b"] < 0.1).mean(), (points["b"] > 1).mean()
        assert abs(low - high) < 0.1 and abs(low - 1 / 3) < 0.1


def test_default_ranges_come_from_the_parameter_table_and_stars_expand(tmp_path):
    path = sweep_file(
        tmp_path,
        uncertainties=[
            {"key": "rules.attacks.base_rate"},
            {"key": "taliban.factions.*.cohesion", "distribution": "loguniform"},
        ],
    )
    plan = load_sweep(path)
    factions = list(load_scenario(BASELINE).taliban.factions)
    assert plan.design.names == [
        "rules.attacks.base_rate",
        *[f"taliban.factions.{f}.cohesion" for f in factions],
    ]
    known = range_of("rules.attacks.base_rate")
    first = plan.design.parameters[0]
    assert (first.low, first.high, first.distribution) == (known.low, known.high, "uniform")
    assert {p.distribution for p in plan.design.parameters[1:]} == {"loguniform"}


def test_integer_keys_are_sampled_as_integers(tmp_path):
    plan = load_sweep(sweep_file(tmp_path, uncertainties=[{"key": "isisk.cells"}]))
    points = points_table(plan.design, unit_sample(plan.design))
    assert plan.design.parameters[0].integer
    assert all(isinstance(v, int) for v in points["isisk.cells"])


@pytest.mark.parametrize(
    ("uncertainty", "where", "expected"),
    [
        ({"key": "rules.attacks.nope"}, "uncertainties[0].key", "no such number"),
        ({"key": "policy.security_faction"}, "uncertainties[0].key", "needs a number"),
        ({"key": "rules.attacks.reference_size"}, "uncertainties[0].key", "one value"),
        ({"key": "policy.crackdown", "range": [0.5, 0.2]}, "uncertainties[0]", "low < high"),
        ({"key": "policy.crackdown", "range": [0.0, 2.0]}, "uncertainties[0]", "2.0"),
        ({"key": "policy.crackdown", "distribution": "discrete"}, "uncertainties[0]", "values"),
        (
            {"key": "policy.crackdown", "range": [0.0, 1.0], "distribution": "loguniform"},
            "uncertainties[0].key",
            "positive range",
        ),
        ({"key": "taliban.core"}, "uncertainties[0].key", "needs a number"),
    ],
)
def test_a_bad_uncertainty_is_refused_with_its_key_path(tmp_path, uncertainty, where, expected):
    path = sweep_file(tmp_path, uncertainties=[uncertainty])
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path) and problem.path.startswith(where)
    assert expected in problem.message


def test_sobol_points_must_be_a_power_of_two_and_samplers_are_named(tmp_path):
    with pytest.raises(ScenarioError, match="power of 2"):
        load_sweep(sweep_file(tmp_path, sampler="sobol", points=48))
    with pytest.raises(ScenarioError, match="sampler"):
        load_sweep(sweep_file(tmp_path, sampler="random"))


def test_a_grid_gives_points_times_replicates_rows(tmp_path):
    out = run_sweep(load_sweep(sweep_file(tmp_path)), tmp_path / "out", workers=1, progress=False)
    points, runs = sweep_tables(out)
    assert len(points) == 9 and len(runs) == 9 * 2
    grid = points[["rules.attacks.base_rate", "policy.crackdown"]].drop_duplicates()
    assert len(grid) == 9
    assert sorted(points["policy.crackdown"].unique()) == pytest.approx([0.1, 0.4, 0.7])
    assert list(runs["point"]) == [p for p in range(9) for _ in range(2)]
    assert list(runs["replicate"]) == [0, 1] * 9
    merged = runs.merge(points, on="point", suffixes=("", "_point"))
    assert (merged["policy.crackdown"] == merged["policy.crackdown_point"]).all()
    assert not (out / "timeseries.parquet").exists() and not (out / "chunks").exists()


def test_common_random_numbers_and_the_parameter_both_show(tmp_path):
    """Replicate r of two points shares its stream; the swept value changes the outcome."""
    scenario = load_scenario(BASELINE, {"steps": 12, "seed": 4})
    points = pd.DataFrame({"point": [0, 1, 2], "rules.attacks.base_rate": [2.0, 2.0, 4.0]})
    out = run_points(scenario, points, tmp_path / "crn", replicates=3, workers=1, progress=False)
    runs = sweep_tables(out)[1].set_index(["point", "replicate"])
    same = runs.loc[0].drop(columns="run").equals(runs.loc[1].drop(columns="run"))
    assert same
    assert (runs.loc[2, "attacks_total"] > runs.loc[0, "attacks_total"]).all()


def test_points_are_checked_once_before_any_run_and_not_again_in_the_batches(tmp_path, monkeypatch):
    """A bad point is refused with its number before any run; good ones run unchecked,
    to the numbers of a batch that checks its values."""
    scenario = load_scenario(BASELINE, {"steps": 6, "seed": 4})
    bad = pd.DataFrame({"point": [0, 1], "policy.crackdown": [0.5, 1.5]})
    with pytest.raises(ScenarioError) as caught:
        run_points(scenario, bad, tmp_path / "bad", replicates=2, workers=1, progress=False)
    assert [(p.file, p.path) for p in caught.value.problems] == [("point 1", "policy.crackdown")]
    assert not (tmp_path / "bad").exists()
    checks = []
    real = world.checked
    monkeypatch.setattr(world, "checked", lambda s, v, n: checks.extend(v or []) or real(s, v, n))
    rates = [2.0, 3.5, 5.0]
    points = pd.DataFrame({"point": [0, 1, 2], "rules.attacks.base_rate": rates})
    out = run_points(scenario, points, tmp_path / "good", replicates=2, workers=1, progress=False)
    assert checks == [], "the batches of a sweep must not check its points again"
    checked, _ = run_batch(scenario, [0, 1] * 3, {"rules.attacks.base_rate": np.repeat(rates, 2)})
    assert checks == ["rules.attacks.base_rate"], "a batch given values checks them"
    runs = sweep_tables(out)[1].sort_values("run")
    pd.testing.assert_frame_equal(
        runs[checked.column_names].reset_index(drop=True), checked.to_pandas()
    )


def test_a_pool_in_a_with_block_serves_every_run_and_shuts_down_on_exit(tmp_path, monkeypatch):
    """Started on entry (as by the EMA evaluator), a pool in `with` serves two sweeps;
    without `with`, each sweep starts its own."""
    monkeypatch.setattr(local_pool, "IN_PROCESS_REPLICATE_MONTHS", 0)
    started = []
    real = local_pool.process_pool
    monkeypatch.setattr(
        local_pool, "process_pool", lambda *a: started.append(real(*a)) or started[-1]
    )
    scenario = load_scenario(BASELINE, {"steps": 3})
    points = pd.DataFrame({"point": [0, 1], "rules.attacks.base_rate": [2.0, 4.0]})

    def sweep(pool: local_pool.LocalPool, name: str) -> pd.DataFrame:
        out = run_points(scenario, points, tmp_path / name, replicates=2, executor=pool,
                         chunk_size=1, progress=False)  # fmt: skip
        return sweep_tables(out)[1]

    with local_pool.LocalPool(2) as pool:
        pool.start("sim.runs.sweep")
        kept = [sweep(pool, "first"), sweep(pool, "second")]
        assert len(started) == 1, "the pool starts once for every run in the block"
    with pytest.raises(RuntimeError, match="after shutdown"):
        started[0].submit(int)  # the block's end shut the pool down
    fresh = [sweep(local_pool.LocalPool(2), name) for name in ("third", "fourth")]
    assert len(started) == 3, "without a with block each run has its own pool"
    for a, b in zip(kept, fresh, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_same_tables_for_one_and_two_workers_and_any_chunks(tmp_path, monkeypatch):
    """In this process and on a pool of 2 (forced: the sweep is small), any chunking."""
    plan = load_sweep(sweep_file(tmp_path, timeseries=True))
    monkeypatch.setattr(local_pool, "IN_PROCESS_REPLICATE_MONTHS", 0)
    pools = []
    real_pool = local_pool.process_pool
    monkeypatch.setattr(
        local_pool, "process_pool", lambda *a, **k: pools.append(a[0]) or real_pool(*a, **k)
    )
    tables = []
    for workers, chunk in ((1, None), (2, 1), (2, 5)):
        out = run_sweep(plan, tmp_path / f"w{workers}c{chunk}", workers=workers,
                        chunk_size=chunk, progress=False)  # fmt: skip
        tables.append([pd.read_parquet(out / f) for f in ("runs.parquet", "timeseries.parquet")])
    assert pools == [2, 2], "the pool must run the two-worker cases"
    for other in tables[1:]:
        for a, b in zip(tables[0], other, strict=True):
            pd.testing.assert_frame_equal(a, b)
    assert set(tables[0][1]["point"]) == set(range(9))


def test_a_different_design_in_an_existing_out_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    run_sweep(load_sweep(sweep_file(tmp_path)), out, workers=1, progress=False)
    changed = sweep_file(tmp_path, points=2)
    assert main(["experiment", str(changed), "--out", str(out), "--quiet"]) == 2
    assert "different experiment" in capsys.readouterr().err


def test_a_killed_sweep_resumes_to_the_uninterrupted_tables(tmp_path):
    path = sweep_file(tmp_path, points=4, replicates=3, steps=24)  # 16 points x 3
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "sim.cli", "experiment", str(path), "--out", str(out),
               "--workers", "1", "--chunk-size", "2", "--quiet"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("chunks/runs-*.parquet"))) < 3:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_before = len(list(out.glob("chunks/runs-*.parquet")))
    assert 3 <= done_before < 24 // 2, "the kill must land mid-sweep"
    assert not (out / "runs.parquet").exists()
    assert main(command[3:]) == 0
    whole = run_sweep(load_sweep(path), tmp_path / "whole", workers=1, progress=False)
    resumed_runs = pd.read_parquet(out / "runs.parquet")
    assert list(resumed_runs["run"]) == list(range(48))
    pd.testing.assert_frame_equal(resumed_runs, pd.read_parquet(whole / "runs.parquet"))


def test_the_shipped_sweep_files_load():
    for name in ("sweep_example.yaml", "sensitivity.yaml"):
        plan = load_sweep(ROOT / "experiments" / name)
        assert plan.design.parameters
    sensitivity = load_sweep(ROOT / "experiments" / "sensitivity.yaml")
    mechanisms = {
        name.split(".")[1] for name in sensitivity.design.names if name.startswith("rules")
    }
    assert {
        "defection",
        "crackdown",
        "purge",
        "attacks",
        "recruitment",
        "fragmentation",
    } <= mechanisms


def test_a_sweep_is_refused_while_another_run_holds_its_folder(tmp_path):
    scenario = load_scenario(BASELINE, {"steps": 3})
    points = pd.DataFrame({"point": [0], "rules.attacks.base_rate": [2.0]})
    out = tmp_path / "busy"
    with ResultStore(out).lock(), pytest.raises(OutputBusyError, match="in use by another run"):
        run_points(scenario, points, out, replicates=2, workers=1, progress=False)
    assert not (out / "runs.parquet").exists()


# --- designs the sweep cannot honour are refused before any run ------------------------


def refusal(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    return caught.value


@pytest.mark.parametrize("where", ["uncertainties", "levers"])
def test_a_key_an_event_of_the_scenario_sets_cannot_be_swept(tmp_path, where):
    joint = ROOT / "scenarios" / "joint_us_crackdown.yaml"
    swept = {"key": "policy.crackdown", "values": [0.0, 1.0]}
    fields = (
        {"uncertainties": [swept]}
        if where == "uncertainties"
        else {
            "uncertainties": [{"key": "rules.attacks.base_rate"}],
            "levers": {"policy.crackdown": [0.0, 1.0]},
        }
    )
    problems = refusal(sweep_file(tmp_path, scenario=str(joint), **fields)).problems
    assert [p.path for p in problems] == [
        "uncertainties[0].key" if where == "uncertainties" else "levers.policy.crackdown"
    ]
    assert "events[0] (month 6) sets policy.crackdown to 0.8" in problems[0].message


def test_a_key_no_event_sets_sweeps_over_a_scenario_with_events(tmp_path):
    joint = ROOT / "scenarios" / "joint_us_crackdown.yaml"
    swept = [{"key": "rules.attacks.base_rate"}]
    plan = load_sweep(sweep_file(tmp_path, scenario=str(joint), uncertainties=swept))
    assert plan.design.names == ["rules.attacks.base_rate"]


@pytest.mark.parametrize(
    ("sampler", "points", "least"),
    [("sobol", 1, 4), ("sobol", 2, 4), ("morris", 1, 2)],
)
def test_designs_too_small_for_their_method_are_refused(tmp_path, sampler, points, least):
    problems = refusal(sweep_file(tmp_path, sampler=sampler, points=points)).problems
    assert [p.path for p in problems] == ["points"]
    assert f"got {points}; {sampler} needs at least {least}" in problems[0].message


@pytest.mark.parametrize(("sampler", "points"), [("sobol", 4), ("morris", 2)])
def test_the_smallest_designs_of_each_method_are_accepted(tmp_path, sampler, points):
    assert load_sweep(sweep_file(tmp_path, sampler=sampler, points=points)).design.points == points


def test_a_million_points_are_refused_at_once_with_the_limit(tmp_path):
    path = sweep_file(tmp_path, sampler="latin_hypercube", points=1_000_000, replicates=1)
    started = time.perf_counter()
    problems = refusal(path).problems
    assert time.perf_counter() - started < 10
    assert [p.path for p in problems] == ["points"]
    assert "1,000,000 points; expected at most 100,000" in problems[0].message


def test_points_times_parameters_are_bounded(tmp_path):
    leaves = scalar_leaves(load_scenario(BASELINE))
    keys = [k for k in leaves if k.startswith("rules.") and range_of(k) is not None]
    assert len(keys) >= 90
    path = sweep_file(
        tmp_path,
        uncertainties=[{"key": k} for k in keys[:90]],
        sampler="latin_hypercube",
        points=60_000,
        replicates=1,
    )
    problems = [p for p in refusal(path).problems if p.path == "points"]
    assert len(problems) == 1
    assert "60,000 points x 8" in problems[0].message
    assert "at most 5,000,000" in problems[0].message


def test_a_keep_timeseries_mismatch_is_named_as_such(tmp_path, capsys):
    path, out = sweep_file(tmp_path, points=2, steps=2), tmp_path / "out"
    argv = ["experiment", str(path), "--out", str(out), "--quiet", "-w", "1"]
    assert main(argv) == 0
    capsys.readouterr()
    assert main([*argv, "--keep-timeseries"]) == 2
    err = capsys.readouterr().err
    assert "holds test_sweep without its time series; you asked for it with" in err
    assert "scenario file" not in err


def test_an_unknown_outcome_is_named_with_the_known_ones(tmp_path, capsys):
    path = sweep_file(tmp_path, sampler="sobol", points=4, replicates=1, steps=2)
    out = run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    assert main(["sensitivity", str(out), "--outcomes", "isisk_final", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --outcomes nonsense: not an outcome; expected some of")
    assert "isisk_final" in err and len(err.splitlines()) == 1
    assert not (out / "sensitivity").exists()
