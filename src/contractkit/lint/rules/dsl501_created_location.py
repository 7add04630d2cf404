"""DSL-501: a POST that creates answers 201 with ``Location``."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.model import has_header
from contractkit.lint.naming import PATH_PARAMETER
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-501",
    slug="created-location",
    level="MUST",
    statement=(
        "A POST that creates a resource answers 201 with a `Location` header. A POST to a collection whose "
        "members have their own path (`/coupons` next to `/coupons/{couponId}`) creates; a POST that answers "
        "200 declares that it creates nothing addressable: it computes (`quoteCoupon`) or changes state."
    ),
    rationale=(
        "201 plus `Location` tells clients, caches and Schemathesis' stateful phase where the new resource "
        "lives. The success status is the declaration, and the rule holds the contract to it: every 201 "
        "carries `Location`, and a collection with addressable members cannot claim 200 for its POST."
    ),
    good_example="""\
post:
  operationId: createCoupon
  responses:
    '201':
      description: The coupon was created.
      headers:
        Location: {$ref: '../shared/headers.yaml#/Location'}
""",
    bad_example="""\
post:
  operationId: createCoupon
  responses:
    '201':
      description: The coupon was created.
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report 201s of POSTs without ``Location`` and POSTs to addressable collections that do not answer 201."""
    member_parents = {
        path.rsplit("/", 1)[0] for path in ctx.paths if "/" in path and PATH_PARAMETER.match(path.rsplit("/", 1)[1])
    }
    for operation in ctx.operations:
        if operation.method != "post":
            continue
        created = operation.responses.get("201")
        if created is not None:
            if not has_header(created.target, "Location"):
                yield Finding.at(RULE, created.target, f"201 response of {operation.label} has no Location header")
        elif operation.path in member_parents:
            message = f"{operation.label} adds to a collection with addressable members: answer 201 with Location"
            yield Finding.at(RULE, operation.node, message)
