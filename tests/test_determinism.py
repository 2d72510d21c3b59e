"""Determinism: same scenario and replicate, same numbers; anything changed, different numbers.

Also the seeding contract (`replicate_rng(seed, r)` is `SeedSequence(seed).spawn(n)[r]`
for any n), chunk invariance (a replicate's numbers do not depend on which other
replicates share its World, nor on whether it runs in the Mesa facade), and the Mesa
DataCollector view of a run.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import (
    ROOT,
    SCENARIO_DIR,
    batch,
    differing_columns,
    identical,
    model,
    run,
    scenario,
    spec_of,
    world,
)

from sim import AfghanistanModel
from sim.engine.record import COL
from sim.engine.seeds import replicate_rng, replicate_seed
from sim.rules import new_world
from sim.rules.crackdown import security_ties

STEPS = 24


def same_outcomes(a: dict, b: dict) -> bool:
    """Two outcome dicts equal key by key, NaN equal to NaN."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])) for k in a
    )


@pytest.mark.parametrize("name", ["baseline", "joint_us_crackdown", "foreign_fighter_purge"])
def test_same_replicates_give_identical_values(name):
    first = batch(name, (3, 4), steps=STEPS)
    second = batch(name, (3, 4), steps=STEPS)
    assert identical(first.values, second.values)
    for a, b in zip(first.outcomes(), second.outcomes(), strict=True):
        assert same_outcomes(a, b)
    # and through the Mesa facade
    once, twice = (model(name, 3, steps=STEPS) for _ in range(2))
    assert identical(once.run().values, twice.run().values)
    assert same_outcomes(once.outcomes(), twice.outcomes())


def test_loading_from_path_or_scenario_is_the_same():
    from_path = AfghanistanModel(SCENARIO_DIR / "crackdown.yaml", replicate=2, collect=False).run()
    from_spec = AfghanistanModel(scenario("crackdown"), replicate=2, collect=False).run()
    assert identical(from_path.values, from_spec.values)


def test_keyword_overrides_equal_scenario_override():
    from sim.inputs.scenario import override

    spec = override(scenario("baseline"), {"steps": STEPS, "policy.crackdown": 0.8})
    by_spec = new_world(spec, [replicate_rng(spec.seed, 1)]).run()
    by_kwargs = AfghanistanModel(
        scenario("baseline"), replicate=1, collect=False, steps=STEPS, policy__crackdown=0.8
    ).run()
    assert identical(by_spec.values, by_kwargs.values)


def test_different_replicates_differ():
    rows = batch("baseline", range(4), steps=STEPS).values
    start = world("baseline", range(4))
    for i in range(4):
        for j in range(i + 1, 4):
            assert not identical(rows[i], rows[j]), (i, j)
            assert "fighters" in differing_columns(rows[i], rows[j])
            # the random draws differ already at month 0 (units' traits, cells' sizes)
            assert not np.array_equal(start.units.ideology[i], start.units.ideology[j])
            assert not np.array_equal(start.cells.fighters[i], start.cells.fighters[j])


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
    base = batch("baseline", (0, 1), steps=STEPS).values
    changed = batch("baseline", (0, 1), steps=STEPS, **change).values
    for r in range(2):
        assert not identical(base[r], changed[r]), r


def test_event_leaves_the_months_before_it_untouched():
    """joint_us_crackdown is the baseline until its event at month 6."""
    event_month = scenario("joint_us_crackdown").events[0].month
    base = batch("baseline", range(5), steps=STEPS).values
    joint = batch("joint_us_crackdown", range(5), steps=STEPS).values
    assert identical(base[:, :event_month], joint[:, :event_month])
    for r in range(5):
        assert not identical(base[r, event_month:], joint[r, event_month:]), r
    np.testing.assert_array_equal(joint[:, event_month, 0, COL["crackdown"]], 0.8)


@pytest.mark.parametrize("replicate", [0, 1, 7, 31])
def test_replicate_rng_is_spawned_seed_sequence_whatever_n(replicate):
    seed = scenario("baseline").seed
    for n in (replicate + 1, 32, 100, 1000):
        child = np.random.SeedSequence(seed).spawn(n)[replicate]
        np.testing.assert_array_equal(
            replicate_seed(seed, replicate).generate_state(8), child.generate_state(8)
        )
        spawned = np.random.default_rng(np.random.SeedSequence(seed).spawn(n)[replicate])
        spawned.integers(np.iinfo(np.int32).max)  # the draw Mesa takes to seed `random`
        np.testing.assert_array_equal(spawned.random(8), replicate_rng(seed, replicate).random(8))
    assert not np.array_equal(
        replicate_rng(seed, replicate + 1).random(8), replicate_rng(seed, replicate).random(8)
    )


def test_model_stream_is_the_replicate_stream():
    spec = scenario("baseline")
    by_replicate = AfghanistanModel(spec, replicate=4, collect=False, steps=12).run()
    by_rng = AfghanistanModel(spec, rng=replicate_rng(spec.seed, 4), collect=False, steps=12).run()
    assert identical(by_replicate.values, by_rng.values)


# Cases whose rows grow apart: events, breakaways, cells splitting past the table's
# starting capacity, ISIS-K wiped out in some rows but not others.
CHUNK_CASES = {
    "baseline": ("baseline", {}),
    "ragged": (
        "joint_us_crackdown",
        {
            "rules__fragmentation__base_hazard": 0.99,
            "rules__recruitment__cell_split_size": 15,
            "rules__crackdown__removal_rate": 1.0,
            "isisk__fighters": 300,
            "isisk__cells": 3,
            "policy__purge": {"ttp": 0.8, "imu": 1.0},
            "policy__adaptive_gain": 0.5,
        },
    ),
}


@pytest.mark.parametrize("case", CHUNK_CASES)
def test_replicate_is_the_same_alone_in_a_batch_of_7_or_50_and_in_mesa(case):
    name, changes = CHUNK_CASES[case]
    spec = spec_of(name, steps=STEPS, **changes)
    fifty = [*range(100, 120), 5, *range(120, 140), 0, *range(140, 148)]
    assert len(fifty) == 50
    seven = batch(spec, range(7))
    large = batch(spec, fifty)
    for r in (0, 5):
        alone = batch(spec, (r,))
        assert identical(alone.values[0], seven.values[r]), f"replicate {r}: alone vs batch of 7"
        row = fifty.index(r)
        assert identical(alone.values[0], large.values[row]), f"replicate {r}: batch of 50"
        assert same_outcomes(alone.outcomes()[0], large.outcomes()[row])
        mesa = AfghanistanModel(spec, replicate=r, collect=False)
        mesa.run()
        assert identical(mesa.recorder.values[0], seven.values[r]), f"replicate {r}: Mesa"
        assert same_outcomes(mesa.outcomes(), seven.outcomes()[r])
    # the rows really are ragged (different numbers of cells per replicate)
    assert len(set(large.values[:, -1, large.isisk, COL["cells"]])) > 1


def test_sums_over_a_row_do_not_depend_on_the_batch_width():
    """Replicate 11's security ties at month 13, alone and among 8, are the same float.

    A numpy sum over the padded width differed in the last bit here (with the baseline
    of the model revision); the sums over a row add in order now.
    """
    spec = spec_of("baseline", steps=STEPS)
    alone = new_world(spec, [replicate_rng(spec.seed, 11)])
    eight = new_world(spec, [replicate_rng(spec.seed, r) for r in range(11, 19)])
    for _ in range(13):
        alone.step()
        eight.step()
    assert alone.units.width != eight.units.width
    assert security_ties(alone)[0] == security_ties(eight)[0]


@pytest.mark.slow
@pytest.mark.parametrize("case", CHUNK_CASES)
def test_chunks_of_any_size_give_the_same_rows_over_the_full_horizon(case):
    name, changes = CHUNK_CASES[case]
    spec = spec_of(name, **changes)  # the scenario's own horizon (60 months)
    whole = batch(spec, range(50)).values
    for size in (1, 7, 16):
        chunks = [batch(spec, range(i, min(50, i + size))).values for i in range(0, 50, size)]
        assert identical(np.concatenate(chunks), whole), f"chunks of {size}"


def test_batch_rows_are_their_replicates():
    """Row i of a batch is replicate `replicates[i]`, whatever the order."""
    spec = spec_of("baseline", steps=12)
    forward = batch(spec, (2, 9, 4))
    backward = batch(spec, (4, 9, 2))
    assert identical(forward.values[::-1], backward.values)


def test_collect_does_not_change_results():
    with_dc = AfghanistanModel(scenario("baseline"), replicate=2, collect=True, steps=STEPS).run()
    without = AfghanistanModel(scenario("baseline"), replicate=2, collect=False, steps=STEPS).run()
    assert identical(with_dc.values, without.values)


def test_datacollector_one_row_per_step_and_matches_record():
    mesa = AfghanistanModel(
        scenario("foreign_fighter_purge"), replicate=1, collect=True, steps=STEPS
    )
    rec = mesa.run()
    values = rec.values[0]
    frame = mesa.datacollector.get_model_vars_dataframe()
    assert len(frame) == STEPS + 1
    for i, actor in enumerate(rec.actors[: rec.states.start]):
        np.testing.assert_array_equal(
            frame[f"fighters_{actor}"].to_numpy(), values[:, i, COL["fighters"]], err_msg=actor
        )
    for column in ("cells", "attacks", "casualties"):
        np.testing.assert_array_equal(frame[column].to_numpy(), values[:, rec.isisk, COL[column]])
    for column in ("revenue", "pressure", "recognized"):
        np.testing.assert_array_equal(frame[column].to_numpy(), values[:, 0, COL[column]])
    assert AfghanistanModel(scenario("baseline"), collect=False).datacollector is None


@pytest.mark.slow
def test_record_is_independent_of_python_hash_seed():
    """Two fresh interpreters with different PYTHONHASHSEED give the same record."""
    code = textwrap.dedent(
        """
        import hashlib
        from sim import AfghanistanModel
        from sim.engine.seeds import replicate_rng, replicate_seed
        from sim.inputs.scenario import load_scenario, override
        from sim.rules import new_world
        rec = AfghanistanModel("scenarios/foreign_fighter_purge.yaml", replicate=3,
                               collect=False, steps=12).run()
        print(hashlib.sha256(rec.values.tobytes()).hexdigest())
        spec = override(load_scenario("scenarios/foreign_fighter_purge.yaml"), {"steps": 12})
        rec = new_world(spec, [replicate_rng(spec.seed, r) for r in range(5)]).run()
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
            env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        )
        digests.add(out.stdout)
    assert len(digests) == 1
