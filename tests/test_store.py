"""Results folders: one run at a time, nothing of the user's deleted, nothing mixed or lost."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.inputs.scenario import load_with_origin
from sim.runs import provenance
from sim.runs.batch import run_batch
from sim.runs.ensemble import manifest_for, run_ensemble
from sim.runs.store import (
    Consolidation,
    OutputMismatchError,
    ResultStore,
    StoreError,
    StoreWarning,
)

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def small(replicates: int = 6, steps: int = 6):
    return load_with_origin(BASELINE, {"replicates": replicates, "steps": steps})


def run(out: Path, replicates: int = 6, steps: int = 6, **options) -> Path:
    scenario, digest = small(replicates, steps)
    options = {"workers": 1, "progress": False} | options
    return run_ensemble(scenario, out, scenario_sha256=digest, **options)


def cli(out: Path, *extra: str, replicates: int = 6, steps: int = 6) -> list[str]:
    return [
        "run",
        str(BASELINE),
        "-n",
        str(replicates),
        "--steps",
        str(steps),
        "--out",
        str(out),
        "--no-plots",
        "--quiet",
        *extra,
    ]


def partial(out: Path, chunks: list[list[int]], replicates: int = 6, steps: int = 6) -> None:
    """A folder as a killed run leaves it: manifest and some chunks, no tables."""
    scenario, digest = small(replicates, steps)
    store = ResultStore(out)
    store.open(manifest_for(scenario, digest, None))
    for chunk in chunks:
        store.write_chunk(*run_batch(scenario, chunk))


def command(out: Path, *extra: str, replicates: int = 6, steps: int = 6) -> list[str]:
    return [sys.executable, "-m", "sim.cli", *cli(out, *extra, replicates=replicates, steps=steps)]


def test_a_folder_locked_by_another_process_is_refused_at_once(tmp_path):
    out = tmp_path / "busy"
    with ResultStore(out).lock():
        refused = subprocess.run(command(out), cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2
    assert str(out) in refused.stderr and "in use by another run" in refused.stderr
    assert f"process {os.getpid()}" in refused.stderr
    assert not (out / "manifest.json").exists()
    assert subprocess.run(command(out), cwd=ROOT, capture_output=True).returncode == 0


def test_two_concurrent_runs_into_one_folder_lose_nothing(tmp_path):
    out, replicates = tmp_path / "shared", 60
    first = subprocess.Popen(
        command(out, "--chunk-size", "1", "-w", "1", replicates=replicates, steps=12),
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob("chunks/runs-*.parquet")):
        time.sleep(0.02)
    second = subprocess.run(
        command(out, replicates=replicates, steps=12), cwd=ROOT, capture_output=True, text=True
    )
    assert first.poll() is None, "the first run must still be going when the second starts"
    assert first.wait() == 0, first.stderr.read()
    assert second.returncode == 2 and "in use by another run" in second.stderr
    runs = pq.read_table(out / "runs.parquet")
    assert runs.column("replicate").to_pylist() == list(range(replicates))
    assert json.loads((out / "manifest.json").read_text())["replicates"] == replicates


def test_only_sim_files_are_deleted_and_strays_are_reported(tmp_path):
    out = tmp_path / "mine"
    (out / "chunks").mkdir(parents=True)
    (out / "chunks" / "notes.txt").write_text("mine")
    (out / "chunks" / "runs-1-2.parquet").write_text("also mine: not sim's name pattern")
    (out / ".mydata.csv.abcd1234.tmp").write_text("mine, though it looks temporary")
    with pytest.warns(StoreWarning) as reported:
        run(out)
    messages = [str(w.message) for w in reported]
    assert sum("notes.txt is not a file sim wrote" in m for m in messages) == 1, messages
    assert (out / "chunks" / "notes.txt").read_text() == "mine"
    assert (out / "chunks" / "runs-1-2.parquet").exists()
    assert (out / ".mydata.csv.abcd1234.tmp").exists()
    assert sorted(p.name for p in (out / "chunks").iterdir()) == ["notes.txt", "runs-1-2.parquet"]
    assert pq.read_table(out / "runs.parquet").num_rows == 6


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path):
    out = tmp_path / "killed"
    partial(out, [[0, 1], [2, 3]])
    (out / "chunks" / "runs-0000002-0000003.parquet").unlink()  # killed between the two halves
    (out / "chunks" / ".runs-0000004-0000005.parquet.abcd1234.tmp").write_bytes(b"PAR1")
    (out / ".manifest.json.zz99zz99.tmp").write_text("{")
    ResultStore(out).open(manifest_for(*small(), None))
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == [
        "manifest.json",
        "runs-0000000-0000001.parquet",
        "ts-0000000-0000001.parquet",
    ]


def test_a_temporary_chunk_left_mid_run_goes_with_the_chunks(tmp_path):
    """A worker killed mid-write during the run (a Dask worker on a shared path) leaves one."""
    out = tmp_path / "mid"
    partial(out, [[0, 1, 2, 3, 4, 5]])
    store = ResultStore(out)
    (out / "chunks" / ".ts-0000000-0000002.parquet.f90f2a57.tmp").write_bytes(b"PAR1")
    (out / "chunks" / "notes.txt").write_text("mine")
    with pytest.warns(StoreWarning, match="notes.txt") as said, store.consolidation([]):
        pass  # the chunks already written, into the tables
    assert not [w for w in said if ".tmp" in str(w.message)], "a file of sim's called a stray"
    assert sorted(p.name for p in (out / "chunks").iterdir()) == ["notes.txt"]


def test_result_files_honour_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        out = run(tmp_path / "modes")
    finally:
        os.umask(previous)
    for name in ("manifest.json", "runs.parquet", "timeseries.parquet"):
        assert (out / name).stat().st_mode & 0o777 == 0o644, name


def test_a_truncated_chunk_is_recomputed_with_a_warning(tmp_path):
    reference = run(tmp_path / "whole")
    out = tmp_path / "damaged"
    partial(out, [[0, 1], [2, 3]])
    chunk = out / "chunks" / "runs-0000002-0000003.parquet"
    chunk.write_bytes(chunk.read_bytes()[:100])
    with pytest.warns(StoreWarning, match="recomputing replicates 2-3"):
        run(out, chunk_size=2)
    for name in ("runs.parquet", "timeseries.parquet"):
        assert pq.read_table(out / name).equals(pq.read_table(reference / name))


def test_tables_without_a_manifest_are_refused(tmp_path, capsys):
    out = run(tmp_path / "orphan")
    (out / "manifest.json").unlink()
    with pytest.raises(OutputMismatchError, match=r"no manifest\.json"):
        run(out)
    assert main(cli(out, "-w", "1")) == 2
    assert "no manifest.json" in capsys.readouterr().err
    assert not (out / "manifest.json").exists()


def test_a_corrupt_manifest_is_refused_with_a_message(tmp_path, capsys):
    out = run(tmp_path / "corrupt")
    (out / "manifest.json").write_text('{"scenario_name": "baseline", ')
    assert main(cli(out)) == 2
    err = capsys.readouterr().err
    assert "manifest.json is damaged" in err and "Traceback" not in err


def test_a_different_replicate_count_is_refused_in_words_first(tmp_path):
    out = run(tmp_path / "fifty", replicates=4)
    with pytest.raises(OutputMismatchError) as refused:
        run(out, replicates=8)
    assert str(refused.value).startswith(f"{out} holds 4 replicates of baseline; you asked for 8")


def test_resuming_with_other_code_is_refused_unless_forced(tmp_path, monkeypatch):
    out = tmp_path / "versions"
    partial(out, [[0, 1]])
    other = provenance.code_identity() | {"numba": "0.0.1", "sim_source_sha256": "f" * 64}
    monkeypatch.setattr(provenance, "code_identity", lambda: other)
    with pytest.raises(OutputMismatchError, match=r"other code.*numba.*0\.0\.1 now"):
        run(out)
    assert not (out / "runs.parquet").exists()
    with pytest.warns(StoreWarning, match="other code"):
        run(out, force_resume=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code"]["numba"] != "0.0.1", "the folder's own code stays recorded"
    assert [f["code"]["numba"] for f in manifest["forced_resumes"]] == ["0.0.1"]
    with pytest.raises(OutputMismatchError, match="finished results of other code"):
        run(out)


def test_the_source_hash_follows_the_code(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    before = provenance.source_sha256(package)
    provenance.source_sha256.cache_clear()
    (package / "sub" / "b.py").write_text("y = 3\n")
    assert provenance.source_sha256(package) != before
    assert len(before) == 64


def test_a_full_disk_leaves_nothing_half_written_and_resumes(tmp_path, monkeypatch, capsys):
    out, calls = tmp_path / "full", []
    real_write = pq.write_table

    def write_until_full(table, where, **kw):
        calls.append(where)
        if len(calls) == 3:
            Path(where).write_bytes(b"PAR1 half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(table, where, **kw)

    with monkeypatch.context() as patch:
        patch.setattr(pq, "write_table", write_until_full)
        assert main(cli(out, "-w", "1", "--chunk-size", "2")) == 1
    assert "no space left on the disk" in capsys.readouterr().err
    assert not list(out.rglob("*.tmp"))
    assert sorted(p.name for p in (out / "chunks").iterdir()) == [
        "runs-0000000-0000001.parquet",
        "ts-0000000-0000001.parquet",
    ]
    assert main(cli(out, "-w", "1")) == 0
    assert pq.read_table(out / "runs.parquet").column("replicate").to_pylist() == list(range(6))


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "file"
    out.write_text("not a folder")
    assert main(cli(out)) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert out.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_out_is_refused(tmp_path, capsys):
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert main(cli(out)) == 2
    finally:
        out.chmod(0o755)
    assert "cannot write into" in capsys.readouterr().err


def test_a_run_killed_before_consolidating_is_consolidated(tmp_path):
    reference = run(tmp_path / "whole")
    out = tmp_path / "all-chunks"
    partial(out, [[0, 1], [2, 3], [4, 5]])
    run(out, workers=2)
    for name in ("runs.parquet", "timeseries.parquet"):
        assert pq.read_table(out / name).equals(pq.read_table(reference / name))
    assert not (out / "chunks").exists()


def test_the_tables_take_each_chunk_once_those_before_it_have_landed(tmp_path):
    reference = run(tmp_path / "whole")
    scenario, digest = small()
    store = ResultStore(tmp_path / "landing")
    store.open(manifest_for(scenario, digest, None))
    with store.consolidation([(0, 1), (2, 3), (4, 5)]) as tables:
        store.write_chunk(*run_batch(scenario, [2, 3]))
        tables.append_landed()
        assert tables.waiting == [(0, 1), (2, 3), (4, 5)], "2-3 taken before 0-1 landed"
        store.write_chunk(*run_batch(scenario, [0, 1]))
        tables.append_landed()
        assert tables.waiting == [(4, 5)]
        assert not (store.out / "runs.parquet").exists(), "a table in place before the end"
        store.write_chunk(*run_batch(scenario, [4, 5]))
    for name in ("runs.parquet", "timeseries.parquet"):
        assert pq.read_table(store.out / name).equals(pq.read_table(reference / name))
    assert not store.chunks.exists()


def test_a_run_appends_each_chunk_as_it_lands_not_at_the_end(tmp_path, monkeypatch):
    waiting_at_the_end = []
    finish = Consolidation.finish

    def spy(tables: Consolidation) -> None:
        waiting_at_the_end.append(list(tables.waiting))
        finish(tables)

    monkeypatch.setattr(Consolidation, "finish", spy)
    out = run(tmp_path / "landing", chunk_size=2)
    assert waiting_at_the_end == [[]], "chunks left for the end of the run"
    assert pq.read_table(out / "runs.parquet").column("replicate").to_pylist() == [*range(6)]


def test_the_error_that_stopped_the_tables_is_the_one_raised(tmp_path, monkeypatch):
    """A full disk mid-append, then a failing close: the first error is reported."""
    scenario, digest = small()
    store = ResultStore(tmp_path / "full")
    store.open(manifest_for(scenario, digest, None))
    store.write_chunk(*run_batch(scenario, [0, 1]))

    def disk_full(*_, **__):
        raise OSError(errno.ENOSPC, "No space left on device")

    def footer_lost(_):
        raise OSError(errno.EIO, "the footer could not be written")

    with monkeypatch.context() as patch:
        patch.setattr(pq.ParquetWriter, "write_table", disk_full)
        patch.setattr(pq.ParquetWriter, "close", footer_lost)
        with pytest.raises(OSError, match="No space left"), store.consolidation([]) as tables:
            tables.append_landed()
    assert not list(store.out.rglob("*.tmp"))
    assert not (store.out / "runs.parquet").exists()


def test_a_stray_chunk_overlapping_a_planned_one_is_left_out(tmp_path):
    """A worker of an earlier, interrupted run may write a chunk this run plans again."""
    scenario, digest = small()
    store = ResultStore(tmp_path / "stray")
    store.open(manifest_for(scenario, digest, None))
    store.write_chunk(*run_batch(scenario, [2, 3]))  # the stray, written after `done()`
    with store.consolidation([(0, 1), (2, 5)]):
        store.write_chunk(*run_batch(scenario, [0, 1]))
        store.write_chunk(*run_batch(scenario, [2, 3, 4, 5]))
    assert pq.read_table(store.out / "runs.parquet").column("replicate").to_pylist() == [*range(6)]
    assert not store.chunks.exists()


def test_a_run_that_fails_keeps_its_chunks_and_writes_no_table(tmp_path):
    scenario, digest = small()
    store = ResultStore(tmp_path / "failed")
    store.open(manifest_for(scenario, digest, None))
    planned = [(0, 2), (3, 5)]
    with pytest.raises(RuntimeError, match="a worker died"), store.consolidation(planned) as tables:
        store.write_chunk(*run_batch(scenario, [0, 1, 2]))
        tables.append_landed()
        raise RuntimeError("a worker died")
    assert sorted(p.name for p in store.out.rglob("*") if p.is_file()) == [
        "manifest.json",
        "runs-0000000-0000002.parquet",
        "ts-0000000-0000002.parquet",
    ]
    never = r"runs-0000003-0000005\.parquet was never written"
    with pytest.raises(StoreError, match=never), store.consolidation([(3, 5)]):
        pass  # the chunk 3-5 never lands
    assert not list(store.out.rglob("*.tmp"))
    assert not (store.out / "runs.parquet").exists()
    run(store.out)
    assert pq.read_table(store.out / "runs.parquet").column("replicate").to_pylist() == [*range(6)]


# --- links inside a results folder are never followed ----------------------------------


def test_a_lock_link_is_refused_and_its_target_untouched(tmp_path, capsys):
    out, target = tmp_path / "out", tmp_path / "precious.txt"
    target.write_text("keep me\n")
    out.mkdir()
    (out / ".lock").symlink_to(target)
    assert main(cli(out)) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == "keep me\n"
    assert not (out / "manifest.json").exists()


def test_a_chunks_link_is_refused_and_the_folder_it_names_untouched(tmp_path, capsys):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    partial(out, [[0, 1, 2]])
    (out / "chunks").rename(elsewhere)
    (out / "chunks").symlink_to(elsewhere, target_is_directory=True)
    before = sorted(p.name for p in elsewhere.iterdir())
    assert main(cli(out)) == 2
    assert f"{out / 'chunks'} is a symbolic link" in capsys.readouterr().err
    assert sorted(p.name for p in elsewhere.iterdir()) == before


def test_a_chunk_named_link_to_another_runs_chunk_is_refused(tmp_path, capsys):
    other, out = tmp_path / "other", tmp_path / "out"
    partial(other, [[0, 1, 2]], steps=5)
    partial(out, [[3, 4, 5]])
    for kind in ("runs", "ts"):
        name = f"{kind}-0000000-0000002.parquet"
        (out / "chunks" / name).symlink_to(other / "chunks" / name)
    assert main(cli(out)) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not (out / "runs.parquet").exists()
    assert (other / "chunks" / "runs-0000000-0000002.parquet").exists()
