"""`sim hindcast`: observation models, matching entries to months, scores, and the command.

A synthetic observed file drawn from the model's own runs (another seed, the same
observation models) is covered at about the nominal rate; an entry far outside any
band is reported as a miss; entries the run cannot match are listed with the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, SCENARIO_DIR

from sim.analysis.hindcast import TABLE, record_actors, run_hindcast
from sim.analysis.hindcast_targets import hindcast_targets
from sim.analysis.observation import (
    MODELS,
    draw_parameters,
    observation_generator,
    observe,
)
from sim.analysis.scores import covers, crps, pit
from sim.cli import main
from sim.engine.record import COL
from sim.engine.seeds import replicate_rng
from sim.inputs.observed import calendar_month, load_observed
from sim.inputs.problems import ScenarioError
from sim.inputs.scenario import load_scenario, override
from sim.rules import new_world
from sim.runs.store import OutputMismatchError

OBSERVED = ROOT / "data" / "observed.yaml"
STEPS = 6
SYNTHETIC = ("recorded_attacks", "claimed_attacks", "fighters")  # one entry of each per truth


def short_baseline(replicates: int, seed: int):
    scenario = load_scenario(SCENARIO_DIR / "baseline.yaml")
    events = [e.model_dump() for e in scenario.events if e.month <= STEPS]
    changes = {"steps": STEPS, "replicates": replicates, "seed": seed, "events": events}
    return override(scenario, changes)


def synthetic_entries(truths: int, seed: int) -> list[dict]:
    """Entries drawn from `truths` replicates of the model at `seed`, through the models."""
    scenario = short_baseline(truths, seed)
    values = new_world(scenario, [replicate_rng(seed, r) for r in range(truths)]).run()
    isisk = values.actors.index("isisk")
    gen = observation_generator(seed)
    pars = draw_parameters(truths, gen)
    entries = []
    for name in SYNTHETIC:
        model = MODELS[name]
        series = values.values[:, :, isisk, COL[model.column]]
        for r in range(truths):  # truth r reads month r % STEPS: the entries meet several bands
            first = 0 if name == "claimed_attacks" else r % STEPS  # claimed: a total from month 0
            steps = (first + 1, r % STEPS + 1)
            value = observe(model, series[r : r + 1], steps, False, _row(pars, r), gen)[0]
            entries.append(
                {"month": [first, r % STEPS], "value": float(value), "observation": name,
                 "source": "the model"}
            )  # fmt: skip
    return entries


def _row(pars: dict[str, np.ndarray], r: int) -> dict[str, np.ndarray]:
    return {name: values[r : r + 1] for name, values in pars.items()}


def test_claimed_attacks_thin_the_recorded_ones_by_the_claim_share():
    recorded = np.full((20_000, 2), 50.0)
    pars = {"claim_share": np.full(20_000, 0.6)}
    claimed = observe(
        MODELS["claimed_attacks"], recorded, (1, 1), False, pars, np.random.default_rng(1)
    )
    assert claimed.mean() == pytest.approx(30, abs=0.2)
    assert claimed.var() == pytest.approx(50 * 0.6 * 0.4, rel=0.1)  # binomial, not a fixed share
    assert (claimed <= 50).all()


def test_the_deterministic_models_scale_as_declared():
    gen = np.random.default_rng(0)
    pars = draw_parameters(1000, gen)
    stock = np.full((1000, 4), 2000.0)
    families = observe(MODELS["fighters_with_families"], stock, (1, 3), False, pars, gen)
    assert np.allclose(families, 2000 * pars["family_factor"])
    claim = observe(MODELS["claimed_removals"], stock, (1, 3), False, pars, gen)
    assert (claim >= 3 * 2000).all() and np.allclose(claim, 6000 * pars["claim_factor"])
    revenue = np.full((1000, 13), 100.0)  # USD million a month
    afghani = observe(MODELS["revenue_afn_bn"], revenue, (1, 12), False, pars, gen)
    assert np.allclose(afghani, 1200 * pars["afn_per_usd"] / 1000)
    per_month = observe(MODELS["recorded_attacks"], revenue, (1, 12), True, pars, gen)
    assert np.allclose(per_month, 100)


def test_observation_draws_repeat_with_the_seed():
    first = draw_parameters(5, observation_generator(7))
    again = draw_parameters(5, observation_generator(7))
    other = draw_parameters(5, observation_generator(8))
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not np.array_equal(first["claim_share"], other["claim_share"])


def test_scores_of_a_known_ensemble():
    samples = np.arange(1, 101, dtype=float)
    assert covers(samples, 50, 50, 0.5) and not covers(samples, 90, 95, 0.5)
    assert covers(samples, 90, 95, 0.9) and not covers(samples, 200, 300, 0.9)
    # energy form against its definition over all pairs
    x, y = np.array([1.0, 4.0, 6.0]), 3.0
    direct = np.abs(x - y).mean() - np.abs(x[:, None] - x[None, :]).mean() / 2
    assert crps(x, y) == pytest.approx(direct)
    assert crps(np.full(10, 3.0), 3.0) == 0.0
    gen = np.random.default_rng(0)
    assert pit(samples, 0.5, gen) == 0.0 and pit(samples, 1000, gen) == 1.0
    ties = [pit(np.full(10, 5.0), 5.0, gen) for _ in range(2000)]
    assert np.mean(ties) == pytest.approx(0.5, abs=0.03)  # ties split evenly


def test_the_shipped_file_is_matched_or_each_entry_says_why_not():
    scenario = load_scenario(SCENARIO_DIR / "historical.yaml")
    observed = load_observed(OBSERVED)
    targets = hindcast_targets(observed, calendar_month(2021, 10), 60, record_actors(scenario))
    found = {t.entry.path: t for t in targets}
    october = found["calibration_targets.isisk_attacks_per_month[2]"]
    assert october.steps == (1, 1) and october.model.name == "recorded_attacks"
    claimed = found["calibration_targets.isisk_attacks_per_month[4]"]
    assert claimed.model.name == "claimed_attacks" and claimed.steps == (1, 9)
    assert "mean of 2021-10..2022-06" in claimed.reason  # the part simulated, said
    budget = found["initial_conditions.taliban_budget[0]"]
    assert (budget.low, budget.steps) == (186.7, (6, 17))
    earlier = found["calibration_targets.isisk_attacks_claimed_per_year[1]"]
    assert not earlier.scored and "needs all its months" in earlier.reason
    assert all(t.reason for t in targets if not t.scored)
    assert len(targets) == sum(1 for e in observed.entries if e.numbers)  # none dropped


def test_an_unknown_observation_model_or_actor_is_refused(tmp_path):
    file = tmp_path / "observed.yaml"
    file.write_text(
        "s:\n  x:\n    - {month: 1, value: 3, source: a, observation: rumours}\n"
        "    - {month: 1, value: 3, source: a, observation: fighters, actor: nobody}\n"
    )
    with pytest.raises(ScenarioError) as err:
        hindcast_targets(load_observed(file), calendar_month(2021, 10), 6, ["isisk"])
    paths = [(p.path, p.message.split(";")[0]) for p in err.value.problems]
    assert paths == [("s.x[0].observation", "got 'rumours'"), ("s.x[1].actor", "got 'nobody'")]


@pytest.fixture(scope="module")
def synthetic_hindcast(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hindcast")
    entries = synthetic_entries(60, seed=99)
    entries.append(
        {"month": 1, "value": 5000, "observation": "recorded_attacks", "source": "far off"}
    )
    file = folder / "observed.yaml"
    file.write_text(yaml.safe_dump({"synthetic": {"isisk_series": entries}}))
    scenario = short_baseline(200, seed=5)
    source = str(SCENARIO_DIR / "baseline.yaml")
    result = run_hindcast(
        scenario, load_observed(file), folder / "out", scenario_sha256="x", source=source,
        progress=False,
    )  # fmt: skip
    return result, folder


def test_a_synthetic_file_from_the_model_is_covered_at_the_nominal_rate(synthetic_hindcast):
    result, _ = synthetic_hindcast
    table = result.table.iloc[:-1]
    assert table["scored"].all() and len(table) == 180
    # 180 entries: binomial sd 2.2 points at 90%, 3.7 at 50%, about 3 sd allowed (entries
    # of one month share a band, so they are not quite independent); counts tie at the
    # band edges, which adds coverage
    assert 0.82 <= table["in_90"].mean() <= 0.97
    assert 0.39 <= table["in_50"].mean() <= 0.66
    for name in SYNTHETIC:
        own = table[table["observation"] == name]
        assert own["in_90"].mean() >= 0.7, name  # each model, not only on average
    assert 0.4 <= table["pit"].mean() <= 0.6


def test_an_entry_far_outside_any_band_is_a_miss(synthetic_hindcast):
    result, folder = synthetic_hindcast
    far = result.table.iloc[-1]
    assert far["scored"] and not far["in_90"] and not far["in_50"] and far["pit"] == 1.0
    written = pd.read_csv(folder / "out" / TABLE)
    assert not written["in_90"].iloc[-1]


def test_the_command_prints_the_table_and_writes_figures_and_manifest(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["hindcast", str(SCENARIO_DIR / "historical.yaml"), "--observed", str(OBSERVED),
         "-n", "8", "--out", str(out), "-q"]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "calibration_targets.isisk_attacks_per_month[2]" in printed
    assert "not scored:" in printed and "needs all its months" in printed
    assert (out / "manifest.json").exists() and (out / "runs" / "timeseries.parquet").exists()
    assert (out / "plots" / "hindcast_pit.png").exists()
    assert (out / "plots" / "hindcast_isisk_attacks_per_month_claimed_attacks.png").exists()


def test_the_command_names_the_bad_entry_of_a_malformed_file(tmp_path, capsys):
    bad = tmp_path / "observed.yaml"
    bad.write_text("s:\n  x:\n    - {month: 1, value: [9, 1], source: a}\n")
    code = main(
        ["hindcast", str(SCENARIO_DIR / "baseline.yaml"), "--observed", str(bad), "-n", "2",
         "--out", str(tmp_path / "out")]
    )  # fmt: skip
    assert code == 2
    error = capsys.readouterr().err
    assert f"{bad}: s.x[0].value" in error and "low <= high" in error
    assert not (tmp_path / "out").exists()  # refused before anything ran


def test_a_folder_of_other_results_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text('{"kind": "calibration"}')
    observed = load_observed(OBSERVED)
    with pytest.raises(OutputMismatchError, match="another kind"):
        run_hindcast(
            short_baseline(2, 1),
            observed,
            tmp_path,
            scenario_sha256="x",
            source=str(SCENARIO_DIR / "baseline.yaml"),
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "manifest.json"]
