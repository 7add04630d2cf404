"""The finding lint adds for a ``$ref`` it could not follow: missing, broken, or refused by the root boundary.

Rules skip what a broken ref hides, so without this a contract whose refs lead outside the repository
(or to ``/dev/zero``) would lint clean. Reported like a rule, documented on the tools page.
"""

from __future__ import annotations

from dataclasses import dataclass

from contractkit.lint.finding import Finding
from contractkit.lint.refs import Refs
from contractkit.lint.registry import GUIDE, Severity
from contractkit.loading import pointer as jsonpointer


@dataclass(frozen=True, slots=True)
class LoadCheck:
    """A check about loading the contract rather than its design; its page is the tools page."""

    id: str
    statement: str
    severity: Severity

    @property
    def slug(self) -> str:
        """Named by its id, like the waiver checks."""
        return self.id

    @property
    def docs_url(self) -> str:
        """The tools page of the docs site, at this check's anchor."""
        return f"{GUIDE.base_url.removesuffix('guidelines/')}tools/#{self.id}"


UNRESOLVED_REF = LoadCheck(
    "unresolved-ref",
    "A `$ref` leads nowhere, or to a file contractkit will not read (outside the root, not a regular file).",
    Severity.ERROR,
)


def unresolved_findings(refs: Refs) -> list[Finding]:
    """One finding per ``$ref`` object the checks met and could not follow, at its ``$ref`` key."""
    return [
        Finding(UNRESOLVED_REF, node.document, jsonpointer.child(node.pointer, "$ref"), reason)
        for node, reason in refs.unresolved.values()
    ]
