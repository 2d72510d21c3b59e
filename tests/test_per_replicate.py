"""Replicates with different parameters in one batch (`sim.engine.values`).

Replicate r of a batch run with `values` must give exactly (atol=0, every recorded
number) what it gives alone with the scenario overridden to its values, for every key
that may vary per replicate; events that set a varied key win from their month on;
keys that shape the initial world are refused with the reason.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import spec_of

from sim.engine.seeds import replicate_rng
from sim.engine.values import can_vary_per_replicate, per_actor, per_replicate_keys, stacked
from sim.inputs.problems import ScenarioError
from sim.inputs.ranges import range_of
from sim.inputs.scenario import override
from sim.inputs.schema import Scenario
from sim.rules import new_world

REPLICATES = (3, 0, 7)  # not in order, as a chunk of an ensemble need not be


def record(spec: Scenario, replicates=REPLICATES, values=None) -> np.ndarray:
    """The recorded numbers of these replicates run together in one world."""
    gens = [replicate_rng(spec.seed, r) for r in replicates]
    return new_world(spec, gens, values).run().values


def drawn_values(spec: Scenario, keys, seed: int) -> dict[str, np.ndarray]:
    """One value per replicate of each key, uniform over its plausible range."""
    rng = np.random.default_rng(seed)
    out = {}
    for key in keys:
        plausible = range_of(key)
        low, high = plausible.low, plausible.high
        drawn = rng.uniform(low, high, len(REPLICATES))
        current = spec.model_dump()
        for part in key.split("."):
            current = current[part]
        out[key] = np.round(drawn).astype(np.int64) if isinstance(current, int) else drawn
    return out


def alone(spec: Scenario, values: dict[str, np.ndarray], i: int) -> np.ndarray:
    """Replicate REPLICATES[i] run alone with the scenario overridden to its values."""
    own = override(spec, {key: array[i].item() for key, array in values.items()})
    return record(own, (REPLICATES[i],))[0]


def assert_each_replicate_alone(spec: Scenario, values: dict[str, np.ndarray]) -> None:
    batch = record(spec, values=values)
    for i in range(len(REPLICATES)):
        np.testing.assert_array_equal(batch[i], alone(spec, values, i), err_msg=f"row {i}")


HISTORICAL = spec_of("historical", steps=42)  # events at months 17, 28 and 40


def test_a_mix_of_keys_from_every_block_gives_each_replicate_its_own_run():
    """Keys of every rules block, policy, economy, states, factions, groups and ISIS-K."""
    keys = [
        "rules.defection.w_grievance",
        "rules.defection.found_cell",
        "rules.crackdown.removal_rate",
        "rules.crackdown.leader_hit",
        "rules.pressure.noise",
        "rules.purge.leak_rate",
        "rules.attacks.base_rate",
        "rules.attacks.lie_low",
        "rules.attacks.severity_exponent",
        "rules.recruitment.isisk_local_per_month",
        "rules.recruitment.cell_split_size",
        "rules.fragmentation.base_hazard",
        "rules.fragmentation.isisk_share",
        "rules.fragmentation.desertion_strain",
        "rules.recruitment.deserter_share",
        "policy.crackdown",
        "policy.accuracy",
        "policy.punishment",
        "economy.wage_usd",
        "economy.grievance_rate",
        "isisk.released_prisoners",
        "isisk.capability",
    ]
    names = {
        "taliban.factions.*.cohesion": HISTORICAL.taliban.factions,
        "taliban.factions.*.ideology.mean": HISTORICAL.taliban.factions,
        "international.*.demand": HISTORICAL.international,
        "foreign_groups.*.loyalty": HISTORICAL.foreign_groups,
    }
    keys += [pattern.replace("*", next(iter(actors))) for pattern, actors in names.items()]
    assert all(can_vary_per_replicate(key) for key in keys)
    assert_each_replicate_alone(HISTORICAL, drawn_values(HISTORICAL, keys, seed=1))


@pytest.mark.parametrize("scenario", ["historical", "baseline"])
def test_every_key_that_may_vary_gives_each_replicate_its_own_run(scenario):
    """All of `per_replicate_keys` at once, each drawn over its plausible range."""
    spec = spec_of(scenario, steps=42)
    keys = per_replicate_keys(spec)
    assert_each_replicate_alone(spec, drawn_values(spec, keys, seed=2))


def test_uniform_values_as_arrays_are_no_values():
    """Every key given as the scenario's own value for each replicate changes nothing."""
    spec = HISTORICAL
    values = {}
    for key in per_replicate_keys(spec):
        current = spec.model_dump()
        for part in key.split("."):
            current = current[part]
        values[key] = np.full(len(REPLICATES), current)
    np.testing.assert_array_equal(record(spec, values=values), record(spec))


def test_an_event_that_sets_a_varied_key_wins_from_its_month_on():
    """policy.crackdown varies per replicate until month 17, where the event sets 0.5."""
    values = {"policy.crackdown": np.array([0.1, 0.2, 0.9])}
    world = new_world(HISTORICAL, [replicate_rng(HISTORICAL.seed, r) for r in REPLICATES], values)
    while world.month < 16:
        world.step()
    np.testing.assert_array_equal(world.params.policy.crackdown, values["policy.crackdown"])
    np.testing.assert_array_equal(world.params.policy.accuracy, HISTORICAL.policy.accuracy)
    world.step()
    assert world.params.policy.crackdown == 0.5
    np.testing.assert_array_equal(world.crackdown_intensity, 0.5)  # the base of the adaptive policy


def test_an_event_reaches_the_loops_tables_in_its_month():
    """World.derived: the compiled loops' parameter tables follow an event from its month on.

    The baseline against the same with an event at month 3 that makes every state more
    responsive and cohesion recover faster: the same through month 2, apart from month 3.
    """
    base = spec_of("baseline")
    changes = {f"international.{name}.responsiveness": 3.0 for name in base.international}
    changes["rules.fragmentation.recovery"] = 0.9
    changed = override(base, {"events": [{"month": 3, "note": "more responsive", "set": changes}]})
    worlds = [new_world(s, [replicate_rng(s.seed, r) for r in REPLICATES]) for s in (base, changed)]
    for month in (1, 2, 3):
        for world in worlds:
            world.step()
        same = month < 3
        assert np.array_equal(worlds[0].pressure, worlds[1].pressure) == same, month
        assert np.array_equal(worlds[0].cohesion, worlds[1].cohesion) == same, month


@pytest.mark.parametrize(
    ("key", "given", "message"),
    [
        ("taliban.factions.haqqani.fighters", [100, 200, 300], "cannot vary within a batch"),
        ("isisk.cells", [10, 20, 30], "cannot vary within a batch"),
        ("taliban.unit_size", [50.0, 60.0, 70.0], "cannot vary within a batch"),
        ("policy.joint_with_us", [0, 1, 0], "cannot vary within a batch"),
        ("mechanisms.attacks.scale", [1.0, 2.0, 1.0], "cannot vary within a batch"),
        ("rules.attacks.no_such_key", [1.0, 2.0, 3.0], "no such key"),
        ("rules.attacks.base_rate", [1.0, 2.0], "expected 3 numbers"),
        ("policy.crackdown", [0.5, 1.5, 0.2], "expected every value"),
        ("isisk.released_prisoners", [10.0, 10.5, 3.0], "whole numbers"),
        ("economy.wage_usd", [100.0, np.nan, 100.0], "finite"),
    ],
)
def test_keys_that_cannot_vary_or_bad_values_are_refused(key, given, message):
    with pytest.raises(ScenarioError, match=message):
        record(HISTORICAL, values={key: np.array(given)})


def test_which_keys_may_vary():
    """Every rules number may vary; what sizes or seeds the initial world may not."""
    keys = per_replicate_keys(HISTORICAL)
    rules = [k for k, _ in _numbers(HISTORICAL.rules.model_dump(), "rules.")]
    assert set(rules) <= set(keys)
    for key in ("seed", "steps", "taliban.unit_size", "isisk.fighters", "economy.hardship"):
        assert not can_vary_per_replicate(key) and key not in keys
    assert can_vary_per_replicate("international.anyone.aid_musd")


def _numbers(data: dict, at: str):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _numbers(value, f"{at}{key}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield f"{at}{key}", value


@pytest.mark.parametrize(
    "values",
    [
        (0.0, 0.1, 0.2),
        (1, np.array([2, 3])),
        (1.5, np.array([2, 3]), np.int64(4)),
        (np.array([[1.0], [2.0]]), np.array([1, 2, 3]), 0.5),
        (np.array(2.0), 3),
        (np.array([1.0, 2.0], np.float32), 0.1),
    ],
)
def test_stacked_and_per_actor_are_numpys_broadcast_and_stack(values):
    """The same numbers, shape and type as `np.stack(np.broadcast_arrays(...), axis=-1)`."""
    expected = np.stack(np.broadcast_arrays(*values), axis=-1)
    for got in (stacked(*values), per_actor(list(values))):
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
