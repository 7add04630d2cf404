"""DSL-204: header names are Hyphenated-Pascal-Case."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.headers import header_names
from contractkit.lint.naming import HEADER_CASE
from contractkit.lint.registry import Rule

# Headers whose specification spells them in lower case (W3C Trace Context); written as specified.
SPECIFIED_LOWER_CASE = frozenset({"traceparent", "tracestate"})

RULE = Rule(
    id="DSL-204",
    slug="header-names",
    level="SHOULD",
    statement=(
        "Header names are Hyphenated-Pascal-Case (`Idempotency-Key`, `ETag`), except headers whose "
        "specification spells them otherwise (`traceparent`, `tracestate`)."
    ),
    rationale=(
        "HTTP header names are case-insensitive, but docs, examples and generated clients copy the spelling "
        "of the contract; the registered spelling is the one people search for."
    ),
    good_example="""\
parameters:
  - {name: Idempotency-Key, in: header, required: true, schema: {type: string, maxLength: 255}}
""",
    bad_example="""\
parameters:
  - {name: idempotency_key, in: header, required: true, schema: {type: string, maxLength: 255}}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report header parameters and response headers whose names are not Hyphenated-Pascal-Case."""
    for name, node in header_names(ctx):
        if name.lower() in SPECIFIED_LOWER_CASE:
            if name != name.lower():
                yield Finding.at(RULE, node, f"header {name!r} is spelled {name.lower()!r} by its specification")
        elif not HEADER_CASE.match(name):
            yield Finding.at(RULE, node, f"header {name!r} is not Hyphenated-Pascal-Case")
