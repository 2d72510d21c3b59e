"""Mechanism 5, foreign-fighter purge: complying with China/Pakistan/Russia costs allies.

Purged fighters are removed or leak to ISIS-K, and a group may splinter: a share of
its fighters goes over at once (never the whole group in one draw); groups allied to
ISIS-K merge their fighters into its cells.

Its parameters are declared in `sim.inputs.pars.purge`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.schema import PurgeRule
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
    mechanism's scale multiplies purge intensity (see `World.purge_intensity`). Each
    fighter is removed, else handed to ISIS-K (leaks or merges), else stays; the groups
    draw in a compiled loop (`compiled_groups.purge_groups`).
    """
    from sim.rules import compiled_groups as loops  # numba loads with the first step

    signals, fighters, rows = world.signals, world.group_fighters, world.replicates
    groups = fighters.shape[1]
    removed = np.empty(fighters.shape, dtype=np.int64)
    handed = np.empty(fighters.shape, dtype=np.int64)
    buffer, start = world.streams.reserve(np.full(rows, 4 * groups))
    loops.purge_groups(
        fighters,
        world.patron,
        np.ascontiguousarray(world.purge_intensity(scale), dtype=np.float64),
        world.derived(loops.loyalties),
        world.derived(loops.purge_weights),
        world.momentum,
        buffer,
        start,
        removed,
        handed,
    )
    signals.group_flow("losses")[:] += removed
    signals.group_flow("defected_out")[:] += handed
    signals.isisk_flow("defected_in")[:] += handed.sum(axis=1)
    join_cells(world, handed.sum(axis=1))
