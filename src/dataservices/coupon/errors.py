"""The coupon service's domain errors, each a problem type of the error catalogue."""

from __future__ import annotations

from dataservices.common.problems import Problem


class CouponNotFound(Problem):
    slug, title, status, code = "coupon-not-found", "Coupon not found", 404, "COUPON_NOT_FOUND"


class RedemptionNotFound(Problem):
    slug, title, status, code = "redemption-not-found", "Redemption not found", 404, "REDEMPTION_NOT_FOUND"


class CouponCodeTaken(Problem):
    slug, title, status, code = "coupon-code-taken", "Coupon code taken", 409, "COUPON_CODE_TAKEN"


class CouponChangeNotAllowed(Problem):
    slug, title, status, code = (
        "coupon-change-not-allowed",
        "Coupon change not allowed",
        409,
        "COUPON_CHANGE_NOT_ALLOWED",
    )


class RedemptionStateConflict(Problem):
    slug, title, status, code = (
        "redemption-state-conflict",
        "Redemption state conflict",
        409,
        "REDEMPTION_STATE_CONFLICT",
    )


class RedemptionRefused(Problem):
    """The coupon cannot be redeemed for this order; subclasses say why (quotes use the same codes)."""

    status = 409


class CouponExhausted(RedemptionRefused):
    slug, title, code = "coupon-exhausted", "Coupon exhausted", "COUPON_EXHAUSTED"


class CouponUserLimitReached(RedemptionRefused):
    slug, title, code = "coupon-user-limit-reached", "Coupon user limit reached", "COUPON_USER_LIMIT_REACHED"


class CouponPaused(RedemptionRefused):
    slug, title, code = "coupon-paused", "Coupon paused", "COUPON_PAUSED"


class CouponExpired(RedemptionRefused):
    slug, title, code = "coupon-expired", "Coupon expired", "COUPON_EXPIRED"


class CouponNotYetValid(RedemptionRefused):
    slug, title, code = "coupon-not-yet-valid", "Coupon not yet valid", "COUPON_NOT_YET_VALID"


class OrderBelowMinimum(RedemptionRefused):
    slug, title, code = "order-below-minimum", "Order below minimum", "ORDER_BELOW_MINIMUM"


class CurrencyMismatch(RedemptionRefused):
    slug, title, code = "currency-mismatch", "Currency mismatch", "CURRENCY_MISMATCH"


class OrderAlreadyRedeemed(RedemptionRefused):
    slug, title, code = "order-already-redeemed", "Order already redeemed", "ORDER_ALREADY_REDEEMED"
