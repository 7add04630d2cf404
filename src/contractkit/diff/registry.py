"""The registry of diff checks: one typed entry per stable check ID, duplicates refused.

A check is data, not code: the comparison code emits findings by ID and the registry supplies the level,
the summary and the example. The docs page's table is tested against this registry.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_ID = re.compile(r"^[a-z]+(-[a-z]+)*$")


class Level(enum.Enum):
    """How much a finding matters to a client written against the base contract."""

    BREAKING = "breaking"
    # Cannot be decided from the contract alone (e.g. a new response enum value: fine for tolerant clients).
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; ``--fail-on`` compares ranks."""
        return _RANKS[self]


_RANKS = {Level.INFO: 1, Level.WARNING: 2, Level.BREAKING: 3}


@dataclass(frozen=True, slots=True)
class Check:
    """One kind of change the diff reports."""

    id: str
    level: Level
    area: str
    # What the check finds, for the docs table.
    summary: str
    # One concrete base → revision change that triggers it.
    example: str
    # Why it matters to a client, appended to every finding's sentence.
    impact: str


class DuplicateCheck(ValueError):
    """Two checks claim the same ID."""


class UnknownCheck(KeyError):
    """Code asked for a check ID the registry does not hold."""


class Registry:
    """Checks by ID, in registration order; refuses malformed and duplicate IDs."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        for check in checks:
            self.add(check)

    def add(self, check: Check) -> None:
        """Register ``check``; raises :class:`DuplicateCheck` or ``ValueError`` for a malformed ID."""
        if not _ID.match(check.id):
            raise ValueError(f"check IDs are lower-case words joined by '-': {check.id!r}")
        if check.id in self._checks:
            raise DuplicateCheck(check.id)
        self._checks[check.id] = check

    def __getitem__(self, check_id: str) -> Check:
        try:
            return self._checks[check_id]
        except KeyError:
            raise UnknownCheck(check_id) from None

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._checks

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)
