"""Reading YAML with the line of every key, so errors can name the line a user must edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kabuto.errors import InputError, InputIssue
from kabuto.inputs.tabular import read_text

Loc = tuple[Any, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date becomes a field error naming its
    line instead of a crash (kabuto.inputs.dates parses them)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_with_lines(path: Path) -> tuple[Any, dict[Loc, int]]:
    """(data, {key path: 1-based line}); InputError for text that is not YAML."""
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = _Loader(text).construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            [
                InputIssue(
                    str(path),
                    mark.line + 1 if mark else None,
                    None,
                    f"not valid YAML: {problem}",
                    "line",
                )
            ]
        ) from exc
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = loc + (key.value,)
            _walk(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, loc + (index,), lines)


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of `loc`, or of its nearest parent present in the file."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
