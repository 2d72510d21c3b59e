"""The parameters of the observation models: what a source counts relative to the model.

Declared with the inputs (like `sim.inputs.ranges`) because a calibration file may fit
them (`observation.<name>` keys) and its loader gives them their priors; the mappings
that use them are in `sim.analysis.observation`.
"""

from __future__ import annotations

from dataclasses import dataclass

OBSERVATION_PREFIX = "observation."
"""Key prefix of an observation parameter in a calibration file (`observation.claim_share`)."""


@dataclass(frozen=True)
class ObservationParameter:
    """A parameter of an observation model: a uniform prior over [low, high], with its source."""

    name: str
    low: float
    high: float
    unit: str
    source: str


PARAMETERS = {
    p.name: p
    for p in (
        ObservationParameter(
            "claim_share",
            0.3,
            1.0,
            "share of recorded attacks",
            "IESS counts 20 claimed attacks a month over Aug 2021-Jun 2022 against the UN's "
            "34 recorded a month over Aug-Dec 2021 (about 0.6); wide either side",
        ),
        ObservationParameter(
            "lethality_share",
            0.2,
            0.9,
            "share of recorded attacks",
            "assumption: no source in data/observed.yaml gives the share of attacks that kill",
        ),
        ObservationParameter(
            "family_factor",
            1.5,
            4.0,
            "people per fighter",
            "Nangarhar governor, Dec 2019: 413 armed men surrendered with 1,301 people (3.2)",
        ),
        ObservationParameter(
            "claim_factor",
            1.0,
            3.0,
            "claimed per actual",
            "assumption: a side's claim of its own arrests is at least the truth, at most "
            "three times it",
        ),
        ObservationParameter(
            "afn_per_usd",
            77.0,
            105.0,
            "AFN per USD",
            "88 quoted with the FY1401 budget (May 2022); the afghani traded between about "
            "77 and 105 from Aug 2021 to mid-2022",
        ),
    )
}
