"""The problems only the coupon service answers, one class per `code`; the shared ones are in `clients.errors`."""

from __future__ import annotations

from dataservices.clients.errors import Conflict, NotFound


class CouponNotFound(NotFound, code="COUPON_NOT_FOUND"):
    """No coupon has this id."""


class RedemptionNotFound(NotFound, code="REDEMPTION_NOT_FOUND"):
    """No redemption has this id."""


class CouponCodeTaken(Conflict, code="COUPON_CODE_TAKEN"):
    """Another coupon already has this code."""


class CouponChangeNotAllowed(Conflict, code="COUPON_CHANGE_NOT_ALLOWED"):
    """The change would take something away from the coupon's holders (an earlier end, a lower limit)."""


class RedemptionRefused(Conflict):
    """The coupon cannot be redeemed for this order; the subclass says why."""


class CouponExhausted(RedemptionRefused, code="COUPON_EXHAUSTED"):
    """The coupon has reached its total limit."""


class CouponUserLimitReached(RedemptionRefused, code="COUPON_USER_LIMIT_REACHED"):
    """The user already holds as many redemptions as the coupon allows per user."""


class CouponPaused(RedemptionRefused, code="COUPON_PAUSED"):
    """The coupon is paused."""


class CouponExpired(RedemptionRefused, code="COUPON_EXPIRED"):
    """The coupon's validity window has passed."""


class CouponNotYetValid(RedemptionRefused, code="COUPON_NOT_YET_VALID"):
    """The coupon's validity window has not started."""


class OrderBelowMinimum(RedemptionRefused, code="ORDER_BELOW_MINIMUM"):
    """The order amount is below the coupon's minimum."""


class CurrencyMismatch(RedemptionRefused, code="CURRENCY_MISMATCH"):
    """The order is in another currency than the coupon."""


class OrderAlreadyRedeemed(RedemptionRefused, code="ORDER_ALREADY_REDEEMED"):
    """This order already redeemed this coupon."""


class RedemptionStateConflict(Conflict, code="REDEMPTION_STATE_CONFLICT"):
    """The redemption's status does not allow this transition."""
