"""What a check yields (a :class:`Finding`) and what reporters print (a located :class:`Result`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from contractkit.lint.registry import Severity
from contractkit.loading import Document

if TYPE_CHECKING:
    from contractkit.lint.model import Node


class Descriptor(Protocol):
    """What a report needs to know about whatever produced a result: a guideline rule or a waiver check."""

    @property
    def id(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def statement(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def docs_url(self) -> str: ...


class Finding(NamedTuple):
    """A rule broken at one node of one file; positions are computed only for findings, once, later.

    A named tuple, like :class:`Result`: tens of thousands are made on a big document, and a frozen
    dataclass sets each field through ``object.__setattr__``.
    """

    rule: Descriptor
    document: Document
    # The pointer inside `document`, the file that really holds the node (after following `$ref`s).
    pointer: str
    message: str

    @classmethod
    def at(cls, rule: Descriptor, node: Node, message: str) -> Finding:
        """A finding about ``node``."""
        return cls(rule, node.document, node.pointer, message)


@dataclass(frozen=True, slots=True)
class WaiverInfo:
    """The part of a waiver a report shows next to the finding it accepts."""

    reason: str
    owner: str
    expires: date


class Result(NamedTuple):
    """One reported finding: rule, severity, message and where (file, line, column, pointer).

    A named tuple: a 13 MB document can produce tens of thousands of these.
    """

    rule_id: str
    severity: Severity
    message: str
    file: Path
    line: int
    column: int
    pointer: str
    docs_url: str
    waiver: WaiverInfo | None = None

    @property
    def waived(self) -> bool:
        """Accepted by a waiver: reported, but never fails a run."""
        return self.waiver is not None

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order of reports: by file, line, column, then rule."""
        return (str(self.file), self.line, self.column, self.rule_id)

    def identity(self) -> tuple[str, str, str, str]:
        """What makes two results the same report (a shared file's finding reached from two contracts)."""
        return (self.rule_id, str(self.file), self.pointer, self.message)
