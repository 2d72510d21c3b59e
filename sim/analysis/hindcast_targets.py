"""Which observed entries a run can be scored against, and the steps each one reads.

Calendar month c is the scenario's month c - start; observed month m is the model's
step m + 1 (step 1 is the first simulated month, see experiments/calibration.yaml). A
stock is read at the end of the window's last month, which must be simulated. A total
needs every month of its window simulated; a per-month mean is read over the simulated
part of its window, and says so. Entries that cannot be scored are kept, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.observation import MODELS, SERIES, ObservationModel, SeriesModel
from sim.inputs.observed import Entry, ObservedFile, month_label
from sim.inputs.problems import Problem, ScenarioError, quote


@dataclass(frozen=True)
class Target:
    """One observed entry with a number: how it is simulated, or why it is not scored."""

    entry: Entry
    model: ObservationModel | None
    actor: str
    per_month: bool
    low: float
    high: float
    steps: tuple[int, int] | None  # the record's steps read, first and last; None: not scored
    reason: str  # why not scored, or a note on a partial window

    @property
    def scored(self) -> bool:
        """Whether the run is scored against this entry."""
        return self.steps is not None


def hindcast_targets(
    observed: ObservedFile, start: int, steps: int, actors: list[str]
) -> list[Target]:
    """A target per entry with a number; `start` is the scenario's first calendar month.

    Raises `ScenarioError` for an entry naming an unknown observation model or actor.
    """
    valid = {"observation": list(MODELS), "actor": actors}
    problems = [
        Problem(
            str(observed.file),
            f"{entry.path}.{field}",
            f"got {quote(entry.fields[field])}; expected one of {', '.join(names)}",
        )
        for entry in observed.entries
        for field, names in valid.items()
        if field in entry.fields and entry.fields[field] not in names
    ]
    if problems:
        raise ScenarioError(problems)
    return [_target(e, start, steps, actors) for e in observed.entries if e.numbers]


def _series_model(entry: Entry) -> SeriesModel:
    """The series' declared reading, with the entry's own `observation:` and `actor:` if any."""
    declared = SERIES.get(entry.series)
    own = entry.fields.get("observation")
    if declared is None and own is None:
        reason = f"no observation model for series {entry.series!r}: give it `observation:`"
        declared = SeriesModel(None, reason=reason)
    declared = declared or SeriesModel(own)
    actor = entry.fields.get("actor") or declared.actor or entry.group
    return SeriesModel(own or declared.model, actor, declared.per_month, declared.reason)


def _target(entry: Entry, start: int, steps: int, actors: list[str]) -> Target:
    reading = _series_model(entry)
    model = MODELS.get(reading.model) if reading.model else None
    low, high, reason = _observed_range(entry, model)
    if model is None:
        reason = reading.reason
    elif not reason and reading.actor not in actors:
        reason = f"no actor {reading.actor!r} in the record"
    span: tuple[int, int] | None = None
    if not reason:
        span, reason = _steps(entry, model, reading.per_month, start, steps)
    return Target(entry, model, reading.actor, reading.per_month, low, high, span, reason)


def _observed_range(entry: Entry, model: ObservationModel | None) -> tuple[float, float, str]:
    """The entry's range for the model's field and part; NaNs and the reason when it has none."""
    nan = float("nan")
    field = model.field if model else next(iter(entry.numbers))
    parts = entry.numbers.get(field)
    if parts is None:
        return nan, nan, f"no {field} (the observation model compares that field)"
    if model and model.part and model.part in parts:
        return *parts[model.part], ""
    if "" in parts:
        return *parts[""], ""
    if model and model.part:
        return nan, nan, f"no part {model.part!r} in {field}"
    return sum(r[0] for r in parts.values()), sum(r[1] for r in parts.values()), ""


def _steps(
    entry: Entry, model: ObservationModel, per_month: bool, start: int, steps: int
) -> tuple[tuple[int, int] | None, str]:
    """The steps the entry reads, or None with the reason it cannot be scored."""
    if entry.window is None:
        return None, "no dated window (month, date or year)"
    first, last = entry.window
    end = start + steps - 1
    simulated = f"the run simulates {month_label(start)}..{month_label(end)}"
    window = f"{month_label(first)}..{month_label(last)}"
    if not model.flow or not per_month:
        needed = (last, last) if not model.flow else (first, last)
        if needed[0] < start or needed[1] > end:
            what = "its last month" if not model.flow else "all its months"
            return None, f"window {window} needs {what}; {simulated}"
        return (needed[0] - start + 1, last - start + 1), ""
    inside = max(first, start), min(last, end)
    if inside[0] > inside[1]:
        return None, f"window {window} outside what is simulated; {simulated}"
    note = ""
    if inside != (first, last):
        note = f"mean of {month_label(inside[0])}..{month_label(inside[1])} of {window}"
    return (inside[0] - start + 1, inside[1] - start + 1), note
