"""Breaking-change review of contracts: what changed between two versions, how much it matters, and to whom.

``diff_contracts(base, revision)`` compares two contracts (files or ``REF:PATH`` from git); ``diff_git(ref)``
compares every contract under ``contracts/`` that differs from a git ref. The result is a :class:`DiffReport`
of :class:`Finding` values, each with a check from :data:`CHECKS` (the one table of check IDs and levels), a
location on both sides and the consumer interactions it affects. Reporters in ``contractkit.diff.report`` turn
it into text, Markdown, JSON, GitHub annotations or JUnit XML.
"""

from contractkit.diff.catalog import AREAS, CHECKS, FACETS
from contractkit.diff.contract import DiffOptions, compare_contracts
from contractkit.diff.findings import ContractDiff, DiffReport, Finding, Impact, Location, Scope
from contractkit.diff.git import GitError
from contractkit.diff.registry import Check, Level, Registry
from contractkit.diff.run import diff_contracts, diff_git, open_side
from contractkit.diff.sides import Side

__all__ = [
    "AREAS",
    "CHECKS",
    "FACETS",
    "Check",
    "ContractDiff",
    "DiffOptions",
    "DiffReport",
    "Finding",
    "GitError",
    "Impact",
    "Level",
    "Location",
    "Registry",
    "Scope",
    "Side",
    "compare_contracts",
    "diff_contracts",
    "diff_git",
    "open_side",
]
