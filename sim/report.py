"""Read a results directory and draw its figures into `plots/`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sim import plots

FAN_COLUMNS = ["scenario", "replicate", "step", "date", "actor", "actor_type", "fighters"]


def read_runs(out: Path) -> pd.DataFrame:
    """The runs table of a results directory."""
    return pq.read_table(Path(out) / "runs.parquet").to_pandas()


def read_fighters(out: Path, actors: list[str] | None = None) -> pd.DataFrame:
    """Fighters per actor and step, reading only the columns (and actors) needed."""
    filters = [("actor", "in", actors)] if actors else None
    table = pq.read_table(Path(out) / "timeseries.parquet", columns=FAN_COLUMNS, filters=filters)
    return table.to_pandas()


def write_plots(out: Path, steps: int, start: str) -> list[Path]:
    """Fan chart, outcome distributions and event probabilities of one ensemble."""
    out = Path(out)
    runs = read_runs(out)
    figures = {
        "strength": plots.strength_fan(read_fighters(out)),
        "outcomes": plots.outcome_distributions(runs),
        "events": plots.event_probability(runs, steps=steps, start=start),
    }
    return [
        p for name, fig in figures.items() for p in plots.save_figure(fig, out / "plots" / name)
    ]
