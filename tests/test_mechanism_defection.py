"""Defection (`sim.rules.defection`): units defect to ISIS-K or desert.

Pure functions against hand-computed values and properties; `defect` on the tiny world
(`tests/tiny.py`, chances forced to 0 or 1); its own parameters inert while it is
switched off; and its claims over replicates (`tests/mechanism.py`).
"""

import math

import numpy as np
import pytest
from conftest import ALPHA, REPLICATES, greater, less, outcomes
from hypothesis import given
from hypothesis import strategies as st
from mechanism import (
    ATTACKS_OFF,
    EXACT,
    FACTIONS,
    PROPERTY,
    N,
    check_claim,
    check_own_parameters,
    claim,
    logit_base,
    switch_claims,
    unit,
    updated,
    weight,
)
from scipy import stats
from tiny import (
    ALWAYS,
    AMIR,
    DEFECTION_WEIGHTS,
    DOHA,
    TINY,
    apply,
    begin_month,
    cells_of,
    flow,
    set_cells,
    set_units,
    tiny_world,
    units_of,
)

from sim.rules import defect
from sim.rules.defection import (
    abandonment,
    defection_probability,
    desertion_probability,
    go_over,
)

# --- pure functions ---------------------------------------------------------------------

DEFECTION = TINY.rules.defection.model_copy(
    update=dict(
        base=-1.0,
        w_abandonment=4.0,
        w_grievance=3.0,
        w_ties=2.0,
        w_momentum=1.0,
        w_pay=1.5,
        w_cohesion=2.5,
        w_fear=0.5,
        abandonment_crackdown=0.5,
        abandonment_joint=1.0,
        abandonment_concessions=0.5,
        abandonment_purge=0.5,
        abandonment_recognition=0.3,
        desertion_base=-2.0,
        w_desertion_grievance=4.0,
    )
)


def test_abandonment_values():
    """defection.abandonment: crackdown (x (1 + joint)), concessions, purge, recognition."""
    assert abandonment(0.4, True, 0.2, 0.5, 0.5, DEFECTION) == pytest.approx(0.9, **EXACT)
    assert abandonment(0.4, False, 0.2, 0.5, 0.5, DEFECTION) == pytest.approx(0.7, **EXACT)
    assert abandonment(0.0, True, 0.0, 0.0, 0.0, DEFECTION) == 0.0
    assert abandonment(0.0, False, 0.0, 0.0, 1.0, DEFECTION) == pytest.approx(0.3, **EXACT)


@pytest.mark.parametrize("position", [0, 2, 3, 4])
def test_abandonment_rises_with_each_driver(position):
    """defection.abandonment: rises with crackdown, concessions, purge and recognition."""
    args = [0.2, False, 0.2, 0.2, 0.2, DEFECTION]
    more = list(args)
    more[position] = 0.9
    assert abandonment(*more) > abandonment(*args)


def p_defect(**changes):
    """Defection chance of one unit at the inputs of `test_defection_probability_value`."""
    args = dict(
        ideology=0.5,
        grievance=0.6,
        ties=0.2,
        pay=0.5,
        cohesion=0.3,
        abandon=0.4,
        momentum=0.5,
        fear=0.1,
        rule=DEFECTION,
    )
    return float(defection_probability(**(args | changes)))


def test_defection_probability_value():
    """defection.defection_probability: the logistic of the weighted drivers, by hand."""
    x = -1.0 + 4 * 0.5 * 0.4 + 3 * 0.5 * 0.6 + 2 * 0.2 + 1 * 0.5 - 1.5 * 0.5 - 2.5 * 0.3 - 0.5 * 0.1
    assert x == pytest.approx(0.05, **EXACT)
    assert p_defect() == pytest.approx(1.0 / (1.0 + math.exp(-0.05)), **EXACT)


@pytest.mark.parametrize(
    ("driver", "direction"),
    [
        ("abandon", +1),
        ("grievance", +1),
        ("ties", +1),
        ("momentum", +1),
        ("pay", -1),
        ("cohesion", -1),
        ("fear", -1),
    ],
)
def test_defection_probability_direction_of_each_driver(driver, direction):
    """defection.defection_probability: the sign of each driver's effect."""
    assert np.sign(p_defect(**{driver: 0.9}) - p_defect(**{driver: 0.1})) == direction


def test_defection_motives_depend_on_ideology():
    """defection.defection_probability: abandonment moves believers, grievance economic joiners."""

    def gain(ideology, driver):
        return p_defect(ideology=ideology, **{driver: 1.0}) - p_defect(
            ideology=ideology, **{driver: 0.0}
        )

    assert gain(0.9, "abandon") > gain(0.1, "abandon") > 0
    assert gain(0.1, "grievance") > gain(0.9, "grievance") > 0
    assert gain(0.0, "abandon") == 0.0 and gain(1.0, "grievance") == 0.0


def test_desertion_probability_value_and_directions():
    """defection.desertion_probability: economic joiners with grievance leave, pay holds them."""
    assert desertion_probability(0.2, 0.5, 0.4, DEFECTION) == pytest.approx(
        1.0 / (1.0 + math.e), **EXACT
    )
    assert desertion_probability(0.2, 0.9, 0.5, DEFECTION) > desertion_probability(
        0.2, 0.1, 0.5, DEFECTION
    )
    assert desertion_probability(0.2, 0.5, 1.0, DEFECTION) < desertion_probability(
        0.2, 0.5, 0.0, DEFECTION
    )
    assert desertion_probability(0.1, 0.8, 0.5, DEFECTION) > desertion_probability(
        0.9, 0.8, 0.5, DEFECTION
    )


@PROPERTY
@given(
    inputs=st.lists(unit, min_size=7, max_size=7),
    abandon=st.floats(0.0, 5.0),
    base=logit_base,
    w=st.lists(weight, min_size=len(DEFECTION_WEIGHTS), max_size=len(DEFECTION_WEIGHTS)),
)
def test_defection_and_desertion_chances_in_unit_interval(inputs, abandon, base, w):
    """defection.defection_probability and desertion_probability: in [0, 1]."""
    weights = dict(zip(DEFECTION_WEIGHTS, w, strict=True))
    rule = updated(DEFECTION, base=base, desertion_base=base, **weights)
    ideology, grievance, ties, pay, cohesion, momentum, fear = inputs
    p = defection_probability(
        ideology, grievance, ties, pay, cohesion, abandon, momentum, fear, rule
    )
    assert 0.0 <= p <= 1.0
    assert 0.0 <= desertion_probability(ideology, grievance, pay, rule) <= 1.0


def test_the_compiled_loops_ceiling_of_a_chance_is_never_below_it():
    """compiled_units.logistic_ceiling: with its margin, at or above the loops' logistic.

    `choose_fates` lets a unit stay without computing its chances when its uniform lies
    above their ceilings (times `CEILING_MARGIN`); that is only the same fate if no
    ceiling is below its chance. The grid's values may differ from a loop's in the last
    bits (a vectorised exp): the margin must dwarf that. A NaN score, whose chance the
    loop takes as sure, gets an infinite ceiling.
    """
    import numba

    from sim.rules.compiled_units import (
        CEILING_MARGIN,
        SCORE_LOW,
        SCORE_STEP,
        SCORE_STEPS,
        logistic_at_grid,
        logistic_ceiling,
    )
    from sim.rules.maths import logistic

    @numba.njit
    def shortfalls(xs):  # how far below the logistic each ceiling lies, relative to it
        grid = logistic_at_grid()
        out = np.empty(xs.size)
        for i in range(xs.size):
            chance = logistic(xs[i])
            out[i] = (chance - logistic_ceiling(xs[i], grid)) / max(chance, 1e-300)
        return out

    points = SCORE_LOW + SCORE_STEP * np.arange(SCORE_STEPS + 1)
    xs = np.concatenate(
        [
            np.linspace(-60.0, 60.0, 400_001),
            points,
            np.nextafter(points, np.inf),
            np.nextafter(points, -np.inf),
            [-np.inf, np.inf, -1e300, 1e300],
        ]
    )
    worst = shortfalls(xs).max()
    assert worst < 1e-13 and worst * 1e3 < CEILING_MARGIN - 1.0
    grid = logistic_at_grid()
    assert logistic_ceiling(points[10] + 0.1, grid) == grid[11]  # the next point up
    assert logistic_ceiling(-1e300, grid) == logistic_ceiling(-np.inf, grid) == grid[0]
    assert logistic_ceiling(1e300, grid) == 1.0
    assert logistic_ceiling(np.nan, grid) == np.inf


# --- the tiny world ---------------------------------------------------------------------

BANDS = dict(fighters=[100, 50, 30, 20], faction=["amir", "haqqani", "haqqani", "doha"])


def test_defect_all_found_cells():
    """defection.defect: at a chance of 1 with found_cell 1, each unit becomes a new cell.

    Desertion is sure too, but a unit that defects does not also desert.
    """
    world = tiny_world(
        **{
            "rules.defection.base": ALWAYS,
            "rules.defection.desertion_base": ALWAYS,
            "rules.defection.found_cell": 1.0,
        }
    )
    set_units(world, **BANDS)
    set_cells(world, [10, 20], capability=0.7)
    begin_month(world)
    apply(world, defect)
    assert world.units.n[0] == 0
    cells = cells_of(world)
    np.testing.assert_array_equal(cells["fighters"], [10, 20, 100, 50, 30, 20])
    np.testing.assert_array_equal(cells["capability"][2:], TINY.isisk.capability)
    np.testing.assert_array_equal(cells["exposure"][2:], TINY.isisk.exposure)
    np.testing.assert_array_equal(flow(world, "factions", "defected_out"), [[100, 80, 20]])
    np.testing.assert_array_equal(flow(world, "isisk", "defected_in"), [200])
    assert not flow(world, "factions", "deserted").any()  # defection wins over desertion


def test_defect_all_join_existing_cells():
    """defection.defect: with found_cell 0 the defectors join the existing cells."""
    world = tiny_world(**{"rules.defection.base": ALWAYS, "rules.defection.found_cell": 0.0})
    set_units(world, **BANDS)
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, defect)
    assert world.units.n[0] == 0 and world.cells.n[0] == 2
    assert world.cells.fighters.sum() == 230


def test_defect_all_desert():
    """defection.defect: a desertion chance of 1 sends every unit home: losses, not ISIS-K."""
    world = tiny_world(**{"rules.defection.desertion_base": ALWAYS})
    set_units(world, **BANDS)
    set_cells(world, [10, 20])
    begin_month(world)
    apply(world, defect)
    assert world.units.n[0] == 0
    np.testing.assert_array_equal(flow(world, "factions", "deserted"), [[100, 80, 20]])
    np.testing.assert_array_equal(flow(world, "factions", "losses"), [[100, 80, 20]])
    np.testing.assert_array_equal(world.cells.fighters, [[10, 20]])


@pytest.mark.parametrize(("drop_emptied", "left"), [(False, [0, 30]), (True, [30])])
def test_go_over_drops_units_a_rule_emptied_only_when_asked(drop_emptied, left):
    """defection.go_over: the units going leave; those emptied before only with `drop_emptied`.

    Fragmentation calls it after the month's attacks, whose losses can leave a unit
    without fighters until attrition compacts the table: dropping it there would shift
    the next month's draws (one per unit). `defect` drops its deserted units so.
    """
    world = tiny_world(**{"rules.defection.found_cell": 0.0})
    set_units(world, fighters=[100, 0, 30], faction=["amir", "doha", "doha"])
    set_cells(world, [10])
    begin_month(world)
    go_over(world, np.array([[True, False, False]]), drop_emptied=drop_emptied)
    np.testing.assert_array_equal(units_of(world)["fighters"], left)
    np.testing.assert_array_equal(world.cells.fighters, [[110]])


def test_defect_unpaid_faction_only():
    """defection.defect: with base 50 and w_pay 100, exactly the unpaid faction defects."""
    world = tiny_world(**{"rules.defection.base": 50.0, "rules.defection.w_pay": 100.0})
    set_units(world, **BANDS)
    begin_month(world)
    world.pay_ratio[:] = [1.0, 0.0, 1.0]
    apply(world, defect)
    units = units_of(world)
    np.testing.assert_array_equal(units["fighters"], [100, 20])
    np.testing.assert_array_equal(units["faction"], [AMIR, DOHA])
    np.testing.assert_array_equal(flow(world, "factions", "defected_out"), [[0, 80, 0]])


def test_defect_punishment_adds_grievance_and_nobody_moves():
    """defection.defect: punishment x punishment_grievance adds to grievance, capped at 1."""
    world = tiny_world(**{"policy.punishment": 0.5, "rules.defection.punishment_grievance": 0.2})
    set_units(world, **BANDS, grievance=[0.0, 0.3, 0.95, 1.0])
    begin_month(world)
    apply(world, defect)
    np.testing.assert_allclose(units_of(world)["grievance"], [0.1, 0.4, 1.0, 1.0], rtol=1e-12)
    np.testing.assert_array_equal(units_of(world)["fighters"], BANDS["fighters"])
    assert not world.signals.factions.any()


# --- runs of the baseline ---------------------------------------------------------------

# Parameters read only by defection, pushed far from the baseline.
OWN_PARAMETERS = {
    "rules__defection__base": -1.0,
    "rules__defection__desertion_base": -1.0,
    "rules__defection__w_ties": 9.0,
    "rules__defection__w_abandonment": 9.0,
    "rules__defection__punishment_grievance": 0.5,
    "rules__defection__found_cell": 1.0,
}


def test_parameters_of_a_switched_off_mechanism_have_no_effect():
    check_own_parameters("defection", OWN_PARAMETERS)


# --- claims over replicates -------------------------------------------------------------


def ties(mean: float, sd: float) -> dict:
    """Overrides giving every faction the same ties to ISIS-K."""
    return {f"taliban__factions__{f}__ties_to_isisk": {"mean": mean, "sd": sd} for f in FACTIONS}


ECONOMY_OFF = {"mechanisms__economy__enabled": False}  # every unit paid in full

CLAIMS = [
    claim("crackdown raises Taliban defections", "defections_taliban", greater,
          {}, scenario="crackdown", versus="no_crackdown", n=2 * N),  # lumpy: whole units
    claim("crackdown makes ideological Haqqani units defect", "haqqani_defected_out", greater,
          {"policy__crackdown": 1.0, **ECONOMY_OFF}, {"policy__crackdown": 0.0, **ECONOMY_OFF}),
    claim("ties to ISIS-K raise defections", "defections_taliban", greater,
          ties(0.6, 0.1), ties(0.05, 0.03)),
    claim("punishment lowers defections", "defections_taliban", less,
          {"policy__punishment": 1.0}, {"policy__punishment": 0.0}),
    claim("ISIS-K momentum raises defections", "defections_taliban", greater,
          {"isisk__momentum": 1.0, **ATTACKS_OFF}, {"isisk__momentum": 0.0, **ATTACKS_OFF}),
    claim("concessions raise abandonment-driven defections", "defections_taliban", greater,
          {"policy__concessions": 0.9}, {"policy__concessions": 0.0}),
    *switch_claims("defection", "baseline", "defections_taliban", +1, +1),
]  # fmt: skip


@pytest.mark.parametrize("row", CLAIMS)
def test_claim(row):
    check_claim(row)


# --- punishment's cost downstream (paired: the same replicates in both arms) -----------

HARSH, MILD = {"policy__punishment": 0.9}, {"policy__punishment": 0.5}
COSTS = {  # outcome: its direction under harsh punishment, +1 higher, -1 lower
    "desertions_total": +1,  # the first cost: more fighters go home
    "us_pressure_mean": +1,  # punishment counts as misconduct with states that watch it
    "donors_pressure_mean": +1,
}
LOOSENED = {  # desertion loosens the factions (desertion_strain), net of fewer defections
    "cohesion_mean": -1,
    "min_faction_cohesion": -1,
}


def paired(harsh: np.ndarray, mild: np.ndarray, direction: int, label: str) -> float:
    """Assert harsh moves the outcome in `direction` against mild, replicate by replicate.

    One-sided Wilcoxon signed-rank test at ALPHA on the paired differences.
    """
    difference = direction * (np.asarray(harsh, float) - np.asarray(mild, float))
    p = stats.wilcoxon(difference, alternative="greater").pvalue
    assert p < ALPHA, f"{label}: mean paired difference {difference.mean():.4g}, p = {p:.3g}"
    return p


def check_costs(costs: dict[str, int], n: int, steps: int) -> None:
    """Every cost in `costs` shows over replicates 0..n-1 of the baseline, paired."""
    harsh = outcomes("baseline", n, steps=steps, **HARSH)
    mild = outcomes("baseline", n, steps=steps, **MILD)
    for outcome, direction in costs.items():
        paired(harsh[outcome], mild[outcome], direction, f"punishment 0.9 vs 0.5: {outcome}")


def test_punishment_has_a_cost_downstream():
    check_costs(COSTS, 3 * REPLICATES, steps=36)


@pytest.mark.slow
def test_punishment_has_a_cost_downstream_over_200_runs():
    check_costs(COSTS | LOOSENED, 10 * REPLICATES, steps=60)


def test_the_paired_check_catches_no_cost():
    """The paired check is not vacuous: no difference, or one the wrong way, fails."""
    same = np.linspace(0.0, 1.0, 40)
    with pytest.raises(AssertionError, match="p ="):
        paired(same - 0.01, same, +1, "lower, claimed higher")
    assert paired(same + np.linspace(0.01, 0.02, 40), same, +1, "higher") < ALPHA
