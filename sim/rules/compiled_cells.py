"""The ISIS-K cells' monthly rules as compiled loops: one replicate's cells, cell by cell.

As `compiled_units` does for the units, these loops run the costly part of
`crack_down`, `attack` and `surrender` as a Mesa user writes a cell's `step` (the
reference's `CellAgent.crack_down`, `plan_attacks`, `learn`): a loop over one
replicate's cells, compiled by numba, replicates the outer loop. They compile the rules'
own functions (`removal_probability`, `attack_rate`, `capability_after`, ...) and the
engine's inverse-CDF draws, and take each replicate's uniforms from its own buffer in
the order the rule draws them (the Taliban killed in attacks use
`compiled_units.draw_losses`); `reckon` adds up each success's casualties and moves
momentum and credibility. What stays numpy is force, money, the multinomial of targets
and `suppression`'s exp (kept from when every exp stayed numpy for its last bit; the
regression summary compares floats to 1e-9, and compiled exps elsewhere pass it).

Imported at the first step (and by `sim.rules.load_kernels`); the loops close over a
digest of the files they compile functions from, as `compiled_units`' do.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numba
import numpy as np
from numba import types
from numba.extending import overload

from sim.engine import draws
from sim.engine.draws import MAX_MEAN, binomial_chance, binomial_draw, place_items, poisson_draw
from sim.engine.streams import Streams
from sim.inputs.schema import CrackdownRule, Scenario
from sim.rules import attacks, crackdown, surrender
from sim.rules.attacks import (
    attack_rate,
    capability_after,
    exposure_after_attacks,
    momentum_after,
    severities,
    skill_after,
)
from sim.rules.compiled_units import (
    BUFFER,
    COUNT_TABLE,
    FLOAT_TABLE,
    POSITIONS,
    READ_COUNTS,
    READ_FLOATS,
    READ_ROWS_COUNTS,
    ROWS,
    rule_rows,
    sources_digest,
)
from sim.rules.crackdown import (
    exposure_after,
    leadership_loss,
    precision,
    removal_probability,
    sheltered,
)
from sim.rules.surrender import mixed_ties

if TYPE_CHECKING:
    from sim.engine.state import Cells

CrackdownWeights = namedtuple(
    "CrackdownWeights",
    (
        "removal_rate",
        "accuracy_floor",
        "leader_hit",
        "intelligence_gain",
        "leads_per_removal",
        "skill_loss",
    ),
)
"""The fields of `rules.crackdown` that a cell's removals, leaders and exposure read."""

AttackWeights = namedtuple(
    "AttackWeights",
    (
        "base_rate",
        "reference_size",
        "capability_recovery",
        "learning",
        "min_capability",
        "max_capability",
        "exposure_decay",
        "exposure_per_attack",
    ),
)
"""The fields of `rules.attacks` that a cell's tempo and its learning read."""

AftermathWeights = namedtuple(
    "AftermathWeights",
    (
        "severity_min",
        "severity_exponent",
        "momentum_saturation",
        "momentum_decay",
        "credibility_recovery",
        "credibility_loss",
    ),
)
"""The fields of `rules.attacks` that the month's casualties, momentum and credibility read."""

SOURCES = sources_digest(draws, crackdown, attacks, surrender)
"""Digest of the files whose functions the loops compile: part of each loop's cache key."""


def crackdown_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `CrackdownWeights` of `rules.crackdown`, one row per replicate."""
    return rule_rows(params.rules.crackdown, CrackdownWeights, rows)


def attack_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `AttackWeights` of `rules.attacks`, one row per replicate."""
    return rule_rows(params.rules.attacks, AttackWeights, rows)


def aftermath_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `AftermathWeights` of `rules.attacks`, one row per replicate."""
    return rule_rows(params.rules.attacks, AftermathWeights, rows)


@overload(precision, inline="always")
def _compiled_precision(accuracy: float, rule: CrackdownRule):
    """`precision` inside the loops: compiled as written (same parameters, as numba asks)."""
    return precision


@overload(sheltered, inline="always")
def _compiled_sheltered(build_up, safe_areas):
    """`sheltered` inside the loops: compiled as written."""
    return sheltered


_removal_probability = numba.njit(inline="always")(removal_probability)
_leadership_loss = numba.njit(inline="always")(leadership_loss)
_exposure_after = numba.njit(inline="always")(exposure_after)
_attack_rate = numba.njit(inline="always")(attack_rate)
_capability_after = numba.njit(inline="always")(capability_after)
_skill_after = numba.njit(inline="always")(skill_after)
_exposure_after_attacks = numba.njit(inline="always")(exposure_after_attacks)
_mixed_ties = numba.njit(inline="always")(mixed_ties)
_severities = numba.njit(inline="always")(severities)
_momentum_after = numba.njit(inline="always")(momentum_after)

WEIGHTS = types.Array(types.float64, 2, "C", readonly=True)  # (replicates, a rule's fields)
FLAGS = types.Array(types.boolean, 1, "C", readonly=True)  # one flag per replicate


def _loops(sources: str):
    """Compile the loops; numba's cache key holds the values a loop closes over.

    Every loop closes over its error messages, which name `sources`, so an edit to
    any of those files gives the loops a new key and compiles them afresh.
    """
    beyond_buffer = f"uniforms asked for beyond the buffer (loops of sources {sources[:12]})"
    too_large = f"Poisson mean not finite or above MAX_MEAN (loops of sources {sources[:12]})"
    other_rows = f"arrays of different rows (loops of sources {sources[:12]})"
    negative = f"fewer than no fighters to place (loops of sources {sources[:12]})"

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            READ_COUNTS,
            READ_COUNTS,
            READ_FLOATS,
            types.int64,
            types.float64[::1],
            types.float64[::1],
        ),
        cache=True,
    )
    def weigh_ties(n, fighters, faction, ties, security, total, weighted):
        """Add the fighters and fighters x ties of the `security` faction's units, row by row."""
        for r in range(n.size):
            for j in range(n[r]):
                if faction[r, j] == security:
                    total[r] += fighters[r, j]
                    weighted[r] += ties[r, j] * fighters[r, j]

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            FLAGS,
            COUNT_TABLE,
            FLOAT_TABLE,
            FLOAT_TABLE,
            FLOAT_TABLE,
            ROWS,
            ROWS,
            ROWS,
            WEIGHTS,
            BUFFER,
            POSITIONS,
            types.float64[::1],
        ),
        cache=True,
    )
    def crack_cells(
        n,
        active,
        fighters,
        capability,
        exposure,
        skill,
        force,
        accuracy,
        safe_areas,
        weights,
        buffer,
        start,
        removed,
    ):
        """Each cell loses Binomial(fighters, removal chance) where `active`, leaders, leads."""
        for r in range(n.size):
            w = weights[r]
            rule = CrackdownWeights(w[0], w[1], w[2], w[3], w[4], w[5])
            if active[r] and start[r] + n[r] > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            for j in range(n[r]):
                lost = 0
                if active[r]:  # only where the crackdown acts does a cell draw
                    p = _removal_probability(force[r], exposure[r, j], accuracy[r], rule)
                    u = buffer[r, start[r] + j]
                    lost = binomial_draw(u, fighters[r, j], binomial_chance(p))
                share = lost / max(fighters[r, j], 1)
                fighters[r, j] -= lost
                removed[r] += lost
                loss = _leadership_loss(force[r], exposure[r, j], accuracy[r], rule)
                capability[r, j] *= 1.0 - loss
                skill[r, j] *= 1.0 - rule.skill_loss * loss
                exposure[r, j] = _exposure_after(
                    exposure[r, j], force[r], accuracy[r], share, safe_areas[r], rule
                )
            if active[r]:
                start[r] += n[r]

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            READ_COUNTS,
            READ_FLOATS,
            READ_FLOATS,
            ROWS,
            ROWS,
            ROWS,
            types.float64,
            WEIGHTS,
            BUFFER,
            POSITIONS,
            types.int64[:, ::1],
            types.float64[::1],
            types.float64[::1],
        ),
        cache=True,
    )
    def plan_attacks(
        n,
        fighters,
        capability,
        held,
        multiplier,
        home_effort,
        abroad_effort,
        scale,
        weights,
        buffer,
        start,
        attacks,
        expected,
        shifted,
    ):
        """Each cell's Poisson attacks; adds each row's expected attacks and those abroad."""
        for r in range(n.size):
            w = weights[r]
            rule = AttackWeights(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
            if start[r] + n[r] > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            for j in range(n[r]):
                full = scale * _attack_rate(fighters[r, j], capability[r, j], multiplier[r], rule)
                home = full * home_effort[r] * (1.0 - held[r, j])
                abroad = full * abroad_effort[r]
                mean = home + abroad
                if not mean <= MAX_MEAN:  # NaN fails it too
                    raise ValueError(too_large)
                attacks[r, j] = poisson_draw(buffer[r, start[r] + j], mean)
                expected[r] += mean
                shifted[r] += abroad
            start[r] += n[r]

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            FLOAT_TABLE,
            FLOAT_TABLE,
            FLOAT_TABLE,
            READ_COUNTS,
            ROWS,
            WEIGHTS,
        ),
        cache=True,
    )
    def learn(n, capability, skill, exposure, attacks, rebuilding, weights):
        """Each cell's capability, skill and exposure after its attacks of the month."""
        for r in range(n.size):
            w = weights[r]
            rule = AttackWeights(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
            for j in range(n[r]):
                capability[r, j] = _capability_after(
                    capability[r, j], skill[r, j], attacks[r, j], rebuilding[r], rule
                )
                skill[r, j] = _skill_after(skill[r, j], attacks[r, j], rule)
                exposure[r, j] = _exposure_after_attacks(exposure[r, j], attacks[r, j], rule)

    @numba.njit(
        types.void(READ_ROWS_COUNTS, FLOAT_TABLE, READ_COUNTS, READ_COUNTS, ROWS),
        cache=True,
    )
    def mix_ties(n, ties, fighters, added, added_ties):
        """Each unit that took in `added` fighters takes on their ties in proportion."""
        for r in range(n.size):
            for j in range(n[r]):
                if added[r, j] > 0:
                    ties[r, j] = _mixed_ties(
                        ties[r, j], fighters[r, j] - added[r, j], added[r, j], added_ties[r]
                    )

    @numba.njit(
        types.void(READ_ROWS_COUNTS, COUNT_TABLE, READ_ROWS_COUNTS, BUFFER, POSITIONS),
        cache=True,
    )
    def place_in_cells(n, fighters, newcomers, buffer, start):
        """Row r's `newcomers[r]` join its cells, each with a chance in proportion to size + 1.

        One uniform per newcomer; rows without newcomers or cells draw none.
        """
        keys = np.empty(fighters.shape[1])  # a row's cumulative fighters + 1, cell by cell
        guide = np.empty(fighters.shape[1], dtype=np.int64)
        if newcomers.size != n.size or fighters.shape[0] != n.size:
            raise ValueError(other_rows)
        for r in range(n.size):
            if newcomers[r] < 0:
                raise ValueError(negative)
            if newcomers[r] == 0 or n[r] == 0:
                continue
            if start[r] + newcomers[r] > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            cumulative = 0.0
            for j in range(n[r]):
                cumulative += fighters[r, j] + 1.0
                keys[j] = cumulative
            u = buffer[r, start[r] : start[r] + newcomers[r]]
            place_items(keys[: n[r]], u, guide, fighters[r])  # each newcomer adds to a cell
            start[r] += newcomers[r]

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            READ_ROWS_COUNTS,
            WEIGHTS,
            BUFFER,
            POSITIONS,
            types.float64[::1],
            types.float64[::1],
            types.float64[::1],
        ),
        cache=True,
    )
    def reckon(succeeded, sectarian, weights, buffer, start, casualties, momentum, credibility):
        """Each success's casualties (a uniform each), then momentum and credibility, by row."""
        for r in range(succeeded.size):
            if succeeded[r] < 0 or start[r] + succeeded[r] > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            w = weights[r]
            rule = AftermathWeights(w[0], w[1], w[2], w[3], w[4], w[5])
            casualties[r] = 0.0
            for k in range(succeeded[r]):
                casualties[r] += _severities(buffer[r, start[r] + k], rule)
            start[r] += succeeded[r]
            momentum[r] = _momentum_after(momentum[r], succeeded[r], rule)
            credibility[r] = np.clip(
                credibility[r]
                + rule.credibility_recovery * (1.0 - credibility[r])
                - rule.credibility_loss * sectarian[r],
                0.0,
                1.0,
            )

    return weigh_ties, crack_cells, plan_attacks, learn, reckon, mix_ties, place_in_cells


weigh_ties, crack_cells, plan_attacks, learn, reckon, mix_ties, place_in_cells = _loops(SOURCES)


def join_cells(streams: Streams, cells: Cells, newcomers: np.ndarray) -> None:
    """Spread row r's `newcomers[r]` over its cells in proportion to size + 1.

    A multinomial, one uniform per newcomer, placed in a compiled loop over the rows
    with newcomers and cells (`place_in_cells`); rows without cells take none.
    """
    newcomers = np.ascontiguousarray(newcomers, dtype=np.int64)
    buffer, start = streams.reserve(newcomers)
    place_in_cells(cells.n, cells.fighters, newcomers, buffer, start)
