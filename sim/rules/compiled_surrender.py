"""ISIS-K's surrenders and the rejoining of those gone home, as compiled loops by replicate.

`surrender` and `rejoin` as the reference reads them: those gone home rejoin (a
binomial) or settle (another); each cell's fighters surrender with the month's chance
(a binomial per cell), and a share of them is absorbed (a binomial). The loops compile
the rules' own functions (`surrender_probability`, `rejoin_probability`,
`funded_share`) and the engine's inverse-CDF draws with numba, replicates the outer
loop, and read each replicate's uniforms from its own buffer in the order the rule
draws them. Placing the rejoiners in cells and the absorbed in units stays with the
joins (`compiled_cells.join_cells`, `compiled_units.join_units`).

Imported at the first step (and by `sim.rules.load_kernels`); the loops close over a
digest of the files they compile functions from, as `compiled_units`' loops do.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np
from numba import types

from sim.engine import draws
from sim.engine.draws import checked_binomial
from sim.inputs.schema import Scenario
from sim.rules import compiled_command, defection, maths, strategy, surrender
from sim.rules.compiled_command import CommandWeights
from sim.rules.compiled_units import (
    BUFFER,
    COUNT_TABLE,
    POSITIONS,
    READ_ROWS_COUNTS,
    ROWS,
    lose_row,
    rule_rows,
    sources_digest,
)
from sim.rules.defection import funded_share
from sim.rules.strategy import funds
from sim.rules.surrender import rejoin_probability, surrender_probability

SurrenderWeights = namedtuple(
    "SurrenderWeights",
    (
        "surrender_base",
        "w_surrender_losses",
        "w_surrender_momentum",
        "w_surrender_pay",
        "w_surrender_amnesty",
        "absorbed_share",
        "rejoin_base",
        "w_rejoin_momentum",
        "w_rejoin_pay",
        "rejoin_settle",
    ),
)
"""The fields of `rules.defection` that surrenders, the absorbed and rejoining read."""

SOURCES = sources_digest(draws, defection, maths, strategy, surrender, compiled_command)
"""Digest of the files whose functions the loops compile: part of each loop's cache key."""

_surrender_probability = numba.njit(inline="always")(surrender_probability)
_rejoin_probability = numba.njit(inline="always")(rejoin_probability)
_funded_share = numba.njit(inline="always")(funded_share)


def surrender_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `SurrenderWeights` of `rules.defection`, one row per replicate."""
    return rule_rows(params.rules.defection, SurrenderWeights, rows)


@numba.njit(inline="always")
def _funded(n: int, fighters: np.ndarray, money: np.ndarray) -> tuple[int, float]:
    """A replicate's ISIS-K fighters (its first `n` cells) and its funded share of their pay."""
    cadre = 0
    for j in range(n):
        cadre += fighters[j]
    isisk = CommandWeights(money[0], money[1], money[2])
    return cadre, _funded_share(cadre, isisk.pay_usd, funds(isisk))


def _loops(sources: str):
    """Compile the loops; numba's cache key holds the values they close over."""
    beyond_buffer = f"uniforms asked for beyond the buffer (loops of sources {sources[:12]})"
    other_rows = f"arrays of different rows (loops of sources {sources[:12]})"
    table = types.Array(types.float64, 2, "C", readonly=True)

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            COUNT_TABLE,
            table,
            table,
            ROWS,
            types.float64,
            BUFFER,
            POSITIONS,
            types.int64[::1],
            types.int64[::1],
        ),
        cache=True,
    )
    def draw_rejoin(n, fighters, weights, money, momentum, scale, buffer, start, at_home, back):
        """Those gone home rejoin with the month's chance, then others settle: two binomials."""
        if at_home.size != n.size or back.size != n.size or weights.shape[0] != n.size:
            raise ValueError(other_rows)
        for r in range(n.size):
            if start[r] + 2 > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            w = weights[r]
            rule = SurrenderWeights(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9])
            _, funded = _funded(n[r], fighters[r], money[r])
            chance = min(scale * _rejoin_probability(momentum[r], funded, rule), 1.0)
            back[r] = checked_binomial(buffer[r, start[r]], at_home[r], chance)
            settled = checked_binomial(
                buffer[r, start[r] + 1], at_home[r] - back[r], rule.rejoin_settle
            )
            at_home[r] -= back[r] + settled
            start[r] += 2

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            COUNT_TABLE,
            table,
            table,
            ROWS,
            ROWS,
            ROWS,
            types.float64,
            BUFFER,
            POSITIONS,
            types.int64[::1],
            types.int64[::1],
        ),
        cache=True,
    )
    def give_up(
        n,
        fighters,
        weights,
        money,
        removed,
        momentum,
        amnesty,
        scale,
        buffer,
        start,
        total,
        absorbed,
    ):
        """Each cell's surrenders, Binomial(fighters, chance), then the absorbed among them."""
        if total.size != n.size or absorbed.size != n.size or weights.shape[0] != n.size:
            raise ValueError(other_rows)
        one_kind = np.zeros(fighters.shape[1], dtype=np.int64)  # every cell's losses together
        surrendered = np.zeros(1)
        for r in range(n.size):
            if start[r] + n[r] + 1 > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            w = weights[r]
            rule = SurrenderWeights(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9])
            cadre, funded = _funded(n[r], fighters[r], money[r])
            loss_share = removed[r] / max(cadre + removed[r], 1.0)
            chance = scale * _surrender_probability(
                loss_share, momentum[r], 1.0 - funded, amnesty[r], rule
            )
            surrendered[0] = 0.0
            u = buffer[r, start[r] : start[r] + n[r]]
            lose_row(u, fighters[r, : n[r]], one_kind[: n[r]], min(chance, 1.0), surrendered)
            total[r] = int(surrendered[0])
            u = buffer[r, start[r] + n[r]]
            absorbed[r] = checked_binomial(u, total[r], rule.absorbed_share)
            start[r] += n[r] + 1

    return draw_rejoin, give_up


draw_rejoin, give_up = _loops(SOURCES)
