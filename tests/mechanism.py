"""Shared machinery of the mechanism tests, one file per mechanism (`test_mechanism_*.py`).

Each of those files holds, in this order, the tests of its rule module's pure functions
(hand-computed values and hypothesis properties: `EXACT`, `PROPERTY`, `updated`), of its
verbs on the tiny world (`tests/tiny.py`), exact runs of the shipped scenarios, and its
statistical claims: rows made by `claim` (and `switch_claims`) that its `test_claim`
hands to `check_claim`, a one-sided test at ALPHA over replicates 0..n-1 of two arms
(`conftest.outcomes`; Mann-Whitney U `greater` / `less` on amounts, Fisher exact
`more_often` on events). Arms are cached for the session, so files share their
reference arms. The overrides below name the baseline's actors and are used by more
than one mechanism's file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import (
    REPLICATES,
    batch,
    differing_columns,
    greater,
    identical,
    less,
    outcomes,
)
from hypothesis import settings
from hypothesis import strategies as st

from sim.engine.record import Recorder

# --- pure functions ---------------------------------------------------------------------

EXACT = dict(rel=1e-12, abs=1e-15)
unit = st.floats(0.0, 1.0)
weight = st.floats(0.0, 100.0)
logit_base = st.floats(-100.0, 100.0)
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)


def updated(block, **values):
    """A parameter block with some values changed (unvalidated, like an override)."""
    return block.model_copy(update=values)


# --- runs of the shipped scenarios ------------------------------------------------------

FACTIONS = ("haqqani", "kandahari", "doha", "northern")
GROUPS = ("ttp", "al_qaeda", "etim_tip", "imu", "katibat_imam_al_bukhari", "jamaat_ansarullah")
STATES = ("us", "china", "russia", "pakistan", "donors")
N = 2 * REPLICATES  # replicates per arm of a claim (40 by default)
LONG = {"steps": 36}  # for the rarer events: recognition, breakaways
SHORT = {"steps": 12}
SEEDS = (0, 1)  # replicates of the exact (non-statistical) comparisons


def every_state(**values: Any) -> dict:
    """Overrides setting the same values on every international actor."""
    return {f"international__{s}__{k}": v for s in STATES for k, v in values.items()}


ATTACKS_OFF = {"mechanisms__attacks__enabled": False}  # also freezes momentum
SECTARIAN = {"rules__attacks__target_shares": dict(sectarian=0.9, taliban=0.05, foreign=0.05)}
NOT_SECTARIAN = {"rules__attacks__target_shares": dict(sectarian=0.0, taliban=0.9, foreign=0.1)}
UNILATERAL = {"policy__crackdown": 0.7}
JOINT = {"policy__crackdown": 0.7, "policy__joint_with_us": True}
# pressure driven by policy alone: no attacks, no shocks, no conduct watched
QUIET_PRESSURE = {
    "steps": 12,
    **ATTACKS_OFF,
    "rules__pressure__noise": 0.0,
    **every_state(conduct_sensitivity=0.0),
}
BREAK_EVERYONE = {"rules__fragmentation__base_hazard": 1.0}  # every faction but the core leaves


def check_own_parameters(mechanism: str, own: dict[str, Any]) -> None:
    """A mechanism's own parameters change nothing while it is off, every replicate while on."""
    off = {f"mechanisms__{mechanism}__enabled": False}
    plain = batch("baseline", SEEDS, **SHORT, **off).values
    changed = batch("baseline", SEEDS, **SHORT, **off, **own).values
    differ = differing_columns(plain, changed)
    assert differ == [], f"{mechanism} off, yet its parameters changed {differ}"
    # the same parameters do matter when the mechanism is on, in every replicate
    on_plain = batch("baseline", SEEDS, **SHORT).values
    on_changed = batch("baseline", SEEDS, **SHORT, **own).values
    for r in range(len(SEEDS)):
        assert not identical(on_plain[r], on_changed[r]), r


def check_scale_acts_once(mechanism: str, policy: Callable[[float], dict]) -> Recorder:
    """Scale 2 at `policy(0.25)` is scale 1 at `policy(0.5)`, draw for draw; the latter's run.

    Scale 2 at `policy(0.25)` also differs from scale 1 at `policy(0.25)` in every replicate.
    """
    replicates = range(4)
    doubled = {f"mechanisms__{mechanism}__scale": 2.0}
    scaled = batch("baseline", replicates, **SHORT, **policy(0.25), **doubled)
    raised = batch("baseline", replicates, **SHORT, **policy(0.5))
    assert identical(scaled.values, raised.values)
    plain = batch("baseline", replicates, **SHORT, **policy(0.25))
    for r in replicates:
        assert not identical(scaled.values[r], plain.values[r]), r
    return raised


# --- statistical claims -----------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A claim: `arm` moves `outcome` against `reference` as `test` says (one-sided, ALPHA).

    Both arms run `scenario` with their overrides, unless `versus` names the reference
    arm's own scenario file; `versus_outcome` compares another outcome of the reference.
    """

    claim: str
    outcome: str
    test: Callable[..., float]
    arm: dict[str, Any]
    reference: dict[str, Any] = field(default_factory=dict)
    scenario: str = "baseline"
    versus: str | None = None
    versus_outcome: str | None = None
    n: int = N


def claim(
    text: str,
    outcome: str,
    test: Callable[..., float],
    arm: dict,
    reference: dict | None = None,
    *,
    slow: bool = False,
    **kwargs: Any,
):
    """A row of a file's `CLAIMS`, its id the claim's text; `slow` marks it for the slow tier."""
    marks = [pytest.mark.slow] if slow else []
    row = Claim(text, outcome, test, arm, reference or {}, **kwargs)
    return pytest.param(row, id=text.replace(" ", "_"), marks=marks)


def switch_claims(
    mechanism: str, scenario: str, outcome: str, on_vs_off: int, doubled: int, n: int = N
):
    """The mechanism's rows on vs off, and (slow) scale 2 vs 1, in `scenario`.

    `on_vs_off` and `doubled` are the directions of `outcome`: +1 more, -1 less; `n`
    replicates an arm.
    """
    switch = f"mechanisms__{mechanism}"
    return [
        claim(f"{mechanism} on vs off", outcome, greater if on_vs_off > 0 else less,
              {}, {f"{switch}__enabled": False}, scenario=scenario, n=n),
        claim(f"{mechanism} at scale 2 vs 1", outcome, greater if doubled > 0 else less,
              {f"{switch}__scale": 2.0}, scenario=scenario, slow=True),
    ]  # fmt: skip


def check_claim(row: Claim) -> None:
    """Run both arms of a claim (cached) and apply its one-sided test."""
    arm = outcomes(row.scenario, row.n, **row.arm)[row.outcome]
    reference = outcomes(row.versus or row.scenario, row.n, **row.reference)
    row.test(arm, reference[row.versus_outcome or row.outcome], row.claim)
