"""DSL-502: a POST that moves money or consumes a coupon requires ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Iterator

from contractkit.lint.context import LintContext
from contractkit.lint.finding import Finding
from contractkit.lint.naming import is_static_segment, path_segments
from contractkit.lint.registry import Rule

# A POST to a collection with one of these names moves money or consumes a coupon.
MONEY_MOVING_COLLECTIONS = frozenset(
    {
        "captures", "charges", "credits", "debits", "deposits", "payments", "payouts", "redemptions",
        "refunds", "top-ups", "topups", "transfers", "withdrawals",
    }
)  # fmt: skip

RULE = Rule(
    id="DSL-502",
    slug="idempotency-key",
    level="MUST",
    statement=(
        "A POST that moves money or consumes a coupon requires the `Idempotency-Key` header and documents "
        "409 (same key still running) and 422 (same key, different request)."
    ),
    rationale=(
        "A timeout leaves the caller unsure whether it was charged; only a retry with the same key is safe. "
        "Such a POST is recognised by the collection it adds to: the path's last segment is one of captures, "
        "charges, credits, debits, deposits, payments, payouts, redemptions, refunds, top-ups, transfers, "
        "withdrawals. State transitions of an existing resource (`/redemptions/{id}/confirmation`) are "
        "idempotent by design and are not covered."
    ),
    good_example="""\
/v1/coupons/{couponId}/redemptions:
  post:
    parameters:
      - $ref: '../shared/parameters.yaml#/IdempotencyKey'
    responses:
      '409': {$ref: '#/components/responses/RedemptionRefused'}
      '422': {$ref: '../shared/responses.yaml#/IdempotentUnprocessableContent'}
""",
    bad_example="""\
/v1/coupons/{couponId}/redemptions:
  post:
    parameters: []
""",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Report money-moving POSTs without a required key or without 409 and 422."""
    for operation in ctx.operations:
        segments = path_segments(operation.path)
        last = segments[-1].lower().replace("_", "-") if segments else ""
        if operation.method != "post" or not is_static_segment(last) or last not in MONEY_MOVING_COLLECTIONS:
            continue
        key = operation.parameter("header", "Idempotency-Key")
        if key is None:
            yield Finding.at(
                RULE,
                operation.node,
                f"{operation.label} moves money or consumes a coupon but takes no Idempotency-Key header",
            )
        elif key.target.get("required") is not True:
            yield Finding.at(RULE, key.site, "Idempotency-Key must be required")
        missing = [status for status in ("409", "422") if status not in operation.responses]
        if missing:
            where = operation.node.child("responses")
            yield Finding.at(
                RULE,
                where if isinstance(where.value, dict) else operation.node,
                f"{operation.label} does not document {' and '.join(missing)} for idempotency-key conflicts",
            )
