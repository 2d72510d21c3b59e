"""Scenario files: every shipped one loads and runs; every malformed one is refused clearly.

The corpus `tests/bad_scenarios/*.yaml` holds one problem per file (a comment at the top
says which). Each must raise `ScenarioError` before any run, with a message naming the
file, the key path and what was expected.
"""

from pathlib import Path
from typing import get_args, get_origin

import numpy as np
import pytest
import yaml
from conftest import BAD_DIR, SCENARIO_DIR, SCENARIO_FILES, scenario
from pydantic import BaseModel

from sim import AfghanistanModel, ScenarioError, load_scenario
from sim.engine.record import COL
from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import event_timeline, override
from sim.inputs.schema import Scenario
from sim.rules import new_world

# file -> substrings its error message must contain (besides the file's own name)
BAD = {
    "wrong_type.yaml": ["policy.crackdown", "'high'", "valid number"],
    "wrong_type_bool.yaml": ["policy.joint_with_us", "'perhaps'", "valid boolean"],
    "cohesion_out_of_range.yaml": [
        "taliban.factions.haqqani.cohesion",
        "1.5",
        "less than or equal to 1",
    ],
    "negative_fighters.yaml": ["isisk.fighters", "-100", "greater than or equal to 0"],
    "steps_zero.yaml": ["steps", "got 0", "greater than or equal to 1"],
    "unknown_key_typo.yaml": ["policy", "unknown key", "crackdwn", "valid keys", "crackdown"],
    "unknown_key_deep.yaml": [
        "rules.attacks",
        "unknown key",
        "severity_exponnt",
        "valid keys",
        "severity_exponent",
    ],
    "unknown_top_level_key.yaml": ["unknown key", "polcy", "valid keys", "policy"],
    "unknown_mechanism.yaml": ["mechanisms", "unknown key", "dfection", "valid keys", "defection"],
    "missing_required.yaml": ["policy.accuracy", "missing required key", "taliban", "economy"],
    "extends_missing.yaml": ["extends", "no_such_parent.yaml", "no such file"],
    "extends_not_string.yaml": ["extends", "expected a file name"],
    "cycle_a.yaml": ["extends", "cycle", "cycle_a.yaml -> cycle_b.yaml -> cycle_a.yaml"],
    "cycle_b.yaml": ["extends", "cycle", "cycle_b.yaml -> cycle_a.yaml -> cycle_b.yaml"],
    "event_month_zero.yaml": ["events[0].month", "got 0", "expected 1..60"],
    "event_beyond_steps.yaml": ["events[0].month", "got 30", "expected 1..24"],
    "event_unknown_key.yaml": ["events[0].set.policy.crakdown", "no key"],
    "event_structural_key.yaml": [
        "events[0].set.taliban.factions.haqqani.fighters",
        "events may change only keys under",
        "policy",
    ],
    "event_out_of_range.yaml": [
        "events[0].set",
        "policy.crackdown",
        "1.5",
        "less than or equal to 1",
    ],
    "unknown_security_faction.yaml": [
        "policy.security_faction",
        "'haqani'",
        "expected one of",
        "'haqqani'",
    ],
    "unknown_purge_group.yaml": [
        "policy.purge.etim",
        "unknown foreign group",
        "expected one of",
        "'etim_tip'",
    ],
    "purge_out_of_range.yaml": ["policy.purge.ttp", "1.7", "expected less than or equal to 1"],
    "beta_sd_too_large.yaml": [
        "taliban.factions.haqqani.ideology",
        "sd 0.35 too large for mean 0.1",
    ],
    "duplicate_key.yaml": ["crackdown", "appears twice", "line 5"],
    "python_tag.yaml": ["not valid safe YAML", "python/object/apply:os.system"],
    "invalid_syntax.yaml": ["not valid safe YAML", "line 3"],
    "top_level_list.yaml": ["expected a mapping of keys", "list"],
    "unknown_cares_about.yaml": [
        "international.china.cares_about.uyghur",
        "unknown target",
        "'etim_tip'",
    ],
    "bad_rivalry.yaml": ["taliban.rivalries", "'quetta'", "expected one of"],
    "child_bad_override.yaml": ["rules.crackdown.leak", "2.0", "less than or equal to 1"],
    "parent_bad.yaml": ["rules.crackdown.removal_rate", "-0.5", "greater than or equal to 0"],
    # the bad key came from the parent: the parent is named (see the provenance tests)
    "child_of_bad.yaml": ["parent_bad.yaml", "rules.crackdown.removal_rate", "-0.5"],
    "several_problems.yaml": ["steps", "policy.accuracy", "isisk.cells"],
    # strict types: a YAML 1.1 `yes` is a boolean, not the number 1
    "bool_as_number.yaml": ["policy.crackdown", "got True", "valid number"],
    "negative_target_share.yaml": [
        "rules.attacks.target_shares.sectarian",
        "-0.2",
        "greater than or equal to 0",
    ],
    "negative_cares_about.yaml": [
        "international.us.cares_about.isisk",
        "-1.0",
        "greater than or equal to 0",
    ],
    "string_as_number.yaml": ["isisk.fighters", "'2200'", "valid integer"],
    "event_initial_state_key.yaml": [
        "events[0].set: international.us.pressure is a starting state",
        "events cannot change it",
    ],
    "event_frozen_funds.yaml": [
        "events[0].set: economy.frozen_funds_musd is a starting state",
        "events cannot change it",
    ],
    "event_bool_as_number.yaml": ["events[0].set", "policy.crackdown", "valid number"],
    "all_target_shares_zero.yaml": ["rules.attacks", "target_shares must have a positive sum"],
    "zero_cares_about.yaml": ["international.china", "cares_about needs a positive weight"],
    # non-finite and absurd numbers (each bound says why in sim/inputs/schema.py)
    "capability_inf.yaml": ["isisk.capability", "got inf", "finite number"],
    "capability_huge.yaml": ["isisk.capability", "1e+300", "less than or equal to 100"],
    "defection_base_nan.yaml": ["rules.defection.base", "got nan", "finite number"],
    "revenue_inf.yaml": ["economy.domestic_revenue_musd", "got inf", "finite number"],
    "target_share_inf.yaml": ["rules.attacks.target_shares.sectarian", "got inf", "finite number"],
    "scale_too_large.yaml": [
        "mechanisms.recruitment.scale",
        "1000000.0",
        "less than or equal to 10",
    ],
    "local_recruits_too_many.yaml": [
        "rules.recruitment.isisk_local_per_month",
        "10000000.0",
        "less than or equal to 10000",
    ],
    "fighters_too_many.yaml": [
        "taliban.factions.kandahari.fighters",
        "1000000000",
        "less than or equal to 1000000",
    ],
    "fighters_beyond_int64.yaml": ["isisk.fighters", "1" + "0" * 30, "less than or equal to"],
    "unit_size_tiny.yaml": ["taliban.unit_size", "0.001", "greater than or equal to 1"],
    "too_many_units.yaml": ["taliban", "935,000 units at month 0", "at most 100,000"],
    "base_rate_huge.yaml": [
        "rules.attacks.base_rate",
        "1000000000000.0",
        "less than or equal to 30",
    ],
    "attack_rate_runaway.yaml": [
        "rules.attacks",
        "expected attacks per cell-month",
        "at most 1000",
    ],
    "inflow_runaway.yaml": ["rules.recruitment", "new fighters a month", "at most 100000"],
    "start_bad_month.yaml": ["start", "'2021-13'", "MM from 01 to 12"],
    # names become folder names
    "name_traversal.yaml": ["name", "'../../x'", "letters, digits", "not starting with '.'"],
    "name_absolute.yaml": ["name", "'/tmp/x'", "letters, digits"],
    "name_nul.yaml": ["name", "'base\\x00line'", "letters, digits"],
    # events
    "event_same_key_same_month.yaml": [
        "events[2].set.policy.crackdown",
        "events[0].set.policy.crackdown also sets it in month 6",
    ],
    "event_block_and_key_same_month.yaml": [
        "events[1].set.policy.purge",
        "events[0].set.policy.purge.ttp also sets it in month 6",
    ],
    "event_unknown_faction.yaml": [
        "events[0].set: policy.security_faction",
        "'haqani'",
        "expected one of",
    ],
    # files that are not scenarios, or are built to exhaust memory or the stack
    "empty.yaml": ["the file is empty", "expected a mapping of keys"],
    "extends_directory.yaml": ["extends", "'../../scenarios'", "expected a scenario file (.yaml"],
    "extends_not_yaml.yaml": ["extends", "'/etc/passwd'", "expected a scenario file (.yaml"],
    "non_string_key.yaml": ["key True is a bool", "keys must be names", "line 4"],
    "recursive_alias.yaml": ["an alias refers to a value that contains it", "line 3"],
    "long_value.yaml": ["policy.crackdown", "'xxxx", "...; expected a valid number"],
    "billion_laughs.yaml": ["more than 50000 values (aliases expanded)", "line 6"],
    "deep_nesting.yaml": ["nested more than 32 levels deep", "line 2"],
    "not_utf8.yaml": ["not UTF-8 text (byte 39)"],
}
NAME_NOT_IN_MESSAGE = {
    "child_bad_override.yaml": "baseline.yaml",  # the child's key, not the inherited file
    "child_of_bad.yaml": "child_of_bad.yaml",  # the parent's key, not the child's
}
HELPERS: set[str] = set()  # corpus files used only by other files (none at present)


def corpus_cases():
    return [pytest.param(name, expected, id=name) for name, expected in BAD.items()]


# --- shipped scenarios ------------------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_shipped_scenario_loads_and_runs_three_steps(path):
    spec = load_scenario(path)
    assert spec.name and spec.description
    model = AfghanistanModel(path, replicate=0, collect=False)
    for _ in range(3):
        model.step()
    assert model.month == 3
    rec = model.recorder
    fighters = rec.values[0, :4, : rec.states.start, COL["fighters"]]
    assert np.all(np.isfinite(fighters)) and np.all(fighters >= 0)
    assert np.isnan(rec.values[0, 4:]).all()  # months not simulated yet
    # and as a batch of replicates
    world = new_world(spec, [replicate_rng(spec.seed, r) for r in range(3)])
    for _ in range(3):
        world.step()
    fighters = world.recorder.values[:, :4, : rec.states.start, COL["fighters"]]
    assert np.all(np.isfinite(fighters)) and np.all(fighters >= 0)


def missing_keys(data: dict, model: type[BaseModel], at: str = "") -> list[str]:
    """Schema fields absent from raw YAML `data`, recursing into blocks and named entries."""
    missing = []
    for key, field in model.model_fields.items():
        if key not in data:
            missing.append(f"{at}{key}")
            continue
        kind, args = field.annotation, get_args(field.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            missing += missing_keys(data[key], kind, f"{at}{key}.")
        elif (
            get_origin(kind) is dict
            and isinstance(args[1], type)
            and issubclass(args[1], BaseModel)
        ):
            for name, entry in data[key].items():
                missing += missing_keys(entry, args[1], f"{at}{key}.{name}.")
    return missing


def test_baseline_states_every_parameter():
    raw = yaml.safe_load((SCENARIO_FILES[0].parent / "baseline.yaml").read_text())
    assert "extends" not in raw
    assert missing_keys(raw, Scenario) == []
    names = {p.stem for p in SCENARIO_FILES}
    assert {
        "baseline",
        "crackdown",
        "no_crackdown",
        "joint_us_crackdown",
        "unfreeze_funds",
        "foreign_fighter_purge",
        "haqqani_ascendant",
    } <= names


def test_child_scenarios_inherit_and_override():
    base, crackdown = scenario("baseline"), scenario("crackdown")
    assert crackdown.policy.crackdown == 0.7
    assert crackdown.policy.accuracy == base.policy.accuracy  # inherited
    haqqani = scenario("haqqani_ascendant").taliban.factions
    assert haqqani["haqqani"].posts == 0.45  # overridden
    assert haqqani["haqqani"].fighters == base.taliban.factions["haqqani"].fighters  # merged in
    assert scenario("unfreeze_funds").economy.unfrozen is True


def test_events_become_a_timeline_of_snapshots():
    timeline = event_timeline(scenario("foreign_fighter_purge"))
    assert list(timeline) == [3]
    assert timeline[3].policy.purge["ttp"] == 0.7
    assert scenario("foreign_fighter_purge").policy.purge["ttp"] == 0.0  # before the event
    joint = event_timeline(scenario("joint_us_crackdown"))[6].policy
    assert joint.crackdown == 0.8 and joint.joint_with_us is True


def test_load_scenario_with_overrides():
    spec = load_scenario(SCENARIO_FILES[0].parent / "baseline.yaml", {"policy.crackdown": 0.8})
    assert spec.policy.crackdown == 0.8
    assert override(spec, {"policy.purge.ttp": 0.5}).policy.purge["ttp"] == 0.5


# --- malformed scenarios ----------------------------------------------------------------


def load_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


@pytest.mark.parametrize(("name", "expected"), corpus_cases())
def test_bad_scenario_is_refused_with_a_clear_message(name, expected):
    path = BAD_DIR / name
    assert path.is_file(), f"corpus file {name} missing"
    error = None
    try:
        load_scenario(path)
    except ScenarioError as exc:
        error = exc
    assert error is not None, f"{name} was accepted"
    message = str(error)
    assert error.problems, "a ScenarioError lists its problems"
    if name != "child_of_bad.yaml":  # names its parent instead, where the bad key is
        assert name in message, f"file name missing from: {message}"
    for text in expected:
        assert text in message, f"{text!r} missing from: {message}"
    if name in NAME_NOT_IN_MESSAGE:
        assert NAME_NOT_IN_MESSAGE[name] not in message


def test_corpus_table_covers_every_file():
    files = {p.name for p in BAD_DIR.glob("*.yaml")}
    assert len(files) >= 15
    assert files == set(BAD) | HELPERS


@pytest.mark.parametrize("name", ["wrong_type.yaml", "event_out_of_range.yaml", "python_tag.yaml"])
def test_model_refuses_a_bad_file_before_running(name):
    with pytest.raises(ScenarioError):
        AfghanistanModel(BAD_DIR / name)


def test_python_tags_are_refused_not_executed(tmp_path):
    marker = tmp_path / "executed"
    for tag in ("!!python/object/apply:os.system", "!!python/object/apply:subprocess.call"):
        bad = tmp_path / "evil.yaml"
        bad.write_text(
            f'name: {tag} [["touch {marker}"]]\nseed: 1\n'
            if "subprocess" in tag
            else f'name: {tag} ["touch {marker}"]\nseed: 1\n'
        )
        with pytest.raises(ScenarioError, match="not valid safe YAML"):
            load_scenario(bad)
        assert not marker.exists(), f"{tag} was executed"


def test_error_in_an_inherited_key_names_the_file_it_came_from():
    child = load_error(BAD_DIR / "child_bad_override.yaml")
    assert [Path(p.file).name for p in child.problems] == ["child_bad_override.yaml"]
    grandchild = load_error(BAD_DIR / "child_of_bad.yaml")
    assert [Path(p.file).name for p in grandchild.problems] == ["parent_bad.yaml"]


def test_several_problems_are_reported_at_once():
    err = load_error(BAD_DIR / "several_problems.yaml")
    assert {p.path for p in err.problems} == {"steps", "policy.accuracy", "isisk.cells"}
    assert len(str(err).splitlines()) == 3


def test_every_missing_block_is_reported():
    err = load_error(BAD_DIR / "missing_required.yaml")
    paths = {p.path for p in err.problems}
    for block in ("taliban", "isisk", "foreign_groups", "international", "economy", "rules"):
        assert block in paths, block
    assert all(p.message == "missing required key" for p in err.problems)


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nowhere.yaml")


def test_bad_overrides_are_refused():
    base = scenario("baseline")
    with pytest.raises(ScenarioError, match=r"policy\.crakdown.*no key"):
        override(base, {"policy.crakdown": 0.5})
    with pytest.raises(ScenarioError, match="less than or equal to 1"):
        override(base, {"policy.crackdown": 1.5})
    with pytest.raises(ScenarioError, match=r"policy\.crackdown"):
        AfghanistanModel(base, policy__crackdown=-0.1)
    with pytest.raises(ScenarioError, match=r"expected 1\.\.12"):
        override(base, {"steps": 12, "events": [{"month": 13, "set": {"policy.crackdown": 0.5}}]})
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIO_FILES[0].parent / "baseline.yaml", {"isisk.cells": 0})
    # an override's problem is blamed on the override, not on the file
    assert [(p.file, p.path) for p in info.value.problems] == [("override", "isisk.cells")]


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("unknown_top_level_key.yaml", "polcy"),
        ("unknown_key_typo.yaml", "policy.crackdwn"),
        ("unknown_key_deep.yaml", "rules.attacks.severity_exponnt"),
        ("unknown_mechanism.yaml", "mechanisms.dfection"),
    ],
)
def test_unknown_key_message_is_short_and_names_the_key_path(name, path):
    err = load_error(BAD_DIR / name)
    assert len(str(err)) < 600
    assert [p.path for p in err.problems] == [path]
    assert err.problems[0].message.startswith("unknown key; valid keys: ")
    assert "got" not in str(err)


def test_purge_range_error_names_the_key_path():
    err = load_error(BAD_DIR / "purge_out_of_range.yaml")
    assert [p.path for p in err.problems] == ["policy.purge.ttp"]
    assert "got {" not in str(err)


def test_each_unknown_key_is_reported_on_its_own_line(tmp_path):
    bad = tmp_path / "typos.yaml"
    bad.write_text(
        f"extends: {SCENARIO_DIR / 'baseline.yaml'}\n"
        "policy: {crackdwn: 0.5, acuracy: 0.2}\nrules: {attacks: {sucess: 0.5}}\n"
    )
    err = load_error(bad)
    assert sorted(p.path for p in err.problems) == [
        "policy.acuracy",
        "policy.crackdwn",
        "rules.attacks.sucess",
    ]
    assert len(str(err).splitlines()) == 3
    assert all(p.file == str(bad) for p in err.problems)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"policy.crackdown": True}, "valid number"),
        ({"policy.crackdown": "0.5"}, "valid number"),
        ({"isisk.fighters": 2200.5}, "valid integer"),
        ({"taliban.unit_size": False}, "valid number"),
        ({"policy.joint_with_us": 1}, "valid boolean"),
        ({"policy.joint_with_us": "yes"}, "valid boolean"),
        ({"rules.attacks.target_shares": {"sectarian": 1.0, "taliban": -0.5}}, "greater than"),
        ({"international.us.cares_about": {"isisk": -0.1}}, "greater than"),
    ],
    ids=lambda c: repr(c) if isinstance(c, dict) else None,
)
def test_overrides_are_typed_strictly(change, message):
    with pytest.raises(ScenarioError, match=message):
        override(scenario("baseline"), change)


def test_numbers_of_either_kind_are_accepted_where_a_float_is_expected():
    spec = override(scenario("baseline"), {"policy.crackdown": 1, "economy.wage_usd": 450})
    assert spec.policy.crackdown == 1.0 and spec.economy.wage_usd == 450.0


def test_numpy_integers_are_accepted_where_an_integer_is_expected():
    spec = override(scenario("baseline"), {"steps": np.int64(12), "isisk.fighters": np.int64(3000)})
    assert spec.steps == 12 and spec.isisk.fighters == 3000
    model = AfghanistanModel(scenario("baseline"), collect=False, isisk__cells=np.int64(30))
    assert model.isisk.cells == 30


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"international.us.pressure": 0.0}, "international.us.pressure"),
        ({"economy.frozen_funds_musd": 0.0}, "economy.frozen_funds_musd"),
        # by any path: a whole block that changes a starting state is refused too
        (
            {
                "international.china": {
                    **scenario("baseline").international["china"].model_dump(),
                    "pressure": 0.9,
                }
            },
            "international.china.pressure",
        ),
        (
            {"economy": {**scenario("baseline").economy.model_dump(), "frozen_funds_musd": 1.0}},
            "economy.frozen_funds_musd",
        ),
    ],
    ids=["pressure", "frozen_funds", "pressure_in_block", "frozen_funds_in_block"],
)
def test_event_on_an_initial_state_key_is_refused(change, key):
    """Starting states are read at month 0 only: an event setting one is refused, not ignored."""
    with pytest.raises(ScenarioError, match="starting state") as info:
        override(scenario("baseline"), {"steps": 12, "events": [{"month": 1, "set": change}]})
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("events[0].set", f"{key} is a starting state; events cannot change it")
    ]


def test_event_may_set_ongoing_keys_next_to_starting_states():
    base = scenario("baseline")
    ok = {
        "international.us.responsiveness": 0.2,
        "economy.unfreeze_rate": 0.1,
        "international.china": base.international["china"].model_dump(),  # pressure unchanged
    }
    spec = override(base, {"steps": 12, "events": [{"month": 1, "set": ok}]})
    timeline = event_timeline(spec)
    assert timeline[1].international["us"].responsiveness == 0.2
    assert timeline[1].economy.unfreeze_rate == 0.1
    assert timeline[1].international["china"].pressure == base.international["china"].pressure


def event_problems(tmp_path: Path, events: list[dict], **top) -> list[tuple[str, str]]:
    """(key path, message) of each problem of a baseline child with these events."""
    child = tmp_path / "events.yaml"
    lines = [f"extends: {SCENARIO_DIR / 'baseline.yaml'}", f"events: {events!r}"]
    child.write_text("\n".join([*lines, *(f"{k}: {v!r}" for k, v in top.items())]) + "\n")
    return [(p.path, p.message) for p in load_error(child).problems]


@pytest.mark.parametrize("months", [(3, 6, 9), (12, 6, 7)], ids=["in_order", "out_of_order"])
def test_an_event_problem_is_blamed_on_the_event_that_set_the_value(tmp_path, months):
    sets = [{"policy.accuracy": 0.6}, {"policy.crackdown": 1.5}, {"policy.concessions": 0.5}]
    events = [{"month": m, "set": s} for m, s in zip(months, sets, strict=True)]
    problems = event_problems(tmp_path, events)
    assert [path for path, _ in problems] == ["events[1].set: policy.crackdown"]
    assert problems[0][1].startswith("got 1.5; expected less than or equal to 1")


def test_a_starting_state_change_is_blamed_once(tmp_path):
    events = [
        {"month": 3, "set": {"international.us.pressure": 0.1}},
        {"month": 6, "set": {"policy.crackdown": 0.5}},
    ]
    assert event_problems(tmp_path, events) == [
        ("events[0].set", "international.us.pressure is a starting state; events cannot change it")
    ]


def test_every_problem_of_every_event_is_reported_at_once(tmp_path):
    events = [
        {"month": 40, "set": {"policy.crackdown": 2.0}},
        {"month": 99, "set": {"policy.crackdwn": 0.8}},
        {"month": 0, "set": {"policy.accuracy": 0.5, "taliban.core": "haqqani"}},
    ]
    problems = event_problems(tmp_path, events)
    assert [path for path, _ in problems] == [  # in the file's order
        "events[0].set: policy.crackdown",
        "events[1].month",
        "events[1].set.policy.crackdwn",
        "events[2].month",
        "events[2].set.taliban.core",
    ]
    assert "got 99; expected 1..60" in problems[1][1]
    assert "no key 'policy.crackdwn'" in problems[2][1]


def test_an_invalid_scenario_does_not_hide_its_events_unknown_keys(tmp_path):
    events = [{"month": 3, "set": {"policy.crackdwn": 0.8, "taliban.core": "haqqani"}}]
    problems = event_problems(tmp_path, events, steps=0)
    assert [path for path, _ in problems] == [
        "steps",
        "events[0].set.policy.crackdwn",
        "events[0].set.taliban.core",
    ]


def test_each_event_builds_on_the_events_of_earlier_months():
    events = [
        {"month": 9, "set": {"policy.concessions": 0.5}},
        {"month": 3, "set": {"policy.crackdown": 0.6}},
    ]
    timeline = event_timeline(override(scenario("baseline"), {"steps": 12, "events": events}))
    assert timeline[3].policy.crackdown == 0.6
    assert timeline[9].policy.crackdown == 0.6 and timeline[9].policy.concessions == 0.5
