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

from sim.inputs.schema import DefectionRule
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
    the mechanism's scale multiplies the chance. Each cell's surrenders and the absorbed
    among them, and the ties the absorbed bring to each unit, are compiled loops
    (`compiled_surrender.give_up`, `compiled_cells.mix_ties`).
    """
    from sim.rules import compiled_cells, compiled_surrender  # numba loads with the first step
    from sim.rules.compiled_command import command_weights
    from sim.rules.compiled_units import join_units, per_row

    rejoin(world, scale)
    cells, units, signals, rows = world.cells, world.units, world.signals, world.replicates
    total = np.empty(rows, dtype=np.int64)
    absorbed = np.empty(rows, dtype=np.int64)
    buffer, start = world.streams.reserve(cells.n + 1)
    compiled_surrender.give_up(
        cells.n,
        cells.fighters,
        world.derived(compiled_surrender.surrender_weights),
        world.derived(command_weights),
        signals.removed,
        world.momentum,
        per_row(world.params.policy.amnesty, rows),
        scale,
        buffer,
        start,
        total,
        absorbed,
    )
    security = world.faction_names.index(world.params.policy.security_faction)
    into = np.zeros((rows, units.factions), dtype=bool)
    into[:, security] = ~world.broken_away[:, security]
    added, joined = join_units(world.streams, units, absorbed, into)
    absorbed_ties = per_row(world.params.rules.defection.absorbed_ties, rows)
    compiled_cells.mix_ties(units.n, units.ties, units.fighters, added, absorbed_ties)
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
    chance of rejoining, not of settling. Rejoiners count as ISIS-K's recruits. The draws
    are a compiled loop over the replicates (`compiled_surrender.draw_rejoin`).
    """
    from sim.rules import compiled_surrender  # numba loads with the first step
    from sim.rules.compiled_command import command_weights

    back = np.empty(world.replicates, dtype=np.int64)
    buffer, start = world.streams.reserve(np.full(world.replicates, 2))
    compiled_surrender.draw_rejoin(
        world.cells.n,
        world.cells.fighters,
        world.derived(compiled_surrender.surrender_weights),
        world.derived(command_weights),
        world.momentum,
        scale,
        buffer,
        start,
        world.at_home,
        back,
    )
    join_cells(world, back)
    world.signals.isisk_flow("recruits")[:] += back
