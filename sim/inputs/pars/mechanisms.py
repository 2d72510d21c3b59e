"""The mechanism switches (`mechanisms.<name>`): each mechanism on or off, and its scale.

`World.step` reads them; what a scale multiplies is said by each rule.
"""

from __future__ import annotations

from sim.inputs.pars.declare import Block, Bound, Par, Range, judgement

MECHANISM = Block(
    "mechanisms.*",
    (
        Par("enabled", bool, "the mechanism runs", default=True),
        Par(
            "scale",
            float,
            "multiplies the mechanism's effect",
            "x as designed",
            1.0,
            Bound(0.0, 10.0, "ten times as designed is a stress test"),
            Range(0.5, 1.5, judgement("a rule half or half again as strong")),
        ),
    ),
    switch_defaults=True,
)
"""One mechanism's switch: on as designed unless a scenario says otherwise."""
