"""The economy's monthly rule as a compiled loop: one replicate's budget, factions and units.

`pay_units` as the reference's `pay_units`, `FactionAgent.get_budget` and
`UnitAgent.get_paid` read it: reserves are released, aid and hardship move, revenue is
collected and shared among the factions still in, whose pay ratios and arrears follow,
and each unit's grievance follows its faction's pay. The loop compiles the rule's own
functions (`aid_received`, `hardship_target`, `fiscal_revenue`, `pay_ratio`,
`grievance_after_pay`, ...) with numba, replicates the outer loop; the two shocks are
drawn before it (`Streams.normals`).

Imported at the first step (and by `sim.rules.load_kernels`); the loop closes over a
digest of the files it compiles functions from, as `compiled_units`' loops do.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np
from numba import types

from sim.inputs.schema import Economy, Scenario
from sim.rules import economy
from sim.rules.compiled_units import (
    FLOAT_TABLE,
    READ_COUNTS,
    READ_ROWS_COUNTS,
    ROWS,
    rule_rows,
    sources_digest,
)
from sim.rules.economy import (
    aid_received,
    arrears_after,
    fiscal_revenue,
    grievance_after_pay,
    hardship_after,
    hardship_target,
    pay_ratio,
    policy_costs,
)

EconomyWeights = namedtuple("EconomyWeights", Economy.model_fields)
"""Every field of the `economy` block (`unfrozen` as 0 or 1)."""

SOURCES = sources_digest(economy)
"""Digest of the file whose functions the loop compiles: part of its cache key."""

_aid_received = numba.njit(inline="always")(aid_received)
_hardship_target = numba.njit(inline="always")(hardship_target)
_hardship_after = numba.njit(inline="always")(hardship_after)
_fiscal_revenue = numba.njit(inline="always")(fiscal_revenue)
_policy_costs = numba.njit(inline="always")(policy_costs)
_pay_ratio = numba.njit(inline="always")(pay_ratio)
_arrears_after = numba.njit(inline="always")(arrears_after)
_grievance_after_pay = numba.njit(inline="always")(grievance_after_pay)


def economy_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `EconomyWeights` of the `economy` block, one row per replicate."""
    return rule_rows(params.economy, EconomyWeights, rows)


def aid_offers(params: Scenario, rows: int) -> np.ndarray:
    """Each state's `aid_musd` and `aid_conditionality`, (2, replicates, states)."""
    states = list(params.international.values())
    out = np.empty((2, rows, len(states)))
    for j, state in enumerate(states):
        out[0, :, j], out[1, :, j] = state.aid_musd, state.aid_conditionality
    return out


def revenue_shares(params: Scenario, rows: int) -> np.ndarray:
    """Each faction's `revenue_share`, (replicates, factions)."""
    factions = list(params.taliban.factions.values())
    out = np.empty((rows, len(factions)))
    for f, faction in enumerate(factions):
        out[:, f] = faction.revenue_share
    return out


def _loop(sources: str):
    """Compile the loop; numba's cache key holds the values it closes over (as `compiled_units`)."""
    other_rows = f"arrays of different rows or factions (loops of sources {sources[:12]})"
    no_faction = f"a faction beyond the factions' columns (loops of sources {sources[:12]})"
    table = types.Array(types.float64, 2, "C", readonly=True)

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            READ_COUNTS,
            READ_COUNTS,
            FLOAT_TABLE,
            table,
            types.Array(types.float64, 3, "C", readonly=True),
            table,
            table,
            types.Array(types.int64, 2, "C", readonly=True),
            ROWS,
            ROWS,
            ROWS,
            types.float64,
            table,
            types.boolean[::1],
            types.float64[::1],
            types.float64[::1],
            types.float64[::1],
            types.float64[::1],
            types.float64[:, ::1],
            types.float64[:, ::1],
            types.float64[::1],
        ),
        cache=True,
    )
    def pay(
        n,
        fighters,
        faction,
        grievance,
        weights,
        offers,
        shares,
        pressure,
        broken_month,
        recognized,
        crackdown,
        accuracy,
        scale,
        shocks,
        unfrozen,
        frozen_musd,
        aid_musd,
        hardship,
        revenue_musd,
        pay_ratios,
        arrears,
        total_pay_ratio,
    ):
        rows, factions = pay_ratios.shape
        if arrears.shape != (rows, factions) or shares.shape != (rows, factions):
            raise ValueError(other_rows)
        strength = np.empty(factions)  # fighters of each faction
        for r in range(rows):
            w = weights[r]
            spec = EconomyWeights(
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11],
                w[12], w[13], w[14], w[15], w[16], w[17], w[18], w[19], w[20], w[21], w[22],
            )  # fmt: skip
            unfrozen[r] |= spec.unfrozen != 0.0  # released whatever the Taliban do
            if unfrozen[r]:
                frozen_musd[r] -= frozen_musd[r] * spec.unfreeze_rate
            aid_musd[r] = _aid_received(offers[0, r], offers[1, r], pressure[r])
            frozen_share = frozen_musd[r] / max(spec.frozen_funds_musd, 1e-12)
            target = _hardship_target(frozen_share, aid_musd[r], spec)
            shock = spec.hardship_noise * shocks[r, 0]
            hardship[r] = _hardship_after(hardship[r], target, shock, spec)
            noise = spec.revenue_noise
            shock = math.exp(noise * shocks[r, 1] - noise**2 / 2)
            mean_pressure = 0.0
            for s in range(pressure.shape[1]):
                mean_pressure += pressure[r, s]
            mean_pressure /= pressure.shape[1]
            revenue_musd[r] = scale * _fiscal_revenue(
                hardship[r], mean_pressure, recognized[r], shock, spec
            )
            budget = max(
                spec.military_share * revenue_musd[r] + spec.aid_fungible * aid_musd[r], 0.0
            )  # a NaN stays NaN
            budget = max(budget - _policy_costs(crackdown[r], accuracy[r], spec), 0.0)
            strength[:] = 0.0
            for j in range(n[r]):
                if faction[r, j] < 0 or faction[r, j] >= factions:
                    raise ValueError(no_faction)
                strength[faction[r, j]] += fighters[r, j]
            held, paid, weighed = 0.0, 0.0, 0.0
            for f in range(factions):
                held += shares[r, f] if broken_month[r, f] < 0 else 0.0
            for f in range(factions):
                if broken_month[r, f] >= 0:
                    pay_ratios[r, f] = spec.breakaway_pay
                    continue
                owed = budget * (shares[r, f] / max(held, 1e-12))
                pay_ratios[r, f] = _pay_ratio(owed, strength[f], spec.wage_usd)
                arrears[r, f] = _arrears_after(arrears[r, f], owed, strength[f], spec.wage_usd)
                weighed += pay_ratios[r, f] * strength[f]
                paid += strength[f]
            total_pay_ratio[r] = weighed / max(paid, 1.0)
            for j in range(n[r]):
                grievance[r, j] = _grievance_after_pay(
                    grievance[r, j],
                    pay_ratios[r, faction[r, j]],
                    spec.grievance_rate,
                    spec.grievance_relief,
                )

    return pay


pay = _loop(SOURCES)
