"""DSL-306 (review-only): computed amounts document their rounding."""

from __future__ import annotations

from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-306",
    slug="documented-rounding",
    level="MUST",
    statement=(
        "An operation that computes an amount (a discount, a fee, a refund share) states in its description "
        "how it rounds, in minor units, and where the result is capped."
    ),
    rationale=(
        "Two services that round a percentage differently disagree by a cent, and reconciliation finds it a "
        "month later. Whether a description states a rule clearly is for a reviewer to judge."
    ),
    good_example="""\
description: >-
  A percentage discount is floor(orderAmount * percent / 100) in minor units, then capped by
  maximumDiscount and by the order amount.
""",
    bad_example="""\
description: Applies the percentage discount.
""",
    review_only=True,
)
