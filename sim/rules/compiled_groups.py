"""The foreign-fighter groups' monthly rule as a compiled loop: one replicate's groups.

`purge_foreign_fighters` as the reference's `GroupAgent.purge` reads it: each group's
purged fighters are removed, else handed to ISIS-K (leaks, or merges of its allies),
and an allied group may splinter. The loop compiles `switch_probability` and the
engine's inverse-CDF binomial draws with numba, replicates the outer loop, and reads
each replicate's uniforms from its own buffer in the order the rule draws them: a
uniform per group for the removed, then for the handed, the switch and the splinter.

Imported at the first step (and by `sim.rules.load_kernels`); the loop closes over a
digest of the files it compiles functions from, as `compiled_units`' loops do.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np
from numba import types

from sim.engine import draws
from sim.engine.draws import checked_binomial
from sim.inputs.schema import PATRONS, PurgeRule, Scenario
from sim.rules import maths, purge
from sim.rules.compiled_units import BUFFER, POSITIONS, ROWS, rule_rows, sources_digest
from sim.rules.purge import switch_probability

PurgeWeights = namedtuple("PurgeWeights", PurgeRule.model_fields)
"""Every field of `rules.purge`."""

TALIBAN, ISISK = PATRONS.index("taliban"), PATRONS.index("isisk")

SOURCES = sources_digest(draws, purge, maths)
"""Digest of the files whose functions the loop compiles: part of its cache key."""

_switch_probability = numba.njit(inline="always")(switch_probability)


def purge_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `PurgeWeights` of `rules.purge`, one row per replicate."""
    return rule_rows(params.rules.purge, PurgeWeights, rows)


def loyalties(params: Scenario, rows: int) -> np.ndarray:
    """Each group's `loyalty`, (replicates, groups)."""
    groups = list(params.foreign_groups.values())
    out = np.empty((rows, len(groups)))
    for g, group in enumerate(groups):
        out[:, g] = group.loyalty
    return out


def _loop(sources: str):
    """Compile the loop; numba's cache key holds the values it closes over (as `compiled_units`)."""
    beyond_buffer = f"uniforms asked for beyond the buffer (loops of sources {sources[:12]})"
    other_rows = f"arrays of different rows or groups (loops of sources {sources[:12]})"
    table = types.Array(types.float64, 2, "C", readonly=True)

    @numba.njit(
        types.void(
            types.int64[:, ::1],
            types.Array(types.int64, 2, "C", readonly=True),
            table,
            table,
            table,
            ROWS,
            BUFFER,
            POSITIONS,
            types.int64[:, ::1],
            types.int64[:, ::1],
        ),
        cache=True,
    )
    def purge_groups(
        fighters, patron, intensity, loyalty, weights, pull, buffer, start, removed, handed
    ):
        rows, groups = fighters.shape
        for shape in (patron.shape, intensity.shape, loyalty.shape, removed.shape, handed.shape):
            if shape != (rows, groups):
                raise ValueError(other_rows)
        for r in range(rows):
            if start[r] + 4 * groups > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            w = weights[r]
            rule = PurgeWeights(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
            u = buffer[r, start[r] : start[r] + 4 * groups]
            for g in range(groups):
                purged = intensity[r, g]
                leak = min(rule.leak_rate * purged * (1 + pull[r]), 1.0)  # a NaN stays NaN
                merge = rule.merge_rate * (patron[r, g] == ISISK)
                switch = _switch_probability(purged, pull[r], loyalty[r, g], rule)
                splitting = patron[r, g] == TALIBAN and u[2 * groups + g] < switch
                left = fighters[r, g]
                removed[r, g] = checked_binomial(u[g], left, rule.removal_rate * purged)
                left -= removed[r, g]
                handed[r, g] = checked_binomial(u[groups + g], left, leak + (1.0 - leak) * merge)
                left -= handed[r, g]
                splinter = rule.splinter_share * splitting
                handed[r, g] += checked_binomial(u[3 * groups + g], left, splinter)
                fighters[r, g] -= removed[r, g] + handed[r, g]
            start[r] += 4 * groups

    return purge_groups


purge_groups = _loop(SOURCES)
