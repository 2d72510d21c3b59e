"""What the rules of one month pass to each other and to the record.

A rule that needs what another did this month (attacks by target, removals,
defections by faction) reads it here, where the other wrote it; `World.step` zeroes
the month's fields first, so every dependency between rules shows in the schedule.
"""

from __future__ import annotations

import numpy as np

from sim.inputs.schema import TARGETS

FLOWS = ("recruits", "losses", "defected_in", "defected_out", "deserted", "surrendered")
FLOW = {name: i for i, name in enumerate(FLOWS)}


class Signals:
    """This month's flows of fighters and ISIS-K's attacks, per replicate.

    Attributes:
        factions: fighters gained and lost by each Taliban faction, (replicates, factions, FLOWS).
        isisk: fighters gained and lost by ISIS-K, (replicates, FLOWS).
        groups: fighters gained and lost by each foreign group, (replicates, groups, FLOWS).
        attacks: ISIS-K attacks by target (`TARGETS`), (replicates, targets).
        casualties: people killed or wounded in successful attacks, (replicates,).
        previous_attacks: last month's attacks in Afghanistan, (replicates,), for the
            adaptive policy.
        crackdown_force: the crackdown's intensity x effectiveness this month, (replicates,);
            with a cell's exposure it sets how hard the cell is pressed.
        anger: indiscriminate force this month, intensity x (1 - accuracy), (replicates,).
        removed: ISIS-K fighters removed by the crackdown this month, (replicates,).
    """

    def __init__(self, replicates: int, factions: int, groups: int) -> None:
        self.factions = np.zeros((replicates, factions, len(FLOWS)))
        self.isisk = np.zeros((replicates, len(FLOWS)))
        self.groups = np.zeros((replicates, groups, len(FLOWS)))
        self.attacks = np.zeros((replicates, len(TARGETS)))
        self.casualties = np.zeros(replicates)
        self.previous_attacks = np.zeros(replicates)
        self.crackdown_force = np.zeros(replicates)
        self.anger = np.zeros(replicates)
        self.removed = np.zeros(replicates)

    def start_month(self) -> None:
        """Keep last month's attack count; zero every flow and tally of the new month."""
        self.previous_attacks = self.attacks_at_home
        fields = (
            self.factions,
            self.isisk,
            self.groups,
            self.attacks,
            self.casualties,
            self.crackdown_force,
            self.anger,
            self.removed,
        )
        for field in fields:
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
    def attacks_at_home(self) -> np.ndarray:
        """This month's attacks in Afghanistan (every target but `abroad`), (replicates,)."""
        return self.attacks.sum(axis=1) - self.attacks_abroad

    @property
    def attacks_abroad(self) -> np.ndarray:
        """This month's attacks abroad, counted apart from those in Afghanistan, (replicates,)."""
        return self.attacks[:, TARGETS.index("abroad")]

    @property
    def attacks_on_foreigners(self) -> np.ndarray:
        """Attacks on foreigners in Afghanistan and abroad: what states count against ISIS-K."""
        return self.attacks[:, TARGETS.index("foreign")] + self.attacks_abroad

    @property
    def sectarian_attacks(self) -> np.ndarray:
        """This month's attacks on sectarian (Shia/Hazara) targets, (replicates,)."""
        return self.attacks[:, TARGETS.index("sectarian")]
