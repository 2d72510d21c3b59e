"""Regression: the engine gives exactly the committed outcomes for fixed seeds.

A change that alters results on purpose regenerates the summary with
`python experiments/regression.py` and says why in its commit.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "experiments"))

from regression import SUMMARY, differences, summary  # noqa: E402


def test_outcomes_equal_the_committed_summary():
    changed = differences(json.loads(SUMMARY.read_text()), summary())
    assert not changed, (
        "outcomes changed (if intended, regenerate with `python experiments/regression.py` "
        "and say why in the commit):\n" + "\n".join(changed[:20])
    )
