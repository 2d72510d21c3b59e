"""The plain APIs: one run from Python, the Mesa model, Mesa's batch runner, the CLI."""

from __future__ import annotations

import warnings
from pathlib import Path

import mesa
import numpy as np

import sim
from sim import AfghanistanModel, load_scenario
from sim.cli import main
from sim.engine.seeds import replicate_rng
from sim.rules import new_world

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def test_run_returns_the_per_step_series():
    series = sim.run(BASELINE, seed=1, steps=6)
    assert set(series["step"]) == set(range(7))
    actors = set(series["actor"])
    assert {"taliban", "haqqani", "kandahari", "doha", "northern", "isisk", "ttp", "us"} <= actors
    isisk = series[series["actor"] == "isisk"]
    assert {"fighters", "cells", "attacks", "defected_in"} <= set(isisk.columns)
    assert isisk["fighters"].iloc[0] == 2200
    taliban = series[series["actor"] == "taliban"]
    assert taliban[["revenue", "pressure", "recognized", "cohesion"]].iloc[1:].notna().all().all()


def test_mesa_model_equals_its_row_in_a_batch():
    spec = load_scenario(BASELINE)
    spec = spec.model_copy(update={"steps": 12})
    batch = new_world(spec, [replicate_rng(spec.seed, r) for r in range(4)]).run()
    for replicate in (0, 3):
        model = AfghanistanModel(spec, replicate=replicate, collect=False)
        model.run()
        assert np.array_equal(model.recorder.values[0], batch.values[replicate], equal_nan=True)


def test_agents_are_live_views_of_the_state():
    """Each agent reads the state the record holds, whatever the run (fresh entropy each time).

    Each faction against its own row: the Taliban's total leaves out a faction that broke
    away, which a run now and then sees within three months.
    """
    model = AfghanistanModel(BASELINE, steps=3)
    model.run()
    factions = model.agents_by_type[sim.agents.TalibanFaction]
    for faction in factions:
        assert faction.fighters == model.recorder.series(faction.name, "fighters")[-1]
        assert faction.broken_away == model.recorder.series(faction.name, "broken_away")[-1]
    assert model.isisk.fighters == model.recorder.series("isisk", "fighters")[-1]
    assert model.isisk.safe_areas == model.recorder.series("isisk", "safe_areas")[-1]
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4
    assert frame["fighters_isisk"].iloc[-1] == model.isisk.fighters


def test_mesa_batch_runner_drives_the_model_unchanged():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = mesa.batch_run(
            AfghanistanModel,
            parameters={"scenario": str(BASELINE), "steps": 3, "policy__crackdown": [0.0, 0.9]},
            rng=[1],
            max_steps=3,
            number_processes=1,
            display_progress=False,
        )
    assert {row["policy__crackdown"] for row in rows} == {0.0, 0.9}
    assert all("fighters_isisk" in row for row in rows)


def test_mesa_batch_runner_iterations_are_different_runs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Mesa deprecates `iterations` for `rng=[None] * n`
        rows = mesa.batch_run(
            AfghanistanModel,
            parameters={"scenario": str(BASELINE), "steps": 6},
            iterations=2,
            max_steps=6,
            number_processes=1,
            display_progress=False,
        )
    assert [row["iteration"] for row in rows] == [0, 1]
    runs = [{k: v for k, v in row.items() if k not in ("RunId", "iteration")} for row in rows]
    assert runs[0] != runs[1]


def test_a_model_without_seed_draws_fresh_entropy_and_records_it():
    spec = load_scenario(BASELINE).model_copy(update={"steps": 6})
    first, second = (AfghanistanModel(spec, collect=False) for _ in range(2))
    assert first.entropy != second.entropy and first.replicate is None
    again = AfghanistanModel(spec, rng=first.entropy, collect=False)
    assert np.array_equal(first.run().values, again.run().values, equal_nan=True)
    assert not np.array_equal(first.recorder.values, second.run().values, equal_nan=True)
    replicate_0 = AfghanistanModel(spec, replicate=0, collect=False)
    assert replicate_0.entropy is None and replicate_0.replicate == 0


def test_cli_single_run_prints_a_summary(tmp_path, capsys):
    code = main(
        [
            "run",
            str(BASELINE),
            "--replicates",
            "1",
            "--seed",
            "1",
            "--steps",
            "6",
            "--out",
            str(tmp_path),
            "--no-plots",
            "--quiet",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "1 replicates x 6 months, seed 1" in out and "isisk_final" in out


def test_validate_exits_non_zero_on_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(BASELINE) + "\npolicy: {crackdown: 2}\n")
    assert main(["validate", str(BASELINE)]) == 0
    assert main(["validate", str(BASELINE), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "policy.crackdown" in err and "2" in err
