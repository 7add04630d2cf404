"""Positions of many JSON pointers at once: one pass over the containers they pass through.

A linter asks where tens of thousands of nodes are (45,000 on GitHub's 13 MB description). Looked
up one by one, every container on the way is re-read for each depth it is needed at, because the
siblings before a wanted member are skipped by parsing them whole. Here the pointers are first
merged into a tree, then the text is read once from the root: a member the tree names is entered
in place (its own wanted members are recorded on the way), any other member is skipped with the C
scanner. Every byte is thus read at most once, in Python only for members of containers that some
pointer passes through (about 90,000 on GitHub's description), in C for everything else.

Results are those of :meth:`JsonPositions.locate <contractkit.loading.json_source.JsonPositions.locate>`
for each pointer alone: the deepest existing node, an object member at its key, an array item at
its value, the first of duplicate keys; ``tests/contractkit/loading/test_json_batch.py`` holds them
to that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from contractkit.loading.pointer import unescape

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A member's key without escapes, and the colon after it; keys with escapes take the slow path.
_PLAIN_KEY = re.compile(r'[ \t\n\r]*"([^"\\]*)"[ \t\n\r]*:[ \t\n\r]*')
_SEPARATOR = re.compile(r"[ \t\n\r]*([,\]}])")
_DECODER = json.JSONDecoder()
# The C scanners behind `raw_decode` and string keys, called directly: once per skipped member.
# Both are public attributes of the json module that typeshed leaves out.
_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_SCAN_STRING: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class _Wanted:
    """One node some pointer passes through or ends at; ``mark`` is where it is declared, once found."""

    __slots__ = ("children", "mark")

    def __init__(self) -> None:
        self.children: dict[str, _Wanted] = {}
        self.mark = -1


def locate_offsets(text: str, root: int, pointers: Sequence[str]) -> list[int]:
    """The offset each JSON pointer is placed at (see the module docstring); ``root`` is where the value starts."""
    tree = _Wanted()
    tree.mark = 0
    # Findings come in siblings (the properties of one schema): each pointer usually adds one node to the
    # tree below a parent some earlier pointer added, found by its own text without splitting it whole.
    nodes: dict[str, _Wanted] = {"": tree}
    ends: list[_Wanted] = []
    for wanted in pointers:
        node = nodes.get(wanted)
        if node is None:
            node = _add(nodes, wanted)
        ends.append(node)
    if tree.children:
        _Reader(text).read(root, tree.children, need_end=False)
    _inherit(tree)
    return [node.mark for node in ends]


def _add(nodes: dict[str, _Wanted], wanted: str) -> _Wanted:
    """The tree node of pointer ``wanted``, added with whichever of its ancestors are missing."""
    missing = []
    here = wanted
    while here not in nodes:
        missing.append(here)
        cut = here.rfind("/")
        if cut < 0:
            raise ValueError(f"JSON pointer must be empty or start with '/': {wanted!r}")
        here = here[:cut]
    node = nodes[here]
    for pointer in reversed(missing):
        token = pointer[pointer.rfind("/") + 1 :]
        if "~" in token:
            token = unescape(token)
        child = node.children.get(token)
        if child is None:
            child = node.children[token] = _Wanted()
        node = nodes[pointer] = child
    return node


def _inherit(tree: _Wanted) -> None:
    # A node that does not exist is placed where its deepest existing ancestor is.
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in node.children.values():
            if child.mark < 0:
                child.mark = node.mark
            stack.append(child)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    def read(self, offset: int, wanted: dict[str, _Wanted], need_end: bool) -> int:
        """Record the wanted members of the container at ``offset``; its end offset when ``need_end``.

        Without ``need_end`` (nothing after this container is wanted) reading stops at the last
        wanted member, and the returned offset means nothing.
        """
        text = self.text
        opener = text[offset]
        if opener == "{":
            return self._object(offset, wanted, need_end)
        if opener == "[":
            return self._array(offset, wanted, need_end)
        return _SCAN_ONCE(text, offset)[1]  # a scalar has no members

    def _object(self, offset: int, wanted: dict[str, _Wanted], need_end: bool) -> int:
        text = self.text
        position = _WHITESPACE.match(text, offset + 1).end()  # type: ignore[union-attr]  # `*` always matches
        if text[position] == "}":
            return position + 1
        missing = len(wanted)
        while True:
            match = _PLAIN_KEY.match(text, position)
            if match is not None:
                declared, key, position = match.start(1) - 1, match.group(1), match.end()
            else:
                declared = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]  # `*` always matches
                key, position = _SCAN_STRING(text, declared + 1)
                position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]  # `*` always matches
                position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]  # past the colon
            node = wanted.get(key)
            if node is not None and node.mark < 0:
                node.mark = declared
                missing -= 1
                if node.children and text[position] in "{[":
                    position = self.read(position, node.children, need_end or missing > 0)
                elif missing or need_end:
                    position = _SCAN_ONCE(text, position)[1]
            elif missing or need_end:
                position = _SCAN_ONCE(text, position)[1]
            if not missing and not need_end:
                return position
            separator = _SEPARATOR.match(text, position)
            if separator.group(1) != ",":  # type: ignore[union-attr]  # valid JSON: a separator follows
                return separator.end()  # type: ignore[union-attr]
            position = separator.end()  # type: ignore[union-attr]

    def _array(self, offset: int, wanted: dict[str, _Wanted], need_end: bool) -> int:
        text = self.text
        position = _WHITESPACE.match(text, offset + 1).end()  # type: ignore[union-attr]  # `*` always matches
        if text[position] == "]":
            return position + 1
        missing = len(wanted)
        index = 0
        while True:
            position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]  # `*` always matches
            node = wanted.get(str(index))
            if node is not None:
                node.mark = position
                missing -= 1
                if node.children and text[position] in "{[":
                    position = self.read(position, node.children, need_end or missing > 0)
                elif missing or need_end:
                    position = _SCAN_ONCE(text, position)[1]
            elif missing or need_end:
                position = _SCAN_ONCE(text, position)[1]
            if not missing and not need_end:
                return position
            index += 1
            separator = _SEPARATOR.match(text, position)
            if separator.group(1) != ",":  # type: ignore[union-attr]  # valid JSON: a separator follows
                return separator.end()  # type: ignore[union-attr]
            position = separator.end()  # type: ignore[union-attr]


def line_columns(text: str, offsets: Sequence[int]) -> list[tuple[int, int]]:
    """(line, column), 1-based, of each offset: newlines are counted in C between the sorted offsets.

    Each stretch of text is searched once, so a minified document (one 4 MB line) costs no more.
    """
    places: dict[int, tuple[int, int]] = {}
    line, counted, line_start = 1, 0, 0
    for offset in sorted(set(offsets)):
        newlines = text.count("\n", counted, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, offset) + 1
        counted = offset
        places[offset] = (line, offset - line_start + 1)
    return [places[offset] for offset in offsets]
