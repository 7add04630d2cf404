"""DSL-402: every error response is ``application/problem+json`` with the shared ``Problem`` schema."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import Node
from contractkit.lint.registry import Rule
from contractkit.loading import pointer as jsonpointer

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA_NAME = "Problem"
# Chains of refs longer than this are cycles.
_MAX_HOPS = 16

RULE = Rule(
    id="DSL-402",
    slug="problem-json-errors",
    level="MUST",
    statement=(
        "Every 4xx, 5xx and default response has an `application/problem+json` body whose schema is a `$ref` "
        "to the shared `Problem` schema (a schema named `Problem` in a shared file, not the contract itself)."
    ),
    rationale=(
        "RFC 9457 problems give every error the same shape (type, title, status, detail, instance, plus our "
        "stable `code` and `errors[]`), so one client error handler serves every service. Referencing the "
        "one shared schema, instead of copying it, keeps that shape from drifting between contracts."
    ),
    good_example="""\
'409':
  description: The coupon is exhausted.
  content:
    application/problem+json:
      schema:
        $ref: '../shared/schemas.yaml#/Problem'
""",
    bad_example="""\
'409':
  description: The coupon is exhausted.
  content:
    application/json:
      schema:
        type: object
        properties: {message: {type: string, maxLength: 200}}
""",
)


def _is_shared_problem(ctx: LintContext, schema: Node, depth: int = 0) -> bool:
    members = schema.get("allOf")
    if isinstance(members, list) and members and "$ref" not in schema.value and depth < _MAX_HOPS:
        # An extension of the problem (`allOf: [Problem, {...}]`) is still a problem.
        return _is_shared_problem(ctx, schema.child("allOf", 0), depth + 1)
    node = schema
    for _ in range(_MAX_HOPS):
        target = ctx.refs.target(node)
        if target is None:
            return False
        tokens = jsonpointer.split(target.pointer)
        if tokens and tokens[-1] == PROBLEM_SCHEMA_NAME and target.document is not ctx.root:
            return True
        node = target
    return False


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report error responses (each once, where written) without a problem+json body of the shared schema."""
    seen: set[tuple[str, str]] = set()
    for operation in ctx.operations:
        for response in operation.responses.values():
            if response.status_class not in ("4", "5", "default") or response.target.key in seen:
                continue
            seen.add(response.target.key)
            content = response.target.child("content")
            media = content.child(PROBLEM_MEDIA_TYPE)
            if not isinstance(media.value, dict):
                others = ", ".join(content.value) if isinstance(content.value, dict) and content.value else "no body"
                message = f"{response.status} response of {operation.label} has {others}, not {PROBLEM_MEDIA_TYPE}"
                yield Finding.at(RULE, response.target, message)
                continue
            schema = media.child("schema")
            if not isinstance(schema.value, dict) or not _is_shared_problem(ctx, schema):
                message = f"{PROBLEM_MEDIA_TYPE} body of {response.status} must $ref the shared Problem schema"
                yield Finding.at(RULE, schema if isinstance(schema.value, dict) else media, message)
