"""ISIS-K attacks (`rules.attacks`): tempo, suppression, targets, success, severity, learning.

The rules are in `sim.rules.attacks`; the leadership's choice of effort is `rules.strategy`.
"""

from __future__ import annotations

from typing import Literal

from sim.inputs.pars.declare import (
    PROBABILITY,
    WEIGHT,
    Block,
    Bound,
    Par,
    Range,
    judgement,
)

TARGETS = ("sectarian", "taliban", "foreign", "abroad")
"""What ISIS-K attacks: Shia/Hazara civilians, the Taliban, foreigners in Afghanistan, abroad."""
Target = Literal[TARGETS]

CAPABILITY = Bound(0.0, 100.0, "a multiplier of the attack rate", open_low=True)

ATTACKS = Block(
    "rules.attacks",
    (
        Par(
            "base_rate",
            float,
            "attacks a month per reference_size fighters, all effort at home, at capability 1",
            "attacks a month",
            3.1,
            Bound(0.0, 30.0, "per reference_size fighters a month: a cell attacking daily"),
            Range(1.5, 4.0, "UN: 38-48 attacks a month in Sep-Oct 2021"),
        ),
        Par(
            "reference_size",
            float,
            "fighters whose tempo is `base_rate` (tempo is additive in fighters)",
            "fighters",
            100,
            Bound(10.0, 1e6, "fighters: base_rate per fewer is a rate per fighter"),
            Range(100, 100, "a unit of measure, not a parameter"),
        ),
        Par(
            "size_exponent",
            float,
            "ISIS-K-wide tempo grows as (cadre / reference_cadre) to this power",
            "exponent",
            0.7,
            Bound(0.0, 2.0, "observed 0.7; 2 is already explosive"),
            Range(0.5, 1.0, "Clauset & Gleditsch 2012: tempo grows with size; exponent: judgement"),
        ),
        Par(
            "lie_low",
            float,
            "suppression: cells lie low under effective pressure",
            "per unit of force",
            6.0,
            Bound(0.0, 100.0, "suppression is complete long before"),
            Range(2.0, 10.0, "Kress & Szechtman 2009: containment; judgement"),
        ),
        Par(
            "reference_cadre",
            float,
            "ISIS-K-wide cadre at which returns to scale neither raise nor lower the tempo",
            "fighters",
            2000,
            Bound(1.0, 1e7, "fighters: one at least"),
            Range(2000, 2000, "a unit of measure, not a parameter"),
        ),
        Par(
            "founding_capability",
            float,
            "capability of a new cell founded by defectors or newcomers, as a share of the start",
            "0..1",
            0.5,
            PROBABILITY,
            Range(
                0.3, 0.8, "Clauset & Gleditsch 2012: tempo grows with experience; size: judgement"
            ),
        ),
        Par(
            "learning",
            float,
            "capability gained per attack (experience)",
            "per attack",
            0.002,
            Bound(0.0, 1.0, "capability gained per attack"),
            Range(0.0, 0.005, "Clauset & Gleditsch 2012: experience; rate: judgement"),
        ),
        Par(
            "capability_recovery",
            float,
            "share of the gap to a cell's skill recovered each month after losses of leaders",
            "per month",
            0.03,
            PROBABILITY,
            Range(
                0.02,
                0.1,
                "Jordan 2009; Price 2012: leaders replaced in months to years; rate: judgement",
            ),
        ),
        Par(
            "min_capability",
            float,
            "least capability of a cell",
            "multiplier",
            0.2,
            CAPABILITY,
            Range(0.1, 0.5, judgement("a cell whose leaders are arrested keeps some capability")),
        ),
        Par(
            "max_capability",
            float,
            "most capability of a cell",
            "multiplier",
            2.0,
            CAPABILITY,
            Range(1.5, 3.0, judgement("experience at most doubles or triples the tempo")),
        ),
        Par(
            "target_shares",
            float,
            "share of attacks on each target (abroad: besides the external operations chosen)",
            "relative weight",
            {"sectarian": 0.4, "taliban": 0.45, "foreign": 0.12, "abroad": 0.0},
            WEIGHT,
            Range(0.0, 0.6, "UNAMA/UN: Shia/Hazara and Taliban targets; shares: judgement"),
            keys=Target,
        ),
        Par(
            "success",
            float,
            "chance that an attack succeeds (kills or wounds)",
            "0..1",
            0.6,
            PROBABILITY,
            Range(0.4, 0.8, judgement("about half to most attempts kill or wound")),
        ),
        Par(
            "severity_min",
            float,
            "least people killed or wounded by a success (Pareto tail)",
            "people",
            1.0,
            Bound(0.0, 1e4, "people", open_low=True),
            Range(1.0, 1.0, "a unit of measure: one person"),
        ),
        Par(
            "severity_exponent",
            float,
            "exponent of the Pareto tail of people killed or wounded",
            "exponent",
            2.5,
            Bound(
                1.5,
                10.0,
                "observed tails are 2-3; below 1.5 one draw can exceed 1e30 people, and inf "
                "below 1.05",
            ),
            Range(2.0, 3.0, "Bohorquez et al. 2009: about 2.5"),
        ),
        Par(
            "taliban_killed_per_attack",
            float,
            "Taliban fighters killed per successful attack on the Taliban",
            "fighters",
            1.5,
            Bound(0.0, 1e4, "fighters per success: beyond any attack"),
            Range(0.5, 3.0, judgement("a successful attack kills one to a few fighters")),
        ),
        Par(
            "exposure_per_attack",
            float,
            "exposure of a cell added per attack",
            "per attack",
            0.05,
            PROBABILITY,
            Range(0.01, 0.1, judgement("each attack gives a cell away a little")),
        ),
        Par(
            "exposure_decay",
            float,
            "share of a cell's exposure lost each month",
            "per month",
            0.1,
            PROBABILITY,
            Range(0.05, 0.3, judgement("a cell's exposure fades within months")),
        ),
        Par(
            "momentum_decay",
            float,
            "share of momentum kept each month",
            "per month",
            0.8,
            PROBABILITY,
            Range(0.6, 0.95, judgement("success is remembered for months (half-lives 1.4-14)")),
        ),
        Par(
            "momentum_saturation",
            float,
            "successes per month that saturate momentum",
            "successes a month",
            30,
            Bound(0.0, 1e6, "successes a month", open_low=True),
            Range(
                15,
                60,
                judgement("near the 23-29 successes a month of late 2021 (38-48 attacks x 0.6)"),
            ),
        ),
        Par(
            "credibility_loss",
            float,
            "Taliban credibility lost per successful sectarian attack",
            "per attack",
            0.004,
            PROBABILITY,
            Range(0.001, 0.01, "source article: attacks expose weak rule; size: judgement"),
        ),
        Par(
            "credibility_recovery",
            float,
            "share of lost credibility regained each month",
            "per month",
            0.05,
            PROBABILITY,
            Range(0.01, 0.1, judgement("credibility returns over years, not weeks")),
        ),
    ),
)
"""The attack rule's keys, in the order of a scenario file."""
