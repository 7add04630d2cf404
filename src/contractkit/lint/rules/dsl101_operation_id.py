"""DSL-101: every operation has a unique, camelCase ``operationId``."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import CAMEL_CASE
from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-101",
    slug="operation-id",
    level="MUST",
    statement="Every operation has an `operationId` that is camelCase and unique in the contract.",
    rationale=(
        "Generated clients name their methods after it, links (`operationId` in `links`) and pacts refer to "
        "it, and the reference implementations bind routes to it. A missing or duplicated id breaks all "
        "three; camelCase keeps generated method names natural on the JVM and in TypeScript."
    ),
    good_example="""\
paths:
  /v1/coupons:
    post:
      operationId: createCoupon
""",
    bad_example="""\
paths:
  /v1/coupons:
    post:
      operationId: Create_Coupon
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report operations without an id, with a non-camelCase id, or with an id already taken."""
    first_use: dict[str, str] = {}
    for operation in ctx.operations:
        operation_id = operation.value.get("operationId")
        if not isinstance(operation_id, str) or not operation_id:
            yield Finding.at(RULE, operation.node, f"{operation.label} has no operationId")
            continue
        where = operation.node.child("operationId")
        if not CAMEL_CASE.match(operation_id):
            yield Finding.at(RULE, where, f"operationId {operation_id!r} is not camelCase")
        if operation_id in first_use:
            message = f"operationId {operation_id!r} is also used by {first_use[operation_id]}"
            yield Finding.at(RULE, where, message)
        else:
            first_use[operation_id] = operation.label
