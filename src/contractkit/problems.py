"""The one shape every contractkit check reports in: a message tied to a place in a file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a contract, located by file, line and JSON pointer."""

    file: Path
    line: int
    pointer: str
    message: str
    column: int = 1

    def format(self, relative_to: Path | None = None) -> str:
        """Render as ``file:line: pointer: message``, the shape editors and CI annotate from, on one line."""
        return one_line(f"{display_path(self.file, relative_to)}:{self.line}: {self.pointer or '/'}: {self.message}")


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped (``\\n``, ``\\x85``).

    Keys and values of a contract end up in findings; one holding a newline must not start a line of
    its own that a reader, an editor or a CI log takes for another finding.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """Show ``path`` relative to ``relative_to`` (default: the working directory) when it lies below it."""
    base = Path.cwd() if relative_to is None else relative_to
    try:
        return os.fspath(path.relative_to(base))
    except ValueError:
        return os.fspath(path)
