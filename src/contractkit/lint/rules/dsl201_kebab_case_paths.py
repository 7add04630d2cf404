"""DSL-201: path segments are kebab-case."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import KEBAB_CASE, is_static_segment, path_segments
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-201",
    slug="kebab-case-paths",
    level="MUST",
    statement="Every literal path segment is kebab-case: lower-case letters and digits joined by hyphens.",
    rationale=(
        "URLs are case-sensitive; one convention means nobody guesses between `/topUps`, `/top_ups` and "
        "`/top-ups`. Operational endpoints (DSL-608) keep the names platforms expect, such as `/openapi.yaml`."
    ),
    good_example="""\
paths:
  /v1/wallets/{walletId}/top-ups: {}
""",
    bad_example="""\
paths:
  /v1/wallets/{walletId}/topUps: {}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each path (once) with the segments that are not kebab-case."""
    for path, (site, operations) in ctx.paths.items():
        if operations and all(operation.is_operational for operation in operations):
            continue
        wrong = [s for s in path_segments(path) if is_static_segment(s) and not KEBAB_CASE.match(s)]
        if wrong:
            listed = ", ".join(repr(segment) for segment in wrong)
            yield Finding.at(RULE, site, f"path {path} has segments that are not kebab-case: {listed}")
