"""DSL-603: authenticated operations document 429, and every 429 says when to retry."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import has_header
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-603",
    slug="rate-limit-responses",
    level="MUST",
    statement=(
        "Every operation with a security requirement declares 429, and every 429 response declares a "
        "`Retry-After` header."
    ),
    rationale=(
        "Quotas are per client, and the client is known from its token, so every authenticated operation can "
        "answer 429; public operational endpoints have no client to count against. `Retry-After` turns a "
        "429 from an error into an instruction, and keeps retries from making an overload worse."
    ),
    good_example="""\
'429':
  description: Too many requests.
  headers:
    Retry-After: {$ref: '../shared/headers.yaml#/RetryAfter'}
""",
    bad_example="""\
'429':
  description: Too many requests.
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report secured operations without 429, and 429 responses (once each) without Retry-After."""
    seen: set[tuple[str, str]] = set()
    for operation in ctx.operations:
        secured = not operation.is_public and isinstance(operation.security, list) and bool(operation.security)
        limited = operation.responses.get("429")
        if limited is None:
            if secured:
                where = operation.node.child("responses")
                node = where if isinstance(where.value, dict) else operation.node
                yield Finding.at(RULE, node, f"{operation.label} requires authentication but does not declare 429")
        elif limited.target.key not in seen:
            seen.add(limited.target.key)
            if not has_header(limited.target, "Retry-After"):
                yield Finding.at(RULE, limited.target, "429 response has no Retry-After header")
