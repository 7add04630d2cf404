"""`CouponClient`: the blocking client of the coupon service, one method per contract operation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar

import httpx

from dataservices.clients.coupon import calls
from dataservices.clients.coupon.calls import DEFAULT_TIMEOUT_SECONDS, Call, ClientCore, TokenProvider
from dataservices.clients.coupon.models import (
    Coupon,
    CouponStatus,
    Money,
    NewCoupon,
    Page,
    Quote,
    Redeemed,
    Redemption,
    RedemptionStatus,
    SettableStatus,
    VersionedCoupon,
)

T = TypeVar("T")


class CouponClient(ClientCore):
    """A blocking client of the coupon service; use it as a context manager or call `close()`.

    `token` is a bearer token or a function returning the current one. Error answers raise
    `CouponServiceError` subclasses; network failures raise `httpx.TransportError`.
    """

    def __init__(
        self,
        base_url: str,
        token: str | TokenProvider,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, token)
        self._http = httpx.Client(
            base_url=self.base_url, auth=self._auth, timeout=timeout, headers=self._base_headers, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: Call[T]) -> T:
        return self._result(call, self._http.send(self._request(self._http, call)))

    def _walk(self, page: Callable[[str | None], Call[Page[T]]]) -> Iterator[T]:
        cursor: str | None = None
        while True:
            result = self._send(page(cursor))
            yield from result.items
            if result.next_cursor is None:
                return
            cursor = result.next_cursor

    def create_coupon(self, coupon: NewCoupon, *, traceparent: str | None = None) -> VersionedCoupon:
        """Create a coupon; `CouponCodeTaken` if another coupon has its code."""
        return self._send(calls.create_coupon(coupon, traceparent))

    def get_coupon(
        self, coupon_id: str, *, consistency_token: str | None = None, traceparent: str | None = None
    ) -> VersionedCoupon:
        """The coupon with its usage, and its ETag."""
        return self._send(calls.get_coupon(coupon_id, consistency_token, traceparent))

    def list_coupons(
        self,
        *,
        status: CouponStatus | None = None,
        code: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistency_token: str | None = None,
        traceparent: str | None = None,
    ) -> Page[Coupon]:
        """One page of coupons, newest first."""
        return self._send(
            calls.list_coupons(
                status=status,
                code=code,
                limit=limit,
                cursor=cursor,
                consistency_token=consistency_token,
                traceparent=traceparent,
            )
        )

    def iter_coupons(
        self,
        *,
        status: CouponStatus | None = None,
        code: str | None = None,
        page_size: int | None = None,
        traceparent: str | None = None,
    ) -> Iterator[Coupon]:
        """Every coupon, newest first, fetching each page when the iteration reaches it."""
        return self._walk(
            lambda cursor: calls.list_coupons(
                status=status,
                code=code,
                limit=page_size,
                cursor=cursor,
                consistency_token=None,
                traceparent=traceparent,
            )
        )

    def update_coupon(
        self,
        coupon_id: str,
        if_match: str,
        *,
        name: str | None = None,
        status: SettableStatus | None = None,
        expires_at: datetime | None = None,
        total_limit: int | None = None,
        per_user_limit: int | None = None,
        traceparent: str | None = None,
    ) -> VersionedCoupon:
        """Change the coupon at version `if_match` (its ETag); `PreconditionFailed` if another change came first."""
        changes = {
            "name": name,
            "status": status,
            "expires_at": expires_at,
            "total_limit": total_limit,
            "per_user_limit": per_user_limit,
        }
        return self._send(calls.update_coupon(coupon_id, if_match, changes, traceparent))

    def quote(self, coupon_id: str, *, user_id: str, order_amount: Money, traceparent: str | None = None) -> Quote:
        """The discount the coupon would give this order now, without redeeming."""
        return self._send(calls.quote_coupon(coupon_id, user_id, order_amount, traceparent))

    def redeem(
        self,
        coupon_id: str,
        *,
        user_id: str,
        order_id: str,
        order_amount: Money,
        idempotency_key: str,
        hold_seconds: int | None = None,
        traceparent: str | None = None,
    ) -> Redeemed:
        """Redeem for an order: CONFIRMED, or RESERVED for `hold_seconds`. A retry with the same key replays."""
        return self._send(
            calls.redeem_coupon(
                coupon_id,
                user_id=user_id,
                order_id=order_id,
                order_amount=order_amount,
                hold_seconds=hold_seconds,
                idempotency_key=idempotency_key,
                traceparent=traceparent,
            )
        )

    def get_redemption(
        self, redemption_id: str, *, consistency_token: str | None = None, traceparent: str | None = None
    ) -> Redemption:
        return self._send(calls.get_redemption(redemption_id, consistency_token, traceparent))

    def list_coupon_redemptions(
        self,
        coupon_id: str,
        *,
        status: RedemptionStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistency_token: str | None = None,
        traceparent: str | None = None,
    ) -> Page[Redemption]:
        """One page of the coupon's redemptions, newest first."""
        return self._send(
            calls.list_redemptions(
                calls.coupon_path(coupon_id, "redemptions"),
                status=status,
                limit=limit,
                cursor=cursor,
                consistency_token=consistency_token,
                traceparent=traceparent,
            )
        )

    def iter_coupon_redemptions(
        self,
        coupon_id: str,
        *,
        status: RedemptionStatus | None = None,
        page_size: int | None = None,
        traceparent: str | None = None,
    ) -> Iterator[Redemption]:
        path = calls.coupon_path(coupon_id, "redemptions")
        return self._walk(
            lambda cursor: calls.list_redemptions(
                path, status=status, limit=page_size, cursor=cursor, consistency_token=None, traceparent=traceparent
            )
        )

    def list_redemptions(
        self,
        *,
        user_id: str | None = None,
        status: RedemptionStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistency_token: str | None = None,
        traceparent: str | None = None,
    ) -> Page[Redemption]:
        """One page of redemptions of every coupon, newest first; `user_id` keeps one user's."""
        return self._send(
            calls.list_redemptions(
                "/v1/redemptions",
                user_id=user_id,
                status=status,
                limit=limit,
                cursor=cursor,
                consistency_token=consistency_token,
                traceparent=traceparent,
            )
        )

    def iter_redemptions(
        self,
        *,
        user_id: str | None = None,
        status: RedemptionStatus | None = None,
        page_size: int | None = None,
        traceparent: str | None = None,
    ) -> Iterator[Redemption]:
        return self._walk(
            lambda cursor: calls.list_redemptions(
                "/v1/redemptions",
                user_id=user_id,
                status=status,
                limit=page_size,
                cursor=cursor,
                consistency_token=None,
                traceparent=traceparent,
            )
        )

    def confirm_redemption(self, redemption_id: str, *, traceparent: str | None = None) -> Redemption:
        """RESERVED → CONFIRMED; repeating it returns the redemption unchanged."""
        return self._send(calls.move_redemption(redemption_id, "confirmation", traceparent))

    def release_redemption(self, redemption_id: str, *, traceparent: str | None = None) -> Redemption:
        """RESERVED → RELEASED, giving the usage back; repeating it returns the redemption unchanged."""
        return self._send(calls.move_redemption(redemption_id, "release", traceparent))

    def cancel_redemption(self, redemption_id: str, *, traceparent: str | None = None) -> Redemption:
        """CONFIRMED → CANCELLED (the order was refunded), giving the usage back; repeating it changes nothing."""
        return self._send(calls.move_redemption(redemption_id, "cancellation", traceparent))
