"""Mechanism 1, the reverse flow: ISIS-K fighters surrender; the Taliban absorb some.

Fighters give up when the crackdown takes their comrades, when ISIS-K's momentum fades,
when its money no longer pays them, and more when the Taliban offer an amnesty (the
Nangarhar surrenders of late 2019 and of 2021-22, data/observed.yaml). A share of those
who surrender join the units of the faction that runs internal security (and the
amnesty), the rest go home. The amnesty's costs: absorbed fighters bring their ties to
ISIS-K into that faction, whose ties leak the crackdown's plans (`crackdown.security_ties`)
and pull its units toward defection; and those gone home are a pool that ISIS-K draws
back (recidivism), more when its momentum and its pay return, until they settle.

Its parameters are declared in `sim.inputs.pars.surrender` (keys of `rules.defection`)
and `sim.inputs.pars.policy` (`amnesty`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import by_slot
from sim.inputs.schema import DefectionRule
from sim.rules.defection import isisk_funded
from sim.rules.maths import logistic
from sim.rules.recruitment import join_cells

if TYPE_CHECKING:
    from sim.engine.world import World


def surrender_probability(loss_share, momentum, unfunded, amnesty, rule: DefectionRule):
    """Monthly chance that an ISIS-K fighter surrenders: losses, lost momentum, no pay, amnesty."""
    x = (
        rule.surrender_base
        + rule.w_surrender_losses * loss_share
        + rule.w_surrender_momentum * (1.0 - momentum)
        + rule.w_surrender_pay * unfunded
        + rule.w_surrender_amnesty * amnesty
    )
    return logistic(x)


def rejoin_probability(momentum, funded, rule: DefectionRule):
    """Monthly chance that a surrendered fighter gone home rejoins ISIS-K: momentum, pay."""
    return logistic(
        rule.rejoin_base + rule.w_rejoin_momentum * momentum + rule.w_rejoin_pay * funded
    )


def mixed_ties(ties, fighters, added, added_ties):
    """A unit's ties to ISIS-K once `added` fighters with `added_ties` join its `fighters`."""
    return (ties * fighters + added_ties * added) / np.maximum(fighters + added, 1)


def surrender(world: World, scale: float) -> None:
    """Each ISIS-K fighter may surrender; a share joins the units of the security faction.

    The faction that runs internal security (`policy.security_faction`) runs the amnesty
    and takes in the absorbed, while it is still in the Taliban; else they go home, to
    the pool that `rejoin` draws from (first, those of earlier months rejoin).
    Reads `rules.defection.{surrender_*, w_surrender_*, absorbed_*}`, `policy.amnesty`,
    `policy.security_faction`, `isisk.{pay_usd, own_funds_musd, network_funds_musd}`,
    momentum and the month's crackdown removals;
    the mechanism's scale multiplies the chance. Each cell's surrenders, and the ties
    the absorbed bring to each unit, are compiled loops (`compiled_units.draw_losses`,
    `compiled_cells.mix_ties`).
    """
    from sim.rules import compiled_cells as loops  # numba loads with the first step
    from sim.rules.compiled_units import draw_losses, join_units, per_row

    rejoin(world, scale)
    rule, cells, units, signals = (
        by_slot(world.params.rules.defection),
        world.cells,
        world.units,
        world.signals,
    )
    fighters = cells.fighters.sum(axis=1)
    removed = signals.removed
    chance = scale * surrender_probability(
        removed / np.maximum(fighters + removed, 1.0),
        world.momentum,
        1.0 - isisk_funded(world, fighters),
        world.params.policy.amnesty,
        world.params.rules.defection,
    )
    gave_up = draw_losses(
        world.streams,
        cells.n,
        cells.fighters,
        np.zeros_like(cells.fighters),
        np.minimum(1.0, chance),
        1,
    )
    total = gave_up[:, 0].astype(np.int64)
    ones = np.ones(world.replicates, dtype=np.int64)
    absorbed = world.streams.binomial(total[:, None], rule.absorbed_share, ones)[:, 0]
    security = world.faction_names.index(world.params.policy.security_faction)
    into = np.zeros((world.replicates, units.factions), dtype=bool)
    into[:, security] = ~world.broken_away[:, security]
    added, joined = join_units(world.streams, units, absorbed, into)
    absorbed_ties = per_row(world.params.rules.defection.absorbed_ties, world.replicates)
    loops.mix_ties(units.n, units.ties, units.fighters, added, absorbed_ties)
    signals.isisk_flow("surrendered")[:] += total
    world.at_home += total - added.sum(axis=1)
    signals.isisk_flow("losses")[:] += total - added.sum(axis=1)  # those gone home
    signals.isisk_flow("defected_out")[:] += added.sum(axis=1)
    signals.faction_flow("defected_in")[:] += joined
    cells.keep(cells.fighters > 0)


def rejoin(world: World, scale: float) -> None:
    """Surrendered fighters gone home rejoin ISIS-K's cells; others settle and leave the pool.

    Reads `rules.defection.{rejoin_base, w_rejoin_*, rejoin_settle}`, momentum, ISIS-K's
    funded share of pay and the pool `at_home`; the mechanism's scale multiplies the
    chance of rejoining, not of settling. Rejoiners count as ISIS-K's recruits.
    """
    rule, rows = by_slot(world.params.rules.defection, axes=1), np.ones(world.replicates, int)
    pool = world.at_home[:, None]
    funded = isisk_funded(world, world.cells.fighters.sum(axis=1))
    chance = rejoin_probability(world.momentum[:, None], funded[:, None], rule)
    back = world.streams.binomial(pool, np.minimum(1.0, scale * chance), rows)
    settled = world.streams.binomial(pool - back, rule.rejoin_settle, rows)
    world.at_home -= (back + settled)[:, 0]
    join_cells(world, back[:, 0])
    world.signals.isisk_flow("recruits")[:] += back[:, 0]
