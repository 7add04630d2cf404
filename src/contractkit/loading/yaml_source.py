"""Parse YAML into plain JSON-like data while keeping the node tree that knows every line.

PyYAML's C parser composes the node tree (fast, and each node carries its start mark); the
plain ``dict``/``list`` data is built from that tree so both stay in step. This is the only
module that imports PyYAML.

Building is where YAML's own ways to make a small text huge are stopped. An alias shares the value
built for its anchor, so the data stays as small as the text, but every later walk (linting,
bundling, validating) goes through each use: the size an alias adds is counted against
``Limits.expansion``, as are the pairs merge keys (``<<``) copy, and a recursive alias is refused.
Nesting is counted against ``Limits.depth``, aliases included. Tags may only give JSON values.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints and types-PyYAML is not locked

from contractkit.loading import pointer as jsonpointer
from contractkit.loading.errors import LimitExceeded, LoadError, ParseFailure
from contractkit.loading.limits import Limits, describe

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Collections may only be plain mappings and sequences: `!!set`, `!!omap` or `!anything` is refused, not ignored.
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_JSON_SCALARS = (str, int, float, bool, type(None))


_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(yaml.CSafeLoader):  # type: ignore[misc]  # subclassing an untyped class
    """The C safe loader, minus timestamp resolution: OpenAPI dates are strings, never ``datetime``."""

    def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a node without one, as PyYAML's resolver gives it, in fewer steps.

        The C composer asks for every node. PyYAML's own method tries the patterns registered for the
        scalar's first character, then wildcard and path resolvers; the safe loader has neither of the
        last two (``test_yaml_source`` holds that), so only the first step is kept, without the list it
        builds on every call.
        """
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in _IMPLICIT.get(value[:1], ()):
                    if pattern.match(value):
                        return str(tag)
            return _STR_TAG
        return _MAP_TAG if kind is yaml.MappingNode else _SEQ_TAG


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
# The patterns by first character ("" for the empty scalar, which is null).
_IMPLICIT: dict[str, list[tuple[str, Any]]] = _Loader.yaml_implicit_resolvers


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

    def locate_many(self, pointers: Sequence[str]) -> list[tuple[int, int]]:
        """:meth:`locate` for the tokens of each JSON pointer (the node tree already holds every position)."""
        return [self.locate(jsonpointer.split(pointer)) for pointer in pointers]

    def _members_of(self, node: Any) -> dict[str, tuple[Any, Any]]:
        members = self._members.get(id(node))
        if members is None:
            members = {key.value: (key, value) for key, value in node.value}
            self._members[id(node)] = members
        return members


def parse_yaml(path: Path, text: str, limits: Limits | None = None) -> tuple[Any, YamlPositions, int]:
    """Parse ``text`` (the content of ``path``) into data, its position index and its number of ``$ref`` keys.

    Raises :class:`ParseFailure` for text that is not YAML (or holds values JSON cannot) and
    :class:`LimitExceeded` for text nested or expanding past ``limits``.
    """
    loader = _Loader(text)
    builder = _Builder(loader, limits or Limits())
    try:
        root = loader.get_single_node()
        data = None if root is None else builder.build(root, 1)
    except _Refused as exc:
        tokens = list(reversed(exc.tokens))
        if exc.at_alias:
            # An alias has no position of its own (it is its anchor's node): point at what holds it.
            line, column = YamlPositions(root).locate(tokens[:-1])
        else:
            line, column = exc.mark.line + 1, exc.mark.column + 1
        raise exc.kind(path, exc.message, line, column, jsonpointer.join(tokens)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        if "maximum nesting depth" in message:  # libyaml's own bound (1,000), past ours
            raise LimitExceeded(path, _too_deep(builder.limits.depth), line, column) from None
        raise ParseFailure(path, f"invalid YAML: {message}", line, column) from None
    except yaml.YAMLError as exc:
        raise ParseFailure(path, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, YamlPositions(root), builder.refs


def _not_json(tag: str) -> str:
    return f"invalid YAML: the tag {tag} gives a value JSON cannot hold"


def _too_deep(limit: int) -> str:
    return f"nested deeper than {describe('depth', limit)} allows"


class _Refused(Exception):
    """Raised while building; each mapping on the way out adds its key, so the error knows its pointer."""

    def __init__(self, kind: type[LoadError], message: str, mark: Any, at_alias: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.mark = mark
        self.at_alias = at_alias
        self.tokens: list[str] = []


class _Builder:
    """Turns composed nodes into dicts, lists and scalars with JSON's string-keys-only rule."""

    def __init__(self, loader: Any, limits: Limits) -> None:
        self._loader = loader
        self.limits = limits
        # Anchors and aliases share one node; an alias shares the value built for its anchor.
        self._built: dict[int, Any] = {}
        # (nodes, levels of nesting) of each value an alias used, counted once.
        self._measured: dict[int, tuple[int, int]] = {}
        self._flattened: set[int] = set()
        self._expanded = 0
        self.refs = 0

    def build(self, node: Any, depth: int) -> Any:
        """The value of ``node``, which sits at nesting level ``depth`` (the root mapping is level 1)."""
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            # Most scalars: a string is its text (what PyYAML's constructor returns), and an alias to one
            # can share it without being counted, so it is not remembered either.
            return node.value
        known = self._built.get(id(node), _MISSING)
        if known is not _MISSING:
            return self._alias(node, known, depth)
        if isinstance(node, yaml.MappingNode):
            if depth > self.limits.depth:
                raise _Refused(LimitExceeded, _too_deep(self.limits.depth), node.start_mark)
            if node.tag != _MAP_TAG:
                raise _Refused(ParseFailure, _not_json(node.tag), node.start_mark)
            self._flatten(node, depth)
            mapping: dict[str, Any] = {}
            self._built[id(node)] = _BUILDING
            for key_node, value_node in node.value:
                key = self._key(key_node)
                try:
                    mapping[key] = self.build(value_node, depth + 1)
                except _Refused as exc:
                    exc.tokens.append(key)
                    raise
            if "$ref" in mapping:
                self.refs += 1
            self._built[id(node)] = mapping
            return mapping
        if isinstance(node, yaml.SequenceNode):
            if depth > self.limits.depth:
                raise _Refused(LimitExceeded, _too_deep(self.limits.depth), node.start_mark)
            if node.tag != _SEQ_TAG:
                raise _Refused(ParseFailure, _not_json(node.tag), node.start_mark)
            sequence: list[Any] = []
            self._built[id(node)] = _BUILDING
            for index, item in enumerate(node.value):
                try:
                    sequence.append(self.build(item, depth + 1))
                except _Refused as exc:
                    exc.tokens.append(str(index))
                    raise
            self._built[id(node)] = sequence
            return sequence
        try:
            value = self._loader.construct_object(node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            # PyYAML's constructors fail with these on an explicit tag its text does not fit (`!!bool x`,
            # `!!timestamp x`) and on integers of more digits than Python converts (4,300).
            message = f"invalid YAML: this scalar cannot be read as {node.tag}"
            raise _Refused(ParseFailure, message, node.start_mark) from None
        if not isinstance(value, _JSON_SCALARS):
            raise _Refused(ParseFailure, _not_json(node.tag), node.start_mark)
        self._built[id(node)] = value
        return value

    def _alias(self, node: Any, value: Any, depth: int) -> Any:
        """The shared value of an alias, once its expanded size and depth are counted."""
        if value is _BUILDING:
            message = "invalid YAML: an alias refers to a node that contains it (recursive aliases are not allowed)"
            raise _Refused(ParseFailure, message, node.start_mark, at_alias=True)
        if not isinstance(value, dict | list):
            return value
        nodes, levels = self._measure(value)
        self._expanded += nodes
        if self._expanded > self.limits.expansion:
            message = f"YAML aliases expand to more nodes than {describe('expansion', self.limits.expansion)} allows"
            raise _Refused(LimitExceeded, message, node.start_mark, at_alias=True)
        if depth + levels - 1 > self.limits.depth:
            raise _Refused(LimitExceeded, _too_deep(self.limits.depth), node.start_mark, at_alias=True)
        return value

    def _measure(self, value: Any) -> tuple[int, int]:
        # Memoised by identity: an alias bomb is a DAG of a few shared lists, measured in a few steps.
        # Recursion is bounded: every value here was built within the depth limit.
        known = self._measured.get(id(value))
        if known is not None:
            return known
        nodes, levels = 1, 0
        for item in value.values() if isinstance(value, dict) else value:
            if isinstance(item, dict | list):
                item_nodes, item_levels = self._measure(item)
                nodes += item_nodes
                levels = max(levels, item_levels)
            else:
                nodes += 1
        measured = self._measured[id(value)] = (nodes, levels + 1)
        return measured

    def _flatten(self, node: Any, depth: int) -> None:
        """Apply ``<<`` merge keys in place, each key once (PyYAML's own copies every merged pair).

        Precedence as the merge-key specification says: the mapping's own keys win over merged ones,
        earlier merged mappings over later ones; within one merged mapping the last of repeated keys
        wins, as it does in that mapping itself.
        """
        if id(node) in self._flattened:
            return
        self._flattened.add(id(node))
        if not any(key_node.tag == _MERGE_TAG for key_node, _ in node.value):
            return
        sources: list[Any] = []
        own: list[tuple[Any, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                own.append((key_node, value_node))
                continue
            listed = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in listed:
                if not isinstance(source, yaml.MappingNode):
                    message = "invalid YAML: a merge key (<<) takes a mapping or a list of mappings"
                    raise _Refused(ParseFailure, message, source.start_mark)
                if depth >= self.limits.depth:
                    raise _Refused(LimitExceeded, _too_deep(self.limits.depth), source.start_mark)
                self._flatten(source, depth + 1)
                sources.append(source)
        pairs = [pair for source in reversed(sources) for pair in source.value]
        self._expanded += len(pairs)
        if self._expanded > self.limits.expansion:
            message = f"YAML merge keys expand to more nodes than {describe('expansion', self.limits.expansion)} allows"
            raise _Refused(LimitExceeded, message, node.start_mark)
        chosen: dict[object, tuple[Any, Any]] = {}
        for key_node, value_node in pairs + own:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            # Later pairs win, as in a dict built from the list; the first place of a key is kept.
            chosen[name] = (key_node, value_node)
        node.value = list(chosen.values())

    def _key(self, node: Any) -> str:
        # OpenAPI is JSON: `200:` and `'200':` must both be the key "200", so keys keep their source text.
        if not isinstance(node, yaml.ScalarNode):
            raise _Refused(ParseFailure, "mapping keys must be scalars", node.start_mark)
        return str(node.value)


_MISSING = object()
# Stands for a mapping or list whose items are still being built: an alias to it is recursive.
_BUILDING = object()
