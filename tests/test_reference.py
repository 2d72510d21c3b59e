"""The plain-Mesa reference and the vectorised model give the same outcome distributions.

Both run the baseline over fixed seeds (the reference on another seed, so the two
samples are independent); two-sample Kolmogorov-Smirnov and Mann-Whitney tests on
each outcome must not reject at a family-wise 1% level (Bonferroni). A clearly
different parameter must be rejected, which shows the comparison has power.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.engine.outcomes import OUTCOMES as ALL_OUTCOMES
from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_scenario, override
from sim.model import AfghanistanModel
from sim.reference.model import CellAgent, ReferenceModel, UnitAgent
from sim.rules import new_world

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ALPHA = 0.01
OUTCOMES = tuple(  # every amount but the rare-event counts and a derived one
    o.name
    for o in ALL_OUTCOMES
    if o.kind == "amount"
    and o.name not in ("recognitions_final", "defections_taliban")  # the latter is derived
)
# Family-wise 1%: Bonferroni over the outcomes and the two tests taken per outcome.
PER_TEST = ALPHA / (2 * len(OUTCOMES))


def baseline(steps: int, changes: dict | None = None):
    return override(load_scenario(BASELINE), {"steps": steps, **(changes or {})})


def vectorised_outcomes(scenario, replicates: int) -> dict[str, np.ndarray]:
    gens = [replicate_rng(scenario.seed, r) for r in range(replicates)]
    runs = new_world(scenario, gens).run().outcomes()
    return {k: np.array([run[k] for run in runs], dtype=float) for k in OUTCOMES}


def reference_outcomes(scenario, replicates: int) -> dict[str, np.ndarray]:
    other_seed = override(scenario, {"seed": scenario.seed + 1})  # independent of the other sample
    runs = [ReferenceModel(other_seed, replicate=r).run().outcomes() for r in range(replicates)]
    return {k: np.array([run[k] for run in runs], dtype=float) for k in OUTCOMES}


def p_values(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    """The smaller of the KS and Mann-Whitney p-values, per outcome."""
    result = {}
    for key in OUTCOMES:
        if np.ptp(np.concatenate([a[key], b[key]])) == 0:
            result[key] = 1.0
            continue
        ks = stats.ks_2samp(a[key], b[key]).pvalue
        mw = stats.mannwhitneyu(a[key], b[key]).pvalue
        result[key] = float(min(ks, mw))
    return result


def assert_same_distributions(replicates: int, steps: int) -> None:
    scenario = baseline(steps)
    p = p_values(
        vectorised_outcomes(scenario, replicates), reference_outcomes(scenario, replicates)
    )
    rejected = {k: round(v, 5) for k, v in p.items() if v < PER_TEST}
    assert not rejected, f"outcome distributions differ (p < {PER_TEST}): {rejected}; all: {p}"


def test_reference_builds_one_agent_per_unit_and_cell():
    scenario = baseline(3)
    vec = AfghanistanModel(scenario, collect=False)
    ref = ReferenceModel(scenario)
    assert len(ref.agents_by_type[UnitAgent]) == vec.world.units.n[0]
    assert len(ref.agents_by_type[CellAgent]) == vec.isisk.cells
    assert sum(u.fighters for u in ref.units) == vec.world.units.fighters[0].sum()
    ref.run()
    table = ref.datacollector.get_model_vars_dataframe()
    assert len(table) == 4
    assert table["fighters_isisk"].iloc[-1] == sum(c.fighters for c in ref.cells)
    vec.run()
    assert set(ref.outcomes()) == set(vec.outcomes())


def test_same_outcome_distributions_fast():
    assert_same_distributions(replicates=40, steps=24)


@pytest.mark.slow
def test_same_outcome_distributions_full_horizon():
    assert_same_distributions(replicates=300, steps=60)


def test_comparison_detects_a_different_crackdown():
    replicates, steps = 20, 24
    p = p_values(
        vectorised_outcomes(baseline(steps, {"policy.crackdown": 0.0}), replicates),
        reference_outcomes(baseline(steps, {"policy.crackdown": 0.7}), replicates),
    )
    assert min(p.values()) < PER_TEST, p
