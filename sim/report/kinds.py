"""The kinds of results folder a report knows: each one function, folder in, sections out.

A kind recognises its folder by the manifest's `kind` or by the files it holds and
returns its sections, or none when the folder is not of its kind. Several may speak
for one folder: a sweep with its `sensitivity/` and `discovery/` gives the sweep's,
the indices' and the boxes' sections. A new kind of results is one more function
here, added to `KINDS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.comparison import scenario_folders
from sim.report.page import Section, figures, folded, frame_table, paragraph, preformatted, table
from sim.report.parts import (
    csv_table,
    outcome_summaries,
    outcomes_table,
    parameter_table,
    provenance,
    read_manifest,
    scenario_text,
)

Kind = Callable[[Path, dict[str, Any]], list[Section]]


def ensemble(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim run`: the outcomes' medians and intervals, the figures, the posterior it sampled."""
    if "kind" in manifest or "scenario" not in manifest:
        return []
    summary = outcomes_table(outcome_summaries({"all replicates": folder}))
    sections = [Section("Outcomes", summary + figures(folder / "plots"))]
    if "posterior_file" in manifest:
        source = f"Posterior draws from {manifest['posterior_file']} (SHA-256 "
        source += f"{manifest.get('posterior_sha256', 'not recorded')}); the values the runs used:"
        draws = parameter_table(folder, "posterior draws over the replicates")
        sections.append(Section("Posterior used", paragraph(source) + draws))
    elif "calibrated_file" in manifest:
        fixed = "None: the fitted parameters are the posterior medians of "
        fixed += f"{Path(manifest['calibrated_file']).name}, the same in every replicate (run "
        fixed += "with --posterior to draw them)."
        sections.append(Section("Posterior used", paragraph(fixed)))
    return sections


def comparison(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim compare` / `sim experiment`: each scenario's outcomes, the differences, each text."""
    if not (folder / "differences.csv").is_file():
        return []
    differences = pd.read_csv(folder / "differences.csv")
    folders = scenario_folders(folder, differences)
    summary = outcomes_table(outcome_summaries(folders))
    reference = differences["reference"].iloc[0]
    said = "Differences in medians (for yes/no outcomes in shares of runs) from "
    said += f"{reference}, with 95% paired bootstrap intervals."
    texts = "".join(
        folded(name, scenario_text(read_manifest(path)) + provenance(read_manifest(path)))
        for name, path in folders.items()
    )
    return [
        Section("Outcomes by scenario", summary + figures(folder / "plots")),
        Section("Differences", paragraph(said) + frame_table(differences)),
        Section("Scenarios and provenance", texts),
    ]


def sweep(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim experiment` of a sweep: its design, the swept values, the outcomes over all runs."""
    if manifest.get("kind") != "sweep":
        return []
    design = manifest.get("design", {})
    said = f"{manifest.get('points')} points x {manifest.get('replicates')} replicates, "
    said += f"sampler {design.get('sampler')}, seed {design.get('seed')}."
    body = paragraph(said)
    if design.get("parameters"):
        body += frame_table(pd.DataFrame(design["parameters"]), "uncertainties")
    if design.get("levers"):
        body += preformatted(json.dumps(design["levers"], indent=2))
    body += parameter_table(folder, "values over the runs")
    summary = outcomes_table(outcome_summaries({"all runs": folder}), "outcomes over all runs")
    return [Section("Design", body), Section("Outcomes", summary)]


def sensitivity(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim sensitivity`: the indices with their intervals, the replicate noise, the figures."""
    found = folder / "sensitivity"
    if not (found / "indices.csv").is_file():
        return []
    body = csv_table(found / "noise.csv", "replicate noise") + figures(found)
    return [Section("Sensitivity", csv_table(found / "indices.csv", "indices") + body)]


def discovery(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim discover`: the condition, the chosen box, CART's leaves, feature scores, figures."""
    found = folder / "discovery"
    if not (found / "summary.json").is_file():
        return []
    summary = json.loads((found / "summary.json").read_text())
    body = table(["entry", "value"], list(summary.items()), "the condition and the chosen box")
    body += csv_table(found / "prim_box.csv", "PRIM's chosen box with its quasi-p-values")
    body += csv_table(found / "feature_scores.csv", "feature scores")
    body += folded("PRIM's peeling trajectory", csv_table(found / "prim_trajectory.csv"))
    body += folded("CART's leaves", csv_table(found / "cart_leaves.csv"))
    return [Section("Scenario discovery", body + figures(found))]


def calibration(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim calibrate`: the posterior, the generations, the figures, the calibrated scenario."""
    if manifest.get("kind") != "calibration":
        return []
    posterior = csv_table(folder / "posterior_summary.csv", "posterior: median and 90% interval")
    generations = csv_table(
        folder / "generations.csv", "Generations of the fit (one for rejection)"
    )
    calibrated = folder / "calibrated.yaml"
    scenario = preformatted(calibrated.read_text()) if calibrated.is_file() else ""
    return [
        Section("Posterior", posterior + generations + figures(folder / "plots")),
        Section("Calibrated scenario", scenario),
        Section("Manifest and provenance", provenance(manifest)),
    ]


def hindcast(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim hindcast`: each observed entry's score against the simulated bands, the figures."""
    if manifest.get("kind") != "hindcast":
        return []
    said = f"{manifest.get('scored')} of {manifest.get('entries')} entries of "
    said += f"{manifest.get('observed_file')} scored; entries not scored say why."
    scores = csv_table(folder / "hindcast.csv", "entries, bands, coverage, CRPS and PIT")
    return [
        Section("Hindcast", paragraph(said) + scores + figures(folder / "plots")),
        Section("Manifest and provenance", provenance(manifest)),
    ]


def search(folder: Path, manifest: dict[str, Any]) -> list[Section]:
    """`sim optimize`: the Pareto policies, their robustness beside the shipped policies."""
    if manifest.get("kind") != "optimize":
        return []
    said = f"{manifest.get('pareto_policies')} Pareto policies over {manifest.get('states')} "
    said += f"states of the world x {manifest.get('replicates_per_state')} replicates."
    body = paragraph(said) + csv_table(folder / "pareto.csv", "the Pareto set")
    body += csv_table(folder / "policies.csv", "robustness beside the shipped policies")
    return [
        Section("Robust policy search", body + figures(folder / "plots")),
        Section("Manifest and provenance", provenance(manifest)),
    ]


KINDS: tuple[Kind, ...] = (
    ensemble,
    comparison,
    sweep,
    sensitivity,
    discovery,
    calibration,
    hindcast,
    search,
)
"""Every kind of results folder, in the order of their sections in a report."""
