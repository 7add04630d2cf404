"""DSL-307: a pattern constrains the whole string, as ECMA-262 reads it."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit import patterns
from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-307",
    slug="whole-string-patterns",
    level="MUST",
    statement=(
        "A `pattern` is anchored at both ends (`^…$`; an alternation goes inside a group, `^(ON|OFF)$`, or "
        "anchors every branch), so it constrains the whole string; implementations match it as ECMA-262 does, "
        "where `$` is the end of the string and `\\d` an ASCII digit."
    ),
    rationale=(
        "JSON Schema's `pattern` is a search: `[A-Z0-9]+` accepts `'; DROP` because it contains an `A`. Anchoring "
        "makes the pattern the whole rule. The reading matters too: in Python, Java and PCRE `$` also matches "
        "before a final newline and `\\d` may take any Unicode digit, so `SUMMER10\\n` would pass `^[A-Z0-9]+$` "
        "and become a second coupon code next to `SUMMER10`. The services translate each pattern once "
        "(`contractkit.patterns`), and the behavioural kit sends a trailing newline to every patterned field "
        "(`KIT-407`)."
    ),
    good_example="""\
code:
  type: string
  pattern: '^[A-Z0-9][A-Z0-9_-]{2,31}$'
""",
    bad_example="""\
code:
  type: string
  pattern: '[A-Z0-9_-]+'
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report patterns that can match part of a string."""
    for view in ctx.index.schemas:
        pattern = view.node.get("pattern")
        if isinstance(pattern, str) and not patterns.anchored(pattern):
            message = f"pattern {pattern!r} is not anchored at both ends: it matches any string that contains a match"
            yield Finding.at(RULE, view.node.child("pattern"), message)
