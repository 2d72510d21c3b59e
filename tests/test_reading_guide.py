"""The guide to reading the outputs (docs/reading-outputs.md) defines every outcome."""

from __future__ import annotations

from pathlib import Path

from sim.engine.outcomes import OUTCOMES

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "reading-outputs.md"


def test_the_guide_defines_every_outcome():
    guide = GUIDE.read_text()
    assert [name for name in OUTCOMES.names if f"`{name}`" not in guide] == []
