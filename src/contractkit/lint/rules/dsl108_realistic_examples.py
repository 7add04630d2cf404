"""DSL-108 (review-only): examples tell one consistent, realistic story."""

from __future__ import annotations

from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-108",
    slug="realistic-examples",
    level="SHOULD",
    statement=(
        "Examples use realistic values from the domain (real-looking ids with their prefixes, plausible "
        "amounts in minor units) and agree with each other across operations."
    ),
    rationale=(
        "DSL-106 checks that examples are valid; only a reader can tell whether they explain anything. The "
        "coupon created in one example should be the one redeemed in the next."
    ),
    good_example="""\
example: {id: cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K, code: SUMMER10, orderAmount: {amount: 4990, currency: EUR}}
""",
    bad_example="""\
example: {id: string, code: string, orderAmount: {amount: 0, currency: AAA}}
""",
    review_only=True,
)
