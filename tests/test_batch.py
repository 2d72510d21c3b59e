"""The batch runner and the chunk plan: per-replicate values, rows in order, chunk sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from sim.inputs.problems import ScenarioError
from sim.inputs.scenario import load_scenario, override
from sim.runs.batch import run_batch, value_groups
from sim.runs.chunked import CHUNK_RANGE, default_chunk_size

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
KEY = "rules.attacks.base_rate"


@pytest.fixture(scope="module")
def scenario():
    return override(load_scenario(BASELINE), {"steps": 4})


def test_each_replicate_gives_the_rows_it_gives_alone_whatever_its_batch(scenario):
    """Values interleaved (a, b, a) and a replicate number twice, at two values."""
    replicates, rates = [3, 5, 3, 7], np.array([2.0, 3.5, 3.5, 2.0])
    runs, series = run_batch(scenario, replicates, {KEY: rates})
    assert runs.column("replicate").to_pylist() == replicates
    alone = [
        run_batch(override(scenario, {KEY: float(v)}), [r])
        for r, v in zip(replicates, rates, strict=True)
    ]
    assert runs.equals(pa.concat_tables([a[0] for a in alone]))
    assert series.equals(pa.concat_tables([a[1] for a in alone]))
    assert not runs.slice(0, 1).equals(runs.slice(2, 1)), "replicate 3 at two values differs"


def test_keys_that_may_vary_step_in_one_world_and_the_others_split_it(scenario, monkeypatch):
    import sim.runs.batch as batch

    worlds = []
    real = batch.new_world
    monkeypatch.setattr(batch, "new_world", lambda *a, **k: worlds.append(a) or real(*a, **k))
    replicates = [0, 1, 2, 3]
    values = {KEY: np.array([2.0, 3.5, 2.5, 3.0]), "isisk.cells": np.array([20, 20, 30, 30])}
    runs, _ = run_batch(scenario, replicates, values)
    assert len(worlds) == 2, "one world per value of isisk.cells, base rates varied inside"
    alone = [
        run_batch(override(scenario, {KEY: float(rate), "isisk.cells": int(cells)}), [r])[0]
        for r, rate, cells in zip(replicates, *values.values(), strict=True)
    ]
    assert runs.equals(pa.concat_tables(alone))


def test_values_that_break_a_check_between_fields_are_refused(scenario):
    sd = "taliban.factions.haqqani.ideology.sd"  # the Haqqani mean is 0.75: sd < 0.433
    with pytest.raises(ScenarioError, match=r"ideology\.sd.*too large for mean"):
        run_batch(scenario, [0, 1], {sd: np.array([0.1, 0.45])})


def test_values_group_by_identity_in_order_of_first_use(scenario):
    groups = value_groups(scenario, 4, {KEY: np.array([2.0, 3.5, 2.0, 3.5])})
    assert [positions for _, positions in groups] == [[0, 2], [1, 3]]
    assert [s.rules.attacks.base_rate for s, _ in groups] == [2.0, 3.5]
    assert value_groups(scenario, 3, None) == [(scenario, [0, 1, 2])]


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize("runs", [1, 40, 300, 499, 500, 1_000, 1_234, 10_000])
def test_chunks_hold_125_to_200_and_come_in_a_multiple_of_the_workers(runs, workers):
    size = default_chunk_size(runs, workers)
    chunks = -(-runs // size)
    least, most = CHUNK_RANGE
    assert 1 <= size <= most
    if workers == 1:
        assert size == min(runs, most)
    elif runs >= 2 * workers * least:  # large enough to batch well
        assert size >= least and chunks % workers == 0
    else:  # small: two chunks per worker, or as many as there are runs
        assert chunks == min(runs, 2 * workers) or size == -(-runs // (2 * workers))
