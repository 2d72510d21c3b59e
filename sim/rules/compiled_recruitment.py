"""ISIS-K's and the foreign groups' intake as a compiled loop, one replicate at a time.

The first part of `recruit` as the reference's `recruit` reads it: local recruits
(Poisson), the former security forces who join and the pool's decay (two binomials),
the Central Asian arrivals (Poisson) and each foreign group's (Poisson). The loop
compiles the rule's own functions (`local_recruits_rate`, `ex_ansf_chance`,
`central_asian_rate`) and the engine's inverse-CDF draws with numba, replicates the
outer loop, and reads each replicate's uniforms from its own buffer in the order the
rule draws them.

Imported at the first step (and by `sim.rules.load_kernels`); the loop closes over a
digest of the files it compiles functions from, as `compiled_units`' loops do.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np
from numba import types

from sim.engine import draws
from sim.engine.draws import checked_binomial, checked_poisson
from sim.inputs.schema import RecruitmentRule, Scenario
from sim.rules import recruitment
from sim.rules.compiled_units import BUFFER, POSITIONS, ROWS, rule_rows, sources_digest
from sim.rules.recruitment import central_asian_rate, ex_ansf_chance, local_recruits_rate

RecruitmentWeights = namedtuple("RecruitmentWeights", RecruitmentRule.model_fields)
"""Every field of `rules.recruitment`."""

SOURCES = sources_digest(draws, recruitment)
"""Digest of the files whose functions the loop compiles: part of its cache key."""

_local_recruits_rate = numba.njit(inline="always")(local_recruits_rate)
_ex_ansf_chance = numba.njit(inline="always")(ex_ansf_chance)
_central_asian_rate = numba.njit(inline="always")(central_asian_rate)


def recruitment_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `RecruitmentWeights` of `rules.recruitment`, one row per replicate."""
    return rule_rows(params.rules.recruitment, RecruitmentWeights, rows)


def arrival_rates(params: Scenario, rows: int) -> np.ndarray:
    """Each foreign group's `arrivals_per_month`, (replicates, groups)."""
    groups = list(params.foreign_groups.values())
    out = np.empty((rows, len(groups)))
    for g, group in enumerate(groups):
        out[:, g] = group.arrivals_per_month
    return out


def _loop(sources: str):
    """Compile the loop; numba's cache key holds the values it closes over (as `compiled_units`)."""
    beyond_buffer = f"uniforms asked for beyond the buffer (loops of sources {sources[:12]})"
    other_rows = f"arrays of different rows (loops of sources {sources[:12]})"
    table = types.Array(types.float64, 2, "C", readonly=True)

    @numba.njit(
        types.void(
            table,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            types.Array(types.int64, 1, "C", readonly=True),
            table,
            types.float64,
            BUFFER,
            POSITIONS,
            types.int64[::1],
            types.int64[::1],
            types.int64[:, ::1],
        ),
        cache=True,
    )
    def draw_recruits(
        weights,
        momentum,
        hardship,
        recognized,
        anger,
        deserters,
        consolidating,
        prisoners,
        arrival_rates,
        scale,
        buffer,
        start,
        ex_ansf,
        local,
        arrivals,
    ):
        rows, groups = arrivals.shape
        if weights.shape[0] != rows or arrival_rates.shape != (rows, groups):
            raise ValueError(other_rows)
        for r in range(rows):
            if start[r] + 4 + groups > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            w = weights[r]
            rule = RecruitmentWeights(
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11],
                w[12], w[13], w[14], w[15], w[16], w[17], w[18], w[19], w[20], w[21], w[22],
            )  # fmt: skip
            u = buffer[r, start[r] : start[r] + 4 + groups]
            rate = scale * _local_recruits_rate(
                momentum[r],
                hardship[r],
                recognized[r],
                anger[r],
                deserters[r],
                consolidating[r],
                rule,
            )
            local[r] = checked_poisson(u[0], rate) + prisoners[r]
            chance = _ex_ansf_chance(hardship[r], anger[r], rule)
            joined = checked_binomial(u[1], ex_ansf[r], min(scale * chance, 1.0))
            left = checked_binomial(u[2], ex_ansf[r] - joined, rule.ex_ansf_decay)
            ex_ansf[r] -= joined + left
            local[r] += joined
            local[r] += checked_poisson(u[3], scale * _central_asian_rate(momentum[r], rule))
            for g in range(groups):
                arrivals[r, g] = checked_poisson(u[4 + g], scale * arrival_rates[r, g])
            start[r] += 4 + groups

    return draw_recruits


draw_recruits = _loop(SOURCES)
