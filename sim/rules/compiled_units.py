"""The Taliban units' monthly rules as compiled loops: one replicate's units, slot by slot.

Units are most of the agents, so their rules run as a Mesa user writes `step`: a loop
over one replicate's units, here compiled by numba, with the replicates as the outer
loop. The loops compile the rules' own pure functions (`defection_score`,
`desertion_score`, ... which the plain-Mesa reference calls as they are) and the
engine's inverse-CDF draws (`sim.engine.draws`), and take each replicate's uniforms from
its own buffer (`Streams.reserve`) in the order the rule draws them, so a replicate's
history never depends on its batch. A unit whose uniform lies above a ceiling of its
chances stays without computing them (`logistic_ceiling`): the same fate, without two exps.

Imported at the first step (and by `sim.rules.load_kernels`), so processes that never
step a world do not load numba. numba's cache only watches the file a loop is written
in; the loops here close over a digest of the files they compile functions from, so
an edit to any of them compiles the loops afresh.
"""

from __future__ import annotations

import hashlib
import inspect
import math
from collections import namedtuple
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numba
import numpy as np
from numba import types
from numba.extending import overload
from pydantic import BaseModel

from sim.engine import draws
from sim.engine.draws import (
    binomial_chance,
    binomial_draw_floored,
    checked_poisson,
    place_items,
    sure_zero_below,
)
from sim.engine.streams import Streams
from sim.inputs import schema
from sim.inputs.schema import Scenario
from sim.rules import defection, maths
from sim.rules.defection import defection_score, desertion_score, pay_gap
from sim.rules.maths import logistic

if TYPE_CHECKING:
    from sim.engine.state import Units

DefectionWeights = namedtuple(
    "DefectionWeights",
    (
        "base",
        "w_abandonment",
        "w_grievance",
        "w_isisk_pay",
        "w_ties",
        "w_momentum",
        "w_pay",
        "w_cohesion",
        "w_fear",
        "desertion_base",
        "w_desertion_grievance",
    ),
)
"""The fields of `rules.defection` that `defection_score` and `desertion_score` read."""


LAYOUT = inspect.getsource(schema) + repr(
    [
        (name, tuple(block.model_fields))
        for name, block in vars(schema).items()
        if isinstance(block, type) and issubclass(block, BaseModel)
    ]
)
"""The schema's text (its constants) and every block's fields in order."""


def sources_digest(*modules: ModuleType) -> str:
    """Digest of the files whose functions a module's loops compile: part of their cache key.

    It covers this file too, whose shared overloads (`np.clip`, `logistic`) and loops
    (`lose_row`) the other modules' loops compile in, and every rule block's fields in
    order (`Scenario`'s schema, built from `sim.inputs.pars`): the loops read their
    parameters' tables by position, so a field added or moved compiles them afresh.
    """
    texts = [inspect.getsource(m) for m in modules] + [Path(__file__).read_text(), LAYOUT]
    return hashlib.sha256("".join(texts).encode()).hexdigest()


SOURCES = sources_digest(draws, defection, maths)
"""Digest of the files whose functions the loops compile: part of each loop's cache key."""


@overload(logistic, inline="always")
def _compiled_logistic(x):
    """`logistic` inside the loops: compiled as written."""
    return logistic


@overload(np.clip)  # LLVM inlines it; numba's own inlining trips over its branches
def _clip_number(x, low, high):
    """`np.clip` of one number inside the loops, as numpy clips: max with `low`, then min."""
    if all(isinstance(t, types.Number) for t in (x, low, high)):

        def clip(x, low, high):
            above = x if x != x or x > low else low  # NaN stays NaN, as in numpy
            return above if above != above or above < high else high

        return clip
    return None


_defection_score = numba.njit(inline="always")(defection_score)
_desertion_score = numba.njit(inline="always")(desertion_score)

SCORE_LOW, SCORE_STEP, SCORE_STEPS = -40.0, 0.25, 320  # a grid of log-odds from -40 to 40
CEILING_MARGIN = 1.0 + 1e-9  # far above rounding: a score to the grid, a vectorised exp's bits


@numba.njit(inline="always")
def logistic_at_grid() -> np.ndarray:
    """`logistic` as the loops compute it at each point of the log-odds grid.

    Made afresh by each call of a loop that uses it (320 exps), so it always holds the
    `logistic` the loop compiles.
    """
    out = np.empty(SCORE_STEPS + 1)
    for k in range(out.size):
        out[k] = logistic(SCORE_LOW + k * SCORE_STEP)
    return out


@numba.njit(inline="always")
def logistic_ceiling(x: float, grid: np.ndarray) -> float:
    """`logistic(x)` or more, to within rounding that `CEILING_MARGIN` covers.

    The value at the grid point at or above x (`grid` from `logistic_at_grid`); 1 above
    the grid, infinity for NaN, whose chance a loop takes as sure. A unit whose uniform
    lies above its chances' ceilings stays, whatever their exact values, which then need
    no exp (`choose_fates`).
    """
    if x != x:
        return np.inf
    if x <= SCORE_LOW:
        return grid[0]
    if x > SCORE_LOW + SCORE_STEPS * SCORE_STEP:
        return 1.0
    return grid[math.ceil((x - SCORE_LOW) / SCORE_STEP)]


_pay_gap = numba.njit(inline="always")(pay_gap)

ROWS = types.Array(types.float64, 1, "C", readonly=True)  # one value per replicate
FLOAT_TABLE = types.float64[:, :]  # a ragged table's column (a view: any layout)
COUNT_TABLE = types.int64[:, :]
READ_FLOATS = types.Array(types.float64, 2, "A", readonly=True)
READ_COUNTS = types.Array(types.int64, 2, "A", readonly=True)
READ_ROWS_COUNTS = types.Array(types.int64, 1, "C", readonly=True)
PER_FACTION = types.Array(types.float64, 2, "C", readonly=True)  # (replicates, factions)
BUFFER = types.Array(types.float64, 2, "C", readonly=True)
POSITIONS = types.int64[::1]


@numba.njit(inline="always")
def lose_row(
    u: np.ndarray, fighters: np.ndarray, kind: np.ndarray, chance: float, losses: np.ndarray
) -> None:
    """Each entry loses Binomial(fighters, chance) of its fighters, one uniform of `u` each.

    `fighters`, `kind` and `u` run over one replicate's entries; each loss is added to
    `losses` at the entry's kind (its faction, its group, or 0). Entries whose uniform
    lies below the chance of losing none skip the search (`sure_zero_below`).
    """
    odds = binomial_chance(chance)
    most = 0
    for j in range(fighters.size):
        most = max(most, fighters[j])
    floor = sure_zero_below(odds, most)
    for j in range(fighters.size):
        if kind[j] < 0 or kind[j] >= losses.size:
            raise ValueError("a faction or group beyond the losses' columns")
        lost = binomial_draw_floored(u[j], fighters[j], odds, floor)
        fighters[j] -= lost
        losses[kind[j]] += lost


def per_row(value: float | np.ndarray, rows: int) -> np.ndarray:
    """A parameter (one value, or one per replicate) as one float per replicate, for the loops."""
    out = np.empty(rows)
    out[:] = value  # a fill, not numpy's broadcasting machinery: a tenth of the time
    return out


def rule_rows(rule: object, fields: type, rows: int) -> np.ndarray:
    """The fields of `rule` that the namedtuple type `fields` names, one row per replicate."""
    out = np.empty((rows, len(fields._fields)))
    for i, field in enumerate(fields._fields):
        out[:, i] = getattr(rule, field)
    return out


def defection_weights(params: Scenario, rows: int) -> np.ndarray:
    """The `DefectionWeights` of `rules.defection`, one row per replicate."""
    return rule_rows(params.rules.defection, DefectionWeights, rows)


def trait_spreads(params: Scenario, rows: int) -> np.ndarray:
    """Each faction's ideology mean and sd, then ties' mean and sd: (replicates, factions, 4)."""
    factions = list(params.taliban.factions.values())
    out = np.empty((rows, len(factions), 4))
    for f, faction in enumerate(factions):
        for k, value in enumerate(
            (
                faction.ideology.mean,
                faction.ideology.sd,
                faction.ties_to_isisk.mean,
                faction.ties_to_isisk.sd,
            )
        ):
            out[:, f, k] = value
    return out


def draw_losses(
    streams: Streams,
    n: np.ndarray,
    fighters: np.ndarray,
    kind: np.ndarray,
    share: float | np.ndarray,
    kinds: int,
) -> np.ndarray:
    """Each of row r's first `n[r]` entries loses Binomial(fighters, share) of its `fighters`.

    The Taliban killed in attacks (attrition and surrenders have loops of their own over
    `lose_row`): one uniform per entry, rows with `n[r]` = 0 draw none. Returns the
    losses per row and `kind` (a faction, a group), (replicates, kinds).
    """
    rows = len(n)
    losses = np.zeros((rows, kinds))
    buffer, start = streams.reserve(n)
    lose_fighters(n, fighters, kind, per_row(share, rows), buffer, start, losses)
    return losses


def join_units(
    streams: Streams, units: Units, newcomers: np.ndarray, into: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Spread row r's `newcomers[r]` over its units of the factions `into[r]`, by size.

    A multinomial with chances in proportion to the units' fighters, one uniform per
    newcomer, placed in a compiled loop over the rows with newcomers and such units
    (others take none and draw nothing). Returns the fighters each unit took in, and
    each faction's, (replicates, factions).
    """
    newcomers = np.ascontiguousarray(newcomers, dtype=np.int64)
    added = np.zeros(units.fighters.shape, dtype=np.int64)
    joined = np.zeros((len(units.n), units.factions))
    if newcomers.any():
        buffer, start = streams.reserve(newcomers)
        place_in_units(
            units.n, units.fighters, units.faction, into, newcomers, buffer, start, added, joined
        )
    return added, joined


def _loops(sources: str):
    """Compile the loops; numba's cache key holds the values a loop closes over.

    Every loop closes over its error messages, which name `sources`, so an edit to
    any of those files gives the loops a new key and compiles them afresh.
    """
    beyond_buffer = f"uniforms asked for beyond the buffer (loops of sources {sources[:12]})"
    no_faction = f"a faction or group beyond the sums' columns (loops of sources {sources[:12]})"
    other_rows = f"arrays of different rows (loops of sources {sources[:12]})"
    negative = f"fewer than no fighters to place (loops of sources {sources[:12]})"

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            COUNT_TABLE,
            READ_COUNTS,
            READ_FLOATS,
            READ_FLOATS,
            FLOAT_TABLE,
            types.Array(types.float64, 2, "C", readonly=True),
            ROWS,
            PER_FACTION,
            PER_FACTION,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            ROWS,
            types.float64,
            BUFFER,
            POSITIONS,
            types.boolean[:, ::1],
            types.float64[:, ::1],
        ),
        cache=True,
    )
    def choose_fates(
        n,
        fighters,
        faction,
        ideology,
        ties,
        grievance,
        weights,
        added_grievance,
        pay_ratio,
        cohesion,
        abandon,
        momentum,
        fear,
        funded,
        isisk_pay_usd,
        wage_usd,
        scale,
        buffer,
        start,
        going,
        deserted,
    ):
        grid = logistic_at_grid()
        for r in range(n.size):
            w = weights[r]
            rule = DefectionWeights(
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10]
            )
            if start[r] + n[r] > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            for j in range(n[r]):
                grievance[r, j] = min(1.0, grievance[r, j] + added_grievance[r])
                f = faction[r, j]
                if f >= deserted.shape[1]:
                    raise ValueError(no_faction)
                pay = pay_ratio[r, f]
                gap = _pay_gap(funded[r], isisk_pay_usd[r], wage_usd[r], pay)
                to_isisk = _defection_score(
                    ideology[r, j],
                    grievance[r, j],
                    ties[r, j],
                    pay,
                    cohesion[r, f],
                    abandon[r],
                    momentum[r],
                    fear[r],
                    rule,
                    gap,
                )
                home = _desertion_score(ideology[r, j], grievance[r, j], pay, rule)
                draw = buffer[r, start[r] + j]
                ceiling = logistic_ceiling(to_isisk, grid) + logistic_ceiling(home, grid)
                if draw >= CEILING_MARGIN * scale * ceiling:  # most units: stays, at no exp
                    going[r, j] = False
                    continue
                p_defect = min(1.0, scale * logistic(to_isisk))
                p_desert = min(1.0 - p_defect, scale * logistic(home))
                going[r, j] = draw < p_defect
                if not going[r, j] and draw < p_defect + p_desert:
                    deserted[r, f] += fighters[r, j]
                    fighters[r, j] = 0
            start[r] += n[r]
            going[r, n[r] :] = False

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            types.Array(types.boolean, 2, "A", readonly=True),
            READ_COUNTS,
            READ_COUNTS,
            ROWS,
            BUFFER,
            POSITIONS,
            types.boolean[:, ::1],
            types.float64[:, ::1],
            types.int64[::1],
        ),
        cache=True,
    )
    def draw_founders(
        n, going, fighters, faction, found_cell, buffer, start, founding, moved, joining
    ):
        for r in range(n.size):
            founding[r, :] = False
            anyone = False
            for j in range(n[r]):
                if going[r, j]:
                    if faction[r, j] >= moved.shape[1]:
                        raise ValueError(no_faction)
                    moved[r, faction[r, j]] += fighters[r, j]
                    anyone = True
            if not anyone:  # only rows with someone going draw
                continue
            if start[r] + n[r] > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            for j in range(n[r]):
                founding[r, j] = going[r, j] and buffer[r, start[r] + j] < found_cell[r]
                if going[r, j] and not founding[r, j]:
                    joining[r] += fighters[r, j]
            start[r] += n[r]

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            COUNT_TABLE,
            READ_COUNTS,
            ROWS,
            BUFFER,
            POSITIONS,
            types.float64[:, ::1],
        ),
        cache=True,
    )
    def lose_fighters(n, fighters, kind, chance, buffer, start, losses):
        for r in range(n.size):
            if start[r] + n[r] > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            u = buffer[r, start[r] : start[r] + n[r]]
            lose_row(u, fighters[r, : n[r]], kind[r, : n[r]], chance[r], losses[r])
            start[r] += n[r]

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            COUNT_TABLE,
            READ_COUNTS,
            READ_ROWS_COUNTS,
            COUNT_TABLE,
            COUNT_TABLE,
            ROWS,
            ROWS,
            ROWS,
            BUFFER,
            POSITIONS,
            types.float64[:, ::1],
            types.float64[::1],
            types.float64[:, ::1],
        ),
        cache=True,
    )
    def suffer(
        units,
        unit_fighters,
        faction,
        cells,
        cell_fighters,
        groups,
        taliban,
        isisk,
        foreign,
        buffer,
        start,
        faction_losses,
        isisk_losses,
        group_losses,
    ):
        """Attrition: each unit, then each cell, then each group of a replicate loses its share."""
        cell_kind = np.zeros(cell_fighters.shape[1], dtype=np.int64)  # all ISIS-K's
        group_kind = np.arange(groups.shape[1])
        for r in range(units.size):
            n, m, g = units[r], cells[r], groups.shape[1]
            if start[r] + n + m + g > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            u = buffer[r, start[r] : start[r] + n + m + g]
            lose_row(u[:n], unit_fighters[r, :n], faction[r, :n], taliban[r], faction_losses[r])
            lost = isisk_losses[r : r + 1]
            lose_row(u[n : n + m], cell_fighters[r, :m], cell_kind[:m], isisk[r], lost)
            lose_row(u[n + m :], groups[r], group_kind, foreign[r], group_losses[r])
            start[r] += n + m + g

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            COUNT_TABLE,
            READ_COUNTS,
            types.Array(types.boolean, 2, "C", readonly=True),
            READ_ROWS_COUNTS,
            BUFFER,
            POSITIONS,
            types.int64[:, ::1],
            types.float64[:, ::1],
        ),
        cache=True,
    )
    def place_in_units(n, fighters, faction, into, newcomers, buffer, start, added, joined):
        keys = np.empty(fighters.shape[1])  # a row's cumulative fighters of units taking them
        guide = np.empty(fighters.shape[1], dtype=np.int64)
        if into.shape[0] != n.size or newcomers.size != n.size or joined.shape[0] != n.size:
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
                f = faction[r, j]
                if f < 0 or f >= into.shape[1] or f >= joined.shape[1]:
                    raise ValueError(no_faction)
                if into[r, f]:
                    cumulative += fighters[r, j]
                keys[j] = cumulative
            if cumulative == 0.0:  # no unit to take them in: none placed, no uniforms taken
                continue
            place_items(
                keys[: n[r]], buffer[r, start[r] : start[r] + newcomers[r]], guide, added[r]
            )
            start[r] += newcomers[r]
            for j in range(n[r]):
                fighters[r, j] += added[r, j]
                joined[r, faction[r, j]] += added[r, j]

    @numba.njit(
        types.void(
            READ_ROWS_COUNTS,
            READ_COUNTS,
            PER_FACTION,
            READ_COUNTS,
            ROWS,
            types.float64,
            BUFFER,
            POSITIONS,
            types.int64[:, ::1],
        ),
        cache=True,
    )
    def draw_births(n, faction, pay_ratio, broken_month, birth_rate, scale, buffer, start, born):
        """Each faction's new units: Poisson(birth rate x its units x pay ratio) while it is in."""
        rows, factions = born.shape
        units = np.empty(factions)
        for r in range(rows):
            if start[r] + factions > buffer.shape[1]:
                raise ValueError(beyond_buffer)
            units[:] = 0.0
            for j in range(n[r]):
                if faction[r, j] < 0 or faction[r, j] >= factions:
                    raise ValueError(no_faction)
                units[faction[r, j]] += 1.0
            for f in range(factions):
                active = 1.0 if broken_month[r, f] < 0 else 0.0
                rate = scale * birth_rate[r] * units[f] * pay_ratio[r, f] * active
                born[r, f] = checked_poisson(buffer[r, start[r] + f], rate)
            start[r] += factions

    @numba.njit(
        types.void(
            READ_COUNTS,
            types.float64,
            types.Array(types.float64, 3, "C", readonly=True),
            BUFFER,
            POSITIONS,
            types.int64[::1],
            types.int64[::1],
            types.float64[:, ::1],
            types.float64[:, ::1],
        ),
        cache=True,
    )
    def draw_newcomers(
        born, unit_size, spreads, buffer, start, fighters, faction, traits, recruits
    ):
        """The born units' fighters, Poisson(unit_size) and at least 1, faction and trait spreads.

        Row after row, each row's by faction; `traits` gets each unit's `trait_spreads`.
        """
        k = 0
        for r in range(born.shape[0]):
            i = 0
            for f in range(born.shape[1]):
                if start[r] + i + born[r, f] > buffer.shape[1]:
                    raise ValueError(beyond_buffer)
                for _ in range(born[r, f]):
                    fighters[k] = max(1, checked_poisson(buffer[r, start[r] + i], unit_size))
                    faction[k] = f
                    traits[:, k] = spreads[r, f]
                    recruits[r, f] += fighters[k]
                    k += 1
                    i += 1
            start[r] += i

    return (
        choose_fates,
        draw_founders,
        lose_fighters,
        suffer,
        place_in_units,
        draw_births,
        draw_newcomers,
    )


(
    choose_fates,
    draw_founders,
    lose_fighters,
    suffer,
    place_in_units,
    draw_births,
    draw_newcomers,
) = _loops(SOURCES)
