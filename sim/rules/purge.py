"""Mechanism 5, foreign-fighter purge: complying with China/Pakistan/Russia costs allies.

Purged fighters are removed, leak to ISIS-K, and whole groups may switch patron;
groups allied to ISIS-K merge their fighters into its cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.rules.maths import logistic
from sim.rules.recruitment import join_cells
from sim.schema import PurgeRule

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


def switch_probability(purge, pull: float, loyalty, rule: PurgeRule):
    """Monthly chance that a group switches its allegiance to ISIS-K."""
    return logistic(
        rule.switch_base + rule.w_switch_purge * purge + rule.w_switch_pull * pull
        - rule.w_switch_loyalty * loyalty
    )


def purge_foreign_fighters(model: AfghanistanModel) -> None:
    """Apply each group's purge, leaks and allegiance switch; merge ISIS-K's allies.

    Reads `rules.purge.*`, `policy.purge.<group>` and each group's `loyalty`; the
    mechanism's scale multiplies purge intensity (via `model.purge_effect`) and switching.
    """
    scale = model.mechanism_scale("purge")
    if scale == 0.0:
        return
    rule, rng, recorder, groups = model.params.rules.purge, model.rng, model.recorder, model.groups
    pull = model.isisk.momentum
    fighters = model.group_fighters()
    allied = np.array([g.patron == "taliban" for g in groups])
    with_isisk = np.array([g.patron == "isisk" for g in groups])
    purge = np.array([model.purge_effect(g.name) for g in groups]) * allied
    removed = rng.binomial(fighters, rule.removal_rate * purge)
    leaked = rng.binomial(fighters - removed, np.minimum(1.0, rule.leak_rate * purge * (1 + pull)))
    merged = rng.binomial(fighters - removed - leaked, rule.merge_rate * with_isisk)
    loyalty = np.array([model.params.foreign_groups[g.name].loyalty for g in groups])
    switching = allied & (rng.random(len(groups)) < scale * switch_probability(purge, pull, loyalty, rule))
    handed = leaked + merged
    recorder.add("losses", recorder.groups, removed)
    recorder.add("defected_out", recorder.groups, handed)
    recorder.add("defected_in", recorder.isisk, handed.sum())
    join_cells(model, int(handed.sum()))
    model.set_group_fighters(fighters - removed - handed)
    for group, switches in zip(groups, switching, strict=True):
        if switches:
            group.patron = "isisk"
