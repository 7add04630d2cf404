"""The coupon contract's own bodies as frozen models; `Money`, `Page` and `Problem` come from the client core.

Written by hand rather than generated (the docs' clients page says why). Each model is compared with its
schema in the bundled contract (`tests/dataservices/clients/test_coupon_models.py`), so a contract change
that would break a call (a field added, dropped or renamed, an enum value added, a field made nullable or
required) fails the build.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictInt

from dataservices.clients.models import ContractModel, Money, UtcDatetime


class CouponStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    EXPIRED = "EXPIRED"  # derived from the validity window; a change cannot set it


class RedemptionStatus(StrEnum):
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    RELEASED = "RELEASED"
    CANCELLED = "CANCELLED"


class IneligibilityReason(StrEnum):
    COUPON_EXHAUSTED = "COUPON_EXHAUSTED"
    COUPON_USER_LIMIT_REACHED = "COUPON_USER_LIMIT_REACHED"
    COUPON_PAUSED = "COUPON_PAUSED"
    COUPON_EXPIRED = "COUPON_EXPIRED"
    COUPON_NOT_YET_VALID = "COUPON_NOT_YET_VALID"
    ORDER_BELOW_MINIMUM = "ORDER_BELOW_MINIMUM"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"


# The statuses a change may set.
SettableStatus = Literal[CouponStatus.ACTIVE, CouponStatus.PAUSED]


class FixedAmountDiscount(ContractModel):
    type: Literal["FIXED_AMOUNT"] = "FIXED_AMOUNT"
    amount: Money


class PercentageDiscount(ContractModel):
    """`floor(orderAmount * percent / 100)`, at most `maximum_discount`."""

    type: Literal["PERCENTAGE"] = "PERCENTAGE"
    percent: Annotated[StrictInt, Field(ge=1, le=100)]
    maximum_discount: Money | None = None


Discount = Annotated[FixedAmountDiscount | PercentageDiscount, Field(discriminator="type")]


class Usage(ContractModel):
    confirmed: StrictInt
    reserved: StrictInt
    remaining: StrictInt | None  # None when the coupon has no total limit


class Coupon(ContractModel):
    id: str
    code: str
    name: str
    currency: str
    discount: Discount
    minimum_order_amount: Money | None
    starts_at: AwareDatetime
    expires_at: AwareDatetime
    total_limit: StrictInt | None
    per_user_limit: StrictInt
    status: CouponStatus
    usage: Usage
    created_at: AwareDatetime
    updated_at: AwareDatetime


class NewCoupon(ContractModel):
    """The body of `create_coupon`; optional fields left None take the service's defaults."""

    code: str
    name: str
    currency: str
    discount: Discount
    starts_at: UtcDatetime
    expires_at: UtcDatetime
    minimum_order_amount: Money | None = None
    total_limit: StrictInt | None = None
    per_user_limit: StrictInt | None = None
    status: SettableStatus | None = None


class CouponChanges(ContractModel):
    """The body of `update_coupon`: only the fields given change."""

    name: str | None = None
    status: SettableStatus | None = None
    expires_at: UtcDatetime | None = None
    total_limit: StrictInt | None = None
    per_user_limit: StrictInt | None = None


class QuoteRequest(ContractModel):
    """The body of `quote`."""

    user_id: str
    order_amount: Money


class RedemptionRequest(ContractModel):
    """The body of `redeem`; without `hold_seconds` the redemption is CONFIRMED at once."""

    user_id: str
    order_id: str
    order_amount: Money
    hold_seconds: StrictInt | None = None


class Quote(ContractModel):
    coupon_id: str
    code: str
    order_amount: Money
    eligible: bool
    reason: IneligibilityReason | None
    discount: Money
    payable_amount: Money


class Redemption(ContractModel):
    id: str
    coupon_id: str
    code: str
    user_id: str
    order_id: str
    order_amount: Money
    discount: Money
    status: RedemptionStatus
    hold_expires_at: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


@dataclass(frozen=True, slots=True)
class VersionedCoupon:
    """A coupon and its `ETag`, which `update_coupon` takes as `if_match`."""

    coupon: Coupon
    etag: str


@dataclass(frozen=True, slots=True)
class Redeemed:
    """A redemption, and whether it is the replay of an earlier request with the same idempotency key."""

    redemption: Redemption
    replayed: bool
