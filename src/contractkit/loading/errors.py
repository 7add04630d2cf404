"""Why a document could not be loaded or a ``$ref`` could not be followed."""

from __future__ import annotations

from pathlib import Path

from contractkit.problems import Problem


class LoadError(Exception):
    """A file could not be turned into a document."""

    def __init__(self, path: Path, message: str, line: int = 1, column: int = 1, pointer: str = "") -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        # Where in the file, when the error is about one node (a nesting or expansion limit).
        self.pointer = pointer

    def problem(self) -> Problem:
        """The error as a finding: ``file:line: pointer: message``."""
        return Problem(self.path, self.line, self.pointer, self.message, self.column)


class UnreadableFile(LoadError):
    """The file is missing or cannot be read: a usage problem, not a contract problem."""


class RefusedFile(UnreadableFile):
    """The file is one contractkit will not read: outside the root, not a regular file, not YAML or JSON.

    Raised before anything of the file is read, so its content can never show up in a message.
    """


class ParseFailure(LoadError):
    """The file was read but is not valid YAML or JSON."""


class LimitExceeded(LoadError):
    """Loading would go past one of the :class:`~contractkit.loading.limits.Limits`: too big, deep or many.

    Never turned into a broken ``$ref``: every command stops with exit code 2 and this finding.
    """


class RefError(Exception):
    """A ``$ref`` does not lead anywhere: missing file, unparsable file or missing pointer."""

    def __init__(self, ref: str, message: str) -> None:
        super().__init__(f"{ref}: {message}")
        self.ref = ref
        self.message = message


class RefRefused(RefError):
    """A ``$ref`` names something contractkit will not read: outside the root, a device, a ``file:`` URL..."""
