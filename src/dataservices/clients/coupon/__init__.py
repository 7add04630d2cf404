"""The coupon service's typed asyncio client, as `payment-service` and `backoffice` call it.

`CouponClient` has one method per operation of `contracts/coupon/openapi.yaml`; results are frozen
models of the contract (money in integer minor units); a problem answer raises the class of its
`code` (the coupon's own here, the shared ones in `dataservices.clients`). Everything else (tokens,
timeouts, retries, trace context, read-your-writes) is the client core's.

    async with CouponClient("http://coupon:8081", ClientCredentials(...)) as coupons:
        with read_your_writes():
            coupon = await coupons.get_coupon("cpn_...")
            await coupons.update_coupon(coupon.coupon.id, coupon.etag, status=CouponStatus.PAUSED)
"""

from dataservices.clients.coupon.client import CouponClient
from dataservices.clients.coupon.errors import (
    CouponChangeNotAllowed,
    CouponCodeTaken,
    CouponExhausted,
    CouponExpired,
    CouponNotFound,
    CouponNotYetValid,
    CouponPaused,
    CouponUserLimitReached,
    CurrencyMismatch,
    OrderAlreadyRedeemed,
    OrderBelowMinimum,
    RedemptionNotFound,
    RedemptionRefused,
    RedemptionStateConflict,
)
from dataservices.clients.coupon.models import (
    Coupon,
    CouponChanges,
    CouponStatus,
    Discount,
    FixedAmountDiscount,
    IneligibilityReason,
    NewCoupon,
    PercentageDiscount,
    Quote,
    QuoteRequest,
    Redeemed,
    Redemption,
    RedemptionRequest,
    RedemptionStatus,
    Usage,
    VersionedCoupon,
)

__all__ = [
    "Coupon",
    "CouponChangeNotAllowed",
    "CouponChanges",
    "CouponClient",
    "CouponCodeTaken",
    "CouponExhausted",
    "CouponExpired",
    "CouponNotFound",
    "CouponNotYetValid",
    "CouponPaused",
    "CouponStatus",
    "CouponUserLimitReached",
    "CurrencyMismatch",
    "Discount",
    "FixedAmountDiscount",
    "IneligibilityReason",
    "NewCoupon",
    "OrderAlreadyRedeemed",
    "OrderBelowMinimum",
    "PercentageDiscount",
    "Quote",
    "QuoteRequest",
    "Redeemed",
    "Redemption",
    "RedemptionNotFound",
    "RedemptionRefused",
    "RedemptionRequest",
    "RedemptionStateConflict",
    "RedemptionStatus",
    "Usage",
    "VersionedCoupon",
]
