"""DSL-305: every string is bounded."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule
from contractkit.lint.schemas import types

# Formats that fix a string's shape (and so its length). `byte`, `binary` and `password` do not.
SHAPED_FORMATS = frozenset(
    {
        "date", "date-time", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4",
        "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "uuid", "json-pointer",
        "relative-json-pointer", "regex",
    }
)  # fmt: skip
_BOUNDS = ("maxLength", "pattern", "enum", "const")

RULE = Rule(
    id="DSL-305",
    slug="bounded-strings",
    level="MUST",
    statement="Every string has a `maxLength`, a `pattern`, an `enum`/`const`, or a format that fixes its shape.",
    rationale=(
        "An unbounded string is an invitation to send megabytes into a column, a log line or a cache key. A "
        "bound documents the real limit of the implementation and lets Schemathesis test it."
    ),
    good_example="""\
name:
  type: string
  maxLength: 120
""",
    bad_example="""\
name:
  type: string
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report string schemas with no bound."""
    for view in ctx.index.schemas:
        value = view.node.value
        if "string" not in types(value):
            continue
        if any(bound in value for bound in _BOUNDS) or value.get("format") in SHAPED_FORMATS:
            continue
        yield Finding.at(RULE, view.node, "string without maxLength, pattern, enum or a shaped format")
