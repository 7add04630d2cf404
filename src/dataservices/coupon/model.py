"""The coupon domain: coupons, redemptions, and the rules that decide discounts and eligibility.

Everything here is pure (no I/O), so quotes and redemptions share one definition of the discount
and of each refusal, and property tests can exercise the rules directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dataservices.coupon import errors

FIXED_AMOUNT, PERCENTAGE = "FIXED_AMOUNT", "PERCENTAGE"
ACTIVE, PAUSED, EXPIRED = "ACTIVE", "PAUSED", "EXPIRED"
RESERVED, CONFIRMED, RELEASED, CANCELLED = "RESERVED", "CONFIRMED", "RELEASED", "CANCELLED"


@dataclass(frozen=True, slots=True)
class Coupon:
    """A coupon as stored, with usage that excludes holds already expired."""

    id: str
    code: str
    name: str
    currency: str
    discount_type: str
    discount_amount: int | None
    discount_percent: int | None
    maximum_discount: int | None
    minimum_order_amount: int | None
    starts_at: datetime
    expires_at: datetime
    total_limit: int | None
    per_user_limit: int
    status: str
    confirmed: int
    reserved: int
    version: int
    created_at: datetime
    updated_at: datetime

    def effective_status(self, now: datetime) -> str:
        """EXPIRED once the window has passed, whatever the stored status."""
        return EXPIRED if now >= self.expires_at else self.status

    @property
    def remaining(self) -> int | None:
        if self.total_limit is None:
            return None
        return max(self.total_limit - self.confirmed - self.reserved, 0)


@dataclass(frozen=True, slots=True)
class Redemption:
    """A coupon bound to a user's order, with the discount computed when it was made."""

    id: str
    coupon_id: str
    code: str
    user_id: str
    order_id: str
    order_amount: int
    currency: str
    discount_amount: int
    status: str
    hold_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def effective_status(self, now: datetime) -> str:
        """A reservation whose hold has passed is RELEASED, even before the sweep records it."""
        if self.status == RESERVED and self.hold_expires_at is not None and self.hold_expires_at <= now:
            return RELEASED
        return self.status


def discount_for(coupon: Coupon, order_amount: int) -> int:
    """The discount in minor units: the one rounding rule of the service.

    A percentage is `floor(order_amount * percent / 100)` (rounding down never gives more than the
    advertised percentage), capped by `maximum_discount`; every discount is capped by the order amount.
    """
    if coupon.discount_type == FIXED_AMOUNT:
        discount = coupon.discount_amount or 0
    else:
        discount = order_amount * (coupon.discount_percent or 0) // 100
        if coupon.maximum_discount is not None:
            discount = min(discount, coupon.maximum_discount)
    return min(discount, order_amount)


def order_refusal(coupon: Coupon, order_amount: int, currency: str) -> errors.RedemptionRefused | None:
    """Why this order can never redeem this coupon, from the coupon's fixed rules; None if it can."""
    if currency != coupon.currency:
        return errors.CurrencyMismatch(f"The coupon is in {coupon.currency}; the order is in {currency}.")
    if coupon.minimum_order_amount is not None and order_amount < coupon.minimum_order_amount:
        return errors.OrderBelowMinimum(
            f"The order amount {order_amount} is below the coupon's minimum of {coupon.minimum_order_amount}"
            f" {coupon.currency} minor units."
        )
    return None


def state_refusal(coupon: Coupon, now: datetime, user_used: int) -> errors.RedemptionRefused | None:
    """Why the coupon cannot be redeemed now, from its status, window and usage; None if it can."""
    if coupon.status == PAUSED and now < coupon.expires_at:
        return errors.CouponPaused(f"Coupon {coupon.id} is paused.")
    if now < coupon.starts_at:
        return errors.CouponNotYetValid(f"Coupon {coupon.id} is valid from {coupon.starts_at.isoformat()}.")
    if now >= coupon.expires_at:
        return errors.CouponExpired(f"Coupon {coupon.id} expired at {coupon.expires_at.isoformat()}.")
    if coupon.remaining == 0:
        return errors.CouponExhausted(
            f"Coupon {coupon.id} has reached its total limit of {coupon.total_limit} redemptions."
        )
    if user_used >= coupon.per_user_limit:
        return errors.CouponUserLimitReached(
            f"This user already holds {user_used} of the {coupon.per_user_limit} redemptions allowed per user."
        )
    return None
