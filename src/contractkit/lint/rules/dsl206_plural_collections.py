"""DSL-206: collections are named with plural nouns."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import OperationView
from contractkit.lint.naming import VERSION_SEGMENT, is_plural, is_static_segment, path_segments
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-206",
    slug="plural-collections",
    level="SHOULD",
    statement=(
        "A segment that names a collection is a plural noun: the segment before a `{id}` segment, and the "
        "last segment of a path whose POST creates (answers 201)."
    ),
    rationale=(
        "`/v1/coupons/{couponId}` reads as 'the coupon with this id among the coupons'; mixing `/coupon/{id}` "
        "and `/coupons` makes every client guess. Plural is detected by the last word ending in -s (not -ss, "
        "-us, -is) or being a known plural such as `data` or `people`; waive a false alarm with a reason."
    ),
    good_example="""\
paths:
  /v1/coupons/{couponId}: {}
""",
    bad_example="""\
paths:
  /v1/coupon/{couponId}: {}
""",
)


def _creates(operations: list[OperationView]) -> bool:
    return any(operation.method == "post" and "201" in operation.responses for operation in operations)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report each path (once) whose collection segments are not plural."""
    for path, (site, operations) in ctx.paths.items():
        segments = path_segments(path)
        named = [
            segment
            for segment, following in pairwise(segments)
            if is_static_segment(segment) and not is_static_segment(following)
        ]
        if segments and is_static_segment(segments[-1]) and _creates(operations):
            named.append(segments[-1])
        wrong = [segment for segment in named if not VERSION_SEGMENT.match(segment) and not is_plural(segment)]
        if wrong:
            listed = ", ".join(repr(segment) for segment in dict.fromkeys(wrong))
            yield Finding.at(RULE, site, f"path {path} names collections in the singular: {listed}")
