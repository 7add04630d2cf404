"""DSL-103: every operation has a tag, and every tag it uses is declared."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-103",
    slug="operation-tags",
    level="MUST",
    statement="Every operation has at least one tag, and each tag is declared with a description in `tags`.",
    rationale=(
        "Tags group operations in the API reference and in generated clients. A tag used but not declared "
        "has no description and is usually a typo that creates a second, near-empty group."
    ),
    good_example="""\
tags:
  - name: Coupons
    description: Create, read and change coupons.
paths:
  /v1/coupons:
    get:
      tags: [Coupons]
""",
    bad_example="""\
paths:
  /v1/coupons:
    get:
      tags: [Coupon]   # not declared, or no tags at all
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report untagged operations and tags missing from the document's ``tags``."""
    declared_tags = ctx.spec.get("tags")
    declared = (
        {tag.get("name") for tag in declared_tags if isinstance(tag, dict)}
        if isinstance(declared_tags, list)
        else set()
    )
    for operation in ctx.operations:
        tags = operation.value.get("tags")
        if not isinstance(tags, list) or not tags:
            yield Finding.at(RULE, operation.node, f"{operation.label} has no tag")
            continue
        for position, tag in enumerate(tags):
            if tag not in declared:
                where = operation.node.child("tags", position)
                yield Finding.at(RULE, where, f"tag {tag!r} is not declared in the document's `tags`")
