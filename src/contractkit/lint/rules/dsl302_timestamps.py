"""DSL-302: timestamps are ``date-time`` strings named ``...At``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule
from contractkit.lint.schemas import types, without_null

_NAMED_AT = re.compile(r"(?:[a-z0-9]At|_at)$")

RULE = Rule(
    id="DSL-302",
    slug="timestamps",
    level="MUST",
    statement=(
        "A point in time is a `type: string, format: date-time` (RFC 3339, UTC) property whose name ends in "
        "`At` (`createdAt`, `holdExpiresAt`); a property named `...At` is such a timestamp."
    ),
    rationale=(
        "One naming convention tells readers and code generators which fields are instants; RFC 3339 strings "
        "are unambiguous about the time zone, unlike epoch numbers whose unit (s or ms) is a guess."
    ),
    good_example="""\
properties:
  createdAt:
    type: string
    format: date-time
""",
    bad_example="""\
properties:
  created:
    type: string
    format: date-time
  expiresAt:
    type: integer
    format: int64
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report `...At` properties that are not date-time strings, and date-time properties not named `...At`."""
    for prop in ctx.index.properties:
        if not isinstance(prop.node.value, dict):
            continue
        schema = without_null(ctx.refs, prop.node)
        is_date_time = "string" in types(schema.value) and schema.get("format") == "date-time"
        named_at = bool(_NAMED_AT.search(prop.name))
        if named_at and not is_date_time:
            yield Finding.at(RULE, prop.node, f"{prop.name!r} is named like a timestamp but is not a date-time string")
        elif is_date_time and not named_at:
            yield Finding.at(RULE, prop.node, f"date-time property {prop.name!r} is not named ...At")
