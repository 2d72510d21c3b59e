"""Hostile and extreme inputs: the loader refuses them with a message, never a traceback.

Besides the corpus of tests/bad_scenarios (test_scenarios), these check the loader's
budgets (size, depth, aliases), that messages never echo a file that did not parse,
that every number at the edge of its range still runs, that calibration, observed-data,
posterior and experiment files get the same answers, and (with hypothesis) that junk of
any shape in a scenario, calibration or posterior file gives a `ScenarioError` and
nothing else.
"""

from __future__ import annotations

import copy
import os
import pickle
import signal
from inspect import isclass
from pathlib import Path
from typing import Annotated, get_args, get_origin

import numpy as np
import pytest
import yaml
from conftest import BAD_DIR, SCENARIO_DIR, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim import ScenarioError, load_scenario
from sim.analysis.targets import check_targets
from sim.cli import main
from sim.engine.outcomes import OUTCOMES
from sim.engine.record import COL
from sim.engine.seeds import replicate_rng
from sim.inputs.calibration import load_calibration
from sim.inputs.experiment import load_experiment
from sim.inputs.names import safe_folder_name
from sim.inputs.observed import load_observed
from sim.inputs.problems import Problem
from sim.inputs.reading import MAX_BYTES
from sim.inputs.robust import load_search
from sim.inputs.scenario import event_timeline, override
from sim.inputs.schema import Scenario
from sim.inputs.sweep import Sweep, Uncertainty, load_sweep
from sim.rules import new_world
from sim.runs.posterior import read_posterior

BASELINE = SCENARIO_DIR / "baseline.yaml"


def refused(path: Path, overrides: dict | None = None) -> str:
    """The message of the `ScenarioError` loading `path` raises."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return str(info.value)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- budgets of the reader ----------------------------------------------------------------


def test_every_corpus_message_is_short():
    for path in BAD_DIR.glob("*.yaml"):
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        lines = str(info.value).splitlines()
        assert len(lines) <= 20, path.name
        assert all(len(line) < 500 for line in lines), path.name


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = write(tmp_path, "big.yaml", "# padding\n" * (MAX_BYTES // 10 + 1))
    assert f"larger than {MAX_BYTES} bytes" in refused(big)


def test_too_many_keys_are_refused(tmp_path):
    keys = "".join(f"k{i}: 0\n" for i in range(25_001))  # 50,002 values, 220 kB
    message = refused(write(tmp_path, "keys.yaml", f"extends: {BASELINE}\n{keys}"))
    assert "more than 50000 values" in message


def test_aliases_within_the_budget_load_and_are_copies(tmp_path):
    """An anchor used twice gives two independent values: overriding one leaves the other."""
    path = write(
        tmp_path,
        "anchors.yaml",
        f"extends: {BASELINE}\n"
        "international:\n"
        "  us: {cares_about: &c {isisk: 1.0, concessions: 0.5}}\n"
        "  china: {cares_about: *c}\n"
        "  donors: {cares_about: {<<: *c, isisk: 0.2}}\n",
    )
    spec = load_scenario(path, {"international.us.cares_about.isisk": 0.7})
    cares = {name: actor.cares_about for name, actor in spec.international.items()}
    assert cares["us"]["isisk"] == 0.7
    assert cares["china"]["isisk"] == 1.0 and cares["china"]["concessions"] == 0.5
    assert cares["donors"]["isisk"] == 0.2 and cares["donors"]["concessions"] == 0.5


def test_extends_a_directory_named_like_a_scenario(tmp_path):
    (tmp_path / "folder.yaml").mkdir()
    child = write(tmp_path, "child.yaml", "extends: folder.yaml\n")
    assert "is a directory, not a file" in refused(child)


def test_unreadable_file_names_are_refused(tmp_path):
    assert "no such scenario file" in refused(tmp_path / ("x" * 5000))
    assert "no such scenario file" in refused(Path("nul\0name.yaml"))
    child = write(tmp_path, "child.yaml", f'extends: "{"y" * 5000}.yaml"\n')
    assert "not a usable file name" in refused(child)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("notes.txt", "SECRET-42 is the password\n"),
        ("bad_syntax.yaml", "key: {SECRET-42: [unclosed\n"),
        ("a_string.yaml", "SECRET-42\n"),
        ("a_list.yaml", "- SECRET-42\n"),
        ("binary.yaml", None),
    ],
)
def test_errors_never_echo_a_file_that_did_not_parse(tmp_path, name, text):
    target = tmp_path / name
    if text is None:
        target.write_bytes(b"SECRET-42 \xff\xfe\x00")
    else:
        target.write_text(text)
    child = write(tmp_path, "child.yaml", f"extends: {name}\n")
    assert "SECRET" not in refused(child)
    if name.endswith(".yaml"):
        assert "SECRET" not in refused(target)


def test_a_replaced_block_forgets_where_its_keys_came_from(tmp_path):
    """A child replacing a parent's block with a scalar is blamed for that block."""
    child = write(tmp_path, "child.yaml", f"extends: {BASELINE}\npolicy:\n  purge: 0.5\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert [(p.file, p.path) for p in info.value.problems] == [(str(child), "policy.purge")]
    assert "got 0.5; expected a valid dictionary" in str(info.value)


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), np.float64("nan")])
def test_non_finite_overrides_are_refused(value):
    with pytest.raises(ScenarioError, match="finite number"):
        override(scenario("baseline"), {"policy.crackdown": value})
    with pytest.raises(ScenarioError, match="finite number"):
        override(scenario("baseline"), {"international.us.cares_about.isisk": value})
    event = {"month": 1, "set": {"rules.defection.base": value}}
    with pytest.raises(ScenarioError, match=r"events\[0\]\.set: rules\.defection\.base"):
        override(scenario("baseline"), {"steps": 6, "events": [event]})


def test_seed_beyond_64_bits_is_refused():
    with pytest.raises(ScenarioError, match="less than 9223372036854775808"):
        override(scenario("baseline"), {"seed": 2**63})


def bounded_fields(model: type[BaseModel], sample: dict, at: str = ""):
    """(key path, lower, upper) of every number in `model`, one entry of each mapping."""
    for name, field in model.model_fields.items():
        kind, key = field.annotation, f"{at}{name}"
        if name in ("steps", "replicates", "seed", "month") or name not in sample:
            continue
        if kind in (int, float):
            yield key, kind, field.metadata
        elif isclass(kind) and issubclass(kind, BaseModel):
            yield from bounded_fields(kind, sample[name], f"{key}.")
        elif get_origin(kind) is dict and sample[name]:
            first, value = next(iter(sample[name])), get_args(kind)[1]
            if isclass(value) and issubclass(value, BaseModel):
                yield from bounded_fields(value, sample[name][first], f"{key}.{first}.")
            elif get_origin(value) is Annotated:
                yield f"{key}.{first}", float, get_args(value)[1].metadata


def edges(kind: type, metadata: list) -> list:
    """The extreme values a field accepts."""
    out = []
    for bound in metadata:
        for attr, step in (("ge", 0), ("le", 0), ("gt", 1), ("lt", -1)):
            if (value := getattr(bound, attr, None)) is not None:
                if kind is int:
                    out.append(int(value) + step)
                else:
                    out.append(value + step * max(abs(value), 1.0) * 1e-6)
    return out


EDGE_CASES = [
    pytest.param(key, value, id=f"{key}={value:g}")
    for key, kind, metadata in bounded_fields(Scenario, scenario("baseline").model_dump())
    for value in edges(kind, metadata)
]
# edges refused by a cross-check of several keys (a Beta with this mean needs a smaller sd;
# capability's floor may not exceed its ceiling)
REFUSED_EDGES = {
    "ideology.mean",
    "ideology.sd",
    "ties_to_isisk.mean",
    "ties_to_isisk.sd",
    "attacks.min_capability",
    "attacks.max_capability",
}


def test_every_number_of_the_schema_has_an_upper_bound():
    for key, _, metadata in bounded_fields(Scenario, scenario("baseline").model_dump()):
        assert any(
            getattr(b, "le", None) is not None or getattr(b, "lt", None) is not None
            for b in metadata
        ), key


@pytest.mark.parametrize(("key", "value"), EDGE_CASES)
def test_each_number_at_the_edge_of_its_range_runs(key, value):
    """Six months of one replicate with one number at a bound: finite, non-negative counts."""
    try:
        spec = override(scenario("baseline"), {key: value, "steps": 6})
    except ScenarioError:
        assert any(key.endswith(k) for k in REFUSED_EDGES), f"{key}={value} refused"
        return
    values = new_world(spec, [replicate_rng(spec.seed, 0)]).run().values
    for column in ("fighters", "attacks", "casualties", "recruits", "defected_in", "losses"):
        counts = values[0, :, :, COL[column]]
        counts = counts[~np.isnan(counts)]
        assert np.all(np.isfinite(counts)) and np.all(counts >= 0), column


# --- events --------------------------------------------------------------------------------


def test_the_timeline_is_resolved_once_when_the_scenario_loads():
    spec = load_scenario(SCENARIO_DIR / "foreign_fighter_purge.yaml")
    first = event_timeline(spec)
    assert event_timeline(spec)[3] is first[3]  # kept, not validated again
    assert new_world(spec, [replicate_rng(spec.seed, 0)]).timeline[3] is first[3]
    built = Scenario.model_validate(spec.model_dump())  # not through the loader
    assert event_timeline(built)[3].policy.purge["ttp"] == 0.7


def test_same_key_in_the_same_month_is_refused_in_overrides_too():
    events = [
        {"month": 2, "set": {"policy.crackdown": 0.5}},
        {"month": 2, "set": {"policy": {**scenario("baseline").policy.model_dump()}}},
        {"month": 3, "set": {"policy.crackdown": 0.9}},  # another month: fine
    ]
    with pytest.raises(ScenarioError) as info:
        override(scenario("baseline"), {"steps": 6, "events": events})
    assert [p.path for p in info.value.problems] == ["events[1].set.policy"]
    assert "events[0].set.policy.crackdown" in info.value.problems[0].message
    ok = override(scenario("baseline"), {"steps": 6, "events": [events[0], events[2]]})
    assert event_timeline(ok)[3].policy.crackdown == 0.9


# --- names and folders ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x", "/tmp/x", ".hidden", "a/b", "", "a\0b", "x" * 300])
def test_safe_folder_name_refuses_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(ScenarioError, match="letters, digits"):
        safe_folder_name(tmp_path, name)


def test_safe_folder_name_stays_in_the_folder(tmp_path):
    folder = safe_folder_name(tmp_path, "baseline-seed20211001")
    assert folder.parent == tmp_path and folder.name == "baseline-seed20211001"


def test_run_with_an_unsafe_name_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path / "..")
    before = set(tmp_path.parent.parent.iterdir())
    assert main(["run", str(BAD_DIR / "name_traversal.yaml"), "-n", "1", "-q"]) == 2
    assert "letters, digits" in capsys.readouterr().err
    assert set(tmp_path.parent.parent.iterdir()) == before


# --- experiment files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("replicats: 10\n", ["replicats", "unknown key; valid keys", "replicates"]),
        ("name: ../up\n", ["name", "'../up'", "letters, digits"]),
        ("seed: .nan\n", ["seed", "valid integer"]),
        ("replicates: 100000000000\n", ["replicates", "less than or equal to 1000000"]),
        ("scenarios: [/etc/passwd, b.yaml]\n", ["scenarios[0]", "expected a .yaml file"]),
    ],
    ids=["unknown_key", "unsafe_name", "nan_seed", "too_many", "not_yaml"],
)
def test_bad_experiment_files_are_refused_clearly(tmp_path, text, expected):
    base = {"name": "x", "scenarios": [str(BASELINE), str(BASELINE)], "replicates": 2, "seed": 1}
    data = base | yaml.safe_load(text)
    path = write(tmp_path, "experiment.yaml", yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    message = str(info.value)
    assert str(path) in message
    for text in expected:
        assert text in message, message


# --- junk of any shape ---------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
RAW = scenario("baseline").model_dump()
PATHS = sorted(
    {".".join(p) for key, _, _ in bounded_fields(Scenario, RAW) for p in [key.split(".")]}
    | {"name", "start", "events", "policy", "taliban.factions", "rules.attacks", "extends"}
)
JUNK_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@JUNK_SETTINGS
@given(st.dictionaries(st.sampled_from(PATHS), JUNK, min_size=1, max_size=4))
def test_junk_values_give_a_scenario_error_or_a_scenario(tmp_path, junk):
    """Junk at any key of a real scenario, written as YAML and loaded: nothing but ScenarioError."""
    nested: dict = {"extends": str(BASELINE)}
    for dotted, value in junk.items():
        node = nested
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {}) if isinstance(node.get(key, {}), dict) else {}
        node[leaf] = value
    path = tmp_path / "junk.yaml"
    path.write_text(yaml.safe_dump(nested))
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert all(len(line) < 1000 for line in str(exc).splitlines())


@JUNK_SETTINGS
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_junk_files_give_a_scenario_error(tmp_path, junk):
    path = tmp_path / "junk.yaml"
    path.write_bytes(junk if isinstance(junk, bytes) else junk.encode())
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_an_unknown_key_hides_no_other_problem_of_an_experiment_file(tmp_path):
    data = {"name": "x", "scenarios": [str(BASELINE)], "replicates": 0, "seed": 1, "bogus": 1}
    path = write(tmp_path, "experiment.yaml", yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert sorted(p.path for p in info.value.problems) == ["bogus", "replicates", "scenarios"]


def test_an_error_pickled_by_a_worker_arrives_whole():
    error = ScenarioError([Problem("a.yaml", "policy.crackdown", "got 2; expected at most 1")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == "a.yaml: policy.crackdown: got 2; expected at most 1"


# --- junk in sweep files -------------------------------------------------------------------

SWEEP = {
    "name": "fuzz",
    "scenario": str(BASELINE),
    "uncertainties": [{"key": "policy.crackdown", "range": [0.1, 0.7]}],
    "sampler": "grid",
    "points": 2,
    "replicates": 1,
    "seed": 1,
    "steps": 3,
}
SWEEP_KEYS = (
    *Sweep.model_fields,
    *(f"uncertainties.{key}" for key in Uncertainty.model_fields),
    "levers.policy.crackdown",
    "levers.policy.joint_with_us",
)
SWEEP_VALUES = (
    JUNK
    | st.sampled_from(["sobol", "morris", "latin_hypercube", "loguniform", "discrete"])
    | st.sampled_from(["policy.crackdown", "rules.*.base_rate", "*", "joint_us_crackdown.yaml"])
    | st.lists(st.floats(-10, 10) | st.integers(-3, 3), max_size=3)
    | st.integers(min_value=0, max_value=2_000_000)
)


# --- calibration, observed-data, posterior and experiment files ------------------------------

CALIBRATION = {  # the shipped calibration without its method: the tests give ABC-SMC's
    key: value
    for key, value in yaml.safe_load(
        (SCENARIO_DIR.parent / "experiments" / "calibration.yaml").read_text()
    ).items()
    if key not in ("abc", "rejection")
}
FITTED = (  # the parameters, or the generated list the calibration names
    yaml.safe_load((SCENARIO_DIR.parent / "experiments" / CALIBRATION["parameters"]).read_text())[
        "parameters"
    ]
    if isinstance(CALIBRATION["parameters"], str)
    else CALIBRATION["parameters"]
)
SMALL_ABC = {
    "population_size": 10,
    "generations": 1,
    "quantile": 0.5,
    "minimum_epsilon": 0.0,
    "min_acceptance_rate": 0.05,
}


def posterior_file(tmp_path: Path, text: str) -> Path:
    return write(tmp_path, "posterior.csv", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("draw,weight,steps\n0,1,12\n", "columns: 'steps' is a run setting"),
        ("draw,weight,seed,rules.attacks.base_rate\n0,1,7,2\n", "columns: 'seed' is a run"),
        ("draw,weight,rules.attacks.base_rate\n0,1,2\n1,1,fast\n", "row 2: got 'fast'; expected"),
        ("draw,weight,rules.attacks.base_rate\n0,1e308,2\n1,1e308,3\n", "positive, finite sum"),
        ("draw,weight,rules.attacks.base_rate\n0,1,inf\n", "row 1: got 'inf'; expected a finite"),
        ("draw,weight,rules.attacks.base_rate\n", "no rows"),
        ('draw,weight\n0,"1\n', "cannot read a posterior CSV"),
    ],
    ids=["steps", "seed", "text", "huge_weights", "infinite", "no_rows", "broken_quote"],
)
def test_bad_posterior_files_are_refused_clearly(tmp_path, text, expected):
    path = posterior_file(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        read_posterior(path, scenario("baseline"))
    assert str(path) in str(info.value) and expected in str(info.value)


def test_sim_run_with_a_bad_posterior_says_error_without_a_traceback(tmp_path, capsys):
    path = posterior_file(tmp_path, "draw,weight,rules.attacks.base_rate\n0,x,2\n")
    args = ["run", str(BASELINE), "-n", "1", "--steps", "1", "-q", "--no-plots"]
    assert main([*args, "--out", str(tmp_path / "out"), "--posterior", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "weight" in err and "Traceback" not in err


def _calibration(tmp_path: Path, **changes) -> Path:
    data = CALIBRATION | {
        "scenario": str(BASELINE),
        "observed": str(SCENARIO_DIR.parent / "data" / "observed.yaml"),
        "abc": SMALL_ABC,
        "calibrated": "calibrated.yaml",
        "posterior": "posterior.csv",
    }
    return write(tmp_path, "calibration.yaml", yaml.safe_dump(data | changes, sort_keys=False))


@pytest.fixture
def alarm():
    """Fail a test that blocks for more than 10 s, instead of hanging the suite."""

    def hung(*_):
        raise TimeoutError("blocked on a special file")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "kind", ["calibration", "observed", "observed_file", "posterior", "experiment", "search"]
)
def test_a_pipe_given_as_an_input_is_refused_unread(tmp_path, alarm, kind):
    pipe = tmp_path / f"pipe.{'csv' if kind == 'posterior' else 'yaml'}"
    os.mkfifo(pipe)
    with pytest.raises(ScenarioError, match="not a regular file"):
        if kind == "calibration":
            load_calibration(pipe)
        elif kind == "observed":
            load_calibration(_calibration(tmp_path, observed=str(pipe)))
        elif kind == "observed_file":
            load_observed(pipe)
        elif kind == "posterior":
            read_posterior(pipe, scenario("baseline"))
        elif kind == "search":
            load_search(pipe, OUTCOMES.names)
        else:
            load_experiment(pipe)


CALIBRATION_KEYS = sorted(
    {*CALIBRATION, "parameters.0.key", "parameters.0.low", "targets.0.value", "targets.0.actor"}
    | {"targets.0.column", "targets.0.observation", "targets.0.statistic", "targets.0.scale"}
    | {"targets.0.months", "abc.quantile"}
    | {"abc.min_acceptance_rate", "abc.population_size", "calibrated", "posterior"}
)


NEAR_MISSES = st.sampled_from(  # values a person might write: valid types, wrong meanings
    [
        *["steps", "seed", "isis", "taliban", "haqqani", "attcks", "fighters", "cells", "x.yaml"],
        *[0.99, 1e308, -1, 0, [1, "a"], [3, 1], [0, 600], "../scenarios/baseline.yaml"],
    ]
)


@settings(JUNK_SETTINGS, max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(CALIBRATION_KEYS), st.one_of(NEAR_MISSES, NEAR_MISSES, JUNK), max_size=1
    )
)
def test_junk_in_a_calibration_file_gives_a_scenario_error_or_a_plan(tmp_path, junk):
    """Junk at any key of the shipped calibration: a plan whose targets check, or ScenarioError."""
    data = CALIBRATION | {"scenario": str(BASELINE), "abc": dict(SMALL_ABC)}
    data["observed"] = str(SCENARIO_DIR.parent / "data" / "observed.yaml")
    data["parameters"] = [dict(p) for p in FITTED]
    data["targets"] = [dict(t) for t in data["targets"]]
    for dotted, value in sorted(junk.items(), key=lambda kv: -kv[0].count(".")):
        *parents, leaf = dotted.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = value
    path = tmp_path / "junk.yaml"
    path.write_text(yaml.safe_dump(data))
    try:
        check_targets(load_calibration(path))
    except ScenarioError as exc:
        assert all(len(line) < 1000 for line in str(exc).splitlines())


CELLS = (
    st.sampled_from(["draw", "weight", "rules.attacks.base_rate", "steps", "", "nan", "1e308"])
    | st.floats(allow_nan=True, allow_infinity=True).map(str)
    | st.integers(-5, 5).map(str)
    | st.text(max_size=6)
)


@JUNK_SETTINGS
@given(st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=5) | st.binary(max_size=200))
def test_junk_posterior_files_give_draws_or_a_scenario_error(tmp_path, rows):
    """Any CSV-like text or bytes: usable draws that each replicate can run, or `ScenarioError`."""
    path = tmp_path / "posterior.csv"
    if isinstance(rows, bytes):
        path.write_bytes(rows)
    else:
        path.write_text("\n".join(",".join(row) for row in rows))
    try:
        draws = read_posterior(path, scenario("baseline"))
    except ScenarioError as exc:
        assert all(len(line) < 1000 for line in str(exc).splitlines())
        return
    assert np.isclose(draws.weights.sum(), 1.0) and np.isfinite(draws.values).all()
    draws.values_of(scenario("baseline"), draws.chosen(1, list(range(5))))


@JUNK_SETTINGS
@given(st.dictionaries(st.sampled_from(SWEEP_KEYS), SWEEP_VALUES, min_size=1, max_size=4))
def test_junk_in_a_sweep_file_gives_a_plan_or_an_error_naming_file_and_key(tmp_path, junk):
    """Any sweep file loads to a plan, or to a ScenarioError of problems each in that file."""
    data = copy.deepcopy(SWEEP)
    for dotted, value in junk.items():
        block, _, rest = dotted.partition(".")
        if block == "uncertainties":
            data["uncertainties"][0][rest] = value
        elif block == "levers":
            data.setdefault("levers", {})[rest] = value
        else:
            data[block] = value
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data))
    if (plan := loaded_or_refused(load_sweep, path)) is not None:
        assert plan.file == path and plan.design.parameters


def loaded_or_refused(load, path: Path):
    """`load(path)`, or None when it raised a ScenarioError whose every problem names the
    file and a key, in a short message."""
    try:
        return load(path)
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == str(path) and problem.path, problem
            assert len(problem.message) < 1000
        return None


OBSERVED = yaml.safe_load((SCENARIO_DIR.parent / "data" / "observed.yaml").read_text())
OBSERVED_KEYS = sorted(
    f"{block}.{series}" for block, entries in OBSERVED.items() if isinstance(entries, dict)
    for series in entries
)  # fmt: skip


@JUNK_SETTINGS
@given(st.dictionaries(st.sampled_from(OBSERVED_KEYS), st.one_of(NEAR_MISSES, JUNK), max_size=2))
def test_junk_in_an_observed_file_gives_entries_or_an_error_naming_file_and_entry(tmp_path, junk):
    """Junk in place of any series of the shipped observed file: entries, or ScenarioError."""
    data = copy.deepcopy(OBSERVED)
    for dotted, value in junk.items():
        block, _, series = dotted.partition(".")
        data[block][series] = value
    path = tmp_path / "observed.yaml"
    path.write_text(yaml.safe_dump(data))
    if (observed := loaded_or_refused(load_observed, path)) is not None:
        assert observed.entries
