"""Names that become folder names: scenario and experiment names, checked to stay inside a folder.

A scenario's `name` names its default results folder (`results/<name>-seed<seed>`,
`<out>/<name>`), so it must be one plain path component: letters, digits, `_`, `-`
and `.`, not starting with a dot, at most `MAX_NAME` characters.
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.inputs.problems import quote, refuse

MAX_NAME = 64
MAX_FOLDER = 255  # the longest file name most file systems allow
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
NAME_RULE = (
    f"a name of 1 to {MAX_NAME} letters, digits, '_', '-' or '.', not starting with '.'"
    " (it names a results folder)"
)


def is_safe_name(name: str) -> bool:
    """Whether `name` is one harmless path component (see `NAME_RULE`)."""
    return len(name) <= MAX_NAME and NAME_PATTERN.fullmatch(name) is not None


def safe_folder_name(parent: Path, name: str) -> Path:
    """`parent / name`, refusing (`ScenarioError`) a name that would leave `parent` or hide.

    The one place a results folder is named after a scenario or experiment.
    """
    if len(name) > MAX_FOLDER or NAME_PATTERN.fullmatch(name) is None:
        raise refuse(parent, "name", f"got {quote(name)} as a folder name; expected {NAME_RULE}")
    return Path(parent) / name
