"""The coupon service's typed HTTP client, as `payment-service` and `backoffice` call it.

`CouponClient` (blocking) and `AsyncCouponClient` (asyncio) have the same methods, one per operation
of `contracts/coupon/openapi.yaml`, and share the code that builds requests and reads answers
(`calls`); only the sending differs. Results are frozen models mirroring the contract (`models`;
money in integer minor units). Error answers raise a `CouponServiceError` subclass chosen by the
problem's `code` (`errors`).

Read-your-writes: the client remembers the `Consistency-Token` of its last write and sends it on
later reads (a read can name another token), so a lagging replica never hides the caller's writes.

    with CouponClient("http://coupon:8081", token_provider) as coupons:
        coupon = coupons.get_coupon("cpn_...")
        coupons.update_coupon(coupon.coupon.id, coupon.etag, status=CouponStatus.PAUSED)
"""

from dataservices.clients.coupon.async_client import AsyncCouponClient
from dataservices.clients.coupon.calls import TokenProvider
from dataservices.clients.coupon.client import CouponClient
from dataservices.clients.coupon.errors import (
    CouponChangeNotAllowed,
    CouponCodeTaken,
    CouponExhausted,
    CouponExpired,
    CouponNotFound,
    CouponNotYetValid,
    CouponPaused,
    CouponServiceError,
    CouponUserLimitReached,
    CurrencyMismatch,
    IdempotencyKeyInUse,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InsufficientScope,
    InternalError,
    MalformedRequest,
    NotFound,
    OrderAlreadyRedeemed,
    OrderBelowMinimum,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    RedemptionNotFound,
    RedemptionRefused,
    RedemptionStateConflict,
    ServiceUnavailable,
    Unauthenticated,
    UnexpectedResponse,
    ValidationFailed,
)
from dataservices.clients.coupon.models import (
    Coupon,
    CouponStatus,
    Discount,
    FixedAmountDiscount,
    IneligibilityReason,
    Money,
    NewCoupon,
    Page,
    PercentageDiscount,
    Problem,
    ProblemFieldError,
    Quote,
    Redeemed,
    Redemption,
    RedemptionStatus,
    Usage,
    VersionedCoupon,
)

__all__ = [
    "AsyncCouponClient",
    "Coupon",
    "CouponChangeNotAllowed",
    "CouponClient",
    "CouponCodeTaken",
    "CouponExhausted",
    "CouponExpired",
    "CouponNotFound",
    "CouponNotYetValid",
    "CouponPaused",
    "CouponServiceError",
    "CouponStatus",
    "CouponUserLimitReached",
    "CurrencyMismatch",
    "Discount",
    "FixedAmountDiscount",
    "IdempotencyKeyInUse",
    "IdempotencyKeyRequired",
    "IdempotencyKeyReused",
    "IneligibilityReason",
    "InsufficientScope",
    "InternalError",
    "MalformedRequest",
    "Money",
    "NewCoupon",
    "NotFound",
    "OrderAlreadyRedeemed",
    "OrderBelowMinimum",
    "Page",
    "PercentageDiscount",
    "PreconditionFailed",
    "PreconditionRequired",
    "Problem",
    "ProblemFieldError",
    "Quote",
    "RateLimited",
    "Redeemed",
    "Redemption",
    "RedemptionNotFound",
    "RedemptionRefused",
    "RedemptionStateConflict",
    "RedemptionStatus",
    "ServiceUnavailable",
    "TokenProvider",
    "Unauthenticated",
    "UnexpectedResponse",
    "Usage",
    "ValidationFailed",
    "VersionedCoupon",
]
