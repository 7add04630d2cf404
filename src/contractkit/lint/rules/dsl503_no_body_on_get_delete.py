"""DSL-503: GET, HEAD and DELETE take no request body."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-503",
    slug="no-body-on-get-delete",
    level="MUST",
    statement="GET, HEAD and DELETE operations have no `requestBody`.",
    rationale=(
        "RFC 9110 gives a body on these methods no meaning; proxies, caches and HTTP clients drop or reject "
        "it. Filters go in the query string; a search too complex for it is a POST to a `searches` resource."
    ),
    good_example="""\
get:
  parameters:
    - {$ref: '../shared/parameters.yaml#/Limit'}
""",
    bad_example="""\
get:
  requestBody:
    content: {application/json: {schema: {type: object}}}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report request bodies on GET, HEAD and DELETE."""
    for operation in ctx.operations:
        if operation.method in ("get", "head", "delete") and "requestBody" in operation.value:
            yield Finding.at(RULE, operation.node.child("requestBody"), f"{operation.label} has a request body")
