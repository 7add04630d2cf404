"""DSL-506 (review-only): business keys are unique."""

from __future__ import annotations

from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-506",
    slug="business-key-uniqueness",
    level="MUST",
    statement=(
        "Every business key a contract names (one payment per `orderId`, one redemption per coupon and "
        "order) is documented as unique, answered with a 409 problem when repeated, and backed by a unique "
        "constraint in the service's tables."
    ),
    rationale=(
        "Idempotency keys protect retries of one request; business keys protect against two different "
        "requests doing the same thing. Which fields are business keys is a domain decision for review."
    ),
    good_example="""\
description: An order can redeem a coupon once; a second redemption is answered 409 ORDER_ALREADY_REDEEMED.
""",
    bad_example="""\
description: Redeems the coupon for an order.
""",
    review_only=True,
)
