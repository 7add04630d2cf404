"""DSL-202: JSON property names are camelCase."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import CAMEL_CASE
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-202",
    slug="camel-case-properties",
    level="MUST",
    statement="Every property name in a schema is camelCase (`orderAmount`, not `order_amount`).",
    rationale=(
        "The monolith's consumers run on the JVM, where camelCase maps onto fields without annotations; one "
        "convention across services lets payloads move between them unchanged."
    ),
    good_example="""\
properties:
  orderAmount: {$ref: '../shared/schemas.yaml#/Money'}
""",
    bad_example="""\
properties:
  order_amount: {$ref: '../shared/schemas.yaml#/Money'}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each property whose name is not camelCase."""
    for prop in ctx.index.properties:
        if not CAMEL_CASE.match(prop.name):
            yield Finding.at(RULE, prop.node, f"property {prop.name!r} is not camelCase")
