"""DSL-205: no new ``X-`` headers."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.headers import header_names
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-205",
    slug="no-x-headers",
    level="MUST",
    statement="No header name starts with `X-`.",
    rationale=(
        "RFC 6648 deprecates the `X-` prefix: experimental headers that succeed keep their prefix forever "
        "(`X-Forwarded-For`). Name a header for what it means (`Idempotency-Key`, `Consistency-Token`)."
    ),
    good_example="""\
headers:
  Consistency-Token: {$ref: '../shared/headers.yaml#/ConsistencyToken'}
""",
    bad_example="""\
headers:
  X-Consistency-Token: {$ref: '../shared/headers.yaml#/ConsistencyToken'}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report header parameters and response headers named ``X-...``."""
    for name, node in header_names(ctx):
        if name[:2].lower() == "x-":
            yield Finding.at(RULE, node, f"header {name!r} uses the deprecated X- prefix (RFC 6648)")
