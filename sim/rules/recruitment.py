"""Mechanism 7, recruitment and cell life: births, splits, deaths and attrition.

ISIS-K grows from defectors (who found cells), foreign fighters and local recruits,
more so with momentum and with the anger an inaccurate crackdown breeds; cells
split above a size and dissolve below a floor. Taliban units are born while pay
lasts and split when large. All sides lose fighters to attrition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.state import beta_draws

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


def local_recruits_rate(base: float, momentum: float, boost: float, anger: float, per_anger: float):
    """Expected ISIS-K local recruits per month: base x (1 + boost x momentum) + anger term."""
    return base * (1.0 + boost * momentum) + per_anger * anger


def found_cells(model: AfghanistanModel, fighters: np.ndarray) -> None:
    """New ISIS-K cells, one per defecting band, at the scenario's starting capability."""
    spec, n = model.spec.isisk, len(fighters)
    model.isisk.cells.append(
        fighters=fighters, capability=np.full(n, spec.capability), exposure=np.full(n, spec.exposure)
    )


def join_cells(model: AfghanistanModel, fighters: int) -> None:
    """Spread newcomers over existing cells in proportion to size (or found one)."""
    cells = model.isisk.cells
    if fighters == 0:
        return
    if len(cells) == 0:
        found_cells(model, np.array([fighters]))
        return
    weights = cells.fighters + 1.0
    cells.fighters[:] += model.rng.multinomial(fighters, weights / weights.sum())


def recruit(model: AfghanistanModel) -> None:
    """Local ISIS-K recruits, foreign arrivals, new Taliban units; then reshape cells and units.

    Reads `rules.recruitment.*`, each group's `arrivals_per_month`, `taliban.unit_size`;
    the scale multiplies recruitment and arrival rates.
    """
    scale = model.mechanism_scale("recruitment")
    if scale == 0.0:
        return
    rule, rng, recorder = model.params.rules.recruitment, model.rng, model.recorder
    rate = local_recruits_rate(rule.isisk_local_per_month, model.isisk.momentum, rule.momentum_boost,
                               model.anger, rule.anger_recruits)
    local = int(rng.poisson(scale * rate))
    join_cells(model, local)
    recorder.add("recruits", recorder.isisk, local)
    rates = [model.params.foreign_groups[g.name].arrivals_per_month for g in model.groups]
    arrivals = rng.poisson(scale * np.array(rates))
    model.set_group_fighters(model.group_fighters() + arrivals)
    recorder.add("recruits", recorder.groups, arrivals)
    _found_units(model, scale)
    _reshape_cells(model)
    _split_units(model)


def _found_units(model: AfghanistanModel, scale: float) -> None:
    """New units per faction: Poisson(birth rate x units x pay ratio), traits from the faction."""
    rule, rng, units = model.params.rules.recruitment, model.rng, model.units
    counts = np.bincount(units.faction, minlength=len(model.factions))
    size = model.params.taliban.unit_size
    for faction, n_units in zip(model.factions, counts, strict=True):
        if faction.broken_away:
            continue
        born = int(rng.poisson(scale * rule.unit_birth_rate * n_units * faction.pay_ratio))
        if born == 0:
            continue
        spec = model.params.taliban.factions[faction.name]
        fighters = np.maximum(1, rng.poisson(size, born))
        units.append(
            fighters=fighters,
            faction=np.full(born, faction.index),
            ideology=beta_draws(rng, spec.ideology.mean, spec.ideology.sd, born),
            ties=beta_draws(rng, spec.ties_to_isisk.mean, spec.ties_to_isisk.sd, born),
            grievance=np.zeros(born),
        )
        model.recorder.add("recruits", 1 + faction.index, fighters.sum())


def _reshape_cells(model: AfghanistanModel) -> None:
    """Split cells above `cell_split_size` in two; fold cells below `cell_floor` into the largest."""
    rule, cells = model.params.rules.recruitment, model.isisk.cells
    big = cells.fighters > rule.cell_split_size
    if big.any():
        half = cells.fighters[big] // 2
        cells.fighters[big] -= half
        cells.append(fighters=half, capability=cells.capability[big], exposure=cells.exposure[big] / 2)
    small = cells.fighters < rule.cell_floor
    if small.any() and not small.all():
        largest = int(np.argmax(cells.fighters))
        cells.fighters[largest] += cells.fighters[small].sum()
        cells.fighters[small] = 0
    cells.keep(cells.fighters > 0)


def _split_units(model: AfghanistanModel) -> None:
    """A unit above `unit_split_factor` x `unit_size` splits: a sub-commander takes half."""
    units = model.units
    limit = model.params.rules.recruitment.unit_split_factor * model.params.taliban.unit_size
    big = units.fighters > limit
    if big.any():
        half = units.fighters[big] // 2
        units.fighters[big] -= half
        units.append(fighters=half, faction=units.faction[big], ideology=units.ideology[big],
                     ties=units.ties[big], grievance=units.grievance[big])


def suffer_attrition(model: AfghanistanModel) -> None:
    """Every side loses a fixed share of fighters each month (illness, accidents, other fighting).

    Reads `rules.recruitment.{taliban,isisk,foreign}_attrition`; off with recruitment.
    """
    if model.mechanism_scale("recruitment") == 0.0:
        return
    rule, rng, recorder = model.params.rules.recruitment, model.rng, model.recorder
    units, cells = model.units, model.isisk.cells
    lost = rng.binomial(units.fighters, rule.taliban_attrition)
    units.fighters[:] -= lost
    recorder.add_by_faction("losses", units.faction, lost)
    units.keep(units.fighters > 0)
    lost = rng.binomial(cells.fighters, rule.isisk_attrition)
    cells.fighters[:] -= lost
    recorder.add("losses", recorder.isisk, lost.sum())
    cells.keep(cells.fighters > 0)
    fighters = model.group_fighters()
    gone = rng.binomial(fighters, rule.foreign_attrition)
    model.set_group_fighters(fighters - gone)
    recorder.add("losses", recorder.groups, gone)
