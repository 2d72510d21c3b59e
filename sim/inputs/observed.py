"""Observed-data files (data/observed.yaml): read, check, and flatten into dated entries.

A file is a mapping of sections; a section is a list of entries or a mapping of
series, and a series is a list of entries, a mapping of named entries (one per group)
or a note (text). An entry is a mapping with at most one time (`month`, `date` or
`year`), numbers in `value`, `value_afn_bn` or `killed` (a number, `[low, high]`, or a
mapping of named parts), and a `source` when it has numbers. docs/observed.md
describes the format. Every problem names the file, the entry's key path and what was
expected, as scenario errors do.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.inputs.problems import Problem, ScenarioError, quote
from sim.inputs.reading import read_yaml

MONTH_ZERO = (2021, 10)  # the file's month 0 (its header says so)
NUMBER_FIELDS = ("value", "value_afn_bn", "killed")
TIME_FIELDS = ("month", "date", "year")
TEXT_FIELDS = ("source", "note", "place", "unit", "event", "observation", "actor")
ENTRY_FIELDS = (*NUMBER_FIELDS, *TIME_FIELDS, *TEXT_FIELDS)
FISCAL_YEAR_MONTHS = 12  # "FY1401 (Mar 2022-Mar 2023)": the 12 months from the first named
UNDATED = "throughout"
DATE_FORMS = (
    "YYYY, YYYY-MM, YYYY-MM-DD, YYYY-YYYY, YYYY-H1, YYYY-H2, 'YYYY-MM to YYYY-MM' "
    "(days allowed), 'FYnnnn (Mon YYYY-Mon YYYY)' or 'throughout'"
)
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

Range = tuple[float, float]


@dataclass(frozen=True)
class Entry:
    """One observed figure (or note): where it is in the file, its numbers and its months.

    `numbers[field][part]` is a range; a plain number or `[low, high]` is the part "".
    `window` holds calendar months as `12 * year + month - 1`, first and last inclusive;
    None when the entry gives no time or is undated ("throughout").
    """

    path: str
    series: str
    group: str  # the entry's name inside a series of named entries, else ""
    numbers: dict[str, dict[str, Range]]
    window: tuple[int, int] | None
    fields: dict[str, str]  # its text fields: source, note, observation, actor, ...


@dataclass(frozen=True)
class ObservedFile:
    """The entries of one observed file, in file order."""

    file: Path
    entries: tuple[Entry, ...]


def calendar_month(year: int, month: int) -> int:
    """A month as one integer: 12 * year + month - 1."""
    return 12 * year + month - 1


def month_label(index: int) -> str:
    """`YYYY-MM` of a calendar month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def load_observed(path: str | Path) -> ObservedFile:
    """Read and check an observed file; raise `ScenarioError` listing every problem."""
    path = Path(path)
    data = read_yaml(path)
    problems: list[Problem] = []
    entries: list[Entry] = []
    for section, body in data.items():
        if isinstance(body, list):
            _read_list(path, section, section, body, entries, problems)
        elif isinstance(body, dict):
            for series, node in body.items():
                _read_series(path, f"{section}.{series}", series, node, entries, problems)
        else:
            problems.append(
                Problem(str(path), section, f"got {quote(body)}; expected a list or a mapping")
            )
    if problems:
        raise ScenarioError(problems)
    return ObservedFile(path, tuple(entries))


def _read_series(
    file: Path, at: str, series: str, node: Any, out: list[Entry], problems: list[Problem]
) -> None:
    """A series: a list of entries, a mapping of named entries, or a note."""
    if isinstance(node, str):
        return
    if isinstance(node, list):
        _read_list(file, at, series, node, out, problems)
    elif isinstance(node, dict) and node and all(isinstance(v, dict) for v in node.values()):
        for group, entry in node.items():
            _read_entry(file, f"{at}.{group}", series, group, entry, out, problems)
    else:
        problems.append(
            Problem(
                str(file),
                at,
                f"got {quote(node)}; expected a list of entries, a mapping of named entries "
                "or a note (text)",
            )
        )


def _read_list(
    file: Path, at: str, series: str, node: list, out: list[Entry], problems: list[Problem]
) -> None:
    for i, entry in enumerate(node):
        _read_entry(file, f"{at}[{i}]", series, "", entry, out, problems)


def _read_entry(
    file: Path,
    at: str,
    series: str,
    group: str,
    entry: Any,
    out: list[Entry],
    problems: list[Problem],
) -> None:
    """Check one entry and append it to `out`; or note what is wrong with it."""
    found: list[Problem] = []
    if not isinstance(entry, dict):
        problems.append(Problem(str(file), at, f"got {quote(entry)}; expected an entry (mapping)"))
        return
    unknown = [k for k in entry if k not in ENTRY_FIELDS]
    if unknown:
        found.append(
            Problem(
                str(file),
                f"{at}.{unknown[0]}",
                f"unknown field; expected some of {', '.join(ENTRY_FIELDS)}",
            )
        )
    times = [k for k in TIME_FIELDS if k in entry]
    if len(times) > 1:
        found.append(
            Problem(str(file), at, f"gives {' and '.join(times)}; expected at most one time")
        )
    numbers = {}
    for field in NUMBER_FIELDS:
        if field in entry:
            parts = _number_parts(entry[field])
            if parts is None:
                found.append(
                    Problem(
                        str(file),
                        f"{at}.{field}",
                        f"got {quote(entry[field])}; expected a number, [low, high] with "
                        "low <= high, or a mapping of named numbers",
                    )
                )
            else:
                numbers[field] = parts
    for field in TEXT_FIELDS:
        if field in entry and not (isinstance(entry[field], str) and entry[field].strip()):
            found.append(
                Problem(str(file), f"{at}.{field}", f"got {quote(entry[field])}; expected text")
            )
    if numbers and "source" not in entry:
        found.append(Problem(str(file), f"{at}.source", "missing: a figure needs its source"))
    window = None
    if len(times) == 1:
        window = _window(times[0], entry[times[0]])
        if window is False:
            found.append(Problem(str(file), f"{at}.{times[0]}", _expected_time(times[0], entry)))
    problems += found
    if not found:
        fields = {k: entry[k] for k in TEXT_FIELDS if k in entry}
        out.append(Entry(at, series, group, numbers, window or None, fields))


def _expected_time(field: str, entry: dict) -> str:
    got = f"got {quote(entry[field])}; expected "
    if field == "month":
        return got + "m or [first, last], whole months from month 0 (October 2021), first <= last"
    if field == "year":
        return got + "a year, 1900 to 2100"
    return got + DATE_FORMS


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _range(value: Any) -> Range | None:
    """A number or `[low, high]` as a range; None if it is neither."""
    if _is_number(value):
        return float(value), float(value)
    pair = isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))
    if pair and value[0] <= value[1]:
        return float(value[0]), float(value[1])
    return None


def _number_parts(value: Any) -> dict[str, Range] | None:
    """A number field as named ranges ("" for a single one); None if malformed."""
    if isinstance(value, dict):
        parts = {str(k): _range(v) for k, v in value.items()}
        if not parts or any(r is None for r in parts.values()):
            return None
        return parts
    single = _range(value)
    return None if single is None else {"": single}


def _window(field: str, value: Any) -> tuple[int, int] | bool | None:
    """Calendar months of a time field; None when undated; False when malformed."""
    zero = calendar_month(*MONTH_ZERO)
    if field == "month":
        if isinstance(value, int) and not isinstance(value, bool):
            return zero + value, zero + value
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            and value[0] <= value[1]
        ):
            return zero + value[0], zero + value[1]
        return False
    if field == "year":
        return _year(value)
    if isinstance(value, datetime.date):
        month = calendar_month(value.year, value.month)
        return month, month
    if isinstance(value, int) and not isinstance(value, bool):
        return _year(value)
    if not isinstance(value, str):
        return False
    return _date_window(value.strip())


def _year(value: Any) -> tuple[int, int] | bool:
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return calendar_month(value, 1), calendar_month(value, 12)
    return False


def _date_window(text: str) -> tuple[int, int] | bool | None:
    """The months a date text spans (see `DATE_FORMS`); None if undated, False if malformed."""
    if text == UNDATED:
        return None
    single = _month_of(text)
    if single is not None:
        return single
    if m := re.fullmatch(r"(\d{4})-(\d{4})", text):
        window = _year(int(m[1])), _year(int(m[2]))
        if all(isinstance(w, tuple) for w in window) and window[0][0] <= window[1][0]:
            return window[0][0], window[1][1]
        return False
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        first = calendar_month(int(m[1]), 1 if m[2] == "1" else 7)
        return first, first + 5
    if m := re.fullmatch(r"(\S+) to (\S+)", text):
        first, last = _month_of(m[1]), _month_of(m[2])
        if first and last and first[0] <= last[1]:
            return first[0], last[1]
        return False
    m = re.fullmatch(r"FY\d{4} \((\w{3}) (\d{4})-(\w{3}) (\d{4})\)", text)
    if m and m[1].lower() in MONTH_NAMES:
        first = calendar_month(int(m[2]), MONTH_NAMES.index(m[1].lower()) + 1)
        return first, first + FISCAL_YEAR_MONTHS - 1
    return False


def _month_of(text: str) -> tuple[int, int] | None:
    """A year, month or day as the months it spans; None if it is none of them."""
    if m := re.fullmatch(r"(\d{4})", text):
        window = _year(int(m[1]))
        return window if isinstance(window, tuple) else None
    if m := re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text):
        try:
            datetime.date(int(m[1]), int(m[2]), int(m[3] or 1))
        except ValueError:
            return None
        month = calendar_month(int(m[1]), int(m[2]))
        return month, month
    return None
