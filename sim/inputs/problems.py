"""What is wrong with an input file: `Problem` (file, key path, message) and `ScenarioError`.

Messages quote only short, parsed values: `quote` cuts every echoed value to a few
dozen characters, and at most `MAX_LISTED` problems are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUOTE_CHARS = 80  # longest echo of a value in a message: enough to recognise it
MAX_LISTED = 50  # problems listed in full; a file with more is mostly junk


def quote(value: Any) -> str:
    """`repr(value)`, cut to `QUOTE_CHARS` characters so a message never echoes a whole file."""
    text = _bounded_repr(value)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 3] + "..."


def _bounded_repr(value: Any) -> str:
    """`repr` of the first entries only of a large container: the cost does not grow with it."""
    if isinstance(value, dict) and len(value) > 8:
        return "{" + ", ".join(f"{k!r}: ..." for k in list(value)[:8]) + ", ...}"
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return "[" + ", ".join(quote(v) for v in value[:8]) + ", ...]"
    if isinstance(value, str) and len(value) > QUOTE_CHARS:
        return repr(value[:QUOTE_CHARS])
    return repr(value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is and what was expected."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be run; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"... and {len(problems) - MAX_LISTED} more problems")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        """Pickle as the problems, so an error from a worker process arrives whole."""
        return type(self), (self.problems,)


def refuse(file: Any, path: str, message: str) -> ScenarioError:
    """A `ScenarioError` with one problem (to `raise`)."""
    return ScenarioError([Problem(str(file), path, message)])
