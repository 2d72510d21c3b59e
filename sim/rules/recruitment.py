"""Mechanism 7, recruitment and cell life: births, splits, deaths and attrition.

ISIS-K grows from defectors (who found or join cells), foreign fighters, the prisoners
released in August 2021, and local recruits: more of them with momentum, with hardship
(the recruiting pool), with recognition of the Taliban by foreign states (the
"apostate regime" narrative), with the anger an inaccurate crackdown breeds, and with
the Taliban's deserters (a pool, a share of whom ISIS-K takes in; another share joins a
rival Taliban that broke away, and a third takes to armed crime, which makes the trade
routes unsafe). Two further pools (WSJ, Oct 2021; UN Monitoring Team,
2021): former security forces, a pool that shrinks, recruited faster under hardship and
indiscriminate reprisals; and Central Asian and Uyghur networks, arriving with
momentum. Cells split above a size and, below a floor, fold into the largest cell.
Taliban units are born while pay lasts and split when large. All sides lose fighters to
attrition.

Its parameters are declared in `sim.inputs.pars.recruitment`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import at_rows, column
from sim.inputs.schema import BREAKAWAYS, RecruitmentRule
from sim.rules.attacks import founded_capability
from sim.rules.strategy import CONSOLIDATE

if TYPE_CHECKING:
    from sim.engine.world import World


def local_recruits_rate(
    momentum, hardship, recognized, anger, deserters, consolidating, rule: RecruitmentRule
):
    """Expected ISIS-K local recruits a month: momentum, hardship, recognition, anger, deserters.

    `deserters` are the Taliban fighters who deserted this month, a pool of which
    `deserter_share` join; `consolidating`, the leadership's share of effort on
    consolidation, adds recruiting and propaganda (`consolidation_boost`).
    """
    pull = (
        (1.0 + rule.momentum_boost * momentum)
        * (1.0 + rule.consolidation_boost * consolidating)
        * (1.0 + rule.hardship_boost * hardship)
        * (1.0 + rule.recognition_boost * recognized)
    )
    return (
        rule.isisk_local_per_month * pull
        + rule.anger_recruits * anger
        + rule.deserter_share * deserters
    )


def ex_ansf_chance(hardship, anger, rule: RecruitmentRule):
    """Monthly chance that one of the former security forces joins ISIS-K: hardship, reprisals."""
    chance = (
        rule.ex_ansf_rate
        * (1.0 + rule.ex_ansf_hardship * hardship)
        * (1.0 + rule.ex_ansf_reprisal * anger)
    )
    return np.minimum(1.0, chance)


def central_asian_rate(momentum, rule: RecruitmentRule):
    """Expected Central Asian and Uyghur arrivals to ISIS-K a month, rising with momentum."""
    return rule.central_asian_per_month * (1.0 + rule.momentum_boost * momentum)


def prisoners_released(month: int, released: int, months: int) -> int:
    """Released prisoners who rejoin ISIS-K in `month`: spread evenly over the first months.

    Elementwise where `released` or `months` holds one value per replicate.
    """
    return np.where(month > months, 0, released // months + (month <= released % months))


def found_cells(world: World, counts: np.ndarray, fighters: np.ndarray) -> None:
    """New ISIS-K cells, `counts[r]` in replicate r, at a degraded capability.

    They start at `rules.attacks.founding_capability` of the starting capability, which
    is their skill. `fighters` lists the new cells' fighters, replicate after replicate.
    """
    if not counts.any():  # most calls: no replicate founds a cell
        return
    spec, rows = world.spec.isisk, np.arange(world.replicates)
    skill = np.repeat(np.broadcast_to(spec.capability, rows.shape), counts)
    rule = at_rows(world.params.rules.attacks, np.repeat(rows, counts))
    world.cells.extend(
        counts,
        fighters=fighters,
        capability=founded_capability(skill, rule),
        exposure=np.repeat(np.broadcast_to(spec.exposure, rows.shape), counts),
        skill=skill,
    )


def join_cells(world: World, fighters: np.ndarray) -> None:
    """Spread each replicate's newcomers over its cells in proportion to size + 1.

    Newcomers to a replicate with no cells found one. The spreading is a compiled loop
    (`compiled_cells.join_cells`); founding draws nothing.
    """
    from sim.rules import compiled_cells as loops  # numba loads with the first step

    cells = world.cells
    founding = (fighters > 0) & (cells.n == 0)
    loops.join_cells(world.streams, cells, fighters)
    found_cells(world, founding.astype(np.int64), fighters[founding])


def recruit(world: World, scale: float) -> None:
    """Local ISIS-K recruits, foreign arrivals, new Taliban units; then reshape cells and units.

    Reads `rules.recruitment.*`, each group's `arrivals_per_month`, `taliban.unit_size`,
    the month's deserters and indiscriminate force, ISIS-K's effort on consolidation
    and the ex-ANSF pool; the scale multiplies recruitment and arrival rates (the
    ex-ANSF's chance of joining, not the pool's decay). The intake is a compiled loop
    over the replicates (`compiled_recruitment.draw_recruits`).
    """
    from sim.rules import compiled_recruitment as loops  # numba loads with the first step
    from sim.rules.compiled_units import per_row

    rule, signals, isisk, rows = (
        world.params.rules.recruitment,
        world.signals,
        world.spec.isisk,
        world.replicates,
    )
    prisoners = np.empty(rows, dtype=np.int64)
    prisoners[:] = prisoners_released(world.month, isisk.released_prisoners, isisk.release_months)
    local = np.empty(rows, dtype=np.int64)
    arrivals = np.empty(world.group_fighters.shape, dtype=np.int64)
    buffer, start = world.streams.reserve(np.full(rows, 4 + arrivals.shape[1]))
    loops.draw_recruits(
        world.derived(loops.recruitment_weights),
        world.momentum,
        world.hardship,
        per_row(world.recognized_share(), rows),
        signals.anger,
        per_row(signals.faction_flow("deserted").sum(axis=1), rows),
        per_row(world.effort[:, CONSOLIDATE], rows),
        prisoners,
        world.derived(loops.arrival_rates),
        scale,
        buffer,
        start,
        world.ex_ansf,
        local,
        arrivals,
    )
    join_cells(world, local)
    signals.isisk_flow("recruits")[:] += local
    world.group_fighters += arrivals
    signals.group_flow("recruits")[:] += arrivals
    _join_rivals(world, scale)
    deserters = scale * signals.faction_flow("deserted").sum(axis=1)
    world.crime[:] = armed_crime_after(world.crime, deserters, rule)
    _found_units(world, scale)
    _reshape_cells(world)
    _split_units(world)


def armed_crime_after(crime, deserters, rule: RecruitmentRule):
    """Deserters in armed crime after the month: a share of its deserters join, some leave.

    Fighters who desert keep their weapons and networks, and a share of them take to
    banditry, kidnapping and smuggling (`deserter_crime_share`); `crime_exit` of those
    already in it leave a month. An expected flow, not a draw: the pool only weighs on
    the trade routes' security (`pressure.trade_and_transit`).
    """
    return crime * (1.0 - rule.crime_exit) + rule.deserter_crime_share * deserters


def _join_rivals(world: World, scale: float) -> None:
    """A share of the month's deserters joins the units of factions that broke away as rivals.

    Reads `rules.recruitment.deserter_rival_share`; the scale multiplies the share.
    """
    from sim.rules import compiled_units as loops  # numba loads with the first step

    share = np.minimum(1.0, scale * column(world.params.rules.recruitment.deserter_rival_share))
    deserters = world.signals.faction_flow("deserted").sum(axis=1).astype(np.int64)
    joining = world.streams.binomial(deserters[:, None], share, np.ones(world.replicates, int))
    rival = world.breakaway_to == BREAKAWAYS.index("rival")
    if not rival.any():  # most months: no rival faction to join, and no one is placed
        return
    _, joined = loops.join_units(world.streams, world.units, joining[:, 0], rival)
    world.signals.faction_flow("recruits")[:] += joined


def _found_units(world: World, scale: float) -> None:
    """New units per faction: Poisson(birth rate x units x pay ratio), traits from the faction.

    Births, then each newcomer's size, are compiled loops over each replicate's units
    (`compiled_units.draw_births`, `draw_newcomers`); their traits are Beta draws.
    """
    from sim.rules import compiled_units as loops  # numba loads with the first step

    units, rows = world.units, world.replicates
    born = np.empty((rows, units.factions), dtype=np.int64)
    buffer, start = world.streams.reserve(np.full(rows, units.factions))
    loops.draw_births(
        units.n,
        units.faction,
        world.pay_ratio,
        world.broken_month,
        loops.per_row(world.params.rules.recruitment.unit_birth_rate, rows),
        scale,
        buffer,
        start,
        born,
    )
    total = born.sum(axis=1)
    if not total.any():
        return
    fighters = np.empty(total.sum(), dtype=np.int64)
    faction = np.empty(total.sum(), dtype=np.int64)
    spreads = np.empty((4, total.sum()))  # ideology's mean and sd, then ties'
    recruits = np.zeros(born.shape)
    buffer, start = world.streams.reserve(total)
    loops.draw_newcomers(
        born,
        float(world.params.taliban.unit_size),
        world.derived(loops.trait_spreads),
        buffer,
        start,
        fighters,
        faction,
        spreads,
        recruits,
    )
    units.extend(
        total,
        fighters=fighters,
        faction=faction,
        ideology=world.streams.beta(spreads[0], spreads[1], total),
        ties=world.streams.beta(spreads[2], spreads[3], total),
        grievance=np.zeros(len(faction)),
    )
    world.signals.faction_flow("recruits")[:] += recruits


def _reshape_cells(world: World) -> None:
    """Split cells above `cell_split_size`; fold cells below `cell_floor` into the largest."""
    rule, cells = world.params.rules.recruitment, world.cells
    cells.split_above(column(rule.cell_split_size))
    small = (cells.fighters < column(rule.cell_floor)) & cells.live
    folding = small.any(axis=1) & (small.sum(axis=1) < cells.n)
    if folding.any():
        small &= folding[:, None]
        largest = np.argmax(cells.fighters, axis=1)
        folded = (cells.fighters * small).sum(axis=1)
        cells.fighters[small] = 0
        cells.fighters[np.arange(world.replicates), largest] += folded
    cells.keep(cells.fighters > 0)


def _split_units(world: World) -> None:
    """A unit above `unit_split_factor` x `unit_size` splits: a sub-commander takes half."""
    limit = world.params.rules.recruitment.unit_split_factor * world.params.taliban.unit_size
    world.units.split_above(column(limit))


def suffer_attrition(world: World, scale: float) -> None:
    """Every side loses a fixed share of fighters each month (illness, accidents, other fighting).

    Reads `rules.recruitment.{taliban,isisk,foreign}_attrition`; off with recruitment,
    and not rescaled by it. Each unit, cell and group draws its losses, Binomial(fighters,
    share), in a compiled loop over each replicate's units, then its cells, then its groups
    (`compiled_units.suffer`).
    """
    from sim.rules import compiled_units as loops  # numba loads with the first step

    rule, signals, units, cells = (
        world.params.rules.recruitment,
        world.signals,
        world.units,
        world.cells,
    )
    groups, rows = world.group_fighters, world.replicates
    faction_losses = np.zeros((rows, units.factions))
    isisk_losses = np.zeros(rows)
    group_losses = np.zeros(groups.shape)
    buffer, start = world.streams.reserve(units.n + cells.n + groups.shape[1])
    loops.suffer(
        units.n,
        units.fighters,
        units.faction,
        cells.n,
        cells.fighters,
        groups,
        loops.per_row(rule.taliban_attrition, rows),
        loops.per_row(rule.isisk_attrition, rows),
        loops.per_row(rule.foreign_attrition, rows),
        buffer,
        start,
        faction_losses,
        isisk_losses,
        group_losses,
    )
    signals.faction_flow("losses")[:] += faction_losses
    signals.isisk_flow("losses")[:] += isisk_losses
    signals.group_flow("losses")[:] += group_losses
    units.keep(units.fighters > 0)
    cells.keep(cells.fighters > 0)
