"""The factions' monthly rule as a compiled loop: one replicate's factions, faction by faction.

`fragment` as the reference's `FactionAgent.fragment` reads it: each faction's units
give its strength and mean ideology, ties and grievance; its cohesion moves under
strain; its leaders weigh staying against each way out and may leave. The factions are
few, so the numpy version was all call overhead; this loop compiles the rule's own
functions (`strain`, `rivalry_gaps`, `choice_values`, `leaving_chances`) with numba,
replicates the outer loop, and reads each replicate's uniforms from its own buffer in
the order the rule draws them. A faction gone to ISIS-K takes its units in numpy
(`fragmentation.fragment`): it happens a few times a run.

Imported at the first step (and by `sim.rules.load_kernels`); the loop closes over a
digest of the files it compiles functions from, as `compiled_units`' loops do.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np
from numba import types
from numba.extending import overload

from sim.inputs.schema import BREAKAWAYS, FragmentationRule, Scenario
from sim.rules import fragmentation
from sim.rules.compiled_units import (
    BUFFER,
    POSITIONS,
    READ_COUNTS,
    READ_FLOATS,
    READ_ROWS_COUNTS,
    ROWS,
    rule_rows,
    sources_digest,
)
from sim.rules.fragmentation import (
    choice_values,
    leaving_chances,
    log_share,
    rivalry_gaps,
    strain,
)

FragmentationWeights = namedtuple("FragmentationWeights", FragmentationRule.model_fields)
"""Every field of `rules.fragmentation`: strain, recovery, the ways out and their weights."""

FactionWeights = namedtuple("FactionWeights", ("cohesion", "posts", "autonomy"))
"""The fields of a `taliban.factions.<faction>` block that its cohesion and choice read."""

TO_ISISK = BREAKAWAYS.index("isisk")

SOURCES = sources_digest(fragmentation)
"""Digest of the file whose functions the loop compiles: part of its cache key."""


@overload(log_share, inline="always")
def _compiled_log_share(share):
    """`log_share` inside the loop: compiled as written."""
    return log_share


_strain = numba.njit(inline="always")(strain)
_rivalry_gaps = numba.njit(inline="always")(rivalry_gaps)
_choice_values = numba.njit(inline="always")(choice_values)
_leaving_chances = numba.njit(inline="always")(leaving_chances)


def fragmentation_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `FragmentationWeights` of `rules.fragmentation`, one row per replicate."""
    return rule_rows(params.rules.fragmentation, FragmentationWeights, rows)


def faction_weights(params: Scenario, rows: int) -> np.ndarray:
    """Each faction's `FactionWeights`, one row per replicate: (replicates, factions, fields)."""
    factions = list(params.taliban.factions.values())
    out = np.empty((rows, len(factions), len(FactionWeights._fields)))
    for f, faction in enumerate(factions):
        out[:, f] = rule_rows(faction, FactionWeights, rows)
    return out


def rivalries(params: Scenario, rows: int) -> np.ndarray:
    """The rival pairs of factions as indices, (pairs, 2) (`rows` unused, for `World.derived`)."""
    names = list(params.taliban.factions)
    pairs = [(names.index(a), names.index(b)) for a, b in params.taliban.rivalries]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _loop(sources: str):
    """Compile the loop; numba's cache key holds the values it closes over (as `compiled_units`)."""
    beyond_buffer = f"uniforms asked for beyond the buffer (loops of sources {sources[:12]})"
    no_faction = f"a faction beyond the factions' columns (loops of sources {sources[:12]})"
    read_table = types.Array(types.float64, 2, "C", readonly=True)

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            READ_COUNTS,
            READ_COUNTS,
            READ_FLOATS,
            READ_FLOATS,
            READ_FLOATS,
            read_table,
            types.Array(types.float64, 3, "C", readonly=True),
            types.Array(types.int64, 2, "C", readonly=True),
            READ_FLOATS,
            READ_FLOATS,
            types.Array(types.float64, 2, "C", readonly=True),
            ROWS,
            types.float64,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            types.int64,
            types.int64,
            types.float64,
            BUFFER,
            POSITIONS,
            types.float64[:, ::1],
            types.int64[:, ::1],
            types.int64[:, ::1],
            types.boolean[:, ::1],
        ),
        cache=True,
    )
    def weigh_leaving(
        n,
        fighters,
        faction,
        ideology,
        ties,
        grievance,
        weights,
        faction_weights,
        pairs,
        defected,
        deserted,
        pay_ratio,
        crackdown,
        joint,
        concessions,
        amnesty,
        recognized,
        abandon,
        momentum,
        core,
        month,
        scale,
        buffer,
        start,
        cohesion,
        broken_month,
        breakaway_to,
        to_isisk,
    ):
        rows, factions = cohesion.shape
        strength = np.empty(factions)  # the faction's fighters, then fighters x each trait
        believers, tied, aggrieved = np.empty(factions), np.empty(factions), np.empty(factions)
        shares = np.empty(factions)
        for r in range(rows):
            if start[r] + factions > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            w = weights[r]
            rule = FragmentationWeights(
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11],
                w[12], w[13], w[14], w[15], w[16], w[17], w[18], w[19], w[20], w[21], w[22],
                w[23],
            )  # fmt: skip
            strength[:], believers[:], tied[:], aggrieved[:] = 0.0, 0.0, 0.0, 0.0
            for j in range(n[r]):
                f = faction[r, j]
                if f < 0 or f >= factions:
                    raise ValueError(no_faction)
                strength[f] += fighters[r, j]
                believers[f] += fighters[r, j] * ideology[r, j]
                tied[f] += fighters[r, j] * ties[r, j]
                aggrieved[f] += fighters[r, j] * grievance[r, j]
            posts_held, active, in_taliban = 0.0, 0, 0.0
            for f in range(factions):
                shares[f] = faction_weights[r, f, 1] if broken_month[r, f] < 0 else 0.0
                posts_held += shares[f]
                if broken_month[r, f] < 0:
                    active += 1
                    in_taliban += strength[f]
            for f in range(factions):
                shares[f] /= max(posts_held, 1e-12)
            gaps = _rivalry_gaps(shares, pairs)
            for f in range(factions):
                spec = faction_weights[r, f]
                weight = max(strength[f], 1.0)
                mean_ideology = believers[f] / weight
                if broken_month[r, f] < 0:
                    loss = scale * _strain(
                        mean_ideology,
                        crackdown[r],
                        joint,
                        concessions[r],
                        amnesty[r],
                        gaps[f],
                        defected[r, f] / max(strength[f] + defected[r, f], 1.0),
                        deserted[r, f] / max(strength[f] + deserted[r, f], 1.0),
                        pay_ratio[r, f],
                        rule,
                    )
                    target = spec[0] + rule.legitimacy_cohesion * recognized[r]
                    kept = cohesion[r, f] + rule.recovery * (target - cohesion[r, f]) - loss
                    cohesion[r, f] = np.clip(kept, 0.0, 1.0)
                draw = buffer[r, start[r] + f]
                to_isisk[r, f] = False
                if broken_month[r, f] >= 0 or f == core:
                    continue
                values = _choice_values(
                    cohesion[r, f],
                    shares[f] * active,
                    pay_ratio[r, f],
                    mean_ideology,
                    abandon[r],
                    tied[f] / weight,
                    momentum[r],
                    spec[2],
                    strength[f] / max(in_taliban, 1.0),
                    aggrieved[f] / weight,
                    rule,
                )
                to, on_own, rival = _leaving_chances(values, rule)
                to, on_own, rival = scale * to, scale * on_own, scale * rival
                most = max(1.0, to + on_own + rival)  # a scale above 1: at most sure
                to, on_own, rival = to / most, on_own / most, rival / most
                if draw < to + on_own + rival:
                    way = int(draw >= to) + int(draw >= to + on_own)
                    broken_month[r, f] = month
                    breakaway_to[r, f] = way
                    to_isisk[r, f] = way == TO_ISISK
            start[r] += factions

    return weigh_leaving


weigh_leaving = _loop(SOURCES)
