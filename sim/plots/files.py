"""Draw the figures of an ensemble, a comparison or a sweep from its results into `plots/`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.analysis.report import fighter_bands, read_fighters, read_runs
from sim.plots import FIGURES, side_by_side
from sim.plots import sensitivity as sensitivity_plots
from sim.plots.distributions import outcome_distributions
from sim.plots.events import event_probability
from sim.plots.fan import strength_fan_of_bands
from sim.plots.response import response_curves, response_pairs
from sim.plots.saving import save_figure
from sim.plots.style import Styles, ensemble_label, posterior_label

COMPARED_ACTORS = ("isisk", "taliban")

if TYPE_CHECKING:  # SALib and scipy.stats load only for a sensitivity analysis
    from sim.analysis.sensitivity import Sensitivity


def write_plots(
    out: Path,
    steps: int,
    start: str,
    styles: Styles | None = None,
    names: Sequence[str] = FIGURES,
) -> list[Path]:
    """Fan chart, outcome distributions and event probabilities of one ensemble; the files.

    The subtitles name the posterior the parameters were drawn from, if any (the manifest's).
    `names` picks some of the figures, so that separate processes can share the drawing.
    """
    out = Path(out)
    runs = read_runs(out)
    posterior = posterior_label(json.loads((out / "manifest.json").read_text()))
    label = ensemble_label(runs, pooled=True, posterior=posterior)
    draw = {
        "strength": lambda: strength_fan_of_bands(
            fighter_bands(out, len(runs), steps, start), label, styles=styles
        ),
        "outcomes": lambda: outcome_distributions(runs, posterior=posterior),
        "events": lambda: event_probability(runs, steps=steps, start=start, posterior=posterior),
    }
    return [p for name in names for p in save_figure(draw[name](), out / "plots" / name)]


def write_comparison_plots(
    out: Path, names: list[str], steps: int, start: str, styles: Styles | None = None
) -> list[Path]:
    """Fan charts, violins and event probabilities of the scenarios in `out/<name>/`."""
    out = Path(out)
    runs = pd.concat([read_runs(out / n) for n in names], ignore_index=True)
    fighters = pd.concat([_compared_fighters(out / n) for n in names], ignore_index=True)
    figures = {
        "compare_strength": side_by_side.compare_strength(
            fighters, actors=COMPARED_ACTORS, styles=styles
        ),
        "compare_outcomes": side_by_side.compare_outcomes(runs),
        "compare_events": side_by_side.compare_event_probability(runs, steps=steps, start=start),
    }
    return [p for name, fig in figures.items() for p in save_figure(fig, out / "plots" / name)]


def _compared_fighters(out: Path) -> pd.DataFrame:
    """The fighters `compare_strength` draws: ISIS-K, the Taliban and every foreign group."""
    rows = read_fighters(out)
    return rows[rows["actor"].isin(COMPARED_ACTORS) | (rows["actor_type"] == "foreign_group")]


def write_sensitivity_plots(folder: Path, result: Sensitivity) -> list[Path]:
    """The indices' figures (Sobol' bars or Morris scatter), one per lever set; the files."""
    sets = sorted(result.indices["lever_set"].unique())
    written = []
    for lever_set in sets:
        indices = result.indices[result.indices["lever_set"] == lever_set]
        noise = result.noise[result.noise["lever_set"] == lever_set]
        suffix = f"-levers{lever_set}" if len(sets) > 1 else ""
        if "ST" in indices:
            fig, name = sensitivity_plots.sobol_indices(indices, noise), "sobol"
        else:
            fig, name = sensitivity_plots.morris_scatter(indices, noise), "morris"
        written += save_figure(fig, Path(folder) / f"{name}{suffix}")
    return written


def write_response_plots(
    out: Path, points: pd.DataFrame, responses: pd.DataFrame, parameters: list[str]
) -> list[Path]:
    """A grid or Latin-hypercube sweep's response curves (and pairs, for two parameters).

    One figure of each per lever set, into `out/plots/`; the files.
    """
    sets = sorted(points["lever_set"].unique())
    written = []
    for lever_set in sets:
        suffix = f"-levers{lever_set}" if len(sets) > 1 else ""
        chosen = points[points["lever_set"] == lever_set]
        curves = responses[responses["lever_set"] == lever_set]
        figures = {"response": response_curves(chosen, curves, parameters)}
        if len(parameters) == 2:
            figures["response_pairs"] = response_pairs(chosen, parameters)
        for name, fig in figures.items():
            written += save_figure(fig, Path(out) / "plots" / f"{name}{suffix}")
    return written
