"""Mechanism 6, ISIS-K attacks: a leadership that chooses, tempo from cadre, money and skill.

Each month ISIS-K's leadership splits its effort between attacks in Afghanistan,
external operations (abroad, counted apart) and consolidation (lying low, rebuilding),
by a multinomial logit of utilities with noise: pressure felt and losses (of fighters and
of leaders' skill) push it from attacks at home; money lets it act. Tempo is additive in
fighters x capability, with returns to scale of the whole organisation and of its money
per fighter (Clauset & Gleditsch 2012), so splitting a cell creates no tempo. Cells
pressed by an effective crackdown lie low at home; severity is heavy-tailed (Pareto,
Bohorquez et al. 2009). Sectarian attacks are ISIS-K's bid against the Taliban
(outbidding): they erode Taliban credibility. Capability grows with experience, falls
with arrests of leaders (`crackdown`) and recovers toward the cell's skill, faster while
ISIS-K consolidates.

Its parameters are declared in `sim.inputs.pars.attacks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import at_rows, by_slot, per_actor
from sim.inputs.schema import TARGETS, AttackRule, IsisK

if TYPE_CHECKING:
    from sim.engine.world import World

ABROAD = TARGETS.index("abroad")
EFFORTS = ("home", "abroad", "consolidate")
"""What ISIS-K's leadership spends effort on: attacks in Afghanistan, abroad, consolidation."""
HOME, ABROAD_EFFORT, CONSOLIDATE = range(len(EFFORTS))


def funds(isisk: IsisK):
    """ISIS-K's money a month, USD million: its own and the wider Islamic State network's."""
    return isisk.own_funds_musd + isisk.network_funds_musd


def returns_to_scale(cadre, rule: AttackRule):
    """Tempo per fighter of the organisation: (cadre / reference_cadre)^(size_exponent - 1)."""
    return (np.maximum(cadre, 1) / rule.reference_cadre) ** (rule.size_exponent - 1.0)


def money_factor(funds_musd, cadre, rule: AttackRule):
    """Tempo multiplier of money per fighter: 2 r^e / (1 + r^e), at most 2 (1 at the reference).

    r is funds per fighter over `reference_funding_usd`, e `funds_elasticity`.
    """
    ratio = 1e6 * funds_musd / np.maximum(cadre, 1) / rule.reference_funding_usd
    lifted = ratio**rule.funds_elasticity
    return 2.0 * lifted / (1.0 + lifted)


def attack_rate(fighters, capability, multiplier, rule: AttackRule):
    """Attacks per cell-month with all effort at home, unpressed.

    base x fighters / reference_size x capability x `multiplier` (returns to scale and
    money): additive in fighters, so splitting a cell creates no tempo.
    """
    return rule.base_rate * fighters / rule.reference_size * capability * multiplier


def utilities(pressure, losses, money, rule: AttackRule) -> np.ndarray:
    """The leadership's utilities of (attacks at home, abroad, consolidation), (..., 3).

    Pressure felt pushes effort abroad and into consolidation; losses into consolidation;
    money (its tempo multiplier) away from consolidation.
    """
    pressed = rule.pressure_weight * pressure
    home = np.zeros_like(pressed + losses + money)
    abroad = rule.abroad_bias + pressed
    consolidate = rule.consolidate_bias + pressed + rule.losses_weight * losses - np.log(money)
    return np.stack(np.broadcast_arrays(home, abroad, consolidate), axis=-1)


def effort_shares(values, noise, rule: AttackRule) -> np.ndarray:
    """Shares of effort: softmax over the last axis of utilities + choice_noise x noise."""
    noisy = values + rule.choice_noise * noise
    weights = np.exp(noisy - noisy.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def suppression(force, exposure, rule: AttackRule):
    """Share of a cell's tempo held back under pressure: 1 - exp(-lie_low x force x exposure)."""
    return 1.0 - np.exp(-rule.lie_low * force * exposure)


def target_odds(shares: np.ndarray, shifted, rule: AttackRule) -> np.ndarray:
    """Chance of each (target, success) outcome of an attack, (replicates, 2 x targets).

    `shifted` is the share of attacks that are held-back tempo turned abroad.
    """
    odds = (1.0 - shifted)[:, None] * shares
    odds[:, ABROAD] += shifted
    return np.concatenate([odds * rule.success, odds * (1.0 - rule.success)], axis=1)


def severities(u, rule: AttackRule):
    """People killed or wounded in a successful attack, one per uniform u in [0, 1).

    Pareto tail with minimum `severity_min` (the inverse of its distribution function).
    """
    return rule.severity_min * (1.0 - u) ** (-1.0 / (rule.severity_exponent - 1.0))


def momentum_after(momentum, successes, rule: AttackRule):
    """Smoothed success rate: ISIS-K's momentum, the pull it has on recruits."""
    recent = np.minimum(1.0, successes / rule.momentum_saturation)
    return rule.momentum_decay * momentum + (1.0 - rule.momentum_decay) * recent


def capability_after(capability, skill, attacks, consolidation, rule: AttackRule):
    """Recovery toward the cell's skill, faster while consolidating; experience adds `learning`.

    The recovery rate is `capability_recovery` + `rebuild` x the share of effort consolidating.
    """
    rate = rule.capability_recovery + rule.rebuild * consolidation
    recovered = capability + rate * (skill - capability)
    return np.clip(recovered + rule.learning * attacks, rule.min_capability, rule.max_capability)


def skill_after(skill, attacks, rule: AttackRule):
    """A cell's skill, what its capability recovers to, grows with experience."""
    return np.clip(skill + rule.learning * attacks, rule.min_capability, rule.max_capability)


def pressure_and_losses(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Pressure ISIS-K feels (force x mean exposure) and its losses this month.

    Losses are the share of fighters lost so far this month plus the share of skill its
    cells lack after arrests of leaders; both are fighter-weighted over the cells.
    """
    cells, signals = world.cells, world.signals
    cadre = cells.row_sums(cells.fighters.astype(float))
    weight = np.maximum(cadre, 1.0)
    exposure = cells.row_sums(cells.fighters * cells.exposure) / weight
    lost = signals.isisk_flow("losses") / np.maximum(cadre + signals.isisk_flow("losses"), 1.0)
    capable = cells.row_sums(cells.fighters * cells.capability)
    skilled = np.maximum(cells.row_sums(cells.fighters * cells.skill), 1e-12)
    gap = np.maximum(0.0, 1.0 - capable / skilled) * (cadre > 0)
    return signals.crackdown_force * exposure, lost + gap


def choose_effort(world: World, money: np.ndarray) -> None:
    """The leadership's shares of effort this month (home, abroad, consolidate), drawn.

    Writes `world.effort`; the noise is one normal per option and replicate.
    """
    rule = world.params.rules.attacks
    pressure, losses = pressure_and_losses(world)
    values = utilities(pressure, losses, money, rule)
    world.effort[:] = effort_shares(values, world.streams.normals(len(EFFORTS)), by_slot(rule))


def attack(world: World, scale: float) -> None:
    """The leadership chooses; cells attack or lie low; successes kill, pull, erode credibility.

    Reads `rules.attacks.*`, ISIS-K's funds and the crackdown's force this month; the
    mechanism's scale multiplies the attack rate. Attacks abroad (external operations)
    are counted apart from those in Afghanistan; effort spent consolidating rebuilds.
    """
    rule, cells, units, signals = (
        world.params.rules.attacks,
        world.cells,
        world.units,
        world.signals,
    )
    per_cell = by_slot(rule)
    shares = per_actor([rule.target_shares.get(t, 0.0) for t in TARGETS])
    shares = shares / shares.sum(axis=-1, keepdims=True)
    streams = world.streams
    cadre = cells.row_sums(cells.fighters.astype(float))
    money = money_factor(funds(world.params.isisk), cadre, rule)
    choose_effort(world, money)
    effort = world.effort[:, :, None]  # (replicates, efforts, 1): a column per effort
    multiplier = returns_to_scale(cadre, rule) * money
    full = scale * attack_rate(cells.fighters, cells.capability, multiplier[:, None], per_cell)
    force = signals.crackdown_force[:, None]
    home = full * effort[:, HOME] * (1.0 - suppression(force, cells.exposure, per_cell))
    abroad = full * effort[:, ABROAD_EFFORT]
    attacks = streams.poisson(home + abroad, cells.n)
    total = attacks.sum(axis=1)
    # row_sums adds in order, so a replicate's shares do not depend on the batch's width
    expected = np.maximum(cells.row_sums(home + abroad), 1e-12)
    outcome = streams.multinomial(  # each attack's (target, success) pair
        total, target_odds(shares, cells.row_sums(abroad) / expected, per_cell)
    )
    successes = outcome[:, : len(TARGETS)]
    by_target = successes + outcome[:, len(TARGETS) :]
    succeeded = successes.sum(axis=1)
    draws = streams.uniform(succeeded)
    drawn = np.arange(draws.shape[1]) < succeeded[:, None]
    rows = np.broadcast_to(np.arange(world.replicates)[:, None], drawn.shape)[drawn]
    # bincount adds in order, so a replicate's total does not depend on the batch's width
    casualties = np.bincount(
        rows, severities(draws[drawn], at_rows(rule, rows)), minlength=world.replicates
    )
    taliban = units.fighters.sum(axis=1)
    on_taliban = successes[:, TARGETS.index("taliban")]
    kill_p = np.minimum(1.0, rule.taliban_killed_per_attack * on_taliban / np.maximum(taliban, 1))
    killed = streams.binomial(units.fighters, kill_p[:, None], np.where(kill_p > 0, units.n, 0))
    units.fighters[:] -= killed
    signals.faction_flow("losses")[:] += units.by_faction(killed)
    consolidation = effort[:, CONSOLIDATE]
    cells.capability[:] = (
        capability_after(cells.capability, cells.skill, attacks, consolidation, per_cell)
        * cells.live
    )
    cells.skill[:] = skill_after(cells.skill, attacks, per_cell) * cells.live
    cells.exposure[:] = (
        np.clip(
            cells.exposure * (1.0 - per_cell.exposure_decay)
            + per_cell.exposure_per_attack * attacks,
            0.0,
            1.0,
        )
        * cells.live
    )
    world.momentum[:] = momentum_after(world.momentum, succeeded, rule)
    world.credibility[:] = np.clip(
        world.credibility
        + rule.credibility_recovery * (1.0 - world.credibility)
        - rule.credibility_loss * successes[:, TARGETS.index("sectarian")],
        0.0,
        1.0,
    )
    signals.attacks[:] = by_target
    signals.casualties[:] = casualties
