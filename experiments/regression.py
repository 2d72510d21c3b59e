"""Regenerate or check `tests/regression_summary.json` (see `sim.analysis.regression`).

python experiments/regression.py          # rewrite the summary
python experiments/regression.py --check  # compare; exit 1 and list the differences
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.analysis.regression import differences, summary

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "tests" / "regression_summary.json"


def main() -> None:
    """Write the summary, or with --check compare it with the committed one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    got = summary(ROOT / "scenarios")
    if not args.check:
        SUMMARY.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        print(f"wrote {SUMMARY.relative_to(ROOT)}")
        return
    lines = differences(json.loads(SUMMARY.read_text()), got)
    print("\n".join(lines) or "no differences")
    sys.exit(1 if lines else 0)


if __name__ == "__main__":
    main()
