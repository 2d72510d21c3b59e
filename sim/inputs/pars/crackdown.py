"""The crackdown on ISIS-K (`rules.crackdown`): removals, arrests of leaders, leaks.

The rules are in `sim.rules.crackdown`; the intensity and accuracy are levers of `policy`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import COEFFICIENT, PROBABILITY, Block, Par, Range, judgement

CRACKDOWN = Block(
    "rules.crackdown",
    (
        Par(
            "removal_rate",
            float,
            "monthly removal at full intensity, effectiveness, exposure and accuracy",
            "share of a cell a month",
            0.8,
            PROBABILITY,
            Range(0.3, 1.0, "Taliban claim: ~600 arrests, 33 killed, 3 months"),
        ),
        Par(
            "accuracy_floor",
            float,
            "yield of wholly indiscriminate force relative to accurate force",
            "0..1",
            0.3,
            PROBABILITY,
            Range(0.1, 0.5, judgement("Bennett 2008: indiscriminate force")),
        ),
        Par(
            "accuracy_tempo",
            float,
            "reach lost at full accuracy: intelligence-led raids are fewer",
            "0..1",
            0.5,
            PROBABILITY,
            Range(0.2, 0.8, judgement("targeted raids are slower than sweeps")),
        ),
        Par(
            "amnesty_relief",
            float,
            "share of the crackdown's indiscriminate harm spared at full amnesty: suspects"
            " who may surrender through the elders are not killed or disappeared",
            "0..1",
            0.3,
            PROBABILITY,
            Range(
                0.0,
                0.6,
                "HRW, July 2022: alleged ISKP members executed or disappeared in Nangarhar,"
                " while the 2021-22 amnesty let others surrender through tribal elders;"
                " size: judgement",
            ),
        ),
        Par(
            "leader_hit",
            float,
            "capability lost at full intensity, effect, accuracy and exposure",
            "share a month",
            0.3,
            PROBABILITY,
            Range(0.1, 0.6, judgement("intelligence-led arrests of leaders")),
        ),
        Par(
            "skill_loss",
            float,
            "share of the capability lost to arrests of leaders that their successors never regain",
            "0..1",
            0.3,
            PROBABILITY,
            Range(
                0.1,
                0.5,
                "Jordan 2009; Price 2012: successors are less experienced; size: judgement",
            ),
        ),
        Par(
            "intelligence_gain",
            float,
            "exposure gained a month toward 1 at full intelligence effort (force x accuracy)",
            "per month",
            0.05,
            PROBABILITY,
            Range(0.01, 0.15, judgement("informant networks take months to years to build")),
        ),
        Par(
            "leads_per_removal",
            float,
            "exposure a cell gains per share of its fighters removed (captured members give leads)",
            "per share removed",
            0.5,
            COEFFICIENT,
            Range(0.2, 1.0, judgement("one detainee in ten gives away a tenth of a cell's cover")),
        ),
        Par(
            "sanctuary_erosion",
            float,
            "share of ISIS-K's safe areas lost a month per unit of crackdown force",
            "per unit force a month",
            0.3,
            PROBABILITY,
            Range(
                0.1,
                0.6,
                "data/observed.yaml: ISKP lost its Nangarhar strongholds within weeks of late"
                " 2019 under government, US and Taliban pressure (Nangarhar governor, Dec"
                " 2019); rate: judgement",
            ),
        ),
        Par(
            "joint_bonus",
            float,
            "effectiveness added by joint action with the US (1 doubles it)",
            "x effectiveness",
            1.0,
            COEFFICIENT,
            Range(0.5, 2.0, judgement("US intelligence and strikes")),
        ),
        Par(
            "leak",
            float,
            "effectiveness lost per unit of the security faction's ties to ISIS-K",
            "0..1",
            0.6,
            PROBABILITY,
            Range(0.3, 0.9, "source article: Haqqani ties to ISIS-K leaders; size: judgement"),
        ),
    ),
)
"""The crackdown rule's keys, in the order of a scenario file."""
