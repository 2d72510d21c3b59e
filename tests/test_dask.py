"""Ensembles and sweeps on Dask: the local pool's tables, through lost workers and resumes."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

from sim.cli import main  # noqa: E402
from sim.inputs.scenario import load_with_origin  # noqa: E402
from sim.runs import dask_cluster  # noqa: E402
from sim.runs.dask_cluster import DaskExecutor, connect, store_shared_chunk  # noqa: E402
from sim.runs.ensemble import Replicates, run_ensemble  # noqa: E402
from sim.runs.executor import Executor, ExecutorError  # noqa: E402
from sim.runs.executors import open_executor  # noqa: E402
from sim.runs.local_pool import LocalPool  # noqa: E402
from sim.runs.store import ResultStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def client():
    with connect(None, 2) as client:
        yield client


def small(replicates: int, steps: int = 12):
    return load_with_origin(BASELINE, {"replicates": replicates, "steps": steps})


def tables(out: Path) -> tuple:
    return pq.read_table(out / "runs.parquet"), pq.read_table(out / "timeseries.parquet")


def assert_same_results(a: Path, b: Path, replicates: int) -> None:
    (runs_a, series_a), (runs_b, series_b) = tables(a), tables(b)
    assert runs_a.column("replicate").to_pylist() == list(range(replicates))
    assert runs_a.equals(runs_b)
    assert series_a.equals(series_b)
    assert not (a / "chunks").exists() and not (b / "chunks").exists()


@pytest.fixture(scope="module")
def local_40(tmp_path_factory):
    """40 replicates of 12 months on this process, the reference of the small runs."""
    scenario, digest = small(40)
    out = tmp_path_factory.mktemp("local") / "out"
    run_ensemble(scenario, out, scenario_sha256=digest, workers=1, progress=False)
    return out


@pytest.mark.parametrize("shared_path", [False, True], ids=["return-to-client", "shared-path"])
def test_dask_gives_the_local_tables(client, local_40, tmp_path, shared_path):
    scenario, digest = small(40)
    executor = DaskExecutor(client, shared_path=shared_path)
    assert executor.workers == 2
    run_ensemble(
        scenario, tmp_path, scenario_sha256=digest, chunk_size=3, progress=False, executor=executor
    )
    assert_same_results(tmp_path, local_40, 40)


def test_a_few_hundred_replicates_match_the_local_pool(client, tmp_path):
    scenario, digest = small(300)
    run_ensemble(scenario, tmp_path / "local", scenario_sha256=digest, workers=2, progress=False)
    run_ensemble(
        scenario,
        tmp_path / "dask",
        scenario_sha256=digest,
        progress=False,
        executor=DaskExecutor(client),
    )
    assert_same_results(tmp_path / "dask", tmp_path / "local", 300)


class KillOnce(distributed.WorkerPlugin):
    """Ends the first worker that starts a chunk, 50 ms into it, by `os._exit`."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def setup(self, worker) -> None:
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or "chunk" not in str(key):
            return
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))  # only one worker, once
        except FileExistsError:
            return
        threading.Timer(0.05, os._exit, (1,)).start()


@pytest.mark.parametrize(
    "shared_path",
    [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=["return-to-client", "shared-path"],
)
def test_a_worker_killed_mid_chunk_costs_nothing(client, local_40, tmp_path, shared_path):
    scenario, digest = small(40)
    marker = tmp_path / "killed"
    client.register_plugin(KillOnce(str(marker)), name="kill-once")
    before = set(client.scheduler_info()["workers"])
    try:
        run_ensemble(
            scenario,
            tmp_path / "out",
            scenario_sha256=digest,
            chunk_size=4,
            progress=False,
            executor=DaskExecutor(client, shared_path=shared_path),
        )
    finally:
        client.unregister_worker_plugin("kill-once")
    assert marker.exists(), "a worker must have been killed"
    client.wait_for_workers(2)
    assert set(client.scheduler_info()["workers"]) != before, "the killed worker was replaced"
    assert_same_results(tmp_path / "out", local_40, 40)


class Interrupted:
    """Runs the first `chunks` chunks on another executor, then stops as Ctrl-C would."""

    def __init__(self, inner: Executor, chunks: int) -> None:
        self.inner, self.chunks = inner, chunks
        self.capacity, self.prepare = inner.capacity, inner.prepare

    def run_chunks(self, job, chunks, store, bar) -> None:
        self.inner.run_chunks(job, chunks[: self.chunks], store, bar)
        raise KeyboardInterrupt


@pytest.mark.parametrize("first", ["local", "dask"])
def test_a_run_begun_on_one_executor_resumes_on_the_other(client, local_40, tmp_path, first):
    scenario, digest = small(40)
    local, dask = LocalPool(1), DaskExecutor(client)
    begin, finish = (local, dask) if first == "local" else (dask, local)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(
            scenario,
            out,
            scenario_sha256=digest,
            chunk_size=5,
            progress=False,
            executor=Interrupted(begin, 3),
        )
    assert len(list(out.glob("chunks/runs-*.parquet"))) == 3
    run_ensemble(
        scenario, out, scenario_sha256=digest, chunk_size=7, progress=False, executor=finish
    )
    assert_same_results(out, local_40, 40)


def test_cli_runs_on_a_running_scheduler(client, local_40, tmp_path, capsys):
    out = tmp_path / "out"
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    argv = ["run", str(BASELINE), "-n", "40", "--steps", "12", "--out", str(out)]
    code = main([*argv, "--no-plots", "--quiet", "--executor", "dask", "--scheduler", address])
    assert code == 0
    assert "isisk_final" in capsys.readouterr().out
    assert_same_results(out, local_40, 40)


def test_cli_compare_runs_every_scenario_on_the_scheduler(client, tmp_path):
    files = [str(ROOT / "scenarios" / f"{name}.yaml") for name in ("baseline", "crackdown")]
    argv = ["compare", *files, "-n", "4", "--steps", "6", "--out", str(tmp_path), "--quiet"]
    assert main([*argv, "--executor", "dask", "--scheduler", client.scheduler.address]) == 0
    for name in ("baseline", "crackdown"):
        assert tables(tmp_path / name)[0].column("replicate").to_pylist() == [0, 1, 2, 3]
    assert (tmp_path / "differences.csv").exists()


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # the fixture has it
def test_a_local_cluster_leaves_no_variable_behind_and_no_trim_threshold_to_its_workers(
    monkeypatch,
):
    """Dask's MALLOC_TRIM_THRESHOLD_ slows the engine; its nannies write it into os.environ.

    The module's cluster has written them already: cleared first, so they must not return.
    """
    for name in [*dask.config.get("distributed.nanny.pre-spawn-environ"), "PYTHONHASHSEED"]:
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    with connect(None, 1) as local:
        seen = local.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        threads = local.run(lambda: os.environ.get("OMP_NUM_THREADS"))
    assert list(seen.values()) == [before.get("MALLOC_TRIM_THRESHOLD_")]
    assert list(threads.values()) == [before.get("OMP_NUM_THREADS", "1")], "the others still do"
    assert dict(os.environ) == before


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # the fixture has it
def test_cli_starts_a_local_cluster_when_given_no_scheduler(tmp_path):
    out = tmp_path / "out"
    argv = ["run", str(BASELINE), "-n", "4", "--steps", "6", "--out", str(out), "--no-plots"]
    assert main([*argv, "--quiet", "--executor", "dask", "--workers", "1"]) == 0
    assert tables(out)[0].column("replicate").to_pylist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:1"], "apply to --executor dask"),
        (["--shared-path"], "apply to --executor dask"),
        (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "-w", "2"], "its own"),
    ],
)
def test_executor_options_that_do_not_combine_are_refused(tmp_path, capsys, options, message):
    argv = ["run", str(BASELINE), "-n", "2", "--steps", "2", "--out", str(tmp_path / "out")]
    assert main([*argv, "--quiet", *options]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out" / "runs.parquet").exists()


def test_open_executor_names_an_unknown_kind():
    with pytest.raises(ExecutorError, match="'ray' is not one of local, dask"):
        open_executor("ray").__enter__()


def test_a_worker_refuses_a_results_directory_it_cannot_see(tmp_path):
    scenario, _ = small(2, 2)
    with pytest.raises(FileNotFoundError, match="shared by the client and every worker"):
        store_shared_chunk(Replicates(scenario), [0, 1], ResultStore(tmp_path / "elsewhere"))
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("options", [[], ["--shared-path"]], ids=["return-to-client", "shared"])
def test_a_sweep_on_dask_gives_the_local_pool_tables(client, tmp_path, options):
    """`sim experiment` of the example sweep on the scheduler, against this process."""
    sweep = ROOT / "experiments" / "sweep_example.yaml"
    local, on_dask = tmp_path / "local", tmp_path / "dask"
    argv = ["experiment", str(sweep), "--quiet", "--keep-timeseries", "--chunk-size", "7"]
    assert main([*argv, "--out", str(local), "--workers", "1"]) == 0
    address = client.scheduler.address
    dask_argv = ["--out", str(on_dask), "--executor", "dask", "--scheduler", address, *options]
    assert main([*argv, *dask_argv]) == 0
    for name in ("points.parquet", "runs.parquet", "timeseries.parquet"):
        assert pq.read_table(on_dask / name).equals(pq.read_table(local / name)), name
    assert not (on_dask / "chunks").exists()


# --- a scheduler that cannot be used ends in a message naming it, in bounded time ------


def run_on(scheduler: str, tmp_path: Path) -> list[str]:
    argv = ["run", str(BASELINE), "-n", "2", "--steps", "2", "--out", str(tmp_path / "out")]
    return [*argv, "--quiet", "--no-plots", "--executor", "dask", "--scheduler", scheduler]


def test_an_address_nothing_listens_on_fails_within_the_timeout(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dask_cluster, "CONNECT_SECONDS", 1.0)
    started = time.perf_counter()
    assert main(run_on("tcp://127.0.0.1:1", tmp_path)) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1 within 1 s" in err
    assert not (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.parametrize("address", ["tcp://127.0.0.1", "tcp://127.0.0.1:port", "bogus://x:1"])
def test_a_malformed_scheduler_address_is_an_error_not_a_traceback(tmp_path, capsys, address):
    assert main(run_on(address, tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and address in err and "Traceback" not in err


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # the fixture has it
def test_a_scheduler_without_workers_times_out_naming_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dask_cluster, "WORKERS_SECONDS", 1.0)
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None) as empty:
        started = time.perf_counter()
        assert main(run_on(empty.scheduler_address, tmp_path)) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert f"no worker joined the Dask scheduler at {empty.scheduler_address} within 1 s" in err
