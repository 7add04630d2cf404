"""The coupon service's operations: each one is one transaction and enforces the domain rules.

No HTTP here and no SQL: routes call these methods with plain values, these call the repository.
Each operation hands one transaction function to the database (`Database.write` or `read`), which runs
it on a database thread; every write returns what it wrote with the consistency token of the
transaction that committed it. An idempotent operation also takes the caller's key and request
fingerprint and runs its work through the service's idempotency keys, in the same transaction; its
result is the answer the key records, which a retry gets again (`dataservices.coupon.answers`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dataservices.common.db import Database, Written
from dataservices.common.idempotency import IdempotencyKeys, KeyedRequest, StoredResponse
from dataservices.common.ids import new_id
from dataservices.common.pagination import Page, PageRequest, page_of
from dataservices.common.problems import FieldError, validation_failed
from dataservices.common.sql import Transaction
from dataservices.common.timestamps import utc_now
from dataservices.common.versioning import changed_meanwhile, check_if_match
from dataservices.coupon import errors, repository
from dataservices.coupon.answers import redemption_created
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

    def __init__(self, database: Database, keys: IdempotencyKeys, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = database
        self.keys = keys
        self.clock = clock

    async def create(self, request: CouponCreate) -> Written[Coupon]:
        errors_found = _creation_errors(request)
        if errors_found:
            raise validation_failed(errors_found)
        now = self.clock()
        values = _coupon_values(request, now)

        def create(tx: Transaction) -> Coupon:
            try:
                repository.insert_coupon(tx, values)
            except repository.DuplicateRow as exc:
                raise errors.CouponCodeTaken(f"Another coupon already has the code {request.code}.") from exc
            return self._coupon(tx, values["id"], now)

        return await self.db.write(create)

    def _coupon(self, tx: Transaction, coupon_id: str, now: datetime) -> Coupon:
        coupon = repository.get_coupon(tx, coupon_id, now)
        if coupon is None:
            raise errors.CouponNotFound(f"No coupon has the id {coupon_id}.")
        return coupon

    async def get(self, coupon_id: str, consistency_token: str | None = None) -> Coupon:
        now = self.clock()
        return await self.db.read(lambda tx: self._coupon(tx, coupon_id, now), consistency_token)

    async def list(
        self, page: PageRequest, status: str | None, code: str | None, consistency_token: str | None = None
    ) -> Page[Coupon]:
        now = self.clock()
        rows = await self.db.read(lambda tx: repository.list_coupons(tx, now, page, status, code), consistency_token)
        return page_of(rows, page, lambda coupon: coupon.id)

    async def update(self, coupon_id: str, if_match: str, change: CouponUpdate) -> Written[Coupon]:
        now = self.clock()

        def update(tx: Transaction) -> Coupon:
            coupon = self._coupon(tx, coupon_id, now)
            check_if_match(if_match, coupon.version, "coupon")
            values = _allowed_change(coupon, change)
            values["updated_at"] = now
            if not repository.update_coupon(tx, coupon_id, coupon.version, values):
                raise changed_meanwhile("coupon", if_match)
            return self._coupon(tx, coupon_id, now)

        return await self.db.write(update)

    async def quote(self, coupon_id: str, request: QuoteRequest, consistency_token: str | None = None) -> Quote:
        now = self.clock()

        def usage(tx: Transaction) -> tuple[Coupon, int]:
            coupon = self._coupon(tx, coupon_id, now)
            used = repository.user_used(tx, coupon_id, request.user_id)
            # Holds of this user that expired still count in `used` until swept; subtract them.
            return coupon, used - repository.count_expired_holds(tx, coupon_id, request.user_id, now)

        coupon, used = await self.db.read(usage, consistency_token)
        amount, currency = request.order_amount.amount, request.order_amount.currency
        refusal = order_refusal(coupon, amount, currency) or state_refusal(coupon, now, used)
        discount = 0 if refusal else discount_for(coupon, amount)
        return Quote(coupon=coupon, order_amount=amount, currency=currency, refusal=refusal, discount=discount)

    async def redeem(self, coupon_id: str, request: RedemptionRequest, key: KeyedRequest) -> Written[StoredResponse]:
        """Redeem once per idempotency key: the key, the redemption and its answer commit together.

        The result is the answer the key records: the new redemption, or the same answer again for a
        retry (`replayed`). A refusal by the coupon's rules is the key's outcome too: a retry gets the
        same refusal, and a refusal is returned as its recorded problem, not raised.
        """
        now = self.clock()

        def work(tx: Transaction) -> StoredResponse:
            return redemption_created(self._redeem(tx, coupon_id, request, now), now)

        return await self.keys.run(key, work, keep=lambda problem: isinstance(problem, errors.RedemptionRefused))

    def _redeem(self, tx: Transaction, coupon_id: str, request: RedemptionRequest, now: datetime) -> Redemption:
        coupon = self._coupon(tx, coupon_id, now)
        amount, currency = request.order_amount.amount, request.order_amount.currency
        refusal = order_refusal(coupon, amount, currency)
        if refusal:
            raise refusal
        repository.release_expired_holds(tx, now, coupon_id)
        if repository.find_order_redemption(tx, coupon_id, request.order_id):
            raise errors.OrderAlreadyRedeemed(f"Order {request.order_id} already holds a redemption of {coupon.code}.")
        reserve = request.hold_seconds is not None
        if not repository.take_usage(tx, coupon_id, now, reserve=reserve):
            coupon = self._coupon(tx, coupon_id, now)
            used = repository.user_used(tx, coupon_id, request.user_id)
            raise state_refusal(coupon, now, used) or errors.CouponExhausted(f"Coupon {coupon_id} is used up.")
        if not repository.take_user_usage(tx, coupon_id, request.user_id):
            raise errors.CouponUserLimitReached(
                f"User {request.user_id} already holds the {coupon.per_user_limit} redemptions allowed per user."
            )
        values: dict[str, Any] = {
            "id": new_id("rdm"),
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
            repository.insert_redemption(tx, values)
        except repository.DuplicateRow as exc:
            raise errors.OrderAlreadyRedeemed(
                f"Order {request.order_id} already holds a redemption of {coupon.code}."
            ) from exc
        return Redemption(code=coupon.code, **values)

    def _redemption(self, tx: Transaction, redemption_id: str) -> Redemption:
        redemption = repository.get_redemption(tx, redemption_id)
        if redemption is None:
            raise errors.RedemptionNotFound(f"No redemption has the id {redemption_id}.")
        return redemption

    async def get_redemption(self, redemption_id: str, consistency_token: str | None = None) -> Redemption:
        return await self.db.read(lambda tx: self._redemption(tx, redemption_id), consistency_token)

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

        def listing(tx: Transaction) -> list[Redemption]:
            if coupon_id is not None:
                self._coupon(tx, coupon_id, now)
            return repository.list_redemptions(tx, page, now, coupon_id=coupon_id, user_id=user_id, status=status)

        rows = await self.db.read(listing, consistency_token)
        return page_of(rows, page, lambda redemption: redemption.id)

    async def confirm(self, redemption_id: str) -> Written[Redemption]:
        return await self._transition(redemption_id, RESERVED, CONFIRMED, "confirmed")

    async def release(self, redemption_id: str) -> Written[Redemption]:
        return await self._transition(redemption_id, RESERVED, RELEASED, "released")

    async def cancel(self, redemption_id: str) -> Written[Redemption]:
        return await self._transition(redemption_id, CONFIRMED, CANCELLED, "cancelled")

    async def _transition(self, redemption_id: str, source: str, target: str, verb: str) -> Written[Redemption]:
        """Move a redemption and its coupon's counters together; repeating a done move changes nothing."""
        now = self.clock()

        def move(tx: Transaction) -> Redemption:
            redemption = self._redemption(tx, redemption_id)
            repository.release_expired_holds(tx, now, redemption.coupon_id)
            if repository.move_redemption(tx, redemption_id, source, target, now):
                if target == CONFIRMED:
                    repository.confirm_usage(tx, redemption.coupon_id)
                else:
                    repository.give_back(
                        tx,
                        redemption.coupon_id,
                        Counter({redemption.user_id: 1}),
                        reserved=1 if source == RESERVED else 0,
                        confirmed=1 if source == CONFIRMED else 0,
                    )
                return self._redemption(tx, redemption_id)
            current = self._redemption(tx, redemption_id)
            if current.status == target:
                return current
            reason = " (its hold expired)" if current.status == RELEASED and source == RESERVED else ""
            raise errors.RedemptionStateConflict(
                f"Redemption {redemption_id} is {current.status}{reason} and cannot be {verb}."
            )

        return await self.db.write(move)

    async def release_expired_holds(self) -> int:
        """Sweep every expired hold; the background sweeper calls this."""
        now = self.clock()
        written = await self.db.write(lambda tx: repository.release_expired_holds(tx, now))
        return written.value


def _coupon_values(request: CouponCreate, now: datetime) -> dict[str, Any]:
    """The row of a new coupon."""
    discount = request.discount
    percentage = discount if isinstance(discount, PercentageDiscount) else None
    fixed = discount if isinstance(discount, FixedAmountDiscount) else None
    return {
        "id": new_id("cpn"),
        "code": request.code,
        "name": request.name,
        "currency": request.currency,
        "discount_type": discount.type,
        "discount_amount": fixed.amount.amount if fixed else None,
        "discount_percent": percentage.percent if percentage else None,
        "maximum_discount": percentage.maximum_discount.amount if percentage and percentage.maximum_discount else None,
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
