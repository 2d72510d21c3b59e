"""Mechanism 7, recruitment and cell life: births, splits, deaths and attrition.

ISIS-K grows from defectors (who found cells), foreign fighters and local recruits,
more so with momentum and with the anger an inaccurate crackdown breeds; cells
split above a size and, below a floor, fold into the largest cell. Taliban units are born while pay
lasts and split when large. All sides lose fighters to attrition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.record import FLOW_INDEX
from sim.state import beta_draws, binomial_rows, losses_rows

if TYPE_CHECKING:
    from sim.world import World


def local_recruits_rate(base: float, momentum, boost: float, anger, per_anger: float):
    """Expected ISIS-K local recruits per month: base x (1 + boost x momentum) + anger term."""
    return base * (1.0 + boost * momentum) + per_anger * anger


def found_cells(world: World, r: int, fighters: np.ndarray) -> None:
    """New ISIS-K cells in replicate r, one per defecting band, at the starting capability."""
    spec, n = world.spec.isisk, len(fighters)
    world.cells.append(
        r,
        fighters=fighters,
        capability=np.full(n, spec.capability),
        exposure=np.full(n, spec.exposure),
    )


def join_cells(world: World, fighters: np.ndarray) -> None:
    """Spread each replicate's newcomers over its cells in proportion to size (or found one)."""
    cells = world.cells
    for r in np.flatnonzero(fighters):
        n = cells.n[r]
        if n == 0:
            found_cells(world, r, np.array([fighters[r]]))
            continue
        weights = cells.fighters[r, :n] + 1.0
        cells.fighters[r, :n] += world.gens[r].multinomial(fighters[r], weights / weights.sum())


def recruit(world: World) -> None:
    """Local ISIS-K recruits, foreign arrivals, new Taliban units; then reshape cells and units.

    Reads `rules.recruitment.*`, each group's `arrivals_per_month`, `taliban.unit_size`;
    the scale multiplies recruitment and arrival rates.
    """
    scale = world.mechanism_scale("recruitment")
    if scale == 0.0:
        return
    rule, recorder = world.params.rules.recruitment, world.recorder
    local_rate = scale * local_recruits_rate(
        rule.isisk_local_per_month,
        world.momentum,
        rule.momentum_boost,
        world.anger,
        rule.anger_recruits,
    )
    arrival_rate = scale * np.array(
        [g.arrivals_per_month for g in world.params.foreign_groups.values()]
    )
    local = np.zeros(world.replicates, dtype=np.int64)
    arrivals = np.zeros_like(world.group_fighters)
    for r, gen in enumerate(world.gens):
        local[r] = gen.poisson(local_rate[r])
        arrivals[r] = gen.poisson(arrival_rate)
    join_cells(world, local)
    recorder.add("recruits", recorder.isisk, local)
    world.group_fighters += arrivals
    recorder.add("recruits", recorder.groups, arrivals)
    _found_units(world, scale)
    _reshape_cells(world)
    _split_units(world)


def _found_units(world: World, scale: float) -> None:
    """New units per faction: Poisson(birth rate x units x pay ratio), traits from the faction."""
    rule, units = world.params.rules.recruitment, world.units
    factions = list(world.params.taliban.factions.values())
    n_units = units.by_faction(units.live)
    rate = scale * rule.unit_birth_rate * n_units * world.pay_ratio * ~world.broken_away
    means = np.array([[f.ideology.mean, f.ties_to_isisk.mean] for f in factions])
    sds = np.array([[f.ideology.sd, f.ties_to_isisk.sd] for f in factions])
    born = np.zeros_like(rate, dtype=np.int64)
    for r, gen in enumerate(world.gens):
        born[r] = gen.poisson(rate[r])
        total = born[r].sum()
        if total == 0:
            continue
        faction = np.repeat(np.arange(len(factions)), born[r])
        fighters = np.maximum(1, gen.poisson(world.params.taliban.unit_size, total))
        traits = beta_draws(gen, means[faction], sds[faction])  # (units, [ideology, ties])
        units.append(
            r,
            fighters=fighters,
            faction=faction,
            ideology=traits[:, 0],
            ties=traits[:, 1],
            grievance=np.zeros(total),
        )
        world.recorder.flows[r, world.recorder.factions, FLOW_INDEX["recruits"]] += np.bincount(
            faction, weights=fighters, minlength=len(factions)
        )


def _reshape_cells(world: World) -> None:
    """Split cells above `cell_split_size`; fold cells below `cell_floor` into the largest."""
    rule, cells = world.params.rules.recruitment, world.cells
    cells.split_above(rule.cell_split_size)
    small = (cells.fighters < rule.cell_floor) & cells.live
    folding = small.any(axis=1) & (small.sum(axis=1) < cells.n)
    for r in np.flatnonzero(folding):
        largest = int(np.argmax(cells.fighters[r]))
        cells.fighters[r, largest] += cells.fighters[r][small[r]].sum()
        cells.fighters[r][small[r]] = 0
    cells.keep(cells.fighters > 0)


def _split_units(world: World) -> None:
    """A unit above `unit_split_factor` x `unit_size` splits: a sub-commander takes half."""
    limit = world.params.rules.recruitment.unit_split_factor * world.params.taliban.unit_size
    world.units.split_above(limit)


def suffer_attrition(world: World) -> None:
    """Every side loses a fixed share of fighters each month (illness, accidents, other fighting).

    Reads `rules.recruitment.{taliban,isisk,foreign}_attrition`; off with recruitment.
    """
    if world.mechanism_scale("recruitment") == 0.0:
        return
    rule, recorder, units, cells = (
        world.params.rules.recruitment,
        world.recorder,
        world.units,
        world.cells,
    )
    lost_units = losses_rows(world.gens, units.fighters, rule.taliban_attrition, units.n)
    lost_cells = binomial_rows(world.gens, cells.fighters, rule.isisk_attrition, cells.n)
    lost_groups = np.zeros_like(world.group_fighters)
    for r, gen in enumerate(world.gens):
        lost_groups[r] = gen.binomial(world.group_fighters[r], rule.foreign_attrition)
    units.fighters[:] -= lost_units
    recorder.add_by_faction("losses", lost_units)
    cells.fighters[:] -= lost_cells
    recorder.add("losses", recorder.isisk, lost_cells.sum(axis=1))
    world.group_fighters -= lost_groups
    recorder.add("losses", recorder.groups, lost_groups)
    units.keep(units.fighters > 0)
    cells.keep(cells.fighters > 0)
