"""How the declared ranges rest: the basis of each, counted for the head of docs/parameters.md.

Counted per declared range (an entry of `sim.inputs.ranges.RANGES`): a range declared
for any actor (`*`) counts once however many actors it covers, and an actor's own range
counts once more. The observation models' parameters are not scenario ranges and are
not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from sim.inputs.calibration import ParameterList
from sim.inputs.pars import BLOCKS
from sim.inputs.ranges import ParameterRange, range_of
from sim.inputs.scenario import read_file_as

BASES = {
    "sourced": "a cited source gives the number or bounds the range",
    "sourced in part": "a cited source gives a figure, the direction or the sign; the size or "
    "the range around the figure is judgement",
    "calibrated": "fitted to observed series",
    "lever": "the user's choice of policy",
    "unit of measure": "fixed at one value: the unit other parameters are measured in",
    "judgement": "the modeller's reasoning alone, no source for the number",
}
"""Each kind of basis a range can have, with what it means; `basis_of` sorts them."""

PREFIXES = (
    ("judgement:", "judgement"),
    ("lever", "lever"),
    ("calibrated", "calibrated"),
    ("a unit of measure", "unit of measure"),
)
"""How a range's source starts, for each kind of basis that is not a citation."""


def basis_of(source: str) -> str:
    """The kind of a range's source (a key of `BASES`).

    A citation that says its size is judgement is "sourced in part"; any other
    citation is "sourced".
    """
    text = source.strip()
    for prefix, kind in PREFIXES:
        if text.startswith(prefix):
            return kind
    return "sourced in part" if "judgement" in text else "sourced"


@dataclass(frozen=True)
class Tally:
    """The declared ranges counted by basis.

    Attributes:
        counts: ranges of each kind of `BASES`, in its order.
        fitted: judgement ranges the calibration fits (a parameter they cover is fitted).
    """

    counts: dict[str, int]
    fitted: int

    @property
    def total(self) -> int:
        """All declared ranges."""
        return sum(self.counts.values())

    @property
    def judgement_alone(self) -> int:
        """Judgement ranges the calibration does not fit: nothing but judgement holds them."""
        return self.counts["judgement"] - self.fitted


def tally(ranges: Sequence[ParameterRange], fitted: Iterable[str]) -> Tally:
    """Count `ranges` by basis; `fitted` are the keys of the ranges the calibration fits."""
    kinds = Counter(basis_of(entry.basis) for entry in ranges)
    fitted = set(fitted)
    return Tally(
        {kind: kinds[kind] for kind in BASES},
        sum(entry.key in fitted and basis_of(entry.basis) == "judgement" for entry in ranges),
    )


def fitted_ranges(calibration_list: Path) -> set[str]:
    """Keys of the ranges that cover a parameter the calibration fits (its generated list)."""
    listed = read_file_as(calibration_list, ParameterList).parameters
    return {entry.key for p in listed if (entry := range_of(p.key)) is not None}


def block_of(entry: ParameterRange) -> str:
    """The path of the declared block a range belongs to (the longest that matches its key)."""
    paths = [b.path for b in BLOCKS if fnmatchcase(entry.key, f"{b.path}.*")]
    return max(paths, key=len)


def judgement_by_block(ranges: Sequence[ParameterRange]) -> list[tuple[str, int, int]]:
    """(block path, judgement ranges, all ranges) of each block, most judgement first."""
    judged = Counter(block_of(e) for e in ranges if basis_of(e.basis) == "judgement")
    every = Counter(block_of(e) for e in ranges)
    return sorted(((path, judged[path], n) for path, n in every.items()), key=lambda b: -b[1])


def blocks_text(ranges: Sequence[ParameterRange]) -> str:
    """Judgement ranges by block, as a markdown table, most first."""
    rows = ["| block | judgement | ranges |", "|---|---|---|"]
    rows += [f"| `{path}` | {judged} | {n} |" for path, judged, n in judgement_by_block(ranges)]
    return "\n".join(rows)


def counts_text(counts: Tally) -> str:
    """The counts as a markdown table and a sentence on the judgement alone."""
    rows = ["| basis | meaning | ranges |", "|---|---|---|"]
    rows += [f"| {kind} | {BASES[kind]} | {counts.counts[kind]} |" for kind in BASES]
    rows.append(f"| all | | {counts.total} |")
    share = counts.counts["judgement"] / counts.total
    alone = counts.judgement_alone / counts.total
    most = (counts.total - 1) // 2
    return "\n".join(rows) + (
        f"\n\nJudgement: {counts.counts['judgement']} of {counts.total} ranges ({share:.0%}); "
        f"the calibration fits {counts.fitted} of them, which leaves "
        f"{counts.judgement_alone} ({alone:.0%}) resting on judgement alone. "
        f"Fewer than half is at most {most} judgement ranges: "
        f"{_to_go(counts.counts['judgement'], most)} to go, "
        f"{_to_go(counts.judgement_alone, most)} counting only those the calibration does not fit. "
        "Fitted is not the same as informed: the data narrow few of the fitted parameters "
        '(docs/calibration.md, "Results of the shipped calibration"), and a fitted range '
        "the data leave as wide as its prior still rests on the judgement that set it."
    )


def _to_go(judged: int, most: int) -> str:
    """How many judgement ranges must still be sourced, or that none must."""
    return str(judged - most) if judged > most else "none"
