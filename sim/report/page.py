"""The pieces of a report page: escaped text, tables, embedded figures, one self-contained file.

Every piece of text is escaped here (`html.escape`), whatever file it came from, and
figures are embedded as `data:` URIs, so the page runs no script and loads nothing: it
reads the same offline, from a mail attachment or a USB stick.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

FIGURE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
"""The figures a report embeds, by suffix; an SVG goes into an `<img>`, where it runs nothing."""
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""What the page may load (its own figures and style) and run (nothing): a second guard."""
DIGITS = 4  # significant digits of the numbers in tables
STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; color: #222 }
h1 { border-bottom: 2px solid #444 } h2 { border-bottom: 1px solid #aaa; margin-top: 2em }
table { border-collapse: collapse; margin: 0.5em 0 1em } caption { text-align: left }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top }
td.number { text-align: right; font-variant-numeric: tabular-nums }
figure { margin: 1em 0 } img { max-width: 100%; height: auto; border: 1px solid #eee }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; font-size: 85% }
.note { color: #555 }
"""


@dataclass(frozen=True)
class Section:
    """One part of the report: a title and its body, HTML already escaped."""

    title: str
    body: str


def text(value: object) -> str:
    """Any value as escaped text; numbers to `DIGITS` significant digits, missing as blank."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.0f}" if abs(value) >= 10**DIGITS else f"{value:.{DIGITS}g}"
    if isinstance(value, dict | list):
        value = json.dumps(value, default=str)
    return escape(str(value))


def paragraph(words: str, css: str = "") -> str:
    """A paragraph of plain text (escaped), with an optional class."""
    kind = f' class="{escape(css)}"' if css else ""
    return f"<p{kind}>{escape(words)}</p>"


def preformatted(words: str) -> str:
    """Text kept as written (a scenario file, a manifest), escaped."""
    return f"<pre>{escape(words)}</pre>"


def folded(summary: str, body: str) -> str:
    """A body shown when its summary line is clicked (no script: `<details>`)."""
    return f"<details><summary>{escape(summary)}</summary>{body}</details>"


def table(header: Sequence[object], rows: Iterable[Sequence[object]], caption: str = "") -> str:
    """A table of escaped cells; numbers aligned right."""
    head = "".join(f"<th>{text(name)}</th>" for name in header)
    body = "".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def frame_table(frame: Any, caption: str = "") -> str:
    """A pandas DataFrame as a table, its columns as the header."""
    return table(list(frame.columns), frame.itertuples(index=False), caption)


def _cell(value: object) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<td class="number">{text(value)}</td>' if number else f"<td>{text(value)}</td>"


def figure(path: Path) -> str:
    """A figure file embedded as a data URI, captioned with its file name."""
    kind = FIGURE_TYPES[path.suffix.lower()]
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    name = escape(path.name)
    return (
        f'<figure><img src="data:{kind};base64,{data}" alt="{name}">'
        f"<figcaption>{name}</figcaption></figure>"
    )


def figures(folder: Path) -> str:
    """Every figure of a folder (PNG, or SVG where there is no PNG), in name order."""
    if not folder.is_dir():
        return ""
    found = {p.stem: p for p in sorted(folder.glob("*.svg")) if p.is_file()}
    found |= {p.stem: p for p in sorted(folder.glob("*.png")) if p.is_file()}
    return "".join(figure(found[stem]) for stem in sorted(found))


def page(title: str, sections: Sequence[Section]) -> str:
    """The whole report: one HTML file with its style inline and nothing to fetch."""
    contents = "".join(
        f'<li><a href="#part{i}">{escape(part.title)}</a></li>' for i, part in enumerate(sections)
    )
    parts = "".join(
        f'<section id="part{i}"><h2>{escape(part.title)}</h2>{part.body}</section>'
        for i, part in enumerate(sections)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1><nav><ol>{contents}</ol></nav>{parts}</body></html>\n"
    )
