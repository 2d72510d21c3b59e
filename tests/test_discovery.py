"""Scenario discovery: conditions read safely, a known box recovered, `sim discover` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

pytest.importorskip("ema_workbench")

from sim.analysis.condition import ConditionError, evaluate
from sim.analysis.discovery import balanced, discover
from sim.cli import main
from sim.engine.outcomes import OUTCOMES
from sim.inputs.sweep import load_sweep
from sim.runs.sweep import run_sweep, sweep_tables

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {
    "isisk_final": np.array([100.0, 500.0, 30.0]),
    "isisk.fighters": np.array(200.0),
    "fragmented": np.array([True, False, True]),
}
BOX = {"a": (0.6, 1.0), "b": (0.0, 0.3)}  # the known box: a >= 0.6 and b <= 0.3
TOLERANCE = 0.03  # of a unit range, with 2,000 uniform points


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("isisk_final > 2 * isisk.fighters", [False, True, False]),
        ("isisk_final >= 100 and not fragmented", [False, True, False]),
        ("isisk_final >= 100", [True, True, False]),
        ("(isisk_final - 30) / 70 == 1 or isisk_final < 50", [True, False, True]),
        ("-isisk_final <= -1e2", [True, True, False]),
        ("fragmented", [True, False, True]),
        ("not (fragmented or isisk_final != 500)", [False, True, False]),
    ],
)
def test_a_condition_evaluates_over_the_columns(condition, expected):
    assert evaluate(condition, COLUMNS).tolist() == expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("isisk_final > 2 * isisk_start", "unknown name 'isisk_start'; known: fragmented"),
        ("isisk_final >", "expected a number or a name, found the end"),
        ("isisk_final > 1 )", "unexpected ')'"),
        ("(isisk_final > 1", "expected ')', found the end"),
        ("isisk_final * 2", "is a number, not a yes/no"),
        ("fragmented + 1 > 0", "'+' needs numbers, got a yes/no"),
        ("isisk_final and fragmented", "'and' needs yes/no on each side"),
        ("__import__('os').system('true')", 'cannot read "\'"'),
        ("isisk_final > 1; fragmented", "cannot read ';'"),
        ("  ", "the condition is empty"),
    ],
)
def test_a_bad_condition_is_refused_with_what_is_wrong(condition, message):
    with pytest.raises(ConditionError) as caught:
        evaluate(condition, COLUMNS)
    assert message in str(caught.value)


def synthetic(points: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    """Four uniform parameters; the condition holds exactly inside `BOX`."""
    x = pd.DataFrame(np.random.default_rng(5).uniform(0, 1, (points, 4)), columns=list("abcd"))
    inside = np.all([(x[k] >= lo) & (x[k] <= hi) for k, (lo, hi) in BOX.items()], axis=0)
    return x, inside


def assert_known_box(box: pd.DataFrame) -> None:
    limits = box.set_index("parameter")
    assert sorted(limits.index) == sorted(BOX)  # c and d are left unrestricted
    for parameter, (low, high) in BOX.items():
        assert limits.loc[parameter, "low"] == pytest.approx(low, abs=TOLERANCE)
        assert limits.loc[parameter, "high"] == pytest.approx(high, abs=TOLERANCE)
    assert (limits[["qp_low", "qp_high"]].min(axis=1) < 1e-6).all()  # each restriction matters


def test_prim_and_cart_recover_a_known_box():
    x, inside = synthetic()
    found = discover(x, inside, condition="inside")
    assert_known_box(found.box)
    chosen = found.trajectory.iloc[found.chosen]
    assert chosen["coverage"] > 0.95 and chosen["density"] > 0.95  # neither traded away
    best_leaf = found.cart.sort_values("density").iloc[-1]
    assert best_leaf["density"] == 1.0 and best_leaf["coverage"] > 0.9
    assert set(found.scores["parameter"].head(2)) == set(BOX)
    assert len(found.scores) == 4  # every parameter scored


def test_the_chosen_box_balances_coverage_and_density():
    trajectory = pd.DataFrame({"coverage": [1.0, 0.9, 0.5, 0.0], "density": [0.5, 0.9, 1.0, 0.0]})
    assert balanced(trajectory) == 1


def test_a_condition_that_holds_everywhere_or_nowhere_is_refused():
    x, inside = synthetic(200)
    for y in (np.zeros_like(inside), np.ones_like(inside)):
        with pytest.raises(ConditionError, match="nothing to tell apart"):
            discover(x, y)


def fake_sweep(folder: Path) -> Path:
    """A sweep's results folder whose outcome isisk_final is high exactly inside `BOX`."""
    x, inside = synthetic()
    points = x.rename(columns=lambda c: f"rules.attacks.{c}")
    points.insert(0, "point", np.arange(len(points)))
    points["policy.crackdown"] = 0.3  # not swept: no dimension of the boxes
    runs = points.copy()
    runs.insert(1, "replicate", 0)
    for name in OUTCOMES.names:
        runs[name] = 0.0
    runs["isisk_final"] = np.where(inside, 5000.0, 1000.0)
    folder.mkdir()
    points.to_parquet(folder / "points.parquet")
    runs.to_parquet(folder / "runs.parquet")
    manifest = {"kind": "sweep", "scenario": {"isisk": {"fighters": 2000}}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_sim_discover_recovers_the_box_of_a_sweep_and_writes_its_tables_and_figures(
    tmp_path, capsys
):
    folder = fake_sweep(tmp_path / "sweep")
    assert main(["discover", str(folder), "--outcome", "isisk_final > 2 * isisk.fighters"]) == 0
    out = capsys.readouterr().out
    assert "rules.attacks.a" in out and "rules.attacks.b" in out
    written = folder / "discovery"
    box = pd.read_csv(written / "prim_box.csv")
    assert_known_box(box.assign(parameter=box["parameter"].str.removeprefix("rules.attacks.")))
    for name in ("prim_trajectory.csv", "cart_leaves.csv"):
        assert len(pd.read_csv(written / name)) > 0
    scores = pd.read_csv(written / "feature_scores.csv")
    assert sorted(scores["parameter"]) == [f"rules.attacks.{c}" for c in "abcd"]
    for name in ("prim_tradeoff", "prim_box", "feature_scores"):
        assert (written / f"{name}.png").stat().st_size > 1000
        assert (written / f"{name}.svg").exists()
    summary = json.loads((written / "summary.json").read_text())
    assert summary["cases"] == int(
        pd.read_parquet(folder / "runs.parquet")["isisk_final"].gt(4000).sum()
    )


def test_sim_discover_names_a_bad_condition_and_a_box_off_the_trajectory(tmp_path, capsys):
    folder = fake_sweep(tmp_path / "sweep")
    assert main(["discover", str(folder), "--outcome", "isisk_final > 2 * isisk_start"]) == 2
    err = capsys.readouterr().err
    assert "unknown name 'isisk_start'" in err and "isisk.fighters" in err
    assert main(["discover", str(folder), "--outcome", "isisk_final > 0", "--box", "3"]) == 2
    assert "holds in every run" in capsys.readouterr().err
    condition = "isisk_final > 2000"
    assert main(["discover", str(folder), "--outcome", condition, "--box", "999"]) == 2
    assert "box 999: the trajectory has boxes 0 to" in capsys.readouterr().err
    assert not (folder / "discovery").exists()


def test_sim_discover_reads_a_real_sweep(tmp_path, capsys):
    spec = yaml.safe_load((ROOT / "experiments" / "sweep_example.yaml").read_text())
    spec |= {"scenario": str(ROOT / "scenarios" / "baseline.yaml"), "steps": 6, "replicates": 2}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    out = run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    _, runs = sweep_tables(out)
    middle = float(np.median(runs["attacks_total"]))
    assert main(["discover", str(out), "--outcome", f"attacks_total > {middle}"]) == 0
    scores = pd.read_csv(out / "discovery" / "feature_scores.csv")
    assert set(scores["parameter"]) == {"rules.attacks.base_rate", "policy.crackdown"}
