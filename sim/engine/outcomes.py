"""The summary outcomes of a run (docs/design.md §5): one row each, with its reduction.

A row names the actor (or kind of actor) whose record it reads, the record column
(`sim.engine.record.COLUMNS`) and how the months reduce to one number per replicate;
the few outcomes no plain reduction gives name a function of this module instead. Both
recorders (the vectorised engine's and the Mesa reference's) compute every outcome from
these rows with `Registry.reduce`, and the tables, summaries, plots and comparisons read
the rows' names and places, so adding an outcome is adding a row to `OUTCOMES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["amount", "event", "month"]
Actor = Literal["taliban", "faction", "isisk", "foreign_group", "international"]
Over = Literal["last", "sum", "max", "mean", "first", "ever"]
Place = Literal["summary", "histogram", "violin", "curve", "ablation", "frontier"]
SINGLE: tuple[Actor, ...] = ("taliban", "isisk")  # one actor each; the other kinds are several


@dataclass(frozen=True)
class Record:
    """A recorder's array as the reductions read it.

    Attributes:
        values: `values[replicate, month, actor, column]` from month 0 to the last recorded.
        actor_types: the kind of each actor (`sim.engine.record.ACTOR_TYPES`); the
            actors of a kind sit next to each other.
        columns: the column names (`sim.engine.record.COLUMNS`).
    """

    values: np.ndarray
    actor_types: Sequence[str]
    columns: Sequence[str]

    def of(self, actor: Actor, column: str) -> np.ndarray:
        """`[replicate, month]` of a single actor, `[replicate, month, actor]` of a kind."""
        c = self.columns.index(column)
        at = [i for i, kind in enumerate(self.actor_types) if kind == actor]
        if actor in SINGLE:
            return self.values[:, :, at[0], c]
        return self.values[:, :, at[0] : at[-1] + 1, c] if at else self.values[:, :, 0:0, c]


def last(x: np.ndarray) -> np.ndarray:
    """The last month's value (a kind's actors added together)."""
    return x[:, -1] if x.ndim == 2 else x[:, -1].sum(axis=1)


def total(x: np.ndarray) -> np.ndarray:
    """The sum over months 1 onwards (month 0 holds the start, no flows), and over a kind."""
    return x[:, 1:].sum(axis=tuple(range(1, x.ndim)))


def peak(x: np.ndarray) -> np.ndarray:
    """The largest value of any month, month 0 included (a kind added month by month)."""
    return (x if x.ndim == 2 else x.sum(axis=2)).max(axis=1)


def mean(x: np.ndarray) -> np.ndarray:
    """The mean over months 1 onwards (a kind added month by month)."""
    return (x if x.ndim == 2 else x.sum(axis=2))[:, 1:].mean(axis=1)


def happened(x: np.ndarray) -> np.ndarray:
    """`[replicate, month]`: the value is above 0 (for a kind: for any of its actors)."""
    return x > 0 if x.ndim == 2 else (x > 0).any(axis=2)


def first(x: np.ndarray) -> np.ndarray:
    """The first month in which the value is above 0 (any actor of a kind); NaN if never."""
    months = happened(x)
    return np.where(months.any(axis=1), np.argmax(months, axis=1).astype(float), np.nan)


def ever(x: np.ndarray) -> np.ndarray:
    """Whether the value was ever above 0 (any actor of a kind): never is False."""
    return happened(x).any(axis=1)


REDUCTIONS: dict[Over, Callable[[np.ndarray], np.ndarray]] = {
    "last": last,
    "sum": total,
    "max": peak,
    "mean": mean,
    "first": first,
    "ever": ever,
}
KINDS: dict[Over, Kind] = {"first": "month", "ever": "event"}  # every other reduction: "amount"


def defections_from_taliban(record: Record) -> np.ndarray:
    """Fighters ISIS-K took in (`defected_in`) less those foreign groups handed it."""
    return total(record.of("isisk", "defected_in")) - total(
        record.of("foreign_group", "defected_out")
    )


def factions_gone_to(kind: str) -> Callable[[Record], np.ndarray]:
    """The number of factions whose breakaway went to `kind` (one of `schema.BREAKAWAYS`)."""

    def gone(record: Record) -> np.ndarray:
        # Imported here: the figures read the rows without loading the schema (pydantic).
        from sim.inputs.schema import BREAKAWAYS

        went = record.of("faction", "breakaway_to")[:, -1]
        return (went == BREAKAWAYS.index(kind)).sum(axis=1).astype(float)

    gone.__name__ = f"factions_gone_to_{kind}"
    return gone


@dataclass(frozen=True)
class Outcome:
    """One scalar outcome per run and how the record reduces to it.

    Attributes:
        name: column of the runs table.
        label: a readable title.
        unit: what it counts ("" for events).
        actor: whose record: a single actor (taliban, isisk) or a kind whose actors
            are added together (faction, foreign_group, international).
        column: the record column (`sim.engine.record.COLUMNS`).
        over: how the months reduce (`REDUCTIONS`): the last month, the sum or mean of
            months 1 onwards, the max of all months, the first month the value is above 0
            (NaN if never), or whether it ever was (an event; never is False); or a
            function of the whole `Record` for an outcome no plain reduction gives
            (then `actor` and `column` are None).
        shown: where it appears besides the runs table: "summary" (printed by `sim run`,
            compared between scenarios, a sweep's default), "histogram" (the
            distributions figure), "violin" (the comparison figure), "curve" (an event
            drawn as its probability by month), "ablation" and "frontier" (the tables of
            `experiments/mechanism_ablation.py` and `experiments/lever_frontier.py`).
    """

    name: str
    label: str
    unit: str
    actor: Actor | None
    column: str | None
    over: Over | Callable[[Record], np.ndarray]
    shown: frozenset[Place] = frozenset()

    def __post_init__(self) -> None:
        """A plain reduction needs an actor and a column; a function needs neither."""
        plain = not callable(self.over)
        if plain != (self.actor is not None and self.column is not None) or (
            plain and self.over not in REDUCTIONS
        ):
            raise ValueError(
                f"outcome {self.name}: give an actor, a column and one of {tuple(REDUCTIONS)},"
                f" or a function of the record alone; got {self.actor}, {self.column}, {self.over}"
            )

    @property
    def kind(self) -> Kind:
        """Amount (a number), event (yes/no) or month (when it first happened; NaN if never)."""
        return "amount" if callable(self.over) else KINDS.get(self.over, "amount")

    def reduce(self, record: Record) -> np.ndarray:
        """This outcome of every replicate of the record."""
        if callable(self.over):
            return self.over(record)
        return REDUCTIONS[self.over](record.of(self.actor, self.column))


def shown(*places: Place) -> frozenset[Place]:
    """The places an outcome appears (`Outcome.shown`)."""
    return frozenset(places)


ROWS = (
    Outcome("isisk_final", "ISIS-K strength at the end", "fighters",
            "isisk", "fighters", "last",
            shown("summary", "histogram", "violin", "ablation", "frontier")),
    Outcome("isisk_peak", "ISIS-K peak strength", "fighters",
            "isisk", "fighters", "max", shown("summary", "histogram")),
    Outcome("isisk_cells_final", "ISIS-K cells at the end", "cells",
            "isisk", "cells", "last"),
    Outcome("safe_areas_final", "ISIS-K's safe areas at the end", "0-1",
            "isisk", "safe_areas", "last"),
    Outcome("taliban_final", "Taliban strength at the end", "fighters",
            "taliban", "fighters", "last", shown("summary", "histogram", "violin")),
    Outcome("attacks_total", "ISIS-K attacks, total", "attacks",
            "isisk", "attacks", "sum",
            shown("summary", "histogram", "violin", "ablation", "frontier")),
    Outcome("sectarian_attacks_total", "Sectarian attacks, total", "attacks",
            "isisk", "sectarian_attacks", "sum"),
    Outcome("attacks_abroad_total", "ISIS-K attacks abroad, total", "attacks",
            "isisk", "attacks_abroad", "sum"),
    Outcome("casualties_total", "Casualties, total", "people",
            "isisk", "casualties", "sum", shown("histogram")),
    Outcome("crackdown_removed_total", "ISIS-K fighters removed by the crackdown", "fighters",
            "isisk", "crackdown_removed", "sum"),
    Outcome("defections_total", "Defections to ISIS-K, total", "fighters",
            "isisk", "defected_in", "sum",
            shown("summary", "histogram", "violin", "ablation", "frontier")),
    Outcome("defections_taliban", "Defections from the Taliban", "fighters",
            None, None, defections_from_taliban),
    Outcome("defections_foreign", "Defections from foreign groups", "fighters",
            "foreign_group", "defected_out", "sum"),
    Outcome("desertions_total", "Desertions, total", "fighters",
            "faction", "deserted", "sum", shown("frontier")),
    Outcome("surrenders_total", "ISIS-K fighters who surrendered, total", "fighters",
            "isisk", "surrendered", "sum", shown("frontier")),
    Outcome("fragmented", "Taliban fragmented", "",
            "faction", "broken_away", "ever",
            shown("summary", "curve", "ablation", "frontier")),
    Outcome("fragmented_month", "Month the Taliban fragmented", "month",
            "faction", "broken_away", "first"),
    Outcome("breakaways_isisk", "Factions gone over to ISIS-K", "factions",
            None, None, factions_gone_to("isisk")),
    Outcome("breakaways_independent", "Factions gone their own way", "factions",
            None, None, factions_gone_to("independent")),
    Outcome("breakaways_rival", "Factions set up as rival Taliban", "factions",
            None, None, factions_gone_to("rival")),
    Outcome("recognized", "Taliban recognised", "",
            "international", "recognized", "ever",
            shown("summary", "curve", "ablation", "frontier")),
    Outcome("recognized_month", "Month of the first recognition", "month",
            "international", "recognized", "first"),
    Outcome("recognitions_final", "States recognising at the end", "states",
            "international", "recognized", "last"),
    Outcome("engagement_final", "Engagement steps taken by all states at the end", "steps",
            "international", "engagement", "last", shown("summary", "frontier")),
    Outcome("engagement_peak", "Mean engagement step of the states, highest month", "step",
            "taliban", "engagement", "max"),
    Outcome("revenue_mean", "Fiscal revenue, monthly mean", "USD million",
            "taliban", "revenue", "mean", shown("ablation", "frontier")),
    Outcome("pressure_final", "International pressure at the end, mean of states", "0-1",
            "taliban", "pressure", "last", shown("frontier")),
    Outcome("hardship_final", "Economic hardship at the end", "0-1",
            "taliban", "hardship", "last", shown("ablation", "frontier")),
    Outcome("unfrozen", "Reserves unfrozen", "",
            "taliban", "unfrozen", "ever", shown("frontier")),
    Outcome("unfrozen_month", "Month the reserves were unfrozen", "month",
            "taliban", "unfrozen", "first"),
)  # fmt: skip


class Registry:
    """The declared outcomes, in runs-table order; `OUTCOMES` is the one the package reads.

    Everything reads the rows when it runs, so a test can give `OUTCOMES.rows` other rows
    (pytest's `monkeypatch.setattr(OUTCOMES, "rows", ...)`) and see them everywhere.
    """

    def __init__(self, rows: Iterable[Outcome]) -> None:
        self.rows = tuple(rows)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.rows)

    def __contains__(self, name: object) -> bool:
        return self.get(name) is not None

    def __getitem__(self, name: str) -> Outcome:
        outcome = self.get(name)
        if outcome is None:
            raise KeyError(f"no outcome {name!r}; the outcomes are {self.names}")
        return outcome

    def get(self, name: object) -> Outcome | None:
        """The outcome of that name, None if there is none."""
        return next((o for o in self.rows if o.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Every outcome's name, in order."""
        return tuple(o.name for o in self.rows)

    @property
    def events(self) -> tuple[str, ...]:
        """The yes/no outcomes."""
        return tuple(o.name for o in self.rows if o.kind == "event")

    def shown(self, place: Place) -> tuple[str, ...]:
        """The outcomes shown in `place` (see `Outcome.shown`), in order."""
        return tuple(o.name for o in self.rows if place in o.shown)

    def month_of(self, event: str) -> Outcome:
        """The month an event first happened: the row reading its actor and column over "first"."""
        happened = self[event]
        for outcome in self.rows:
            if (outcome.actor, outcome.column, outcome.over) == (
                happened.actor,
                happened.column,
                "first",
            ):
                return outcome
        raise KeyError(f"no outcome gives the month of {event!r}")

    def reduce(self, record: Record) -> list[dict[str, float | bool]]:
        """Every outcome of each replicate of the record, as plain floats and bools."""
        columns = {o.name: o.reduce(record) for o in self.rows}
        return [
            {name: _scalar(values[r]) for name, values in columns.items()}
            for r in range(len(record.values))
        ]


def _scalar(value: np.generic) -> float | bool:
    """A numpy scalar as the plain Python float or bool the tables expect."""
    return bool(value) if isinstance(value, np.bool_) else float(value)


OUTCOMES = Registry(ROWS)
