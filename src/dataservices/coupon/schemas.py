"""Typed views of the coupon contract's bodies: request models and the JSON of each resource.

Requests were already validated against the contract; these models give them types (timestamps
parsed by the one RFC 3339 parser) and fill defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from dataservices.common.timestamps import format_utc, parse
from dataservices.coupon.model import Coupon, Redemption

Timestamp = Annotated[datetime, BeforeValidator(parse)]


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class Money(_Body):
    amount: int
    currency: str


class FixedAmountDiscount(_Body):
    type: Literal["FIXED_AMOUNT"]
    amount: Money


class PercentageDiscount(_Body):
    type: Literal["PERCENTAGE"]
    percent: int
    maximum_discount: Money | None = None


class CouponCreate(_Body):
    code: str
    name: str
    currency: str
    discount: Annotated[FixedAmountDiscount | PercentageDiscount, Field(discriminator="type")]
    minimum_order_amount: Money | None = None
    starts_at: Timestamp
    expires_at: Timestamp
    total_limit: int | None = None
    per_user_limit: int = 1
    status: Literal["ACTIVE", "PAUSED"] = "ACTIVE"


class CouponUpdate(_Body):
    name: str | None = None
    status: Literal["ACTIVE", "PAUSED"] | None = None
    expires_at: Timestamp | None = None
    total_limit: int | None = None
    per_user_limit: int | None = None


class QuoteRequest(_Body):
    user_id: str
    order_amount: Money


class RedemptionRequest(_Body):
    user_id: str
    order_id: str
    order_amount: Money
    hold_seconds: int | None = None


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def coupon_json(coupon: Coupon, now: datetime) -> dict[str, Any]:
    """A coupon as the contract's `Coupon` schema describes it."""
    discount: dict[str, Any] = {"type": coupon.discount_type}
    if coupon.discount_type == "PERCENTAGE":
        discount["percent"] = coupon.discount_percent
        if coupon.maximum_discount is not None:
            discount["maximumDiscount"] = _money(coupon.maximum_discount, coupon.currency)
    else:
        discount["amount"] = _money(coupon.discount_amount or 0, coupon.currency)
    minimum = coupon.minimum_order_amount
    return {
        "id": coupon.id,
        "code": coupon.code,
        "name": coupon.name,
        "currency": coupon.currency,
        "discount": discount,
        "minimumOrderAmount": _money(minimum, coupon.currency) if minimum is not None else None,
        "startsAt": format_utc(coupon.starts_at),
        "expiresAt": format_utc(coupon.expires_at),
        "totalLimit": coupon.total_limit,
        "perUserLimit": coupon.per_user_limit,
        "status": coupon.effective_status(now),
        "usage": {"confirmed": coupon.confirmed, "reserved": coupon.reserved, "remaining": coupon.remaining},
        "createdAt": format_utc(coupon.created_at),
        "updatedAt": format_utc(coupon.updated_at),
    }


def redemption_json(redemption: Redemption, now: datetime) -> dict[str, Any]:
    """A redemption as the contract's `Redemption` schema describes it."""
    hold = redemption.hold_expires_at
    status = redemption.effective_status(now)
    expired_hold = status != redemption.status
    return {
        "id": redemption.id,
        "couponId": redemption.coupon_id,
        "code": redemption.code,
        "userId": redemption.user_id,
        "orderId": redemption.order_id,
        "orderAmount": _money(redemption.order_amount, redemption.currency),
        "discount": _money(redemption.discount_amount, redemption.currency),
        "status": status,
        "holdExpiresAt": format_utc(hold) if hold is not None else None,
        # A hold that ran out changed status when it expired, even if the sweep records it later.
        "updatedAt": format_utc(hold if expired_hold and hold else redemption.updated_at),
        "createdAt": format_utc(redemption.created_at),
    }
