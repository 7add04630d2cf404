"""Parse YAML into plain JSON-like data while keeping the node tree that knows every line.

PyYAML's C parser composes the node tree (fast, and each node carries its start mark); the
plain ``dict``/``list`` data is built from that tree so both stay in step. This is the only
module that imports PyYAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints and types-PyYAML is not locked

from contractkit.loading.errors import ParseFailure

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.CSafeLoader):  # type: ignore[misc]  # subclassing an untyped class
    """The C safe loader, minus timestamp resolution: OpenAPI dates are strings, never ``datetime``."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


class YamlPositions:
    """Finds the line and column of any JSON pointer by walking the composed node tree."""

    def __init__(self, root: Any) -> None:
        self._root = root
        # Mapping members by key, built on first visit: most mappings are never asked about.
        self._members: dict[int, dict[str, tuple[Any, Any]]] = {}

    def locate(self, tokens: Sequence[str]) -> tuple[int, int]:
        """(line, column), 1-based, of the deepest node along ``tokens`` that exists.

        A mapping member is placed at its key (where a reader looks for it), a list item at its start.
        """
        node = self._root
        if node is None:
            return 1, 1
        mark = node.start_mark
        for token in tokens:
            if isinstance(node, yaml.MappingNode):
                entry = self._members_of(node).get(token)
                if entry is None:
                    break
                key_node, node = entry
                mark = key_node.start_mark
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                node = node.value[int(token)]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1

    def locate_many(self, pointers: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
        """:meth:`locate` for each pointer (the node tree already holds every position)."""
        return [self.locate(tokens) for tokens in pointers]

    def _members_of(self, node: Any) -> dict[str, tuple[Any, Any]]:
        members = self._members.get(id(node))
        if members is None:
            members = {key.value: (key, value) for key, value in node.value}
            self._members[id(node)] = members
        return members


def parse_yaml(path: Path, text: str) -> tuple[Any, YamlPositions]:
    """Parse ``text`` (the content of ``path``) into data plus its position index."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else _Builder(loader, path).build(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ParseFailure(path, f"invalid YAML: {message}", line, column) from None
    except yaml.YAMLError as exc:
        raise ParseFailure(path, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, YamlPositions(root)


class _Builder:
    """Turns composed nodes into dicts, lists and scalars with JSON's string-keys-only rule."""

    def __init__(self, loader: Any, path: Path) -> None:
        self._loader = loader
        self._path = path
        # Anchors and aliases share one node; sharing the built value keeps recursive aliases finite.
        self._built: dict[int, Any] = {}

    def build(self, node: Any) -> Any:
        known = self._built.get(id(node), _MISSING)
        if known is not _MISSING:
            return known
        if isinstance(node, yaml.MappingNode):
            self._loader.flatten_mapping(node)  # applies `<<` merge keys in place
            mapping: dict[str, Any] = {}
            self._built[id(node)] = mapping
            for key_node, value_node in node.value:
                mapping[self._key(key_node)] = self.build(value_node)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence: list[Any] = []
            self._built[id(node)] = sequence
            sequence.extend(self.build(item) for item in node.value)
            return sequence
        value = self._loader.construct_object(node)
        self._built[id(node)] = value
        return value

    def _key(self, node: Any) -> str:
        # OpenAPI is JSON: `200:` and `'200':` must both be the key "200", so keys keep their source text.
        if not isinstance(node, yaml.ScalarNode):
            mark = node.start_mark
            raise ParseFailure(self._path, "mapping keys must be scalars", mark.line + 1, mark.column + 1)
        return str(node.value)


_MISSING = object()
