"""Observed-data files: the shipped file reads, dates become months, bad files are refused.

Each bad file gets one error naming the file, the entry's key path and what was expected.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from sim.inputs.observed import calendar_month, load_observed, month_label
from sim.inputs.problems import ScenarioError

OBSERVED = ROOT / "data" / "observed.yaml"


def test_the_shipped_file_reads_with_its_windows():
    entries = {e.path: e for e in load_observed(OBSERVED).entries}
    tempo = entries["calibration_targets.isisk_attacks_per_month[3]"]
    assert tuple(map(month_label, tempo.window)) == ("2021-08", "2021-12")  # month [-2, 2]
    budget = entries["initial_conditions.taliban_budget[0]"]
    assert tuple(map(month_label, budget.window)) == ("2022-03", "2023-02")  # a fiscal year
    assert budget.numbers["value_afn_bn"]["domestic_revenue"] == (186.7, 186.7)
    casualties = entries["calibration_targets.civilian_casualties_isisk[1]"]
    assert tuple(map(month_label, casualties.window)) == ("2021-08", "2022-06")
    aid = entries["initial_conditions.humanitarian_aid_received_usd_bn[1]"]
    assert aid.window == (calendar_month(2022, 1), calendar_month(2022, 6))  # 2022-H1
    assert entries["initial_conditions.foreign_fighters.ttp"].group == "ttp"
    assert entries["policy_timeline[9]"].window is None  # "throughout"
    assert entries["international_engagement[2]"].window == (calendar_month(2022, 3),) * 2


BAD = {
    "value not a range": (
        "s:\n  x:\n    - {month: 1, value: [5, 2], source: a}\n",
        "s.x[0].value",
        "expected a number, [low, high] with low <= high",
    ),
    "value is text": (
        "s:\n  x:\n    - {month: 1, value: many, source: a}\n",
        "s.x[0].value",
        "got 'many'",
    ),
    "no source": ("s:\n  x:\n    - {month: 1, value: 3}\n", "s.x[0].source", "needs its source"),
    "unknown field": (
        "s:\n  x:\n    - {month: 1, value: 3, source: a, vlaue: 4}\n",
        "s.x[0].vlaue",
        "unknown field; expected some of value",
    ),
    "bad date": (
        "s:\n  x:\n    - {date: 'autumn 2021', value: 3, source: a}\n",
        "s.x[0].date",
        "expected YYYY, YYYY-MM",
    ),
    "month out of order": (
        "s:\n  x:\n    - {month: [3, 1], value: 3, source: a}\n",
        "s.x[0].month",
        "expected m or [first, last]",
    ),
    "two times": (
        "s:\n  x:\n    - {month: 1, year: 2021, value: 3, source: a}\n",
        "s.x[0]",
        "expected at most one time",
    ),
    "impossible day": (
        "s:\n  x:\n    - {date: '2021-02-30 to 2021-04', value: 3, source: a}\n",
        "s.x[0].date",
        "expected YYYY",
    ),
    "entry not a mapping": ("s:\n  x:\n    - 42\n", "s.x[0]", "expected an entry (mapping)"),
    "series is a number": ("s:\n  x: 42\n", "s.x", "expected a list of entries"),
    "section is text": ("s: hello\n", "s", "expected a list or a mapping"),
    "part not a number": (
        "s:\n  x:\n    - {year: 2021, value: {killed: lots}, source: a}\n",
        "s.x[0].value",
        "a mapping of named numbers",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_file_names_the_file_the_entry_and_what_was_expected(tmp_path, name):
    text, path, expected = BAD[name]
    file = tmp_path / "observed.yaml"
    file.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_observed(file)
    [problem] = err.value.problems
    assert (problem.file, problem.path) == (str(file), path)
    assert expected in problem.message


def test_every_problem_of_a_file_is_listed(tmp_path):
    file = tmp_path / "observed.yaml"
    file.write_text(
        "s:\n  x:\n    - {month: 1, value: 3}\n    - {date: soon, value: 1, source: a}\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_observed(file)
    assert [p.path for p in err.value.problems] == ["s.x[0].source", "s.x[1].date"]
