"""Robustness metrics: one figure per policy and objective from its outcomes over the SOWs.

As McPhail et al. (2018) sort them: the mean and a percentile of the outcome over the
states of the world (SOWs), the regret (how much worse than a reference policy in the
same SOW, at a percentile of the SOWs), and satisficing (the share of SOWs in which
the outcome meets a threshold). A SOW's value is the mean of its replicates: a yes/no
outcome's share of them; a month that never came counts as the horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.outcomes import OUTCOMES
from sim.inputs.robust import Objective
from sim.runs.population import POLICY_COLUMN
from sim.runs.states import SOW_COLUMN


def sow_values(runs: pd.DataFrame, outcome: str, horizon: int) -> np.ndarray:
    """(policies, SOWs): each policy's mean outcome in each SOW over its replicates.

    `runs` as `sim.runs.population.run_population` returns them; a month outcome that
    never came (NaN) counts as `horizon`, so "later" and "never" both score as late.
    """
    values = runs[outcome].to_numpy(float)
    if OUTCOMES[outcome].kind == "month":
        values = np.where(np.isnan(values), float(horizon), values)
    frame = pd.DataFrame(
        {POLICY_COLUMN: runs[POLICY_COLUMN], SOW_COLUMN: runs[SOW_COLUMN], "value": values}
    )
    means = frame.groupby([POLICY_COLUMN, SOW_COLUMN])["value"].mean().unstack(SOW_COLUMN)
    return means.to_numpy()


def robustness(objective: Objective, values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each policy's robustness figure for `objective`, from its SOW values (policies, SOWs).

    `reference`: the regret's reference policy's value in each SOW (SOWs,).
    """
    sign = 1.0 if objective.direction == "minimize" else -1.0
    if objective.metric == "mean":
        return values.mean(axis=1)
    if objective.metric == "percentile":
        return np.percentile(values, objective.percentile, axis=1)
    if objective.metric == "regret":
        return np.percentile(sign * (values - reference), objective.percentile, axis=1)
    met = values <= objective.threshold if sign > 0 else values >= objective.threshold
    return met.mean(axis=1)


def to_minimise(objective: Objective, figures: np.ndarray) -> np.ndarray:
    """The robustness figures as the optimiser minimises them (lower is better)."""
    if objective.metric == "regret":
        return figures
    if objective.metric == "satisficing" or objective.direction == "maximize":
        return -figures
    return figures
