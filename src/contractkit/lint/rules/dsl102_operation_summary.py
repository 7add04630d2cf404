"""DSL-102: every operation has a summary."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-102",
    slug="operation-summary",
    level="MUST",
    statement="Every operation has a `summary`: a short phrase that says what it does.",
    rationale=(
        "The summary is the operation's title in the API reference, in generated clients' docs and in "
        "Schemathesis and pact reports. Without it readers see only a method and a path."
    ),
    good_example="""\
get:
  operationId: getCoupon
  summary: Get a coupon
""",
    bad_example="""\
get:
  operationId: getCoupon
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report operations whose summary is missing or blank."""
    for operation in ctx.operations:
        summary = operation.value.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            yield Finding.at(RULE, operation.node, f"{operation.label} has no summary")
