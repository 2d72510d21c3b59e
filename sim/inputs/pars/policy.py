"""The Taliban leadership's levers (`policy`); events change them mid-run, each has a cost.

Read by the rules of `crackdown`, `defection` (surrender too), `purge`, `pressure` and
`fragmentation`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import COEFFICIENT, PROBABILITY, Block, Bound, Par, Range, judgement

POLICY = Block(
    "policy",
    (
        Par(
            "crackdown",
            float,
            "intensity of the campaign against ISIS-K (Nangarhar campaign of autumn 2021)",
            "0..1",
            0.3,
            PROBABILITY,
            Range(0.0, 1.0, "lever"),
        ),
        Par(
            "joint_with_us",
            bool,
            "counter-terrorism jointly with the US (refused at the Doha talks, Oct 2021)",
            default=False,
        ),
        Par(
            "accuracy",
            float,
            "how discriminate the crackdown's force is (detentions, extrajudicial killings)",
            "0..1",
            0.4,
            PROBABILITY,
            Range(0.0, 1.0, "lever; HRW 2022 (detentions, extrajudicial killings): low"),
        ),
        Par(
            "concessions",
            float,
            "compliance with foreign demands other than security (rights, inclusion)",
            "0..1",
            0.1,
            PROBABILITY,
            Range(0.0, 1.0, "lever"),
        ),
        Par(
            "punishment",
            float,
            "fear of punishment for defectors",
            "0..1",
            0.5,
            PROBABILITY,
            Range(0.0, 1.0, "lever"),
        ),
        Par(
            "amnesty",
            float,
            "amnesty offered to ISIS-K fighters who surrender (through tribal elders,"
            " conditional; Nangarhar, autumn 2021)",
            "0..1",
            0.5,
            PROBABILITY,
            Range(0.0, 1.0, "lever; Taliban amnesty for ISKP members in Nangarhar, 2021-22"),
        ),
        Par(
            "purge",
            float,
            "purge intensity per foreign group",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.0, 1.0, "lever"),
            actors={
                "ttp": Range(0.0, 1.0, "lever; the TTP tolerated and paid (MT reports)"),
                "etim_tip": Range(
                    0.0, 1.0, "lever; ETIM/TIP moved away from the Chinese border, Oct 2021"
                ),
            },
            keys=str,
            items=(0, 100),
        ),
        Par("security_faction", str, "the faction that runs internal security in Kabul"),
        Par(
            "adaptive_gain",
            float,
            "above 0, the crackdown rises when attacks exceed the tolerance",
            "intensity per relative excess",
            0.0,
            COEFFICIENT,
            Range(0.0, 2.0, judgement("0 = fixed policy; 2 doubles intensity at 2x tolerance")),
        ),
        Par(
            "attack_tolerance",
            float,
            "attacks a month the leadership tolerates before it adapts the crackdown",
            "attacks a month",
            30,
            Bound(0.0, 1e6, "any positive number of attacks a month", open_low=True),
            Range(10, 60, judgement("around the 19-48 attacks a month of 2021 (UNAMA, UN)")),
        ),
    ),
)
"""The levers, in the order of a scenario file."""
