"""What every state's pressure shares (`rules.pressure`): conduct, noise, contagion, release.

The rules are in `sim.rules.pressure`; each state's own keys are in
`sim.inputs.pars.international`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import COEFFICIENT, PROBABILITY, Block, Bound, Par, Range, judgement

PRESSURE = Block(
    "rules.pressure",
    (
        Par(
            "punishment_conduct",
            float,
            "misconduct counted against the Taliban per unit of punishment",
            "misconduct",
            0.5,
            COEFFICIENT,
            Range(
                0.2, 1.0, judgement("full punishment weighs at most as wholly indiscriminate force")
            ),
        ),
        Par(
            "amnesty_risk",
            float,
            "share of the Taliban's action against ISIS-K that states discount per unit of"
            " amnesty (amnesty without vetting read as a security risk)",
            "0..1",
            0.3,
            PROBABILITY,
            Range(
                0.1,
                0.5,
                judgement(
                    "states that condition on counter-terrorism read fighters released home"
                    " or taken into the security services without vetting as ISKP left at"
                    " large; the Taliban made the 2021-22 amnesty conditional for that"
                    " reason; at full amnesty between a tenth and half of the crackdown's"
                    " credit is lost"
                ),
            ),
        ),
        Par(
            "crime_half",
            float,
            "deserters in armed crime at which the trade routes lose half their security",
            "fighters",
            3000.0,
            Bound(1.0, 1e6, "fighters: from one to ten times all the Taliban"),
            Range(
                1000.0,
                10000.0,
                judgement(
                    "a few thousand armed men astride the routes to Torkham, Spin Boldak and"
                    " the northern crossings make transit unsafe for half the traders"
                ),
            ),
        ),
        Par(
            "noise",
            float,
            "sd of each state's monthly shock to its latent pressure (politics)",
            "log-odds",
            0.1,
            Bound(0.0, 5.0, "log-odds: a shock of 5 sd moves any pressure to a bound"),
            Range(0.0, 0.3, judgement("politics of each capital")),
        ),
        Par(
            "contagion",
            float,
            "rise of a state's chance of a step per share of the other states already past it",
            "x chance",
            0.5,
            COEFFICIENT,
            Range(
                0.0,
                2.0,
                "Coggins 2014, Power Politics and State Formation: recognitions follow "
                "others'; size: judgement",
            ),
        ),
        Par(
            "release_rate",
            float,
            "monthly chance of the frozen reserves' release at full compliance and good "
            "conduct, with no holder engaged (courts, executive orders)",
            "per month",
            0.01,
            PROBABILITY,
            Range(
                0.0,
                0.02,
                "US Executive Order 14064, Feb 2022: half the reserves set aside for the Afghan "
                "people, through courts; rate: judgement",
            ),
        ),
        Par(
            "release_engagement",
            float,
            "rise of the release chance per engagement step of the holders (their mean)",
            "x chance per step",
            2.0,
            COEFFICIENT,
            Range(0.5, 4.0, judgement("relief on the ladder's third step is the release itself")),
        ),
    ),
)
"""The pressure rule's keys, in the order of a scenario file."""
