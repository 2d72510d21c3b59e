"""States and donors pressing the Taliban (`international`): what each watches, sticks, carrots.

The states themselves are data of the baseline scenario; this declares what each of
their keys means, bounds and plausibly is. Each state's pressure is the logistic of a
latent score that decays toward its baseline and moves with the shortfall of Taliban
action on what it cares about (`isisk`: crackdown; `joint`: joint counter-terrorism with
the US; `concessions`; `stability`: Taliban credibility; `trade`: secure routes and a
working economy; `rivalry`: the West's distance, the reserves' holders' pressure; a
group's id: its purge),
sectarian attacks, attacks on foreigners and conduct; low pressure sustained moves it up
the engagement ladder. Read by the rules of `pressure` and `economy`.
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
    Bound,
    Par,
    Range,
    judgement,
)

SENSITIVITY = Bound(-1.0, 1.0, "log-odds per attack: ten attacks a month at 1 move any pressure")
ENGAGES_AGAINST_ISISK = (
    "Moscow format joint statement, Oct 2021; Tianjin talks, Jul 2021; Pakistan's OIC "
    "session, Dec 2021: ISIS-K's threat as a reason to work with the Taliban (size: judgement)"
)

INTERNATIONAL = Block(
    "international.*",
    (
        Par(
            "cares_about",
            float,
            "weight of each concern: isisk, joint, concessions, stability, trade (routes"
            " secure and the economy working), rivalry (the West's distance) or a foreign"
            " group's id",
            "relative weight",
            bound=WEIGHT,
            range=Range(0.0, 1.0, judgement("relative weights of a state's concerns")),
            parts={
                "trade": Range(
                    0.0,
                    1.0,
                    judgement(
                        "customs were the Taliban's largest own revenue in FY1400"
                        " (data/observed.yaml); Pakistan (Torkham, Chaman), China (mines,"
                        " the Wakhan) and Central Asia (rail, power lines) trade through"
                        " Afghanistan, the US and donors do not: 0 for them, up to a state's"
                        " top concern for the neighbours"
                    ),
                ),
                "rivalry": Range(
                    0.0,
                    1.0,
                    "data/observed.yaml, Aug 2021: Russia, China, Pakistan and Iran kept"
                    " their embassies open as Western ones closed; source article: China,"
                    " Russia and the West each weigh recognition; weight: judgement",
                ),
            },
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
            "share of the gap to the baseline closed each month, on the latent (log-odds) scale",
            "per month",
            bound=PROBABILITY,
            range=Range(0.02, 0.2, judgement("half-lives of 3-35 months")),
        ),
        Par(
            "responsiveness",
            float,
            "log-odds of pressure added per month per unit of shortfall on its concerns",
            "log-odds per month",
            bound=COEFFICIENT,
            range=Range(
                0.05,
                0.5,
                judgement("a full shortfall held moves pressure by 0.5-5 log-odds: slow diplomacy"),
            ),
        ),
        Par(
            "sectarian_sensitivity",
            float,
            "log-odds of pressure added per sectarian attack (negative: a reason to engage)",
            "log-odds per attack",
            bound=SENSITIVITY,
            range=Range(-0.02, 0.05, judgement("a few attacks a month move pressure little")),
        ),
        Par(
            "attack_sensitivity",
            float,
            "log-odds of pressure added per attack on foreigners, in Afghanistan or abroad; "
            "negative when a state reads ISIS-K's attacks as a reason to work with the Taliban",
            "log-odds per attack",
            bound=SENSITIVITY,
            range=Range(0.0, 0.1, judgement("an attack on its nationals is the Taliban's failure")),
            actors={
                state: Range(-0.1, 0.0, ENGAGES_AGAINST_ISISK)
                for state in ("china", "russia", "pakistan")
            },
        ),
        Par(
            "conduct_sensitivity",
            float,
            "log-odds of pressure added per month per unit of misconduct (force, punishment)",
            "log-odds per month",
            bound=COEFFICIENT,
            range=Range(0.0, 0.4, judgement("zero for states that ignore rights")),
            actors={
                "china": Range(
                    0.0, 0.1, judgement("trades recognition for stability and interests")
                ),
                "donors": Range(
                    0.1,
                    0.5,
                    "EU Council conclusions, Sept 2021: five benchmarks on rights; size: judgement",
                ),
                "us": Range(
                    0.1,
                    0.5,
                    "US State Dept, 2021-22: rights of women and girls a condition; "
                    "size: judgement",
                ),
            },
        ),
        Par(
            "aid_musd",
            float,
            "humanitarian aid offered at zero pressure",
            "USD million a month",
            bound=MONEY,
            range=Range(
                0.0,
                20.0,
                "Reuters, 8 Sep 2021: China pledged 200 million yuan (about $31M) of emergency "
                "aid, a few $M a month over a year; the upper end for any regional state: "
                "judgement",
            ),
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
            "engagement",
            int,
            "engagement step at month 0: 0 none, 1 embassy or envoy, 2 credentials accepted, "
            "3 sanctions relief (raises the reserves' release hazard); formal recognition (4) "
            "is taken in the run, not given at the start",
            "step",
            bound=Bound(0, 3, "the ladder's steps below recognition"),
            range=Range(0, 1, "embassies of China, Russia, Pakistan stayed open in Aug 2021"),
        ),
        Par(
            "engage_below",
            float,
            "pressure at or below which it may take the first step (embassy or envoy)",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.4, 0.8, judgement("an envoy costs little: well above recognition's bar")),
        ),
        Par(
            "recognize_below",
            float,
            "pressure at or below which it may take the top step (formal recognition); "
            "the steps between have thresholds spaced evenly from `engage_below`",
            "0..1",
            bound=PROBABILITY,
            range=Range(0.2, 0.5, judgement("well under the pressure of August 2021 (0.4-0.8)")),
        ),
        Par(
            "step_after",
            int,
            "months its pressure must stay under the next step's threshold before it may take it",
            "months in a row",
            bound=MONTHS,
            range=Range(3, 18, judgement("a step waits for a season to a year and a half of calm")),
        ),
        Par(
            "step_rate",
            float,
            "monthly chance of taking the next step once conditions hold (the top step's "
            "times Taliban credibility)",
            "per month",
            bound=PROBABILITY,
            range=Range(
                0.02, 0.2, judgement("a decision takes months to years once conditions hold")
            ),
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
