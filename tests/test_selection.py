"""Choosing the calibration's parameters by their Sobol' total-order indices, and the doc's table.

A cheap function with a known answer goes through the same design and analysis as the
model's targets: the parameters that move an output are chosen, the one that does
nothing is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from sim.analysis.selection import (
    THRESHOLD,
    influential,
    parameters_file,
    screened,
    screening_design,
    screening_priors,
)
from sim.analysis.sensitivity import analyse_model
from sim.inputs.calibration import Prior, Uncertain, load_calibration
from sim.runs.output import replace_section


def _cheap(points: pd.DataFrame, gen: np.random.Generator) -> pd.DataFrame:
    """`strong` drives the first output, `weak` a little of the second; `idle` nothing."""
    return pd.DataFrame(
        {
            "first": 10.0 * points["strong"] + 0.01 * gen.normal(size=len(points)),
            "second": points["weak"] + points["strong"] ** 2,
        }
    )


def test_the_selection_picks_every_parameter_that_moves_some_target():
    priors = [Prior(name, 0.0, 1.0, False) for name in ("strong", "weak", "idle")]
    design = screening_design(priors, 128, seed=5)
    result = analyse_model(design, _cheap, ["first", "second"], seed=5, resamples=200)
    table = influential(result.indices, THRESHOLD).set_index("parameter")
    assert table.loc["strong", "selected"] and table.loc["strong", "target"] == "first"
    assert table.loc["weak", "selected"] and table.loc["weak", "target"] == "second"
    assert not table.loc["idle", "selected"]
    listed = parameters_file(table.reset_index(), THRESHOLD, "a test")
    assert "key: strong" in listed and "key: weak" in listed and "idle" not in listed


def test_the_screening_covers_every_uncertain_parameter_and_the_observation_ones():
    placeholder = [Uncertain(key="observation.claim_share")]
    plan = load_calibration(ROOT / "experiments" / "calibration.yaml", fitted=placeholder)
    keys = [p.key for p in screening_priors(plan)]
    assert "rules.attacks.base_rate" in keys and "observation.claim_factor" in keys
    assert not any(k.startswith(("policy.", "mechanisms.")) or k.endswith(".sd") for k in keys)
    assert screened("isisk.released_prisoners") and not screened("policy.crackdown")


def test_a_generated_table_replaces_only_its_section_of_the_doc(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("kept\n<!-- table: start -->\nold\n<!-- table: end -->\nkept too\n")
    replace_section(doc, "table", "new\n")
    assert doc.read_text() == "kept\n<!-- table: start -->\nnew\n<!-- table: end -->\nkept too\n"
    with pytest.raises(ValueError, match=r"doc\.md: expected the markers <!-- other: start -->"):
        replace_section(doc, "other", "x")
