"""Reading rule files: safe YAML only, with the surprises of YAML 1.1 turned off.

PyYAML's SafeLoader would turn `2025-04-05` into a date, `NO` (Norway) into False and a repeated key into
silent overwriting. A rule file must say what it means, so dates stay strings (the model parses them),
only `true`/`false` are booleans, and a duplicate key is an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tradelex.errors import PackError


class _RuleFileLoader(yaml.SafeLoader):
    """SafeLoader without timestamps and YAML 1.1 booleans, rejecting duplicate keys."""


# Rebuild the implicit resolvers without the timestamp and the broad boolean ones.
_RuleFileLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RuleFileLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


def _mapping_without_duplicates(loader: _RuleFileLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise DuplicateKeyError(
                problem=f"duplicate key {key!r} (a key may appear once in a mapping)",
                problem_mark=key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_RuleFileLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a rule file, or a PackError that names the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PackError(path, "not UTF-8 text") from None
    try:
        document = yaml.load(text, Loader=_RuleFileLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PackError(path, f"YAML error at {where}{error.problem}") from None
    except yaml.YAMLError as error:
        raise PackError(path, f"YAML error: {error}") from None
    if document is None:
        raise PackError(path, "expected a mapping of fields at the top of the file, got an empty file")
    if not isinstance(document, dict):
        raise PackError(path, f"expected a mapping of fields at the top of the file, got {type(document).__name__}")
    return document
