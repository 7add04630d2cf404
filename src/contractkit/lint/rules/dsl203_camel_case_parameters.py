"""DSL-203: path, query and cookie parameter names are camelCase."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import CAMEL_CASE
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-203",
    slug="camel-case-parameters",
    level="MUST",
    statement="Every path, query and cookie parameter is named in camelCase (`userId`); headers follow DSL-204.",
    rationale=(
        "Parameters and body properties name the same things (`userId` in a query filters on `userId` in the "
        "body); one convention for both keeps clients and docs consistent."
    ),
    good_example="""\
parameters:
  - {name: userId, in: query, schema: {type: string, maxLength: 64}}
""",
    bad_example="""\
parameters:
  - {name: user_id, in: query, schema: {type: string, maxLength: 64}}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each parameter definition (once) whose name is not camelCase."""
    for parameter in ctx.index.parameters:
        name = parameter.get("name")
        if parameter.get("in") in ("path", "query", "cookie") and isinstance(name, str) and not CAMEL_CASE.match(name):
            yield Finding.at(
                RULE, parameter.child("name"), f"{parameter.get('in')} parameter {name!r} is not camelCase"
            )
