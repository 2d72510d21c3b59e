"""Outcomes declared once: each row's reduction, and a new row seen in every table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.analysis.summary import read_summary
from sim.comparison import compare
from sim.engine.outcomes import OUTCOMES, Outcome, Record, shown
from sim.engine.record import COLUMNS
from sim.inputs.scenario import load_scenario, override
from sim.reference.model import ReferenceModel

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CRACKDOWN = ROOT / "scenarios" / "crackdown.yaml"
# Two replicates, three months (0..2); actors: the Taliban, two factions, ISIS-K.
TYPES = ("taliban", "faction", "faction", "isisk")


def record(column: str, by_actor: list[list[list[float]]]) -> Record:
    """A record holding `by_actor[replicate][actor][month]` in one column, NaN elsewhere."""
    values = np.full((2, 3, len(TYPES), len(COLUMNS)), np.nan)
    values[..., COLUMNS.index(column)] = np.swapaxes(np.array(by_actor, dtype=float), 1, 2)
    return Record(values, TYPES, COLUMNS)


def reduce(over: str, actor: str, rec: Record) -> list:
    row = Outcome("x", "x", "", actor, "attacks", over)
    return row.reduce(rec).tolist()


def test_each_reduction_on_a_hand_made_record():
    rec = record(
        "attacks",
        [
            [[5, 1, 2], [0, 0, 3], [0, 4, 2], [9, 7, 8]],
            [[1, 1, 1], [0, 0, 0], [0, 0, 0], [2, 0, 6]],
        ],
    )
    assert reduce("last", "isisk", rec) == [8, 6]
    assert reduce("sum", "isisk", rec) == [15, 6]  # month 0 is the start: no flows
    assert reduce("max", "isisk", rec) == [9, 6]  # month 0 counts
    assert reduce("mean", "taliban", rec) == [1.5, 1.0]
    assert reduce("last", "faction", rec) == [5, 0]  # a kind's actors added
    assert reduce("sum", "faction", rec) == [9, 0]
    assert reduce("max", "faction", rec) == [5, 0]  # month by month: 0, 4, 5
    assert reduce("first", "faction", rec) == [1, pytest.approx(np.nan, nan_ok=True)]
    assert reduce("ever", "faction", rec) == [True, False]
    assert reduce("first", "isisk", rec) == [0, 0]


def test_a_row_gives_a_reduction_of_a_column_or_a_function_of_the_record():
    with pytest.raises(ValueError, match="outcome bad"):
        Outcome("bad", "Bad", "", "isisk", None, "last")
    with pytest.raises(ValueError, match="outcome bad"):
        Outcome("bad", "Bad", "", "isisk", "attacks", "median")
    with pytest.raises(ValueError, match="outcome bad"):
        Outcome("bad", "Bad", "", "isisk", "attacks", lambda record: record.values[:, 0, 0, 0])
    assert Outcome("ok", "OK", "", None, None, lambda record: record.values).kind == "amount"


def test_every_row_reads_a_recorded_column_and_names_are_unique():
    assert len(set(OUTCOMES.names)) == len(OUTCOMES.names)
    assert {o.column for o in OUTCOMES if o.column} <= set(COLUMNS)
    for event in OUTCOMES.events:
        assert OUTCOMES.month_of(event).kind == "month"


NEW = Outcome(
    "momentum_peak", "ISIS-K peak momentum", "0-1", "isisk", "momentum", "max", shown("summary")
)


def test_adding_an_outcome_is_one_row(monkeypatch, tmp_path):
    """One row in the registry reaches both recorders, the runs table, summary and comparison."""
    monkeypatch.setattr(OUTCOMES, "rows", (*OUTCOMES.rows, NEW))
    out = tmp_path / "compare"
    changes = {"replicates": 2, "steps": 3}
    differences = compare([BASELINE, CRACKDOWN], out, workers=1, progress=False, **changes)
    runs = pq.read_table(out / "baseline" / "runs.parquet")
    series = pq.read_table(out / "baseline" / "timeseries.parquet").to_pandas()
    isisk = series[series["actor"] == "isisk"].groupby("replicate")["momentum"].max()
    assert runs.column("momentum_peak").to_numpy().astype(np.float32).tolist() == isisk.tolist()
    replicates, summary = read_summary(out / "baseline")
    assert replicates == 2 and "momentum_peak" in [row.outcome for row in summary]
    assert "momentum_peak" in set(differences["outcome"])
    reference = ReferenceModel(override(load_scenario(BASELINE), {"steps": 3})).run()
    momentum = reference.datacollector.get_model_vars_dataframe()["momentum_isisk"]
    assert reference.outcomes()["momentum_peak"] == momentum.max()
