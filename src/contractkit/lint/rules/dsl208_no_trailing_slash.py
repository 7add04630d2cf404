"""DSL-208: paths do not end with a slash."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-208",
    slug="no-trailing-slash",
    level="MUST",
    statement="No path ends with `/` (except the root path `/` itself).",
    rationale=(
        "`/v1/coupons` and `/v1/coupons/` are different URLs; frameworks answer one with a redirect or a 404, "
        "and a redirect turns a POST into a GET in some clients."
    ),
    good_example="""\
paths:
  /v1/coupons: {}
""",
    bad_example="""\
paths:
  /v1/coupons/: {}
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each path with a trailing slash."""
    for path, (site, _) in ctx.paths.items():
        if path != "/" and path.endswith("/"):
            yield Finding.at(RULE, site, f"path {path} ends with a slash")
