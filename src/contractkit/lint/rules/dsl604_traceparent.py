"""DSL-604: every operation accepts the W3C ``traceparent`` header."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-604",
    slug="traceparent",
    level="MUST",
    statement=(
        "Every operation declares the optional `traceparent` header (W3C Trace Context), except operational "
        "endpoints (DSL-608), which platforms call outside any business trace."
    ),
    rationale=(
        "A payment calls coupon and wallet; one trace across the three is how an incident is followed. "
        "Declaring the header tells every implementation to join and propagate the trace, and tells "
        "clients that sending it is expected."
    ),
    good_example="""\
parameters:
  - $ref: '../shared/parameters.yaml#/Traceparent'
""",
    bad_example="""\
parameters: []
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report business operations that do not declare ``traceparent``."""
    for operation in ctx.operations:
        if not operation.is_operational and operation.parameter("header", "traceparent") is None:
            yield Finding.at(RULE, operation.node, f"{operation.label} does not accept the traceparent header")
