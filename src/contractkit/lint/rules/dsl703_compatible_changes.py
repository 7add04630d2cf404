"""DSL-703 (review-only here): within a major version, changes stay backward compatible."""

from __future__ import annotations

from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-703",
    slug="compatible-changes",
    level="MUST",
    statement=(
        "Within a major version a contract only changes compatibly: it adds optional inputs, operations and "
        "response fields, and never removes, renames, narrows or makes required what clients rely on."
    ),
    rationale=(
        "Consumers deploy on their own schedule; a breaking change under the same `/v1` breaks them without "
        "warning. A single contract cannot show a change: the breaking-change check compares two versions, "
        "and reviewers judge what it cannot (a changed meaning under an unchanged schema)."
    ),
    good_example="""\
# 1.3.0 adds an optional response field `campaignId`; 1.2.x clients ignore it.
""",
    bad_example="""\
# 1.3.0 renames `perUserLimit` to `userLimit`; 1.2.x clients break.
""",
    review_only=True,
)
