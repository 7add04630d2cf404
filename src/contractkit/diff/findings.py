"""What the diff reports: findings located on both sides, grouped per compared contract."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from contractkit.diff.registry import Check, Level


@dataclass(frozen=True, slots=True)
class Location:
    """Where a node is (or would be) on one side: file as shown to a reviewer, line, JSON pointer in that file.

    A node that does not exist on this side (an added property on the base side) is placed at its nearest
    existing ancestor; ``pointer`` still names where it would be.
    """

    file: str
    line: int
    pointer: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which part of which operation a finding is about, for matching consumer interactions."""

    # (METHOD, path template with parameters as `{}`) of the base operation; None for the whole document.
    operation: tuple[str, str] | None = None
    # "request", "response" or None (the whole operation).
    part: str | None = None
    status: str | None = None
    # Each path to the affected field: property names and `[]` for array items, from the body root.
    fields: tuple[tuple[str, ...], ...] = ()
    # (location, name) of a parameter, or ("header", name) of a response header.
    parameter: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Impact:
    """One consumer interaction (from a pact) that exercises what a finding changes."""

    consumer: str
    interaction: str
    # The field path when the pact's body or matching rules name the affected field.
    field: str | None = None

    def __str__(self) -> str:
        named = f" (uses `{self.field}`)" if self.field else ""
        return f"{self.consumer} — '{self.interaction}'{named}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One change between base and revision that a reviewer should know about."""

    check: Check
    # "METHOD /path" (as written in the revision when it exists there); None for the whole document.
    operation: str | None
    message: str
    base: Location | None
    revision: Location | None
    # The affected field inside a body, e.g. `items[].discount.amount`.
    field: str | None = None
    # Other fields the same change reaches (a shared schema used in several places).
    also: tuple[str, ...] = ()
    scope: Scope = dataclasses.field(default=Scope(), compare=False, repr=False)
    consumers: tuple[Impact, ...] = ()

    @property
    def level(self) -> Level:
        """The level of the finding's check."""
        return self.check.level


@dataclass(frozen=True, slots=True)
class ContractDiff:
    """The findings of one base/revision pair of contracts (either side may be absent)."""

    base: str | None
    revision: str | None
    findings: tuple[Finding, ...]
    # The pact provider name the contract was matched with, and whether any pact names it.
    provider: str | None = None
    pacts_found: bool = False

    @property
    def name(self) -> str:
        """How the pair is named in reports: the revision, or the base for a removed contract."""
        return self.revision or self.base or "?"


@dataclass(frozen=True, slots=True)
class DiffReport:
    """Every compared contract pair, plus notes about inputs that were skipped (unreadable pacts...)."""

    contracts: tuple[ContractDiff, ...]
    notes: tuple[str, ...] = ()

    @property
    def findings(self) -> list[Finding]:
        """All findings, contract by contract."""
        return [finding for contract in self.contracts for finding in contract.findings]

    def counts(self) -> Counter[Level]:
        """How many findings there are of each level."""
        return Counter(finding.level for finding in self.findings)

    def fails(self, threshold: Level | None) -> bool:
        """True when some finding is at or above ``threshold`` (``None`` never fails)."""
        return threshold is not None and any(finding.level.rank >= threshold.rank for finding in self.findings)
