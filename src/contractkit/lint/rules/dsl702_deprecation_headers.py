"""DSL-702: deprecated operations announce it with ``Deprecation`` and ``Sunset``."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import has_header
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-702",
    slug="deprecation-headers",
    level="MUST",
    statement=(
        "Every successful response of a `deprecated: true` operation declares the `Deprecation` (RFC 9745) "
        "and `Sunset` (RFC 8594) headers."
    ),
    rationale=(
        "`deprecated` in the contract reaches people who read it; the headers reach running clients, whose "
        "logs and monitors can flag the call before the sunset date removes it."
    ),
    good_example="""\
get:
  deprecated: true
  responses:
    '200':
      headers:
        Deprecation: {$ref: '../shared/headers.yaml#/Deprecation'}
        Sunset: {$ref: '../shared/headers.yaml#/Sunset'}
""",
    bad_example="""\
get:
  deprecated: true
  responses:
    '200': {description: The coupon.}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report 2xx responses of deprecated operations without Deprecation or Sunset."""
    for operation in ctx.operations:
        if operation.value.get("deprecated") is not True:
            continue
        for response in operation.responses.values():
            if response.status_class != "2":
                continue
            missing = [name for name in ("Deprecation", "Sunset") if not has_header(response.target, name)]
            if missing:
                message = f"{response.status} of deprecated {operation.label} lacks {' and '.join(missing)}"
                yield Finding.at(RULE, response.target, message)
