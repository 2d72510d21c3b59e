"""Mechanism 5, foreign-fighter purge: complying with China/Pakistan/Russia costs allies.

Purged fighters are removed, leak to ISIS-K, and whole groups may switch patron;
groups allied to ISIS-K merge their fighters into its cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.rules.defection import logistic
from sim.rules.recruitment import join_cells
from sim.schema import PurgeRule

if TYPE_CHECKING:
    from sim.model import AfghanistanModel


def switch_probability(purge: float, pull: float, loyalty: float, rule: PurgeRule) -> float:
    """Monthly chance that a group switches its allegiance to ISIS-K."""
    return float(logistic(
        rule.switch_base + rule.w_switch_purge * purge + rule.w_switch_pull * pull
        - rule.w_switch_loyalty * loyalty
    ))


def purge_foreign_fighters(model: AfghanistanModel) -> None:
    """Apply each group's purge, leaks and allegiance switch; merge ISIS-K's allies.

    Reads `rules.purge.*`, `policy.purge.<group>` and each group's `loyalty`.
    """
    scale = model.mechanism_scale("purge")
    if scale == 0.0:
        return
    rule, rng, recorder = model.params.rules.purge, model.rng, model.recorder
    pull = model.isisk.momentum
    for i, group in enumerate(model.groups, start=recorder.first_group):
        if group.patron == "taliban":
            purge = model.purge_effect(group.name)
            removed = int(rng.binomial(group.fighters, rule.removal_rate * purge))
            leaked = int(rng.binomial(group.fighters - removed, min(1.0, rule.leak_rate * purge * (1 + pull))))
            recorder.add("losses", i, removed)
            _hand_to_isisk(model, i, leaked)
            group.fighters -= removed + leaked
            loyalty = model.params.foreign_groups[group.name].loyalty
            if rng.random() < scale * switch_probability(purge, pull, loyalty, rule):
                group.patron = "isisk"
        elif group.patron == "isisk":
            merged = int(rng.binomial(group.fighters, rule.merge_rate))
            _hand_to_isisk(model, i, merged)
            group.fighters -= merged


def _hand_to_isisk(model: AfghanistanModel, actor: int, fighters: int) -> None:
    if fighters:
        model.recorder.add("defected_out", actor, fighters)
        model.recorder.add("defected_in", model.recorder.isisk, fighters)
        join_cells(model, fighters)
