"""One parsed contract file: its plain data plus where every node came from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from contractkit.loading import pointer as jsonpointer
from contractkit.loading.errors import LimitExceeded, ParseFailure
from contractkit.loading.json_source import JsonPositions, TooDeep, parse_json
from contractkit.loading.limits import Limits, describe
from contractkit.loading.policy import LoadPolicy
from contractkit.loading.reader import read_text
from contractkit.loading.yaml_source import parse_yaml

JSON_SUFFIXES = frozenset({".json"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})


@dataclass(frozen=True, slots=True)
class Position:
    """Where a node starts: file, 1-based line and column."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class PositionIndex(Protocol):
    """Anything that can place a pointer's tokens on a line (YAML node tree, JSON text scanner)."""

    def locate(self, tokens: Sequence[str]) -> tuple[int, int]: ...

    def locate_many(self, pointers: Sequence[str]) -> list[tuple[int, int]]: ...


class Document:
    """A YAML or JSON file parsed into ``dict``/``list``/scalars, with a position for every pointer.

    ``data`` is plain JSON-like data (string keys only) so linters, diffs and validators can share it.
    ``size`` (characters of text) and ``refs`` (``$ref`` keys) are what the workspace counts against
    its :class:`~contractkit.loading.limits.Limits`.
    """

    __slots__ = ("_positions", "data", "path", "refs", "size")

    def __init__(self, path: Path, data: Any, positions: PositionIndex, size: int = 0, refs: int = 0) -> None:
        self.path = path
        self.data = data
        self._positions = positions
        self.size = size
        self.refs = refs

    def __repr__(self) -> str:
        return f"Document({str(self.path)!r})"

    @classmethod
    def from_text(cls, path: Path, text: str, limits: Limits | None = None) -> Document:
        """Parse ``text`` as the content of ``path`` (the suffix picks JSON or YAML).

        Raises :class:`ParseFailure`, or :class:`LimitExceeded` for nesting or YAML aliases past ``limits``.
        """
        path = Path(path).absolute()
        limits = limits or Limits()
        if _is_json(path, text):
            try:
                data, json_positions, refs = parse_json(text, limits)
            except json.JSONDecodeError as exc:
                raise ParseFailure(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
            except TooDeep as exc:
                raise _too_deep(path, text, exc, limits.depth) from None
            except ValueError as exc:  # a number of more digits than Python converts (4,300)
                raise ParseFailure(path, f"invalid JSON: {str(exc).split(':')[0]}") from None
            return cls(path, data, json_positions, len(text), refs)
        data, yaml_positions, refs = parse_yaml(path, text, limits)
        return cls(path, data, yaml_positions, len(text), refs)

    @property
    def uri(self) -> str:
        """The ``file://`` URI relative ``$ref``s in this document are resolved against."""
        return self.path.as_uri()

    def get(self, pointer: str | Sequence[str]) -> Any:
        """The value at ``pointer``; raises :class:`~contractkit.loading.pointer.PointerError`."""
        return jsonpointer.resolve(self.data, _tokens(pointer))

    def position(self, pointer: str | Sequence[str]) -> Position:
        """Where ``pointer`` is declared in this file (the nearest existing ancestor if it is missing)."""
        line, column = self._positions.locate(_tokens(pointer))
        return Position(self.path, line, column)

    def line_columns(self, pointers: Sequence[str]) -> list[tuple[int, int]]:
        """(line, column) of each JSON pointer, as :meth:`position` gives them; cheaper for many at once."""
        return self._positions.locate_many(pointers)


def load_document(path: Path, policy: LoadPolicy | None = None) -> Document:
    """Read and parse one file, inside the policy's root (by default the file's repository or folder).

    Raises :class:`~contractkit.loading.errors.UnreadableFile` (:class:`~contractkit.loading.errors.RefusedFile`
    for a file contractkit will not read), :class:`ParseFailure` or :class:`LimitExceeded`.
    """
    policy = policy or LoadPolicy()
    path = Path(path).absolute()
    real = policy.boundary_for(path).admit(path, referenced=False)
    text = read_text(real, policy.limits.file_size, shown=path)
    return Document.from_text(path, text, policy.limits)


def _too_deep(path: Path, text: str, exc: TooDeep, limit: int) -> LimitExceeded:
    message = f"nested deeper than {describe('depth', limit)} allows"
    if exc.offset >= 0:
        line, column = JsonPositions(text).offset_line_column(exc.offset)
        return LimitExceeded(path, message, line, column)
    line, column = JsonPositions(text).locate(exc.tokens)
    return LimitExceeded(path, message, line, column, jsonpointer.join(exc.tokens))


def _is_json(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return True
    if suffix in YAML_SUFFIXES:
        return False
    return text.lstrip()[:1] in ("{", "[")


def _tokens(pointer: str | Sequence[str]) -> Sequence[str]:
    return jsonpointer.split(pointer) if isinstance(pointer, str) else pointer
