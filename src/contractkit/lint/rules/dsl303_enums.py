"""DSL-303: enumerations are typed, have unique values, and use UPPER_SNAKE values."""

from __future__ import annotations

import json
from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import Origin
from contractkit.lint.naming import UPPER_SNAKE
from contractkit.lint.registry import Rule
from contractkit.lint.schemas import types

RULE = Rule(
    id="DSL-303",
    slug="enums",
    level="MUST",
    statement=(
        "Every `enum` has a `type`, no value twice, and string values in UPPER_SNAKE (`FIXED_AMOUNT`). Header "
        "values follow their HTTP specification instead (`Idempotent-Replayed: true`)."
    ),
    rationale=(
        "UPPER_SNAKE values map onto enum constants in Java and Kotlin without renaming and stand out as "
        "codes in logs; a type tells generators what to emit; a duplicate is always a mistake."
    ),
    good_example="""\
status:
  type: string
  enum: [ACTIVE, PAUSED]
""",
    bad_example="""\
status:
  enum: [active, paused, active]
""",
)


def _identity(value: object) -> object:
    # JSON equality: 1 and true differ (Python says they are equal), objects compare by content.
    if isinstance(value, str | int | float | bool) or value is None:
        return (type(value).__name__, value)
    return json.dumps(value, sort_keys=True)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report untyped enums, duplicated values and string values that are not UPPER_SNAKE."""
    for view in ctx.index.schemas:
        values = view.node.get("enum")
        if not isinstance(values, list) or view.origin is Origin.HEADER:
            continue
        where = view.node.child("enum")
        if not types(view.node.value):
            yield Finding.at(RULE, view.node, "enum has no type")
        keys = [_identity(value) for value in values]
        if len(set(keys)) != len(keys):
            yield Finding.at(RULE, where, "enum lists a value more than once")
        wrong = [value for value in values if isinstance(value, str) and not UPPER_SNAKE.match(value)]
        if wrong:
            shown = ", ".join(repr(value) for value in wrong[:5]) + (", ..." if len(wrong) > 5 else "")
            yield Finding.at(RULE, where, f"enum values are not UPPER_SNAKE: {shown}")
