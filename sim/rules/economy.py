"""Mechanism 4, economy and pay: revenue pays units; shortfalls raise grievance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.engine.world import World


def monthly_revenue(
    domestic: float, sanction_damage: float, mean_pressure: float, aid: float, released: float
) -> float:
    """Domestic revenue cut by sanctions in proportion to pressure, plus aid and unfrozen funds."""
    return domestic * (1.0 - sanction_damage * mean_pressure) + aid + released


def pay_ratio(budget_musd: float | np.ndarray, fighters: float | np.ndarray, wage_usd: float):
    """Share of the wage bill that the budget covers, at most 1."""
    need = np.maximum(fighters, 1.0) * wage_usd / 1e6
    return np.minimum(1.0, budget_musd / need)


def grievance_after_pay(grievance: np.ndarray, pay: np.ndarray, rate: float, relief: float):
    """Unpaid wages raise grievance by `rate` x shortfall; pay relieves it by `relief`."""
    # minimum/maximum rather than clip: as fast on arrays, far faster on scalars
    return np.minimum(
        1.0, np.maximum(0.0, grievance + rate * (1.0 - pay) - relief * pay * grievance)
    )


def pay_units(world: World, scale: float) -> None:
    """Collect revenue, split the pay budget by faction revenue share, update grievance.

    Reads `economy.*` and each faction's `revenue_share`. Factions that broke away get
    `economy.breakaway_pay`. The scale multiplies revenue.
    """
    spec = world.params.economy
    unfrozen = world.unfrozen | spec.unfrozen
    released = np.where(unfrozen, world.frozen_musd * spec.unfreeze_rate, 0.0)
    world.frozen_musd -= released
    aid_offer = np.array([s.aid_musd for s in world.params.international.values()])
    aid = ((1.0 - world.pressure) * aid_offer).sum(axis=1)
    revenue = scale * monthly_revenue(
        spec.domestic_revenue_musd, spec.sanction_damage, world.pressure.mean(axis=1), aid, released
    )
    budget = spec.military_share * revenue
    fighters, active = world.faction_fighters(), ~world.broken_away
    shares = world.faction_values("revenue_share") * active
    shares = shares / np.maximum(shares.sum(axis=1, keepdims=True), 1e-12)
    ratios = np.where(
        active, pay_ratio(budget[:, None] * shares, fighters, spec.wage_usd), spec.breakaway_pay
    )
    paid = fighters * active
    world.pay_ratio[:] = ratios
    world.revenue_musd[:] = revenue
    world.total_pay_ratio[:] = (ratios * paid).sum(axis=1) / np.maximum(paid.sum(axis=1), 1)
    units = world.units
    units.grievance[:] = (
        grievance_after_pay(
            units.grievance,
            units.per_unit(ratios),
            spec.grievance_rate,
            spec.grievance_relief,
        )
        * units.live
    )


def pay_in_full(world: World) -> None:
    """With the economy switched off, every unit is fully paid and grievance stays put."""
    world.revenue_musd[:] = 0.0
    world.pay_ratio[:] = world.total_pay_ratio[:] = 1.0
