"""DSL-106: every example is valid against the schema it illustrates."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.examples import ExampleValidator, example_uses
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-106",
    slug="valid-examples",
    level="MUST",
    statement=(
        "Every example (of a media type, parameter, header or schema) is valid against its schema, formats included."
    ),
    rationale=(
        "Examples are what readers copy and what Schemathesis sends first; an invalid one teaches the wrong "
        "shape and makes the examples phase of a conformance run fail for the contract's own fault."
    ),
    good_example="""\
schema:
  $ref: '../shared/schemas.yaml#/Money'
example: {amount: 1250, currency: EUR}
""",
    bad_example="""\
schema:
  $ref: '../shared/schemas.yaml#/Money'
example: {amount: 12.50, currency: EUR}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Validate each example once per schema it is used with; report the first error of each."""
    uses = list(example_uses(ctx))
    if not uses:
        return
    validator = ExampleValidator(list(ctx.workspace.documents.values()), ctx.is_openapi_30)
    reported: set[tuple[tuple[str, str], str]] = set()
    for use, problem in validator.problems(uses):
        # A shared example that fails the same way under several schemas is one finding.
        if (use.example.key, problem) not in reported:
            reported.add((use.example.key, problem))
            yield Finding.at(RULE, use.example, problem)
