"""The coupon service's operations: each one is one transaction and enforces the domain rules.

No HTTP here and no SQL: routes call these methods, these call the repository.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dataservices.common.db import Database
from dataservices.common.http import check_if_match
from dataservices.common.ids import new_id
from dataservices.common.pagination import Page, PageRequest, page_of
from dataservices.common.problems import FieldError, PreconditionFailed, validation_failed
from dataservices.common.timestamps import utc_now
from dataservices.coupon import errors, repository
from dataservices.coupon.model import (
    CANCELLED,
    CONFIRMED,
    RELEASED,
    RESERVED,
    Coupon,
    Redemption,
    discount_for,
    order_refusal,
    state_refusal,
)
from dataservices.coupon.schemas import (
    CouponCreate,
    CouponUpdate,
    FixedAmountDiscount,
    Money,
    PercentageDiscount,
    QuoteRequest,
    RedemptionRequest,
)


@dataclass(frozen=True, slots=True)
class Quote:
    """The discount a coupon would give an order now."""

    coupon: Coupon
    order_amount: int
    currency: str
    refusal: errors.RedemptionRefused | None
    discount: int


class CouponService:
    """Coupon operations on one database."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = database
        self.clock = clock

    async def create(self, request: CouponCreate) -> Coupon:
        errors_found = _creation_errors(request)
        if errors_found:
            raise validation_failed(errors_found)
        now = self.clock()
        discount = request.discount
        percentage = discount if isinstance(discount, PercentageDiscount) else None
        fixed = discount if isinstance(discount, FixedAmountDiscount) else None
        values: dict[str, Any] = {
            "id": new_id("cpn"),
            "code": request.code,
            "name": request.name,
            "currency": request.currency,
            "discount_type": discount.type,
            "discount_amount": fixed.amount.amount if fixed else None,
            "discount_percent": percentage.percent if percentage else None,
            "maximum_discount": percentage.maximum_discount.amount
            if percentage and percentage.maximum_discount
            else None,
            "minimum_order_amount": request.minimum_order_amount.amount if request.minimum_order_amount else None,
            "starts_at": request.starts_at,
            "expires_at": request.expires_at,
            "total_limit": request.total_limit,
            "per_user_limit": request.per_user_limit,
            "status": request.status,
            "confirmed_count": 0,
            "reserved_count": 0,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        async with self.db.write() as session:
            try:
                await repository.insert_coupon(session, values)
            except repository.DuplicateRow as exc:
                raise errors.CouponCodeTaken(f"Another coupon already has the code {request.code}.") from exc
            return await self._coupon(session, values["id"], now)

    async def _coupon(self, session: AsyncSession, coupon_id: str, now: datetime) -> Coupon:
        coupon = await repository.get_coupon(session, coupon_id, now)
        if coupon is None:
            raise errors.CouponNotFound(f"No coupon has the id {coupon_id}.")
        return coupon

    async def get(self, coupon_id: str, consistency_token: str | None = None) -> Coupon:
        async with self.db.read(consistency_token) as session:
            return await self._coupon(session, coupon_id, self.clock())

    async def list(
        self, page: PageRequest, status: str | None, code: str | None, consistency_token: str | None = None
    ) -> Page[Coupon]:
        async with self.db.read(consistency_token) as session:
            rows = await repository.list_coupons(session, self.clock(), page, status, code)
        return page_of(rows, page, lambda coupon: coupon.id)

    async def update(self, coupon_id: str, if_match: str, change: CouponUpdate) -> Coupon:
        now = self.clock()
        async with self.db.write() as session:
            coupon = await self._coupon(session, coupon_id, now)
            check_if_match(if_match, coupon.version, "coupon")
            values = _allowed_change(coupon, change)
            values["updated_at"] = now
            if not await repository.update_coupon(session, coupon_id, coupon.version, values):
                raise PreconditionFailed(f"The coupon changed while this change was applied; it is past {if_match}.")
            return await self._coupon(session, coupon_id, now)

    async def quote(self, coupon_id: str, request: QuoteRequest) -> Quote:
        now = self.clock()
        async with self.db.read() as session:
            coupon = await self._coupon(session, coupon_id, now)
            used = await repository.user_used(session, coupon_id, request.user_id)
            # Holds of this user that expired still count in `used` until swept; subtract them.
            used -= await repository.count_expired_holds(session, coupon_id, request.user_id, now)
        amount, currency = request.order_amount.amount, request.order_amount.currency
        refusal = order_refusal(coupon, amount, currency) or state_refusal(coupon, now, used)
        discount = 0 if refusal else discount_for(coupon, amount)
        return Quote(coupon=coupon, order_amount=amount, currency=currency, refusal=refusal, discount=discount)

    async def redeem(self, session: AsyncSession, coupon_id: str, request: RedemptionRequest) -> Redemption:
        """Redeem within the caller's transaction (the idempotency key's), all or nothing."""
        now = self.clock()
        coupon = await self._coupon(session, coupon_id, now)
        amount, currency = request.order_amount.amount, request.order_amount.currency
        refusal = order_refusal(coupon, amount, currency)
        if refusal:
            raise refusal
        await repository.release_expired_holds(session, now, coupon_id)
        if await repository.find_order_redemption(session, coupon_id, request.order_id):
            raise errors.OrderAlreadyRedeemed(f"Order {request.order_id} already holds a redemption of {coupon.code}.")
        reserve = request.hold_seconds is not None
        if not await repository.take_usage(session, coupon_id, now, reserve=reserve):
            coupon = await self._coupon(session, coupon_id, now)
            used = await repository.user_used(session, coupon_id, request.user_id)
            raise state_refusal(coupon, now, used) or errors.CouponExhausted(f"Coupon {coupon_id} is used up.")
        if not await repository.take_user_usage(session, coupon_id, request.user_id):
            raise errors.CouponUserLimitReached(
                f"User {request.user_id} already holds the {coupon.per_user_limit} redemptions allowed per user."
            )
        redemption_id = new_id("rdm")
        values = {
            "id": redemption_id,
            "coupon_id": coupon_id,
            "user_id": request.user_id,
            "order_id": request.order_id,
            "order_amount": amount,
            "currency": currency,
            "discount_amount": discount_for(coupon, amount),
            "status": RESERVED if reserve else CONFIRMED,
            "hold_expires_at": now + timedelta(seconds=request.hold_seconds) if request.hold_seconds else None,
            "created_at": now,
            "updated_at": now,
        }
        try:
            await repository.insert_redemption(session, values)
        except repository.DuplicateRow as exc:
            raise errors.OrderAlreadyRedeemed(
                f"Order {request.order_id} already holds a redemption of {coupon.code}."
            ) from exc
        return await self._redemption(session, redemption_id)

    async def _redemption(self, session: AsyncSession, redemption_id: str) -> Redemption:
        redemption = await repository.get_redemption(session, redemption_id)
        if redemption is None:
            raise errors.RedemptionNotFound(f"No redemption has the id {redemption_id}.")
        return redemption

    async def get_redemption(self, redemption_id: str, consistency_token: str | None = None) -> Redemption:
        async with self.db.read(consistency_token) as session:
            return await self._redemption(session, redemption_id)

    async def list_redemptions(
        self,
        page: PageRequest,
        *,
        coupon_id: str | None = None,
        user_id: str | None = None,
        status: str | None = None,
        consistency_token: str | None = None,
    ) -> Page[Redemption]:
        now = self.clock()
        async with self.db.read(consistency_token) as session:
            if coupon_id is not None:
                await self._coupon(session, coupon_id, now)
            rows = await repository.list_redemptions(
                session, page, now, coupon_id=coupon_id, user_id=user_id, status=status
            )
        return page_of(rows, page, lambda redemption: redemption.id)

    async def confirm(self, redemption_id: str) -> Redemption:
        return await self._transition(redemption_id, RESERVED, CONFIRMED, "confirmed")

    async def release(self, redemption_id: str) -> Redemption:
        return await self._transition(redemption_id, RESERVED, RELEASED, "released")

    async def cancel(self, redemption_id: str) -> Redemption:
        return await self._transition(redemption_id, CONFIRMED, CANCELLED, "cancelled")

    async def _transition(self, redemption_id: str, source: str, target: str, verb: str) -> Redemption:
        """Move a redemption and its coupon's counters together; repeating a done move changes nothing."""
        now = self.clock()
        async with self.db.write() as session:
            redemption = await self._redemption(session, redemption_id)
            await repository.release_expired_holds(session, now, redemption.coupon_id)
            if await repository.move_redemption(session, redemption_id, source, target, now):
                if target == CONFIRMED:
                    await repository.confirm_usage(session, redemption.coupon_id)
                else:
                    await repository.give_back(
                        session,
                        redemption.coupon_id,
                        Counter({redemption.user_id: 1}),
                        reserved=1 if source == RESERVED else 0,
                        confirmed=1 if source == CONFIRMED else 0,
                    )
                return await self._redemption(session, redemption_id)
            current = await self._redemption(session, redemption_id)
            if current.status == target:
                return current
            reason = " (its hold expired)" if current.status == RELEASED and source == RESERVED else ""
            raise errors.RedemptionStateConflict(
                f"Redemption {redemption_id} is {current.status}{reason} and cannot be {verb}."
            )

    async def release_expired_holds(self) -> int:
        """Sweep every expired hold; the background sweeper calls this."""
        async with self.db.write() as session:
            return await repository.release_expired_holds(session, self.clock())


def _creation_errors(request: CouponCreate) -> list[FieldError]:
    """The rules of a new coupon that JSON Schema cannot express."""
    found = []
    if request.expires_at <= request.starts_at:
        found.append(FieldError("BODY", "/expiresAt", "must be after startsAt"))
    discount = request.discount
    money: list[tuple[str, Money | None]] = [("/minimumOrderAmount", request.minimum_order_amount)]
    if isinstance(discount, FixedAmountDiscount):
        money.append(("/discount/amount", discount.amount))
    else:
        money.append(("/discount/maximumDiscount", discount.maximum_discount))
    for pointer, amount in money:
        if amount is not None and amount.currency != request.currency:
            found.append(FieldError("BODY", f"{pointer}/currency", f"must be the coupon's currency {request.currency}"))
    return found


def _allowed_change(coupon: Coupon, change: CouponUpdate) -> dict[str, Any]:
    """The columns a change sets, refusing any that takes something away from coupon holders."""
    values: dict[str, Any] = {}
    if change.name is not None:
        values["name"] = change.name
    if change.status is not None:
        values["status"] = change.status
    if change.expires_at is not None:
        if change.expires_at < coupon.expires_at:
            raise errors.CouponChangeNotAllowed(
                f"expiresAt can only be extended; it is {coupon.expires_at.isoformat()}."
            )
        values["expires_at"] = change.expires_at
    if change.total_limit is not None:
        if coupon.total_limit is None or change.total_limit < coupon.total_limit:
            current = "unlimited" if coupon.total_limit is None else str(coupon.total_limit)
            raise errors.CouponChangeNotAllowed(
                f"totalLimit can only be raised; it is {current} and the request asks for {change.total_limit}."
            )
        values["total_limit"] = change.total_limit
    if change.per_user_limit is not None:
        if change.per_user_limit < coupon.per_user_limit:
            raise errors.CouponChangeNotAllowed(
                f"perUserLimit can only be raised; it is {coupon.per_user_limit} and the request asks for "
                f"{change.per_user_limit}."
            )
        values["per_user_limit"] = change.per_user_limit
    return values
