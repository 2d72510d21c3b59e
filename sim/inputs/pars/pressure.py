"""What every state's pressure shares (`rules.pressure`): how conduct is judged, its noise.

The rules are in `sim.rules.pressure`; each state's own keys are in
`sim.inputs.pars.international`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import COEFFICIENT, Block, Bound, Par, Range, judgement

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
            "noise",
            float,
            "sd of each state's monthly pressure shock (politics)",
            "pressure",
            0.02,
            Bound(0.0, 1.0, "pressure is bounded to [0, 1] anyway"),
            Range(0.0, 0.05, judgement("politics of each capital")),
        ),
    ),
)
"""The pressure rule's keys, in the order of a scenario file."""
