"""Sections several kinds of results folder share: outcomes, parameters, scenario, provenance."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import yaml

from sim.analysis.summary import Summary, summarise
from sim.engine.outcomes import OUTCOMES
from sim.report.page import Section, frame_table, paragraph, preformatted, table, text

LARGE = ("scenario",)  # manifest keys shown as the scenario's text, not in the provenance table


def read_manifest(folder: Path) -> dict[str, Any]:
    """A folder's manifest.json, or an empty dict where there is none."""
    path = folder / "manifest.json"
    if not path.is_file():
        return {}
    manifest = json.loads(path.read_text())
    return manifest if isinstance(manifest, dict) else {}


def outcome_summaries(folders: Mapping[str, Path]) -> dict[str, list[Summary]]:
    """Median and 90% interval of the summary's outcomes in each folder's runs.parquet."""
    found = {}
    for name, folder in folders.items():
        runs = pq.ParquetFile(folder / "runs.parquet")
        shown = [o for o in OUTCOMES.shown("summary") if o in runs.schema_arrow.names]
        found[name] = summarise(runs.read(columns=shown), tuple(shown))
    return found


def outcomes_table(summaries: Mapping[str, list[Summary]], caption: str = "") -> str:
    """One row per outcome, one column per group of runs: median [5%, 95%], or a share."""
    groups = list(summaries)
    rows = []
    for i, first in enumerate(summaries[groups[0]]):
        outcome = OUTCOMES[first.outcome]
        unit = f" ({outcome.unit})" if outcome.unit else ""
        rows.append([outcome.label + unit, *(_summary(summaries[g][i]) for g in groups)])
    return table(["outcome", *groups], rows, caption)


def _summary(row: Summary) -> str:
    if row.p5 is None:
        return f"{row.median:.0%} of runs"
    return f"{text(row.median)} [{text(row.p5)}, {text(row.p95)}]"


def parameter_table(folder: Path, caption: str) -> str:
    """Median, 90% interval and range of each scenario key path that is a column of the runs."""
    runs = pq.ParquetFile(folder / "runs.parquet")
    keys = [name for name in runs.schema_arrow.names if "." in name]
    if not keys:
        return ""
    frame = runs.read(columns=keys).to_pandas()
    rows = [
        [key, *frame[key].quantile([0.5, 0.05, 0.95]).tolist(), frame[key].min(), frame[key].max()]
        for key in keys
    ]
    return table(["parameter", "median", "5%", "95%", "min", "max"], rows, caption)


def csv_table(path: Path, caption: str = "") -> str:
    """A CSV file of the folder as a table; nothing when the file is missing."""
    return frame_table(pd.read_csv(path), caption) if path.is_file() else ""


def scenario_text(manifest: Mapping[str, Any]) -> str:
    """The resolved scenario a manifest records: its description, then the whole as YAML."""
    scenario = manifest.get("scenario")
    if not isinstance(scenario, dict):
        return paragraph("The manifest records no scenario.", "note")
    described = paragraph(str(scenario.get("description", "")))
    return described + preformatted(yaml.safe_dump(scenario, sort_keys=False))


def provenance(manifest: Mapping[str, Any]) -> str:
    """The manifest's entries (code, versions, seeds, hashes, times) as a table."""
    rows = [[key, value] for key, value in manifest.items() if key not in LARGE]
    return table(["entry", "value"], rows)


def manifest_sections(manifest: Mapping[str, Any]) -> list[Section]:
    """The scenario's text and the provenance of a folder whose manifest records a scenario."""
    if "scenario" not in manifest:
        return []
    return [
        Section("Scenario", scenario_text(manifest)),
        Section("Manifest and provenance", provenance(manifest)),
    ]
