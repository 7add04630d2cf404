"""DSL-304: integers and numbers declare their format."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule
from contractkit.lint.schemas import types

FORMATS = {"integer": ("int32", "int64"), "number": ("float", "double")}

RULE = Rule(
    id="DSL-304",
    slug="numeric-format",
    level="MUST",
    statement="Every `integer` declares `format: int32` or `int64`, every `number` `format: float` or `double`.",
    rationale=(
        "JSON numbers have no size; Java, Kotlin and SQL columns do. The format tells generators and the "
        "reference implementations which type to use, and makes overflow a documented limit, not a surprise."
    ),
    good_example="""\
perUserLimit:
  type: integer
  format: int32
""",
    bad_example="""\
perUserLimit:
  type: integer
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report numeric schemas without a matching format."""
    for view in ctx.index.schemas:
        declared = types(view.node.value)
        for kind, allowed in FORMATS.items():
            if kind in declared and view.node.get("format") not in allowed:
                yield Finding.at(RULE, view.node, f"{kind} without format {' or '.join(allowed)}")
