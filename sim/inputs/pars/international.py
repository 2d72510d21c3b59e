"""States and donors pressing the Taliban (`international`): what each watches, sticks, carrots.

The states themselves are data of the baseline scenario; this declares what each of
their keys means, bounds and plausibly is. Each state's pressure decays toward its
baseline and moves with the shortfall of Taliban action on what it cares about
(`isisk`: crackdown; `joint`: joint counter-terrorism with the US; `concessions`;
a group's id: its purge), sectarian attacks, attacks on foreigners and conduct.
Read by the rules of `pressure` and `economy`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import (
    COEFFICIENT,
    MONEY,
    MONTHS,
    NAMES,
    PROBABILITY,
    WEIGHT,
    Block,
    Par,
    Range,
    judgement,
)

LOW_PRESSURE = "months of pressure at or below `satisfied_below` in a row"

INTERNATIONAL = Block(
    "international.*",
    (
        Par(
            "cares_about",
            float,
            "weight of each concern: isisk, joint, concessions or a foreign group's id",
            "relative weight",
            bound=WEIGHT,
            range=Range(0.0, 1.0, judgement("relative weights of a state's concerns")),
            keys=str,
            items=NAMES,
        ),
        Par(
            "demand",
            float,
            "action on its concerns that satisfies it",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.2, 0.8, judgement("action on their concerns that satisfies them")),
        ),
        Par(
            "pressure",
            float,
            "pressure at month 0",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.2, 1.0, judgement("August 2021: sanctions, frozen reserves")),
        ),
        Par(
            "baseline_pressure",
            float,
            "pressure toward which it decays",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.1, 0.7, judgement("pressure left when nothing happens")),
        ),
        Par(
            "pressure_decay",
            float,
            "share of the gap to the baseline pressure closed each month",
            "per month",
            bound=PROBABILITY,
            range=Range(0.02, 0.2, judgement("half-lives of 3-35 months")),
        ),
        Par(
            "responsiveness",
            float,
            "pressure added per month per unit of shortfall on its concerns",
            "per month",
            bound=COEFFICIENT,
            range=Range(
                0.01,
                0.1,
                judgement("a full shortfall adds 0.1-1 to pressure in ten months: slow diplomacy"),
            ),
        ),
        Par(
            "sectarian_sensitivity",
            float,
            "pressure added per sectarian attack",
            "per attack",
            bound=COEFFICIENT,
            range=Range(0.0, 0.002, judgement("per sectarian attack")),
        ),
        Par(
            "attack_sensitivity",
            float,
            "pressure added per attack on foreigners, in Afghanistan or abroad",
            "per attack",
            bound=COEFFICIENT,
            range=Range(0.0, 0.005, judgement("per attack on foreigners")),
        ),
        Par(
            "conduct_sensitivity",
            float,
            "pressure added per unit of misconduct (indiscriminate force, punishment)",
            "per month",
            bound=COEFFICIENT,
            range=Range(0.0, 0.08, judgement("zero for states that ignore rights")),
            actors={
                "china": Range(
                    0.0, 0.08, judgement("trades recognition for stability and interests")
                ),
                "donors": Range(0.0, 0.08, judgement("donors condition aid on rights and conduct")),
            },
        ),
        Par(
            "aid_musd",
            float,
            "humanitarian aid offered at zero pressure",
            "USD million a month",
            bound=MONEY,
            range=Range(0.0, 20.0, judgement("regional states' aid is small")),
            actors={
                "us": Range(20, 120, "OCHA 2022: the US about a third of $2.1-2.6bn/half"),
                "donors": Range(80, 250, "OCHA: $1.5bn in 2021, $2.1-2.6bn in H1 2022"),
            },
        ),
        Par(
            "aid_conditionality",
            float,
            "share of its aid withheld at full pressure",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.0, 0.8, judgement("humanitarian aid mostly flows")),
        ),
        Par(
            "holds_frozen_funds",
            bool,
            "holds part of the frozen reserves (the US about $7bn; Europe and the UAE the rest)",
        ),
        Par(
            "satisfied_below",
            float,
            "pressure at or below which a month counts toward unfreezing and recognition",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.2, 0.5, judgement("well under the pressure of August 2021 (0.4-0.8)")),
        ),
        Par(
            "unfreeze_after",
            int,
            "months of low pressure after which it releases its share of the reserves",
            LOW_PRESSURE,
            bound=MONTHS,
            range=Range(6, 24, judgement("months of low pressure")),
        ),
        Par(
            "recognize_after",
            int,
            "months of low pressure after which it may recognise the Taliban",
            LOW_PRESSURE,
            bound=MONTHS,
            range=Range(12, 60, judgement("months of low pressure")),
        ),
        Par(
            "recognition_rate",
            float,
            "monthly chance of recognition once conditions hold, times Taliban credibility",
            "per month",
            bound=PROBABILITY,
            range=Range(0.01, 0.1, judgement("a monthly hazard once conditions hold")),
        ),
        Par(
            "min_credibility",
            float,
            "Taliban credibility below which it does not recognise",
            "0..1",
            bound=PROBABILITY,
            range=Range(
                0.2, 0.7, judgement("those that condition on rights ask more than those that trade")
            ),
        ),
    ),
)
"""The keys of each international actor."""
