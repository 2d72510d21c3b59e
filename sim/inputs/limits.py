"""Rates that several keys multiply together, checked against caps that keep runs sane.

Each key has its own bound in the schema, but a product of keys at their bounds can
still ask for 1e12 attacks a month. These checks bound the products the rules
compute (the formulas of `sim.rules.attacks.attack_rate`, with its returns to scale and
money, and `sim.rules.recruitment.local_recruits_rate`, at their largest inputs).
"""

from __future__ import annotations

from sim.inputs.schema import Scenario

MAX_CELL_ATTACKS = 1_000.0  # expected attacks per cell-month: some 30 a day (baseline: 3)
MAX_INFLOW = 100_000.0  # new fighters a month, ISIS-K and foreign groups: 25x all of ISIS-K
MAX_UNIT_BIRTHS = 0.1  # new units per unit-month at full pay, after scaling (baseline 0.004)


def runaway_rates(s: Scenario) -> list[tuple[tuple[str, ...], str]]:
    """(key path, message) for each product of rates above its cap."""
    problems = []
    attacks, recruitment = s.rules.attacks, s.rules.recruitment
    cadre = max(s.isisk.fighters, 1)
    per_cell = (  # ISIS-K's tempo at its starting cadre, per starting cell (tempo is additive)
        s.mechanisms.attacks.scale
        * attacks.base_rate
        * cadre
        / attacks.reference_size
        * (cadre / attacks.reference_cadre) ** (attacks.size_exponent - 1.0)
        * max(s.isisk.capability, attacks.max_capability)
        * 2.0  # money at most doubles the tempo
        / s.isisk.cells
    )
    if per_cell > MAX_CELL_ATTACKS:
        problems.append(
            (
                ("rules", "attacks"),
                f"up to {per_cell:.3g} expected attacks per cell-month (mechanisms.attacks.scale"
                " x base_rate x fighters / reference_size x (fighters / reference_cadre)^"
                "(size_exponent - 1) x capability x 2 for money / cells, at month 0); "
                f"expected at most {MAX_CELL_ATTACKS:g}",
            )
        )
    most_anger = s.mechanisms.crackdown.scale  # crackdown intensity x (1 - accuracy), scaled
    inflow = s.mechanisms.recruitment.scale * (
        recruitment.isisk_local_per_month
        * (1.0 + recruitment.momentum_boost)
        * (1.0 + recruitment.hardship_boost)
        * (1.0 + recruitment.recognition_boost)
        + recruitment.anger_recruits * most_anger
        + sum(g.arrivals_per_month for g in s.foreign_groups.values())
    )
    if inflow > MAX_INFLOW:
        problems.append(
            (
                ("rules", "recruitment"),
                f"up to {inflow:.3g} new fighters a month (mechanisms.recruitment.scale x "
                "(isisk_local_per_month x (1 + each boost) + anger_recruits + arrivals));"
                f" expected at most {MAX_INFLOW:g}",
            )
        )
    births = s.mechanisms.recruitment.scale * recruitment.unit_birth_rate
    if births > MAX_UNIT_BIRTHS:
        problems.append(
            (
                ("rules", "recruitment", "unit_birth_rate"),
                f"{births:.3g} new units per unit-month after mechanisms.recruitment.scale; "
                f"expected at most {MAX_UNIT_BIRTHS:g} (units would grow without end)",
            )
        )
    return problems
