"""The coupon contract's schemas as frozen pydantic models: what the client sends and what it returns.

Field names are snake_case here and camelCase on the wire. Money is integer minor units: a float
amount is refused, never rounded. Unknown fields in an answer are ignored, so the service can add
fields without breaking its callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, StrictInt
from pydantic.alias_generators import to_camel

T = TypeVar("T")


def format_utc(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`, as every timestamp of the contracts is written."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcDatetime = Annotated[AwareDatetime, PlainSerializer(format_utc, return_type=str, when_used="json")]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")


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


class Money(_Model):
    """An amount in integer minor units of its currency (cents for EUR)."""

    amount: Annotated[StrictInt, Field(ge=0, le=9_007_199_254_740_991)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class FixedAmountDiscount(_Model):
    type: Literal["FIXED_AMOUNT"] = "FIXED_AMOUNT"
    amount: Money


class PercentageDiscount(_Model):
    """`floor(orderAmount * percent / 100)`, at most `maximum_discount`."""

    type: Literal["PERCENTAGE"] = "PERCENTAGE"
    percent: Annotated[StrictInt, Field(ge=1, le=100)]
    maximum_discount: Money | None = None


Discount = Annotated[FixedAmountDiscount | PercentageDiscount, Field(discriminator="type")]


class Usage(_Model):
    confirmed: StrictInt
    reserved: StrictInt
    remaining: StrictInt | None  # None when the coupon has no total limit


class Coupon(_Model):
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


class NewCoupon(_Model):
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


class Quote(_Model):
    coupon_id: str
    code: str
    order_amount: Money
    eligible: bool
    reason: IneligibilityReason | None
    discount: Money
    payable_amount: Money


class Redemption(_Model):
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


class Page(_Model, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next page, until it is None."""

    items: tuple[T, ...]
    next_cursor: str | None


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


class ProblemFieldError(_Model):
    """One invalid part of a request, as a validation problem lists it."""

    location: str  # BODY, QUERY, PATH or HEADER
    pointer: str
    message: str


class Problem(_Model):
    """An RFC 9457 problem document as the data services send it."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: tuple[ProblemFieldError, ...] = ()
