"""Mechanism 5, foreign-fighter purge: complying with China/Pakistan/Russia costs allies.

Purged fighters are removed or leak to ISIS-K, and a group may splinter: a share of
its fighters goes over at once (never the whole group in one draw); groups allied to
ISIS-K merge their fighters into its cells.

Its parameters are declared in `sim.inputs.pars.purge`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.values import by_slot, per_actor
from sim.inputs.schema import PATRONS, PurgeRule
from sim.rules.maths import logistic
from sim.rules.recruitment import join_cells

if TYPE_CHECKING:
    from sim.engine.world import World


def switch_probability(purge, pull, loyalty, rule: PurgeRule):
    """Monthly chance that a splinter of an allied group switches its allegiance to ISIS-K."""
    return logistic(
        rule.switch_base
        + rule.w_switch_purge * purge
        + rule.w_switch_pull * pull
        - rule.w_switch_loyalty * loyalty
    )


def purge_foreign_fighters(world: World, scale: float) -> None:
    """Apply each group's purge, leaks and splinters; merge ISIS-K's allies.

    Reads `rules.purge.*`, `policy.purge.<group>` and each group's `loyalty`; the
    mechanism's scale multiplies purge intensity (see `World.purge_intensity`).
    """
    rule = by_slot(world.params.rules.purge)  # every array here is (replicates, groups)
    signals, fighters = world.signals, world.group_fighters
    pull = world.momentum[:, None]
    allied = world.patron == PATRONS.index("taliban")
    purge = world.purge_intensity(scale)
    loyalty = per_actor([g.loyalty for g in world.params.foreign_groups.values()])
    p_leak = np.minimum(1.0, rule.leak_rate * purge * (1 + pull))
    p_merge = rule.merge_rate * (world.patron == PATRONS.index("isisk"))
    p_switch = switch_probability(purge, pull, loyalty, rule)
    # Each fighter is removed, else handed to ISIS-K (leaks or merges), else stays.
    streams, groups = world.streams, np.full(world.replicates, fighters.shape[1])
    removed = streams.binomial(fighters, rule.removal_rate * purge, groups)
    handed = streams.binomial(fighters - removed, p_leak + (1.0 - p_leak) * p_merge, groups)
    splitting = allied & (streams.uniform(groups) < p_switch)
    splinter = streams.binomial(
        fighters - removed - handed, rule.splinter_share * splitting, groups
    )
    handed += splinter
    signals.group_flow("losses")[:] += removed
    signals.group_flow("defected_out")[:] += handed
    signals.isisk_flow("defected_in")[:] += handed.sum(axis=1)
    join_cells(world, handed.sum(axis=1))
    fighters -= removed + handed
