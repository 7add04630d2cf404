"""DSL-105: parameters and schema properties are described."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import Node
from contractkit.lint.registry import Rule

_MAX_DEPTH = 8

RULE = Rule(
    id="DSL-105",
    slug="descriptions",
    level="SHOULD",
    statement=(
        "Every parameter and every schema property has a `description` (its own, or the one of the schema "
        "it references)."
    ),
    rationale=(
        "Names say what a value is called, not what it means, its unit, or when it is absent. The API "
        "reference and generated clients show these descriptions where developers look."
    ),
    good_example="""\
properties:
  holdSeconds:
    type: integer
    format: int32
    description: Reserve instead of confirming at once, for this many seconds.
""",
    bad_example="""\
properties:
  holdSeconds:
    type: integer
    format: int32
""",
)


def _described(ctx: LintContext, node: Node, depth: int = 0) -> bool:
    target = ctx.follow(node)
    for candidate in (node, target):
        text = candidate.get("description")
        if isinstance(text, str) and text.strip():
            return True
    members = target.get("allOf")
    # The depth bound stops a schema that includes itself through allOf.
    if isinstance(members, list) and depth < _MAX_DEPTH:
        return any(_described(ctx, target.child("allOf", i), depth + 1) for i in range(len(members)))
    return False


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report undescribed parameters and properties (each definition once, where it is written)."""
    for parameter in ctx.index.parameters:
        if not _described(ctx, parameter):
            yield Finding.at(RULE, parameter, f"parameter {parameter.get('name')!r} has no description")
    for prop in ctx.index.properties:
        if isinstance(prop.node.value, dict) and not _described(ctx, prop.node):
            yield Finding.at(RULE, prop.node, f"property {prop.name!r} has no description")
