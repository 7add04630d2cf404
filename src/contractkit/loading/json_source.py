"""Positions inside JSON text, found lazily so big documents cost nothing until asked.

``json.loads`` gives no positions. Indexing every node up front would cost seconds on a 13 MB
document, so containers are scanned only along the pointers someone asks about; siblings before
the wanted member are skipped with the C decoder (``raw_decode``). One lookup therefore costs at
most about one parse of the text, and scans are cached for the next lookup. A caller with many
pointers at once (the linter) uses :meth:`JsonPositions.locate_many`, which reads the text once
for all of them (``json_batch``).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from contractkit.loading.json_batch import line_columns, locate_offsets
from contractkit.loading.limits import Limits
from contractkit.loading.pointer import split

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile("\n")
_DECODER = json.JSONDecoder()


@dataclass(slots=True)
class _Scan:
    """How far one object or array has been read, and the members found so far."""

    is_object: bool
    # member token -> (offset where it is declared, offset where its value starts)
    members: dict[str, tuple[int, int]] = field(default_factory=dict)
    offset: int = 0
    # True when `offset` is the start of the last member's value, which must be skipped before reading on.
    pending_value: bool = False
    done: bool = False
    count: int = 0


class JsonPositions:
    """Finds the line and column of any JSON pointer in JSON text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._root = _WHITESPACE.match(text).end()  # type: ignore[union-attr]  # `*` always matches
        self._scans: dict[int, _Scan | None] = {}
        # Offsets where each line starts, built on the first lookup: counting newlines from the start
        # for every lookup costs milliseconds each on a 13 MB document, and a linter asks thousands.
        self._line_starts: list[int] | None = None
        self._parents: dict[tuple[str, ...], tuple[int, int, bool]] = {}

    def locate(self, tokens: Sequence[str]) -> tuple[int, int]:
        """(line, column), 1-based, of the deepest node along ``tokens`` that exists.

        An object member is placed at its key, an array item at its value.
        """
        if not tokens:
            return self._line_column(0)
        # Findings come in siblings (the properties of one schema); walking to their parent once
        # leaves one step per lookup instead of one per token.
        parent = tuple(tokens[:-1])
        state = self._parents.get(parent)
        if state is None:
            state = self._parents[parent] = self._walk(parent)
        mark, value_offset, complete = state
        if complete:
            scan = self._scan_at(value_offset)
            entry = None if scan is None else self._find(scan, tokens[-1])
            if entry is not None:
                mark = entry[0]
        return self._line_column(mark)

    def locate_many(self, pointers: Sequence[str]) -> list[tuple[int, int]]:
        """What :meth:`locate` gives for the tokens of each JSON pointer, found in one pass (see ``json_batch``)."""
        try:
            offsets = locate_offsets(self._text, self._root, pointers)
        except RecursionError:  # pointers nested about a thousand deep: one at a time is iterative
            return [self.locate(split(pointer)) for pointer in pointers]
        return line_columns(self._text, offsets)

    def offset_line_column(self, offset: int) -> tuple[int, int]:
        """(line, column), 1-based, of a character offset in the text."""
        return self._line_column(offset)

    def _walk(self, tokens: Sequence[str]) -> tuple[int, int, bool]:
        """(mark, value offset) of the deepest node along ``tokens``, and whether all of them exist."""
        value_offset = self._root
        mark = 0
        for token in tokens:
            scan = self._scan_at(value_offset)
            entry = None if scan is None else self._find(scan, token)
            if entry is None:
                return mark, value_offset, False
            mark, value_offset = entry
        return mark, value_offset, True

    def _line_column(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(self._text))]
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _scan_at(self, offset: int) -> _Scan | None:
        if offset in self._scans:
            return self._scans[offset]
        opener = self._text[offset : offset + 1]
        scan: _Scan | None = None
        if opener in ("{", "["):
            scan = _Scan(is_object=opener == "{", offset=self._skip_whitespace(offset + 1))
            scan.done = self._text[scan.offset] in "}]"
        self._scans[offset] = scan
        return scan

    def _find(self, scan: _Scan, token: str) -> tuple[int, int] | None:
        found = scan.members.get(token)
        if found is not None:
            return found
        text = self._text
        while not scan.done:
            position = scan.offset
            if scan.pending_value:
                _, position = _DECODER.raw_decode(text, position)
                position = self._skip_whitespace(position)
                if text[position] != ",":
                    scan.done = True
                    break
                position = self._skip_whitespace(position + 1)
            declared = position
            if scan.is_object:
                key, position = _DECODER.raw_decode(text, position)
                position = self._skip_whitespace(position)
                # The text already parsed as JSON, so a colon follows every key.
                position = self._skip_whitespace(position + 1)
                name = str(key)
            else:
                name = str(scan.count)
                scan.count += 1
            entry = (declared, position)
            scan.members.setdefault(name, entry)
            scan.offset, scan.pending_value = position, True
            if name == token:
                return entry
        return None

    def _skip_whitespace(self, offset: int) -> int:
        return _WHITESPACE.match(self._text, offset).end()  # type: ignore[union-attr]  # `*` always matches


def parse_json(text: str, limits: Limits | None = None) -> tuple[object, JsonPositions, int]:
    """Parse JSON text into data, its (lazy) position index and its number of ``$ref`` keys.

    Raises ``ValueError`` (``json.JSONDecodeError`` for syntax, ``ValueError`` for a number too long
    to convert) and :class:`TooDeep` for nesting past ``limits.depth``.
    """
    limits = limits or Limits()
    try:
        data = _fast_loads(text)
        exact = data is not _REFUSED
        if not exact:
            data = json.loads(text)
        refs, too_deep, wide = _measure(data, limits.depth)
        if wide and exact:
            # A float orjson may have made of an integer past 64 bits: json keeps such integers exact.
            data = json.loads(text)
            refs, too_deep, _ = _measure(data, limits.depth)
    except RecursionError:
        # The C decoder gives up near Python's recursion limit; ours is far lower, so this is it too.
        deep = _deep_openers(limits.depth).search(text)
        raise TooDeep(offset=deep.start() if deep else 0, tokens=[]) from None
    if too_deep is not None:
        raise TooDeep(offset=-1, tokens=too_deep)
    # A `\uD800` escape on its own decodes to half a UTF-16 pair, a string no UTF-8 output can hold;
    # pairs that belong together were joined by the decoder. Searched for in C: 10 ms on 13 MB.
    if _SURROGATE_ESCAPE.search(text) is not None and not _encodable(data):
        raise json.JSONDecodeError("a \\u escape leaves half of a UTF-16 surrogate pair", text, 0)
    return data, JsonPositions(text), refs


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_REFUSED = object()


def _fast_loads(text: str) -> Any:
    """The data orjson reads from ``text``, or ``_REFUSED``: then ``json`` reads it.

    orjson parses big documents in about half the time of ``json``, keeping one string per distinct
    key, and gives the same values with two exceptions: it refuses some text ``json`` accepts
    (``NaN``, ``1e400``, a lone surrogate escape) or refuses with other words, and it reads integers
    past 64 bits as floats (:func:`_measure` notices those). ``json``'s values and errors are the ones
    the rest of loading is written for.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _REFUSED


def _encodable(data: object) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class TooDeep(Exception):
    """JSON nested past the depth limit: where (an offset in the text, or the tokens of a pointer)."""

    def __init__(self, offset: int, tokens: list[str]) -> None:
        super().__init__("nested too deep")
        self.offset = offset
        self.tokens = tokens


def _deep_openers(depth: int) -> re.Pattern[str]:
    return re.compile(rf"(?:[\[{{]\s*){{{depth + 1}}}")


# Floats at least this far from zero may stand for integers orjson could not hold (2**64 and past).
_WIDE = float(2**63)


def _measure(data: object, max_depth: int) -> tuple[int, list[str] | None, bool]:
    """How many ``$ref`` keys ``data`` holds, the pointer tokens of a container nested too deep (if any),
    and whether some float is as far from zero as a 64-bit integer can go.

    One pass over the containers, a level at a time (about 90,000 on GitHub's 13 MB description:
    35 ms, against 85 ms for ``json.loads``); the tokens are looked for again only when something
    is too deep.
    """
    refs = 0
    wide = isinstance(data, float) and not -_WIDE < data < _WIDE
    level = [data] if type(data) is dict or type(data) is list else []
    depth = 1
    while level:
        below: list[Any] = []
        push = below.append
        for node in level:
            items: Any = node
            if type(node) is dict:
                if "$ref" in node:
                    refs += 1
                items = node.values()
            for item in items:
                kind = type(item)
                if kind is dict or kind is list:
                    push(item)
                elif kind is float and not -_WIDE < item < _WIDE:
                    wide = True
        if below and depth >= max_depth:
            return refs, _path_deeper_than(data, max_depth), wide
        depth += 1
        level = below
    return refs, None, wide


def _path_deeper_than(data: Any, max_depth: int) -> list[str]:
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        node, tokens = stack.pop()
        if len(tokens) >= max_depth:
            return tokens
        members = node.items() if isinstance(node, dict) else ((str(i), item) for i, item in enumerate(node))
        stack.extend((item, [*tokens, key]) for key, item in members if isinstance(item, dict | list))
    return []
