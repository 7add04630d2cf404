"""DSL-602: operations that require authentication document 401 and 403."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-602",
    slug="auth-error-responses",
    level="MUST",
    statement="Every operation with a security requirement declares 401 (no valid token) and 403 (missing scope).",
    rationale=(
        "Clients must tell 'get a new token' (401, with `WWW-Authenticate`) from 'ask for another scope' "
        "(403); both answers happen on every secured operation, so both are part of its contract."
    ),
    good_example="""\
responses:
  '401': {$ref: '../shared/responses.yaml#/Unauthorized'}
  '403': {$ref: '../shared/responses.yaml#/Forbidden'}
""",
    bad_example="""\
responses:
  '200': {$ref: '#/components/responses/Coupon'}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report secured operations missing 401 or 403."""
    for operation in ctx.operations:
        if operation.is_public or not isinstance(operation.security, list) or not operation.security:
            continue
        missing = [status for status in ("401", "403") if status not in operation.responses]
        if missing:
            where = operation.node.child("responses")
            node = where if isinstance(where.value, dict) else operation.node
            yield Finding.at(
                RULE, node, f"{operation.label} requires authentication but does not declare {' and '.join(missing)}"
            )
