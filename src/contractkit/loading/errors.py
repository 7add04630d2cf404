"""Why a document could not be loaded or a ``$ref`` could not be followed."""

from __future__ import annotations

from pathlib import Path


class LoadError(Exception):
    """A file could not be turned into a document."""

    def __init__(self, path: Path, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.message = message
        self.line = line
        self.column = column


class UnreadableFile(LoadError):
    """The file is missing or cannot be read: a usage problem, not a contract problem."""


class ParseFailure(LoadError):
    """The file was read but is not valid YAML or JSON."""


class RefError(Exception):
    """A ``$ref`` does not lead anywhere: missing file, unparsable file or missing pointer."""

    def __init__(self, ref: str, message: str) -> None:
        super().__init__(f"{ref}: {message}")
        self.ref = ref
        self.message = message
