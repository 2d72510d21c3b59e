"""Mechanism 4, economy and pay: revenue pays units; shortfalls raise grievance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


@dataclass
class EconomyState:
    """Money of the Taliban state: frozen reserves left, this month's revenue and pay."""

    frozen_musd: float
    unfrozen: bool
    revenue_musd: float = 0.0
    pay_ratio: float = 1.0


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
    return np.clip(grievance + rate * (1.0 - pay) - relief * pay * grievance, 0.0, 1.0)


def pay_units(model: AfghanistanModel) -> None:
    """Collect revenue, split the pay budget by faction revenue share, update grievance.

    Reads `economy.*` and each faction's `revenue_share`. Factions that broke away get
    `economy.breakaway_pay`. Off: every unit is fully paid and grievance stays put.
    """
    scale = model.mechanism_scale("economy")
    econ, spec = model.economy, model.params.economy
    factions = model.factions
    if scale == 0.0:
        econ.revenue_musd, econ.pay_ratio = 0.0, 1.0
        for faction in factions:
            faction.pay_ratio = 1.0
        return
    released = 0.0
    if econ.unfrozen or spec.unfrozen:
        released = econ.frozen_musd * spec.unfreeze_rate
        econ.frozen_musd -= released
    aid = sum(
        model.params.international[s.name].aid_musd * (1.0 - s.pressure) for s in model.states
    )
    mean_pressure = float(np.mean([s.pressure for s in model.states]))
    revenue = scale * monthly_revenue(
        spec.domestic_revenue_musd, spec.sanction_damage, mean_pressure, aid, released
    )
    budget = spec.military_share * revenue
    fighters = model.faction_fighters()
    active = model.active_factions()
    shares = np.array([model.params.taliban.factions[f.name].revenue_share for f in factions])
    shares = shares * active / max((shares * active).sum(), 1e-12)
    ratios = np.where(active, pay_ratio(budget * shares, fighters, spec.wage_usd), spec.breakaway_pay)
    for faction, ratio in zip(factions, ratios, strict=True):
        faction.pay_ratio = float(ratio)
    econ.revenue_musd = revenue
    econ.pay_ratio = float(pay_ratio(budget, (fighters * active).sum(), spec.wage_usd))
    units = model.units
    units.grievance[:] = grievance_after_pay(
        units.grievance, ratios[units.faction], spec.grievance_rate, spec.grievance_relief
    )

