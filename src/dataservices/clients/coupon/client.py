"""`CouponClient`: the coupon service's operations as awaitable methods, on the shared client core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from dataservices.clients.coupon import calls
from dataservices.clients.coupon.models import (
    Coupon,
    CouponChanges,
    CouponStatus,
    NewCoupon,
    Quote,
    QuoteRequest,
    Redeemed,
    Redemption,
    RedemptionRequest,
    RedemptionStatus,
    SettableStatus,
    VersionedCoupon,
)
from dataservices.clients.models import Money, Page
from dataservices.clients.service_client import ServiceClient


class CouponClient(ServiceClient):
    """An asyncio client of the coupon service, one method per operation of its contract.

    Reads take `consistency_token=` to see a given write; inside `read_your_writes()` they see the
    context's own writes. `iter_*` methods walk every page.
    """

    user_agent = "dataservices-coupon-client/2"

    async def create_coupon(self, coupon: NewCoupon) -> VersionedCoupon:
        """Create a coupon; `CouponCodeTaken` if another coupon has its code."""
        return await self.call(calls.create_coupon(coupon))

    async def get_coupon(self, coupon_id: str, *, consistency_token: str | None = None) -> VersionedCoupon:
        """The coupon with its usage, and its ETag."""
        return await self.call(calls.get_coupon(coupon_id, consistency_token))

    async def list_coupons(
        self,
        *,
        status: CouponStatus | None = None,
        code: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistency_token: str | None = None,
    ) -> Page[Coupon]:
        """One page of coupons, newest first."""
        return await self.call(
            calls.list_coupons(
                status=status, code=code, limit=limit, cursor=cursor, consistency_token=consistency_token
            )
        )

    def iter_coupons(
        self, *, status: CouponStatus | None = None, code: str | None = None, page_size: int | None = None
    ) -> AsyncIterator[Coupon]:
        """Every coupon, newest first, fetching each page when the iteration reaches it."""
        return self.walk(
            lambda cursor: calls.list_coupons(
                status=status, code=code, limit=page_size, cursor=cursor, consistency_token=None
            )
        )

    async def update_coupon(
        self,
        coupon_id: str,
        if_match: str,
        *,
        name: str | None = None,
        status: SettableStatus | None = None,
        expires_at: datetime | None = None,
        total_limit: int | None = None,
        per_user_limit: int | None = None,
    ) -> VersionedCoupon:
        """Change the coupon at version `if_match` (its ETag); `PreconditionFailed` if another change came first."""
        changes = CouponChanges(
            name=name, status=status, expires_at=expires_at, total_limit=total_limit, per_user_limit=per_user_limit
        )
        return await self.call(calls.update_coupon(coupon_id, if_match, changes))

    async def quote(self, coupon_id: str, *, user_id: str, order_amount: Money) -> Quote:
        """The discount the coupon would give this order now, without redeeming."""
        return await self.call(calls.quote_coupon(coupon_id, QuoteRequest(user_id=user_id, order_amount=order_amount)))

    async def redeem(
        self,
        coupon_id: str,
        *,
        user_id: str,
        order_id: str,
        order_amount: Money,
        idempotency_key: str,
        hold_seconds: int | None = None,
    ) -> Redeemed:
        """Redeem for an order: CONFIRMED, or RESERVED for `hold_seconds`. A retry with the same key replays."""
        request = RedemptionRequest(
            user_id=user_id, order_id=order_id, order_amount=order_amount, hold_seconds=hold_seconds
        )
        return await self.call(calls.redeem_coupon(coupon_id, request, idempotency_key))

    async def get_redemption(self, redemption_id: str, *, consistency_token: str | None = None) -> Redemption:
        return await self.call(calls.get_redemption(redemption_id, consistency_token))

    async def list_coupon_redemptions(
        self,
        coupon_id: str,
        *,
        status: RedemptionStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistency_token: str | None = None,
    ) -> Page[Redemption]:
        """One page of the coupon's redemptions, newest first."""
        base = calls.coupon_redemptions(coupon_id)
        return await self.call(
            calls.list_redemptions(base, status=status, limit=limit, cursor=cursor, consistency_token=consistency_token)
        )

    def iter_coupon_redemptions(
        self, coupon_id: str, *, status: RedemptionStatus | None = None, page_size: int | None = None
    ) -> AsyncIterator[Redemption]:
        base = calls.coupon_redemptions(coupon_id)
        return self.walk(
            lambda cursor: calls.list_redemptions(
                base, status=status, limit=page_size, cursor=cursor, consistency_token=None
            )
        )

    async def list_redemptions(
        self,
        *,
        user_id: str | None = None,
        status: RedemptionStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistency_token: str | None = None,
    ) -> Page[Redemption]:
        """One page of redemptions of every coupon, newest first; `user_id` keeps one user's."""
        return await self.call(
            calls.list_redemptions(
                calls.REDEMPTIONS,
                user_id=user_id,
                status=status,
                limit=limit,
                cursor=cursor,
                consistency_token=consistency_token,
            )
        )

    def iter_redemptions(
        self, *, user_id: str | None = None, status: RedemptionStatus | None = None, page_size: int | None = None
    ) -> AsyncIterator[Redemption]:
        return self.walk(
            lambda cursor: calls.list_redemptions(
                calls.REDEMPTIONS,
                user_id=user_id,
                status=status,
                limit=page_size,
                cursor=cursor,
                consistency_token=None,
            )
        )

    async def confirm_redemption(self, redemption_id: str) -> Redemption:
        """RESERVED → CONFIRMED; repeating it returns the redemption unchanged."""
        return await self.call(calls.move_redemption(redemption_id, "confirmation"))

    async def release_redemption(self, redemption_id: str) -> Redemption:
        """RESERVED → RELEASED, giving the usage back; repeating it returns the redemption unchanged."""
        return await self.call(calls.move_redemption(redemption_id, "release"))

    async def cancel_redemption(self, redemption_id: str) -> Redemption:
        """CONFIRMED → CANCELLED (the order was refunded), giving the usage back; repeating it changes nothing."""
        return await self.call(calls.move_redemption(redemption_id, "cancellation"))
