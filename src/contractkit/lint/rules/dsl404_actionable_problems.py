"""DSL-404 (review-only): problems tell the caller what to fix."""

from __future__ import annotations

from contractkit.lint.registry import Rule

RULE = Rule(
    id="DSL-404",
    slug="actionable-problems",
    level="MUST",
    statement=(
        "Every problem a caller can cause has a `type` in the error catalogue, a stable `code`, and a "
        "`detail` (and catalogue entry) that says what to change before retrying."
    ),
    rationale=(
        "'Bad request' helps nobody at 3 a.m. A machine can check that the shape is there (DSL-402, the "
        "catalogue test); whether the words help a caller is for a reviewer."
    ),
    good_example="""\
detail: Coupon cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K has reached its total limit of 100 redemptions.
code: COUPON_EXHAUSTED
""",
    bad_example="""\
detail: Error.
code: ERROR
""",
    review_only=True,
)
