"""Citations point at something: every cited document, file and section exists.

The code, the tests, the experiments, the scenarios, README.md and docs/ cite sections
as "ODD 7.5" or "docs/design.md §3" (also "section 3"), files by their path from the
repository's root ("docs/parameters.md", "sim/inputs/ranges.py"), and the documents
link each other ("[ODD.md](ODD.md)"). Inside a document, "section 10" and a bare
"7.9" name its own sections. A section exists when a heading of the document starts
with its number ("### 7.9 Fragmentation").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("README.md", "sim", "tests", "experiments", "scenarios", "docs")
SUFFIXES = {".py", ".md", ".yaml", ".yml"}
HOSTILE = ROOT / "tests" / "bad_scenarios"
DOCUMENTS = {"ODD": "docs/ODD.md", "design": "docs/design.md"}
SECTION = re.compile(
    r"\b(?P<doc>ODD|design)(?:\.md)?,?[ \t]+(?:§[ \t]?|section[ \t]+)?(?P<number>\d+(?:\.\d+)?)\b"
)
FILE = re.compile(
    r"(?<![\w./-])(?P<path>(?:docs|sim|tests|experiments|scenarios|data)/[\w./*-]*\w\.[a-z]+)\b"
)
LINK = re.compile(r"\]\((?P<target>[^)#:\s]+)(?:#[^)]*)?\)")
OWN_SECTION = re.compile(r"\bsection[ \t]+(?P<number>\d+(?:\.\d+)?)\b")
BARE_NUMBER = re.compile(r"(?<![\w.$\\])(?P<major>\d+)\.\d+(?![\w.])")
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<number>\d+(?:\.\d+)?)\b", re.MULTILINE)
MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`", re.DOTALL)


def sections(document: Path) -> set[str]:
    """The numbers of a markdown document's numbered headings ("7", "7.9")."""
    return set(HEADING.findall(document.read_text()))


def broken_references(path: Path, root: Path = ROOT) -> list[str]:
    """What `path` cites that does not exist: documents, files, sections. Empty when all do."""
    text = path.read_text()
    where = path.relative_to(root) if path.is_relative_to(root) else path
    problems = []
    for match in SECTION.finditer(text):
        document = root / DOCUMENTS[match["doc"]]
        if not document.is_file():
            problems.append(f"{where}: {match[0]!r}: {DOCUMENTS[match['doc']]} does not exist")
        elif match["number"] not in sections(document):
            problems.append(
                f"{where}: {match[0]!r}: no section {match['number']} in {document.name}"
            )
    for match in FILE.finditer(text):
        if not any(root.glob(match["path"])):
            problems.append(f"{where}: {match['path']} does not exist")
    if path.suffix == ".md":
        problems += _broken_links(path, text, where)
        problems += _broken_own_sections(path, text, where)
    return problems


def _broken_links(path: Path, text: str, where: Path) -> list[str]:
    """Relative markdown links whose target is missing."""
    return [
        f"{where}: link to {m['target']} does not exist"
        for m in LINK.finditer(text)
        if not (path.parent / m["target"]).exists()
    ]


def _broken_own_sections(path: Path, text: str, where: Path) -> list[str]:
    """A document's "section N" and bare "N.M" (where section N has subsections) that it lacks.

    Formulas and code spans are skipped: their numbers are not sections.
    """
    own = sections(path)
    prose = MATH_OR_CODE.sub(" ", text)
    with_subsections = {number.split(".")[0] for number in own if "." in number}
    cited = [m["number"] for m in OWN_SECTION.finditer(prose)]
    cited += [m[0] for m in BARE_NUMBER.finditer(prose) if m["major"] in with_subsections]
    return [
        f"{where}: section {number} is not a heading of it" for number in cited if number not in own
    ]


def scanned_files() -> list[Path]:
    """Every text file of the scanned folders but this one and the corpus of hostile files.

    This file plants bad references on purpose; tests/bad_scenarios is not prose.
    """
    files = []
    for name in SCANNED:
        top = ROOT / name
        files += [top] if top.is_file() else sorted(top.rglob("*"))
    return [
        f
        for f in files
        if f.suffix in SUFFIXES and f != Path(__file__).resolve() and HOSTILE not in f.parents
    ]


@pytest.mark.parametrize("path", scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_reference_points_at_an_existing_file_and_section(path):
    assert broken_references(path) == []


def test_the_cited_documents_have_numbered_sections():
    for document in DOCUMENTS.values():
        assert {"1", "3"} <= sections(ROOT / document), document


@pytest.mark.parametrize(
    "text",
    [
        "Units join cells (ODD 7.5); see docs/ODD.md section 7.",
        "See docs/design.md §3, design.md section 4 and sim/inputs/ranges.py.",
    ],
)
def test_a_sound_reference_passes(tmp_path, text):
    planted = tmp_path / "planted.py"
    planted.write_text(f'"""{text}"""\n')
    assert broken_references(planted) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("A faction that breaks away remains (ODD 7.10).", "no section 7.10 in ODD.md"),
        ("The levers (docs/design.md §12).", "no section 12 in design.md"),
        ("Ranges are in docs/parameter.md.", "docs/parameter.md does not exist"),
        ("Tests in tests/test_tiny_world.py.", "tests/test_tiny_world.py does not exist"),
    ],
)
def test_a_planted_bad_reference_is_caught(tmp_path, text, problem):
    planted = tmp_path / "planted.py"
    planted.write_text(f'"""{text}"""\n')
    found = broken_references(planted)
    assert len(found) == 1 and problem in found[0], found


def test_a_document_citing_a_missing_section_of_its_own_is_caught(tmp_path):
    document = tmp_path / "notes.md"
    document.write_text(
        "# Notes\n## 1 One\n### 1.1 Sub\nSee section 2, (1.1) and (1.2); $x = 1.5$ is a number.\n"
        "[ODD](missing.md)\n"
    )
    assert broken_references(document) == [
        f"{document}: link to missing.md does not exist",
        f"{document}: section 2 is not a heading of it",
        f"{document}: section 1.2 is not a heading of it",
    ]
