"""Mechanism 4, economy and pay: fiscal revenue pays units; reserves and aid act on hardship.

Frozen central-bank reserves are not budget revenue: while frozen they hold hardship
up (liquidity, prices). Aid mostly bypasses the budget and relieves hardship. Hardship
also takes shocks of its own (drought, prices, remittances).
Hardship cuts revenue and (in `recruitment`) widens ISIS-K's recruiting pool. The
budget pays units by faction; shortfalls become arrears and grievance.

Its parameters are declared in `sim.inputs.pars.economy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import Economy

if TYPE_CHECKING:
    from sim.engine.world import World


def hardship_target(frozen_share, aid_musd, spec: Economy):
    """Hardship the economy tends to: a floor, plus frozen reserves, less aid's relief."""
    target = spec.hardship_floor + spec.frozen_hardship * frozen_share
    return np.clip(target - spec.aid_relief * aid_musd / 100.0, 0.0, 1.0)


def hardship_after(hardship, target, shock, spec: Economy):
    """Hardship closes part of the gap to its target and takes the month's shock, in [0, 1]."""
    return np.clip(hardship + spec.hardship_adjust * (target - hardship) + shock, 0.0, 1.0)


def fiscal_revenue(hardship, mean_pressure, recognized_share, shock, spec: Economy):
    """Domestic collections (customs, mining, taxes) as hardship, sanctions and trade allow."""
    return (
        spec.domestic_revenue_musd
        * (1.0 - spec.hardship_revenue_loss * hardship)
        * (1.0 - spec.sanction_damage * mean_pressure)
        * (1.0 + spec.recognition_trade_gain * recognized_share)
        * shock
    )


def aid_received(offers, conditionality, pressure):
    """Aid of each state, cut by its pressure where it conditions aid, summed over states."""
    return (offers * (1.0 - conditionality * pressure)).sum(axis=-1)


def policy_costs(intensity, accuracy: float, spec: Economy):
    """What the crackdown costs the budget: operations, and intelligence for accuracy."""
    return intensity * (spec.crackdown_cost_musd + spec.accuracy_cost_musd * accuracy)


def pay_ratio(budget_musd: float | np.ndarray, fighters: float | np.ndarray, wage_usd: float):
    """Share of the wage bill that the budget covers, at most 1."""
    need = np.maximum(fighters, 1.0) * wage_usd / 1e6
    return np.minimum(1.0, budget_musd / need)


def arrears_after(arrears, budget_musd, fighters, wage_usd: float):
    """Months of pay owed: a shortfall adds to them, a surplus pays them back."""
    need = np.maximum(fighters, 1.0) * wage_usd / 1e6
    return np.maximum(0.0, arrears + 1.0 - budget_musd / need)


def grievance_after_pay(grievance: np.ndarray, pay: np.ndarray, rate: float, relief: float):
    """Unpaid wages raise grievance by `rate` x shortfall; pay relieves it by `relief`."""
    # minimum/maximum rather than clip: as fast on arrays, far faster on scalars
    return np.minimum(
        1.0, np.maximum(0.0, grievance + rate * (1.0 - pay) - relief * pay * grievance)
    )


def pay_units(world: World, scale: float) -> None:
    """Release unfrozen reserves, move hardship (with its shock), collect revenue, pay units.

    Reads `economy.*`, each state's `aid_musd`, `aid_conditionality` and pressure, each
    faction's `revenue_share`. Factions that broke away get `economy.breakaway_pay`.
    The scale multiplies revenue. The shocks of hardship and revenue are drawn first,
    in that order; the rest runs in a compiled loop over each replicate's budget,
    factions and units (`compiled_economy.pay`).
    """
    from sim.rules import compiled_economy as loops  # numba loads with the first step
    from sim.rules.compiled_units import per_row

    units, rows = world.units, world.replicates
    loops.pay(
        units.n,
        units.fighters,
        units.faction,
        units.grievance,
        world.derived(loops.economy_weights),
        world.derived(loops.aid_offers),
        world.derived(loops.revenue_shares),
        world.pressure,
        world.broken_month,
        per_row(world.recognized_share(), rows),
        per_row(world.crackdown_effect(), rows),
        per_row(world.params.policy.accuracy, rows),
        scale,
        world.streams.normals(2),
        world.unfrozen,
        world.frozen_musd,
        world.aid_musd,
        world.hardship,
        world.revenue_musd,
        world.pay_ratio,
        world.arrears,
        world.total_pay_ratio,
    )


def pay_in_full(world: World) -> None:
    """With the economy switched off, every unit is fully paid and grievance stays put."""
    world.revenue_musd[:] = 0.0
    world.pay_ratio[:] = world.total_pay_ratio[:] = 1.0
