"""DSL-207: paths name things, not actions."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import is_static_segment, path_segments, words
from contractkit.lint.registry import Rule

# Words that are verbs in API paths. Words that are also nouns there (`search`, `release`, `refund`,
# `export`, `check`) are left out on purpose: `/redemptions/{id}/release` names the release of a hold.
VERBS = frozenset(
    {
        "activate", "add", "approve", "calculate", "cancel", "change", "compute", "confirm", "create",
        "deactivate", "delete", "disable", "do", "edit", "enable", "execute", "fetch", "find", "generate",
        "get", "invoke", "list", "make", "modify", "perform", "process", "redeem", "reject", "remove",
        "reset", "retrieve", "run", "save", "send", "set", "submit", "trigger", "update", "validate", "verify",
    }
)  # fmt: skip

RULE = Rule(
    id="DSL-207",
    slug="no-verbs-in-paths",
    level="SHOULD",
    statement=(
        "Path segments are nouns: the HTTP method is the verb. An action on a resource is a sub-resource "
        "named by a noun (`/confirmation`, `/cancellation`)."
    ),
    rationale=(
        "Verbs in paths (`/getCoupon`, `/coupons/{id}/cancel`) duplicate the method, hide the resource model "
        "and break caching and retries that rely on method semantics. Checked against a list of words that "
        "are verbs in API paths; words that are also nouns there (`release`, `search`, `refund`) are allowed."
    ),
    good_example="""\
paths:
  /v1/redemptions/{redemptionId}/cancellation: {post: {}}
""",
    bad_example="""\
paths:
  /v1/redemptions/{redemptionId}/cancel: {post: {}}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each path (once) whose literal segments contain a verb."""
    for path, (site, _) in ctx.paths.items():
        verbs = [
            segment
            for segment in path_segments(path)
            if is_static_segment(segment) and any(word in VERBS for word in words(segment))
        ]
        if verbs:
            listed = ", ".join(repr(segment) for segment in verbs)
            yield Finding.at(RULE, site, f"path {path} has verbs in segments {listed}")
