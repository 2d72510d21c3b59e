"""The plain-Mesa reference and the vectorised model give the same outcome distributions.

Both run the baseline over fixed seeds (the reference on another seed, so the two
samples are independent); two-sample Kolmogorov-Smirnov and Mann-Whitney tests on
each amount, and Fisher's exact test on how often each event happens, must not
reject at a family-wise 1% level (Bonferroni). A clearly different parameter must be
rejected, which shows the comparison has power.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.engine.outcomes import OUTCOMES as DECLARED
from sim.engine.record import COL
from sim.engine.seeds import replicate_rng
from sim.inputs.scenario import load_scenario, override
from sim.inputs.schema import BREAKAWAYS, MECHANISMS
from sim.model import AfghanistanModel
from sim.reference.model import CellAgent, ReferenceModel, UnitAgent
from sim.reference.record import record_of
from sim.rules import SCHEDULE, new_world

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ALPHA = 0.01
# Left out of the KS / Mann-Whitney family: counts of rare events, which are 0 in most
# runs and take two or three values at most (recognitions_final: states recognising at
# the end; breakaways_*: factions gone each way), where KS on so discrete a sample says
# little (their events, `recognized` and `fragmented`, are compared by Fisher's test);
# and defections_taliban, which is defections_total - defections_foreign.
DISCRETE = ("recognitions_final", "breakaways_isisk", "breakaways_independent", "breakaways_rival")
DERIVED = ("defections_taliban",)
OUTCOMES = tuple(
    o.name for o in DECLARED if o.kind == "amount" and o.name not in DISCRETE + DERIVED
)
EVENTS = DECLARED.events
# Family-wise 1%: Bonferroni over two tests per amount and one per event.
PER_TEST = ALPHA / (2 * len(OUTCOMES) + len(EVENTS))


def baseline(steps: int, changes: dict | None = None):
    return override(load_scenario(BASELINE), {"steps": steps, **(changes or {})})


def columns(runs: list[dict]) -> dict[str, np.ndarray]:
    return {k: np.array([run[k] for run in runs], dtype=float) for k in OUTCOMES + EVENTS}


def vectorised_outcomes(scenario, replicates: int) -> dict[str, np.ndarray]:
    gens = [replicate_rng(scenario.seed, r) for r in range(replicates)]
    return columns(new_world(scenario, gens).run().outcomes())


def reference_outcomes(scenario, replicates: int) -> dict[str, np.ndarray]:
    other_seed = override(scenario, {"seed": scenario.seed + 1})  # independent of the other sample
    return columns(
        [ReferenceModel(other_seed, replicate=r).run().outcomes() for r in range(replicates)]
    )


def p_values(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    """Per amount the smaller of the KS and Mann-Whitney p-values; per event Fisher's."""
    result = {}
    for key in OUTCOMES:
        if np.ptp(np.concatenate([a[key], b[key]])) == 0:
            result[key] = 1.0
            continue
        ks = stats.ks_2samp(a[key], b[key]).pvalue
        mw = stats.mannwhitneyu(a[key], b[key]).pvalue
        result[key] = float(min(ks, mw))
    for key in EVENTS:
        table = [
            [a[key].sum(), len(a[key]) - a[key].sum()],
            [b[key].sum(), len(b[key]) - b[key].sum()],
        ]
        result[key] = float(stats.fisher_exact(table).pvalue)
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
    assert sum(c.fighters for c in ref.cells) == vec.isisk.fighters
    grievance = {u.grievance for u in ref.units}
    assert grievance == set(vec.world.units.grievance[0, : vec.world.units.n[0]])
    ref.run()
    table = ref.datacollector.get_model_vars_dataframe()
    assert len(table) == 4
    assert table["fighters_isisk"].iloc[-1] == sum(c.fighters for c in ref.cells)


def test_the_reference_records_as_the_engine_at_the_start():
    """Its table laid out as the engine's record: same values at month 0, every column read."""
    scenario = baseline(1)
    engine = AfghanistanModel(scenario, collect=False).recorder.values[0, 0]
    record = record_of(ReferenceModel(scenario))
    start = record.values[0, 0]
    recorded = ~np.isnan(start)
    np.testing.assert_array_equal(start[recorded], engine[recorded])
    kinds = np.array(record.actor_types)
    for outcome in DECLARED:
        if outcome.actor is not None:
            assert recorded[kinds == outcome.actor, COL[outcome.column]].all(), outcome.name


def eventful(steps: int = 12, changes: dict | None = None):
    """The baseline where factions weak in cohesion decide every month and states recognise."""
    changes = {
        "rules.fragmentation.base_hazard": 0.99,
        "taliban.factions.northern.cohesion": 0.0,
        "taliban.factions.kandahari.cohesion": 0.0,
        "economy.unfreeze_rate": 0.2,
        "rules.pressure.release_rate": 1.0,
        "rules.pressure.release_engagement": 10.0,
        **(changes or {}),
    }
    for state in load_scenario(BASELINE).international:
        changes |= {
            f"international.{state}.step_after": 1,
            f"international.{state}.step_rate": 1.0,
            f"international.{state}.engage_below": 1.0,
            f"international.{state}.recognize_below": 1.0,
            f"international.{state}.min_credibility": 0.0,
        }
    return baseline(steps, changes)


def assert_outcomes_are_its_agents(model: ReferenceModel) -> None:
    """The outcomes reduced from the record say what the agents hold at the end."""
    got = model.outcomes()
    broken = [f.broken_month for f in model.factions if f.broken_away]
    recognised = [s.recognized_month for s in model.states if s.recognized_month is not None]
    expected = {
        "isisk_final": model.isisk.fighters(),
        "isisk_cells_final": len(model.cells),
        "taliban_final": sum(f.fighters() for f in model.factions if not f.broken_away),
        "fragmented": bool(broken),
        "fragmented_month": min(broken, default=np.nan),
        "recognized": bool(recognised),
        "recognized_month": min(recognised, default=np.nan),
        "recognitions_final": len(recognised),
        "hardship_final": model.hardship,
    }
    expected |= {
        f"breakaways_{kind}": sum(f.breakaway_to == kind for f in model.factions)
        for kind in BREAKAWAYS
    }
    np.testing.assert_equal({k: got[k] for k in expected}, expected)


@pytest.mark.parametrize("replicate", range(3))
def test_reference_outcomes_are_what_its_agents_end_with(replicate):
    model = ReferenceModel(eventful(), replicate=replicate).run()
    assert any(f.broken_away for f in model.factions) and model.unfrozen  # events happened
    assert_outcomes_are_its_agents(model)


def test_reference_runs_the_schedule_in_its_order():
    ref = ReferenceModel(baseline(1))
    assert [(mechanism, rule.__name__) for mechanism, rule, _ in ref.schedule] == [
        (step.mechanism, step.rule.__name__) for step in SCHEDULE
    ]
    assert [off.__name__ if off else None for *_, off in ref.schedule] == [
        step.when_off.__name__ if step.when_off else None for step in SCHEDULE
    ]


@pytest.mark.parametrize(
    ("mechanism", "outcome"),
    [
        ("attacks", "attacks_total"),
        ("crackdown", "crackdown_removed_total"),
        ("economy", "revenue_mean"),
        ("purge", "defections_foreign"),
    ],
)
def test_a_mechanism_switched_off_is_off_in_both(mechanism, outcome):
    def run(changes):
        scenario = baseline(6, changes)
        vec = AfghanistanModel(scenario, collect=False)
        vec.run()
        return ReferenceModel(scenario).run().outcomes()[outcome], vec.outcomes()[outcome]

    assert all(value > 0 for value in run({}))
    assert run({f"mechanisms.{mechanism}.enabled": False}) == (0.0, 0.0)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_the_reference_runs_with_any_mechanism_off(mechanism):
    scenario = eventful(6, {f"mechanisms.{mechanism}.enabled": False})
    assert_outcomes_are_its_agents(ReferenceModel(scenario).run())


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
