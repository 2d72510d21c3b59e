"""The EMA Workbench adapter: EMA's own experiments and PRIM run through `sim.ema`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ema_workbench")

from ema_workbench import SequentialEvaluator, perform_experiments
from ema_workbench.analysis import prim
from ema_workbench.em_framework.samplers import LHSSampler

from sim import ema
from sim.engine.outcomes import OUTCOMES
from sim.inputs.ranges import range_of
from sim.inputs.scenario import load_scenario, override
from sim.runs.batch import run_batch

ROOT = Path(__file__).resolve().parents[1]
STEPS = 6


@pytest.fixture(scope="module")
def short():
    return override(load_scenario(ROOT / "scenarios" / "baseline.yaml"), {"steps": STEPS})


def samples(sim_model: ema.SimModel, scenarios: int, policies: int):
    """Fixed EMA samples of the model's uncertainties and levers."""
    return (
        LHSSampler().generate_samples(list(sim_model.uncertainties), scenarios, rng=1),
        LHSSampler().generate_samples(list(sim_model.levers), policies, rng=2),
    )


def key_values(sim_model: ema.SimModel, experiments, row: int) -> dict:
    """The scenario key paths and values of one row of EMA's experiments table."""
    parameters = [*sim_model.uncertainties, *sim_model.levers]
    return {p.variable_name[0]: experiments[p.name].iloc[row].item() for p in parameters}


def test_uncertainties_are_the_ranges_levers_the_policy_keys_outcomes_the_registry(short):
    sim_model = ema.model(short)
    uncertainties = {p.name: p for p in sim_model.uncertainties}
    levers = {p.name: p for p in sim_model.levers}
    rate = uncertainties["rules__attacks__base_rate"]
    span = range_of("rules.attacks.base_rate")
    assert (rate.lower_bound, rate.upper_bound) == (span.low, span.high)
    assert {"policy__crackdown", "policy__accuracy", "policy__punishment"} <= set(levers)
    assert {"policy__concessions", "policy__purge__ttp", "international__us__aid_musd"} <= set(
        levers
    )
    assert "international__donors__recognize_below" in levers
    assert levers["international__us__step_after"].lower_bound == 3  # whole months
    assert not set(levers) & set(uncertainties)
    assert not any(name.endswith("__sd") for name in uncertainties)  # jointly bounded
    assert [o.name for o in sim_model.outcomes] == list(OUTCOMES.names)


def test_perform_experiments_runs_the_batched_engine_and_prim_reads_its_results(short):
    sim_model = ema.model(short)
    scenarios, policies = samples(sim_model, 30, 2)
    with ema.BatchedEvaluator(sim_model, workers=1) as evaluator:
        experiments, outcomes = perform_experiments(
            sim_model, scenarios, policies, evaluator=evaluator
        )
    assert len(experiments) == 60
    assert set(outcomes) == set(OUTCOMES.names)
    assert all(len(values) == 60 for values in outcomes.values())
    # each experiment is the plain engine run at its values: replicate 0 of the scenario seed
    for row in (0, 37):
        alone, _ = run_batch(override(short, key_values(sim_model, experiments, row)), [0])
        for name in ("isisk_final", "attacks_total", "recognized"):
            assert outcomes[name][row] == alone.column(name)[0].as_py()
    columns = [p.name for p in sim_model.uncertainties]
    concern = outcomes["attacks_total"] > np.median(outcomes["attacks_total"])
    x = experiments[columns].astype(float)  # EMA's pasting puts midpoints in integer columns
    box = prim.Prim(x, concern.astype(int), peel_alpha=0.1).find_box()
    trajectory = box.peeling_trajectory
    assert len(trajectory) > 1
    assert trajectory["density"].iloc[-1] > trajectory["density"].iloc[0]


def test_the_batched_evaluator_gives_the_numbers_of_emas_sequential_evaluator(short):
    sim_model = ema.model(short, replicates=2)
    scenarios, policies = samples(sim_model, 3, 1)
    with SequentialEvaluator(sim_model) as evaluator:
        _, one_by_one = perform_experiments(sim_model, scenarios, policies, evaluator=evaluator)
    with ema.BatchedEvaluator(sim_model, workers=1) as evaluator:
        _, batched = perform_experiments(sim_model, scenarios, policies, evaluator=evaluator)
    for name in OUTCOMES.names:
        np.testing.assert_array_equal(batched[name], one_by_one[name])
    # the mean of replicates 0 and 1 of the scenario seed at the experiment's values
    experiments, _ = perform_experiments(sim_model, scenarios, policies, evaluator=evaluator)
    alone, _ = run_batch(override(short, key_values(sim_model, experiments, 2)), [0, 1])
    assert batched["isisk_final"][2] == np.mean(alone.column("isisk_final").to_numpy())
    assert batched["recognized"][2] == np.mean(alone.column("recognized").to_numpy())


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")
def test_the_batched_evaluator_runs_on_dask_with_the_local_pools_numbers(short):
    pytest.importorskip("distributed")
    sim_model = ema.model(short)
    scenarios, policies = samples(sim_model, 4, 1)
    with ema.BatchedEvaluator(sim_model, workers=1) as evaluator:
        _, local = perform_experiments(sim_model, scenarios, policies, evaluator=evaluator)
    with ema.BatchedEvaluator(sim_model, "dask", workers=1) as evaluator:
        _, on_dask = perform_experiments(sim_model, scenarios, policies, evaluator=evaluator)
    for name in OUTCOMES.names:
        np.testing.assert_array_equal(on_dask[name], local[name])


def test_a_model_needs_a_replicate(short):
    with pytest.raises(ValueError, match="replicates: expected at least 1, got 0"):
        ema.model(short, replicates=0)


def test_the_batched_evaluator_refuses_a_model_it_cannot_batch():
    from ema_workbench import Model

    with pytest.raises(TypeError, match=r"sim\.ema\.model"):
        ema.BatchedEvaluator(Model("other", function=lambda **_: {}))
