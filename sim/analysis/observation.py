"""Observation models: how the model's monthly record maps to what a source reports.

Sources count different things: the UN records attacks, IS claims some of them, some
kill; a side claims more arrests than it makes; budgets are fiscal years in afghani
while the model's revenue is dollars a month. Each series of the observed file names
an observation model (`SERIES`, or an entry's own `observation:`); the model reads a
record column over the entry's months and maps it, drawing its parameters (uniform over
their declared ranges) and any counting noise from one seeded numpy Generator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.inputs.observation_parameters import PARAMETERS

OBSERVATION_STREAM = 2  # spawn-key word of the observation draws; the model's stream has none


Mapping = Callable[[np.ndarray, dict[str, np.ndarray], np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class ObservationModel:
    """What a series counts: a record column read over the entry's months, then mapped.

    `flow` columns are summed over the window (or averaged per month, if the series
    says so); stocks are read at the window's last month. `field` and `part` name the
    entry's number compared with it (`part` None: a single number, or the sum of parts).
    """

    name: str
    column: str
    flow: bool
    maps: Mapping
    description: str
    field: str = "value"
    part: str | None = None


def as_recorded(total: np.ndarray, _: dict[str, np.ndarray], __: np.random.Generator) -> np.ndarray:
    """The record's own figure: the UN's recorded attacks, fighters, casualties."""
    return total


def claimed(total: np.ndarray, pars: dict[str, np.ndarray], gen: np.random.Generator) -> np.ndarray:
    """Attacks IS claims: each recorded attack is claimed with chance `claim_share`."""
    return gen.binomial(np.round(total).astype(np.int64), pars["claim_share"]).astype(float)


def deadly(total: np.ndarray, pars: dict[str, np.ndarray], gen: np.random.Generator) -> np.ndarray:
    """Attacks that kill: each recorded attack kills with chance `lethality_share`."""
    return gen.binomial(np.round(total).astype(np.int64), pars["lethality_share"]).astype(float)


def with_families(
    total: np.ndarray, pars: dict[str, np.ndarray], _: np.random.Generator
) -> np.ndarray:
    """A count of fighters with their families: fighters times `family_factor`."""
    return total * pars["family_factor"]


def side_claim(
    total: np.ndarray, pars: dict[str, np.ndarray], _: np.random.Generator
) -> np.ndarray:
    """A side's claim of its own yield, biased upward: the truth times `claim_factor` (>= 1)."""
    return total * pars["claim_factor"]


def afghani_bn(
    total: np.ndarray, pars: dict[str, np.ndarray], _: np.random.Generator
) -> np.ndarray:
    """USD million over the window as afghani billion, at the rate `afn_per_usd`."""
    return total * pars["afn_per_usd"] / 1000.0


def dollars_bn(total: np.ndarray, _: dict[str, np.ndarray], __: np.random.Generator) -> np.ndarray:
    """USD million as USD billion."""
    return total / 1000.0


MODELS = {
    m.name: m
    for m in (
        ObservationModel(
            "recorded_attacks", "attacks", True, as_recorded, "attacks the UN records"
        ),
        ObservationModel("claimed_attacks", "attacks", True, claimed, "attacks IS claims"),
        ObservationModel("deadly_attacks", "attacks", True, deadly, "attacks that kill"),
        ObservationModel("fighters", "fighters", False, as_recorded, "fighters"),
        ObservationModel(
            "fighters_with_families", "fighters", False, with_families, "fighters and families"
        ),
        ObservationModel(
            "claimed_removals", "crackdown_removed", True, side_claim, "a side's arrests claim"
        ),
        ObservationModel(
            "casualties", "casualties", True, as_recorded, "people killed and wounded"
        ),
        ObservationModel(
            "revenue_afn_bn",
            "revenue",
            True,
            afghani_bn,
            "domestic revenue, afghani billion",
            field="value_afn_bn",
            part="domestic_revenue",
        ),
        ObservationModel("aid_usd_bn", "aid", True, dollars_bn, "aid received, USD billion"),
        ObservationModel("frozen_usd_bn", "frozen", False, dollars_bn, "frozen reserves, USD bn"),
    )
}


@dataclass(frozen=True)
class SeriesModel:
    """How one series of the observed file is read: its model, actor, and per month or not."""

    model: str | None  # None: no model; `reason` says why
    actor: str = "isisk"
    per_month: bool = False  # a flow averaged per month rather than summed over the window
    reason: str = ""


SERIES = {
    "isisk_fighters": SeriesModel("fighters"),
    "taliban_fighters": SeriesModel("fighters", "taliban"),
    "haqqani_fighters": SeriesModel("fighters", "haqqani"),
    "foreign_fighters": SeriesModel("fighters", ""),  # the actor is the entry's group
    "frozen_reserves_usd_bn": SeriesModel("frozen_usd_bn", "taliban"),
    "humanitarian_aid_received_usd_bn": SeriesModel("aid_usd_bn", "taliban"),
    "taliban_budget": SeriesModel("revenue_afn_bn", "taliban"),
    "isisk_attacks_per_month": SeriesModel("recorded_attacks", per_month=True),
    "isisk_attacks_claimed_per_year": SeriesModel("claimed_attacks"),
    "isisk_attacks_same_window_2020": SeriesModel("recorded_attacks"),
    "civilian_casualties_isisk": SeriesModel("casualties"),
    "crackdown_effects": SeriesModel("claimed_removals"),
    "isisk_mass_casualty_attacks": SeriesModel(
        None, reason="single attacks' tolls: the model records monthly totals"
    ),
    "humanitarian_appeal_usd_bn": SeriesModel(None, reason="an appeal, not an outcome"),
    "gdp_change": SeriesModel(None, reason="the model has no GDP"),
}


def observation_generator(seed: int) -> np.random.Generator:
    """The Generator of a hindcast's observation draws, apart from the model's streams."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(OBSERVATION_STREAM,)))


def draw_parameters(replicates: int, gen: np.random.Generator) -> dict[str, np.ndarray]:
    """Each replicate's observation parameters, uniform over their ranges."""
    return {name: gen.uniform(p.low, p.high, replicates) for name, p in PARAMETERS.items()}


def with_fitted(
    fitted: dict[str, float], replicates: int, gen: np.random.Generator
) -> dict[str, np.ndarray]:
    """Observation parameters for `replicates` runs: the `fitted` ones fixed, the rest drawn.

    A parameter a calibration does not fit is drawn from its prior for each run, so its
    uncertainty is carried through rather than fixed at a guess.
    """
    drawn = draw_parameters(replicates, gen)
    return drawn | {name: np.full(replicates, value) for name, value in fitted.items()}


def column_model(column: str, flow: bool) -> ObservationModel:
    """A record column read as it is: a target that names a column, not an observation model."""
    return ObservationModel(f"column {column}", column, flow, as_recorded, f"the record's {column}")


def observe(
    model: ObservationModel,
    series: np.ndarray,
    steps: tuple[int, int],
    per_month: bool,
    pars: dict[str, np.ndarray],
    gen: np.random.Generator,
) -> np.ndarray:
    """Each replicate's observed figure from `series[replicate, step]` over steps first..last."""
    first, last = steps
    if not model.flow:
        return model.maps(series[:, last], pars, gen)
    observed = model.maps(series[:, first : last + 1].sum(axis=1), pars, gen)
    return observed / (last - first + 1) if per_month else observed


def monthly_spread(
    model: ObservationModel,
    series: np.ndarray,
    steps: tuple[int, int],
    pars: dict[str, np.ndarray],
    gen: np.random.Generator,
) -> np.ndarray:
    """Each replicate's standard deviation between the months' observed figures, steps first..last.

    The spread of tempo between months: a pattern the monthly mean does not fix.
    """
    first, last = steps
    months = [observe(model, series, (s, s), True, pars, gen) for s in range(first, last + 1)]
    return np.std(np.column_stack(months), axis=1)
