"""What the rules of one month pass to each other and to the record.

A rule that needs what another did this month (attacks by target, removals,
defections by faction) reads it here, where the other wrote it; `World.step` zeroes
the month's fields first, so every dependency between rules shows in the schedule.
"""

from __future__ import annotations

import numpy as np

from sim.inputs.schema import TARGETS

FLOWS = ("recruits", "losses", "defected_in", "defected_out", "deserted")
FLOW = {name: i for i, name in enumerate(FLOWS)}


class Signals:
    """This month's flows of fighters and ISIS-K's attacks, per replicate.

    Attributes:
        factions: fighters gained and lost by each Taliban faction, (replicates, factions, FLOWS).
        isisk: fighters gained and lost by ISIS-K, (replicates, FLOWS).
        groups: fighters gained and lost by each foreign group, (replicates, groups, FLOWS).
        attacks: ISIS-K attacks by target (`TARGETS`), (replicates, targets).
        casualties: people killed or wounded in successful attacks, (replicates,).
        previous_attacks: last month's attacks in all, (replicates,), for the adaptive policy.
    """

    def __init__(self, replicates: int, factions: int, groups: int) -> None:
        self.factions = np.zeros((replicates, factions, len(FLOWS)))
        self.isisk = np.zeros((replicates, len(FLOWS)))
        self.groups = np.zeros((replicates, groups, len(FLOWS)))
        self.attacks = np.zeros((replicates, len(TARGETS)))
        self.casualties = np.zeros(replicates)
        self.previous_attacks = np.zeros(replicates)

    def start_month(self) -> None:
        """Keep last month's attack count; zero every flow and tally of the new month."""
        self.previous_attacks = self.attacks.sum(axis=1)
        for field in (self.factions, self.isisk, self.groups, self.attacks, self.casualties):
            field[:] = 0.0

    def faction_flow(self, flow: str) -> np.ndarray:
        """A writable view of one flow of every faction, (replicates, factions)."""
        return self.factions[..., FLOW[flow]]

    def isisk_flow(self, flow: str) -> np.ndarray:
        """A writable view of one flow of ISIS-K, (replicates,)."""
        return self.isisk[:, FLOW[flow]]

    def group_flow(self, flow: str) -> np.ndarray:
        """A writable view of one flow of every foreign group, (replicates, groups)."""
        return self.groups[..., FLOW[flow]]

    @property
    def sectarian_attacks(self) -> np.ndarray:
        """This month's attacks on sectarian (Shia/Hazara) targets, (replicates,)."""
        return self.attacks[:, TARGETS.index("sectarian")]
