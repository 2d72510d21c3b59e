"""Ensembles: identical results however the work is split, resume, refusal, readable tables."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from tqdm import tqdm

from sim.analysis.report import fighter_bands, read_fighters
from sim.cli import main
from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_scenario, load_with_origin, override
from sim.plots.fan import actor_bands
from sim.rules import new_world
from sim.runs import chunked, local_pool
from sim.runs.chunked import plan_chunks
from sim.runs.ensemble import run_ensemble
from sim.runs.store import OutputMismatchError, ResultStore

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def small(replicates: int = 8, steps: int = 12, seed: int | None = None):
    changes = {"replicates": replicates, "steps": steps}
    if seed is not None:
        changes["seed"] = seed
    return load_with_origin(BASELINE, changes)


def tables(out: Path) -> tuple:
    return pq.read_table(out / "runs.parquet"), pq.read_table(out / "timeseries.parquet")


def test_plan_chunks_splits_runs_of_consecutive_replicates():
    assert plan_chunks([0, 1, 2, 3, 4, 7, 8], 2) == [[0, 1], [2, 3], [4], [7, 8]]


def test_the_bar_opens_once_the_pools_workers_have_started(tmp_path, monkeypatch):
    """The bar's clock, and its first estimate of the time left, count runs, not start-up."""
    scenario, digest = small()
    events = []
    real_pool, real_bar = local_pool.process_pool, chunked.RunBar

    def watched_pool(*args, **kwargs):
        pool = real_pool(*args, **kwargs)  # returns once every worker has started
        events.append("workers started")
        return pool

    monkeypatch.setattr(local_pool, "process_pool", watched_pool)
    monkeypatch.setattr(local_pool, "IN_PROCESS_REPLICATE_MONTHS", 0)
    bar = lambda *a, **k: events.append("bar") or real_bar(*a, **k)  # noqa: E731
    monkeypatch.setattr(chunked, "RunBar", bar)
    run_ensemble(scenario, tmp_path / "out", scenario_sha256=digest, workers=2, progress=False)
    assert events == ["workers started", "bar"]


def test_the_forkserver_starts_before_this_process_loads_the_loops(tmp_path, monkeypatch):
    """The forkserver's imports overlap the load; a run in this process starts no forkserver."""
    scenario, digest = small()
    events = []
    real_start, real_load = local_pool.start_forkserver, chunked.load_kernels
    start = lambda *a: events.append("forkserver") or real_start(*a)  # noqa: E731
    load = lambda *a: events.append("loops") or real_load(*a)  # noqa: E731
    monkeypatch.setattr(local_pool, "start_forkserver", start)
    monkeypatch.setattr(chunked, "load_kernels", load)
    monkeypatch.setattr(local_pool, "IN_PROCESS_REPLICATE_MONTHS", 0)
    run_ensemble(scenario, tmp_path / "two", scenario_sha256=digest, workers=2, progress=False)
    assert events[:2] == ["forkserver", "loops"]
    events.clear()
    run_ensemble(scenario, tmp_path / "one", scenario_sha256=digest, workers=1, progress=False)
    assert events == ["loops"]


def test_same_results_whatever_the_workers_chunks_and_path(tmp_path, monkeypatch):
    """In-process and pooled runs, any chunking, give identical tables; each path is taken."""
    scenario, digest = small()
    pools = []
    real_pool = local_pool.process_pool
    monkeypatch.setattr(
        local_pool, "process_pool", lambda *a, **k: pools.append(a[0]) or real_pool(*a, **k)
    )
    outs = []
    # (workers, chunk size, pool forced): small ensembles run in-process unless forced
    cases = ((1, 8, False), (1, 3, False), (2, None, False), (2, 1, True), (2, 5, True))
    for workers, chunk, pooled in cases:
        limit = 0 if pooled else local_pool.IN_PROCESS_REPLICATE_MONTHS
        with monkeypatch.context() as patch:
            patch.setattr(local_pool, "IN_PROCESS_REPLICATE_MONTHS", limit)
            out = tmp_path / f"w{workers}c{chunk}{'pool' if pooled else ''}"
            run_ensemble(
                scenario,
                out,
                scenario_sha256=digest,
                workers=workers,
                chunk_size=chunk,
                progress=False,
            )
        outs.append(tables(out))
    assert pools == [2, 2], "the pool must run exactly the forced cases, on 2 workers"
    for runs, series in outs[1:]:
        assert runs.equals(outs[0][0])
        assert series.equals(outs[0][1])
    assert outs[0][0].column("replicate").to_pylist() == list(range(8))


def test_interrupted_run_resumes_without_loss_or_duplicates(tmp_path):
    replicates, out = 40, tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "run",
        str(BASELINE),
        "-n",
        str(replicates),
        "--steps",
        "36",
        "--workers",
        "1",
        "--chunk-size",
        "2",
        "--out",
        str(out),
        "--no-plots",
        "--quiet",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("chunks/runs-*.parquet"))) < 3:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_before = len(list(out.glob("chunks/runs-*.parquet")))
    assert 3 <= done_before < replicates // 2, "the kill must land mid-run"
    assert not (out / "runs.parquet").exists()
    assert main([*command[3:]]) == 0
    scenario, digest = small(replicates, 36)
    reference = tmp_path / "whole"
    run_ensemble(scenario, reference, scenario_sha256=digest, workers=1, progress=False)
    resumed_runs, resumed_series = tables(out)
    whole_runs, whole_series = tables(reference)
    assert resumed_runs.column("replicate").to_pylist() == list(range(replicates))
    assert resumed_runs.equals(whole_runs)
    assert resumed_series.equals(whole_series)


def test_a_different_seed_in_an_existing_out_is_refused(tmp_path, capsys):
    scenario, digest = small(4, 6)
    run_ensemble(scenario, tmp_path, scenario_sha256=digest, workers=1, progress=False)
    other, digest = small(4, 6, seed=7)
    with pytest.raises(OutputMismatchError, match="seed"):
        run_ensemble(other, tmp_path, scenario_sha256=digest, workers=1, progress=False)
    code = main(
        [
            "run",
            str(ROOT / "scenarios" / "crackdown.yaml"),
            "-n",
            "4",
            "--steps",
            "6",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    assert code == 2
    assert "different experiment" in capsys.readouterr().err
    assert tables(tmp_path)[0].column("scenario").to_pylist() == ["baseline"] * 4


def test_cli_run_writes_manifest_tables_and_plots(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                str(BASELINE),
                "-n",
                "3",
                "--steps",
                "6",
                "--seed",
                "5",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "isisk_final" in printed and "runs.parquet" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["replicates"] == 3 and manifest["steps"] == 6
    assert manifest["scenario"]["name"] == "baseline"
    world = new_world(override(load_scenario(BASELINE), {"seed": 5}), [replicate_rng(5, 0)])
    assert manifest["agents_at_start"]["units"] == world.units.n[0] > 100  # replicate 0's
    assert manifest["agents_at_start"]["cells"] == world.cells.n[0] > 0
    assert {"mesa", "numpy", "sim"} <= set(manifest["versions"])
    for name in ("strength", "outcomes", "events"):
        assert (out / "plots" / f"{name}.png").stat().st_size > 1000
        assert (out / "plots" / f"{name}.svg").stat().st_size > 1000
    assert not (out / "chunks").exists()


def test_tables_are_readable_without_the_package(tmp_path):
    scenario, digest = small(3, 6)
    run_ensemble(scenario, tmp_path, scenario_sha256=digest, workers=1, progress=False)
    runs = duckdb.sql(
        f"select replicate, seed, isisk_final, fragmented_month "
        f"from '{tmp_path / 'runs.parquet'}' order by replicate"
    ).fetchall()
    assert [r[0] for r in runs] == [0, 1, 2] and {r[1] for r in runs} == {scenario.seed}
    isisk = duckdb.sql(
        f"select step, fighters from '{tmp_path / 'timeseries.parquet'}' "
        "where actor = 'isisk' and replicate = 0 order by step"
    ).fetchall()
    assert [s for s, _ in isisk] == list(range(7))
    assert isisk[0][1] == scenario.isisk.fighters


def test_streamed_bands_equal_bands_of_the_whole_table(tmp_path):
    scenario, digest = small(6, 8)
    run_ensemble(scenario, tmp_path, scenario_sha256=digest, workers=1, progress=False)
    streamed = fighter_bands(tmp_path, 6, 8, scenario.start)
    whole = actor_bands(read_fighters(tmp_path))
    assert streamed.keys() == whole.keys()
    for actor, (kind, bands) in whole.items():
        assert streamed[actor][0] == kind
        np.testing.assert_allclose(streamed[actor][1].to_numpy(), bands.to_numpy(), rtol=1e-6)
        assert list(streamed[actor][1].index) == list(bands.index)


def test_a_failing_chunk_leaves_no_other_chunk_running_after_the_error(tmp_path, monkeypatch):
    """Inside `with`, the pool outlives the run: chunks still in flight must end before it
    returns, and chunks not yet started must never start."""
    from pool_jobs import FailingJob

    scenario, _ = small()
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setattr(local_pool, "IN_PROCESS_REPLICATE_MONTHS", 0)
    chunks = [[0], *([[r] for r in range(1, 9)])]
    with local_pool.LocalPool(2) as pool:
        with pytest.raises(RuntimeError, match="chunk 0 fails"):
            pool.run_chunks(
                FailingJob(scenario, markers), chunks, ResultStore(tmp_path / "out"), tqdm
            )
        at_return = set(markers.iterdir())
        time.sleep(1.5)
        assert set(markers.iterdir()) == at_return, "a chunk went on writing after the error"
        assert len(at_return) < len(chunks) - 1, "chunks queued behind the error were started"
