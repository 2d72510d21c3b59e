"""Regression: the engine gives the committed outcomes for fixed seeds.

Counts must match exactly, other floats to a relative 1e-9. A change that alters
results on purpose regenerates the summary with `python experiments/regression.py`
and says why in its commit.
"""

import json
from pathlib import Path

from sim.analysis.regression import differences, summary

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "tests" / "regression_summary.json"


def test_outcomes_equal_the_committed_summary():
    changed = differences(json.loads(SUMMARY.read_text()), summary(ROOT / "scenarios"))
    assert not changed, (
        "outcomes changed (if intended, regenerate with `python experiments/regression.py` "
        "and say why in the commit):\n" + "\n".join(changed[:20])
    )


def test_a_last_digit_difference_passes_and_a_real_change_fails():
    expected = {"scenarios": {"s": [{"casualties_total": 2525.633579465275, "attacks": 10.0}]}}
    close = {"scenarios": {"s": [{"casualties_total": 2525.6335794652746, "attacks": 10.0}]}}
    moved = {"scenarios": {"s": [{"casualties_total": 2525.64, "attacks": 10.0}]}}
    recount = {"scenarios": {"s": [{"casualties_total": 2525.633579465275, "attacks": 11.0}]}}
    assert differences(expected, close) == []
    assert len(differences(expected, moved)) == 1
    assert len(differences(expected, recount)) == 1
