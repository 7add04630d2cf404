"""One parsed contract file: its plain data plus where every node came from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from contractkit.loading import pointer as jsonpointer
from contractkit.loading.errors import ParseFailure, UnreadableFile
from contractkit.loading.json_source import parse_json
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

    def locate_many(self, pointers: Sequence[Sequence[str]]) -> list[tuple[int, int]]: ...


class Document:
    """A YAML or JSON file parsed into ``dict``/``list``/scalars, with a position for every pointer.

    ``data`` is plain JSON-like data (string keys only) so linters, diffs and validators can share it.
    """

    __slots__ = ("_positions", "data", "path")

    def __init__(self, path: Path, data: Any, positions: PositionIndex) -> None:
        self.path = path
        self.data = data
        self._positions = positions

    def __repr__(self) -> str:
        return f"Document({str(self.path)!r})"

    @classmethod
    def from_text(cls, path: Path, text: str) -> Document:
        """Parse ``text`` as the content of ``path`` (the suffix picks JSON or YAML)."""
        path = Path(path).absolute()
        if _is_json(path, text):
            try:
                data, json_positions = parse_json(text)
            except json.JSONDecodeError as exc:
                raise ParseFailure(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
            return cls(path, data, json_positions)
        data, yaml_positions = parse_yaml(path, text)
        return cls(path, data, yaml_positions)

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

    def line_columns(self, pointers: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
        """(line, column) of each pointer's tokens, as :meth:`position` gives them; cheaper for many at once."""
        return self._positions.locate_many(pointers)


def load_document(path: Path) -> Document:
    """Read and parse one file; raises :class:`UnreadableFile` or :class:`ParseFailure`."""
    path = Path(path).absolute()
    try:
        # utf-8-sig: a BOM left by some editors must not break the JSON parser.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UnreadableFile(path, f"cannot read file: {reason}") from None
    return Document.from_text(path, text)


def _is_json(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return True
    if suffix in YAML_SUFFIXES:
        return False
    return text.lstrip()[:1] in ("{", "[")


def _tokens(pointer: str | Sequence[str]) -> Sequence[str]:
    return jsonpointer.split(pointer) if isinstance(pointer, str) else pointer
