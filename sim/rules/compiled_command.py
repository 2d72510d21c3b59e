"""ISIS-K's leadership as a compiled loop: one replicate's cells, then its choice of effort.

`choose_strategy` as the reference's `IsisKCommand.choose_effort` reads it: the cells
give the cadre, their mean exposure and the skill they lack; with the money left after
pay, the pressure felt and the month's losses, the leadership's utilities and their
noisy softmax split its effort. The loop compiles the rule's own functions
(`operations_funds`, `money_factor`, `sanctuary_lost`, `utilities`, `effort_shares`)
with numba, replicates the outer loop; the noise is drawn before it (`Streams.normals`).

Imported at the first step (and by `sim.rules.load_kernels`); the loop closes over a
digest of the files it compiles functions from, as `compiled_units`' loops do.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np
from numba import types
from numba.extending import overload

from sim.inputs.schema import IsisK, Scenario, StrategyRule
from sim.rules import strategy
from sim.rules.compiled_units import (
    READ_COUNTS,
    READ_FLOATS,
    READ_ROWS_COUNTS,
    ROWS,
    rule_rows,
    sources_digest,
)
from sim.rules.strategy import (
    effort_shares,
    funds,
    money_factor,
    operations_funds,
    sanctuary_lost,
    utilities,
    wage_bill,
)

StrategyWeights = namedtuple("StrategyWeights", StrategyRule.model_fields)
"""Every field of `rules.strategy`."""

CommandWeights = namedtuple("CommandWeights", ("own_funds_musd", "network_funds_musd", "pay_usd"))
"""The fields of the `isisk` block that its money reads."""

SOURCES = sources_digest(strategy)
"""Digest of the file whose functions the loop compiles: part of its cache key."""


@overload(funds, inline="always")
def _compiled_funds(isisk: IsisK):
    """`funds` inside the loop: compiled as written (same parameters, as numba asks)."""
    return funds


@overload(wage_bill, inline="always")
def _compiled_wage_bill(fighters, pay_usd):
    """`wage_bill` inside the loop: compiled as written."""
    return wage_bill


_operations_funds = numba.njit(inline="always")(operations_funds)
_money_factor = numba.njit(inline="always")(money_factor)
_sanctuary_lost = numba.njit(inline="always")(sanctuary_lost)
_utilities = numba.njit(inline="always")(utilities)
_effort_shares = numba.njit(inline="always")(effort_shares)


def strategy_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `StrategyWeights` of `rules.strategy`, one row per replicate."""
    return rule_rows(params.rules.strategy, StrategyWeights, rows)


def command_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `CommandWeights` of the `isisk` block, one row per replicate."""
    return rule_rows(params.isisk, CommandWeights, rows)


def _loop(sources: str):
    """Compile the loop; numba's cache key holds the values it closes over (as `compiled_units`)."""
    other_rows = f"arrays of different rows (loops of sources {sources[:12]})"
    table = types.Array(types.float64, 2, "C", readonly=True)

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            READ_COUNTS,
            READ_FLOATS,
            READ_FLOATS,
            READ_FLOATS,
            table,
            table,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            table,
            types.float64[:, ::1],
        ),
        cache=True,
    )
    def choose_effort(
        n,
        fighters,
        exposure,
        capability,
        skill,
        weights,
        command,
        force,
        lost,
        safe_areas,
        start_safe_areas,
        noise,
        effort,
    ):
        rows = n.size
        if effort.shape[0] != rows or noise.shape[0] != rows or weights.shape[0] != rows:
            raise ValueError(other_rows)
        for r in range(rows):
            w, c = weights[r], command[r]
            rule = StrategyWeights(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
            isisk = CommandWeights(c[0], c[1], c[2])
            cadre, exposed, capable, skilled = 0.0, 0.0, 0.0, 0.0
            for j in range(n[r]):
                cadre += fighters[r, j]
                exposed += fighters[r, j] * exposure[r, j]
                capable += fighters[r, j] * capability[r, j]
                skilled += fighters[r, j] * skill[r, j]
            money = _money_factor(_operations_funds(cadre, isisk), cadre, rule)
            gap = max(1.0 - capable / max(skilled, 1e-12), 0.0) * (cadre > 0)
            losses = (
                lost[r] / max(cadre + lost[r], 1.0)
                + gap
                + _sanctuary_lost(safe_areas[r], start_safe_areas[r])
            )
            pressure = force[r] * (exposed / max(cadre, 1.0))
            values = _utilities(pressure, losses, money, rule)
            home, abroad, consolidate = _effort_shares(values, noise[r], rule)
            effort[r, 0], effort[r, 1], effort[r, 2] = home, abroad, consolidate

    return choose_effort


choose_effort = _loop(SOURCES)
