"""Read one input file within fixed budgets, so a small hostile file cannot exhaust memory.

Only regular files are read: a pipe, a device or a folder is refused without waiting on
it. The safe loader builds plain data only (no Python tags), refuses a key given twice,
keys that are not strings, nesting deeper than `MAX_DEPTH`, files larger than
`MAX_BYTES`, and more than `MAX_NODES` values once aliases are expanded (a
"billion laughs" of nested aliases is refused while it is read, not after). Errors
give the line and column, never the text of the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.inputs.problems import quote, refuse

MAX_BYTES = 1_000_000  # the baseline scenario is 12 kB
MAX_DEPTH = 32  # scenarios nest 5 levels deep; deeper is junk, and Python's stack is finite
MAX_NODES = 50_000  # values after alias expansion; the baseline has about 600
MAX_DESCRIPTION = 240  # characters of the parser's account of a syntax error


class BoundedLoader(yaml.SafeLoader):
    """A safe loader that counts values (aliases expanded) and depth while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0
        self.sizes: dict[str, int] = {}  # values under each anchor, aliases expanded

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        """Compose as PyYAML does, counting each value and each alias's expansion."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.anchors and event.anchor not in self.sizes:
                raise yaml.composer.ComposerError(
                    None, None, "an alias refers to a value that contains it", event.start_mark
                )
            self._count(self.sizes.get(event.anchor, 0), event)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        before = self.nodes
        self._count(1, event)
        node = super().compose_node(parent, index)
        self.depth -= 1
        if event.anchor is not None:
            self.sizes[event.anchor] = self.nodes - before
        return node

    def _count(self, values: int, event: yaml.Event) -> None:
        self.nodes += values
        if self.nodes > MAX_NODES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"more than {MAX_NODES} values (aliases expanded); a scenario has about 600",
                event.start_mark,
            )


def _construct_mapping(loader: BoundedLoader, node: yaml.MappingNode) -> dict:
    """A mapping whose keys are strings, each given once (`<<` merge keys aside)."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {quote(key)} is a {type(key).__name__}; keys must be names (strings)",
                key_node.start_mark,
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {quote(key)} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


BoundedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def is_file(path: Path) -> bool:
    """Whether `path` is a regular file; False for names no file can have (a NUL, too long)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file at most `limit` long; a pipe or device is refused unread.

    The file is opened without blocking and checked by its descriptor, so a FIFO named
    as an input cannot hang the command waiting for a writer.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a file name"
        raise refuse(quote(str(path)), "", f"cannot read file ({reason})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe or a device)"
        raise refuse(path, "", f"{kind}; expected a file")
    with os.fdopen(fd, "rb") as stream:
        raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise refuse(path, "", f"larger than {limit} bytes, the most a file of its kind may be")
    return raw


def read_text(path: Path) -> str:
    """The file's text, if it is UTF-8 and at most `MAX_BYTES` long."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(
            path, "", f"not UTF-8 text (byte {exc.start}); expected a YAML text file"
        ) from None


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse one YAML file with the bounded safe loader into a mapping of names to values."""
    text = read_text(path)
    try:
        data = _untangle(yaml.load(text, Loader=BoundedLoader))
    except yaml.YAMLError as exc:
        raise refuse(path, "", f"not valid safe YAML: {_describe(exc)}") from None
    if data is None:
        raise refuse(path, "", "the file is empty; expected a mapping of keys")
    if not isinstance(data, dict):
        raise refuse(path, "", f"expected a mapping of keys, got a {type(data).__name__}")
    return data


def _untangle(value: Any) -> Any:
    """A copy in which no two places share one object, so a change at one leaves the other."""
    if isinstance(value, dict):
        return {k: _untangle(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untangle(v) for v in value]
    return value


def _describe(exc: yaml.YAMLError) -> str:
    """What the YAML parser found and where, without quoting the file's text."""
    if isinstance(exc, yaml.MarkedYAMLError):
        context = f"{exc.context}{_where(exc.context_mark)}: " if exc.context else ""
        return f"{context}{exc.problem}{_where(exc.problem_mark)}"[:MAX_DESCRIPTION]
    if isinstance(exc, yaml.reader.ReaderError):
        return f"character #x{exc.character:04x} is not allowed (position {exc.position})"
    return type(exc).__name__


def _where(mark: yaml.Mark | None) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
