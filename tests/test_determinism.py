"""Determinism: same scenario and replicate, same numbers; anything changed, different numbers.

Also the seeding contract (`replicate_rng(seed, r)` is `SeedSequence(seed).spawn(n)[r]`
for any n) and the Mesa DataCollector view of a run.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import ROOT, SCENARIO_DIR, differing_columns, identical, run, scenario

from sim import AfghanistanModel
from sim.model import replicate_rng
from sim.record import COL

STEPS = 24


@pytest.mark.parametrize("name", ["baseline", "joint_us_crackdown", "foreign_fighter_purge"])
def test_same_replicate_gives_identical_values(name):
    first = run(name, 3, steps=STEPS)
    second = run(name, 3, steps=STEPS)
    assert identical(first.values, second.values)
    assert first.outcomes().keys() == second.outcomes().keys()
    for key, value in first.outcomes().items():
        assert value == second.outcomes()[key] or (
            np.isnan(value) and np.isnan(second.outcomes()[key])
        )


def test_loading_from_path_or_scenario_is_the_same():
    from_path = AfghanistanModel(SCENARIO_DIR / "crackdown.yaml", replicate=2, collect=False).run()
    from_spec = AfghanistanModel(scenario("crackdown"), replicate=2, collect=False).run()
    assert identical(from_path.values, from_spec.values)


def test_keyword_overrides_equal_scenario_override():
    from sim.scenario import override

    spec = override(scenario("baseline"), {"steps": STEPS, "policy.crackdown": 0.8})
    by_spec = AfghanistanModel(spec, replicate=1, collect=False).run()
    by_kwargs = run("baseline", 1, steps=STEPS, policy__crackdown=0.8)
    assert identical(by_spec.values, by_kwargs.values)


def test_different_replicates_differ():
    runs = [run("baseline", r, steps=STEPS).values for r in range(4)]
    for i in range(4):
        for j in range(i + 1, 4):
            assert not identical(runs[i], runs[j]), (i, j)
            # the random draws differ already at month 0 (units, cells)
            assert "fighters" in differing_columns(runs[i], runs[j])


def test_different_scenario_seed_differs():
    base = run("baseline", 0, steps=STEPS)
    reseeded = run("baseline", 0, steps=STEPS, seed=scenario("baseline").seed + 1)
    assert not identical(base.values, reseeded.values)


@pytest.mark.parametrize(
    "change",
    [
        {"policy__crackdown": 0.31},
        {"rules__defection__w_ties": 4.0},
        {"economy__wage_usd": 301.0},
        {"mechanisms__fragmentation__scale": 1.01},
        {"international__us__sectarian_sensitivity": 0.006},
    ],
    ids=lambda c: next(iter(c)),
)
def test_changed_parameter_changes_the_series(change):
    base = run("baseline", 0, steps=STEPS)
    changed = run("baseline", 0, steps=STEPS, **change)
    assert not identical(base.values, changed.values)


def test_event_leaves_the_months_before_it_untouched():
    """joint_us_crackdown is the baseline until its event at month 6."""
    event_month = scenario("joint_us_crackdown").events[0].month
    base = run("baseline", 5, steps=STEPS).values
    joint = run("joint_us_crackdown", 5, steps=STEPS).values
    assert identical(base[:event_month], joint[:event_month])
    assert not identical(base[event_month:], joint[event_month:])
    assert joint[event_month, 0, COL["crackdown"]] == 0.8


@pytest.mark.parametrize("replicate", [0, 1, 7, 31])
def test_replicate_rng_is_spawned_seed_sequence_whatever_n(replicate):
    seed = scenario("baseline").seed
    expected = replicate_rng(seed, replicate).random(8)
    for n in (replicate + 1, 32, 100, 1000):
        spawned = np.random.SeedSequence(seed).spawn(n)[replicate]
        np.testing.assert_array_equal(np.random.default_rng(spawned).random(8), expected)
    assert not np.array_equal(replicate_rng(seed, replicate + 1).random(8), expected)


def test_model_stream_is_the_replicate_stream():
    spec = scenario("baseline")
    by_replicate = AfghanistanModel(spec, replicate=4, collect=False, steps=12).run()
    by_rng = AfghanistanModel(spec, rng=replicate_rng(spec.seed, 4), collect=False, steps=12).run()
    assert identical(by_replicate.values, by_rng.values)


def test_collect_does_not_change_results():
    with_dc = AfghanistanModel(scenario("baseline"), replicate=2, collect=True, steps=STEPS).run()
    without = AfghanistanModel(scenario("baseline"), replicate=2, collect=False, steps=STEPS).run()
    assert identical(with_dc.values, without.values)


def test_datacollector_one_row_per_step_and_matches_record():
    model = AfghanistanModel(
        scenario("foreign_fighter_purge"), replicate=1, collect=True, steps=STEPS
    )
    rec = model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == STEPS + 1
    for i, actor in enumerate(rec.actors[: rec.first_state]):
        np.testing.assert_array_equal(
            frame[f"fighters_{actor}"].to_numpy(), rec.values[:, i, COL["fighters"]], err_msg=actor
        )
    for column in ("cells", "attacks", "casualties"):
        np.testing.assert_array_equal(
            frame[column].to_numpy(), rec.values[:, rec.isisk, COL[column]]
        )
    for column in ("revenue", "pressure", "recognized"):
        np.testing.assert_array_equal(frame[column].to_numpy(), rec.values[:, 0, COL[column]])
    assert AfghanistanModel(scenario("baseline"), collect=False).datacollector is None


@pytest.mark.slow
def test_record_is_independent_of_python_hash_seed():
    """Two fresh interpreters with different PYTHONHASHSEED give the same record."""
    code = textwrap.dedent(
        """
        import hashlib
        from sim import AfghanistanModel
        rec = AfghanistanModel("scenarios/foreign_fighter_purge.yaml", replicate=3,
                               collect=False, steps=12).run()
        print(hashlib.sha256(rec.values.tobytes()).hexdigest())
        """
    )
    digests = set()
    for hash_seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"},
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1
