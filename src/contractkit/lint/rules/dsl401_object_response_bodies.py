"""DSL-401: JSON response bodies are objects at the top level."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule
from contractkit.lint.schemas import is_json_media_type, is_object_schema

RULE = Rule(
    id="DSL-401",
    slug="object-response-bodies",
    level="MUST",
    statement="Every JSON response body is an object at the top level, never a bare array or scalar.",
    rationale=(
        "An object can grow: a collection can gain `nextCursor`, a result a new field, without breaking "
        "clients. A top-level array or string can never change shape compatibly."
    ),
    good_example="""\
schema:
  type: object
  properties:
    items: {type: array, maxItems: 100, items: {$ref: '#/components/schemas/Coupon'}}
""",
    bad_example="""\
schema:
  type: array
  items: {$ref: '#/components/schemas/Coupon'}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each JSON response schema (once, where written) that is not an object."""
    seen: set[tuple[str, str]] = set()
    for operation in ctx.operations:
        for response in operation.responses.values():
            content = response.target.child("content")
            if not isinstance(content.value, dict):
                continue
            for media_type in content.value:
                schema = content.child(media_type, "schema")
                if not is_json_media_type(media_type) or not isinstance(schema.value, dict) or schema.key in seen:
                    continue
                seen.add(schema.key)
                if not is_object_schema(ctx.refs, schema):
                    yield Finding.at(RULE, schema, f"{media_type} response body of {operation.label} is not an object")
