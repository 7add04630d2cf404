"""Every SQL statement of the coupon service. Functions take the caller's tx and never commit.

Statements are built once, here, with bound parameters for what changes per call: building a SQLAlchemy
statement (and its cache key) costs several times what SQLite takes to run it, and a redemption runs
eight of them while it holds the writer.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, func, literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError

from dataservices.common.db import insert_for
from dataservices.common.pagination import PageRequest, page_params, paginate
from dataservices.common.sql import Transaction
from dataservices.coupon.model import ACTIVE, CONFIRMED, PAUSED, RELEASED, RESERVED, Coupon, Redemption
from dataservices.coupon.tables import coupon_user_usage, coupons, redemptions

c, r, u = coupons.c, redemptions.c, coupon_user_usage.c


class DuplicateRow(Exception):
    """An insert met a unique constraint."""


_NOW: BindParameter[datetime] = bindparam("now")
_EXPIRED_HOLD = and_(r.status == RESERVED, r.hold_expires_at <= _NOW)
_LIVE_HOLD = or_(r.hold_expires_at.is_(None), r.hold_expires_at > _NOW)
# Usage shown excludes holds that expired but were not swept yet, so reads never need to write.
_STALE = select(func.count()).where(r.coupon_id == c.id, _EXPIRED_HOLD).correlate(coupons).scalar_subquery()
_COUPON_SELECT = select(coupons, (c.reserved_count - _STALE).label("reserved_live"))
_GET_COUPON = _COUPON_SELECT.where(c.id == bindparam("coupon_id"))
_INSERT_COUPON = coupons.insert()
_TAKE_USAGE = {
    reserve: update(coupons)
    .where(
        c.id == bindparam("coupon_id"),
        c.status == ACTIVE,
        c.starts_at <= _NOW,
        c.expires_at > _NOW,
        or_(c.total_limit.is_(None), c.confirmed_count + c.reserved_count < c.total_limit),
    )
    .values({counter: counter + 1})
    for reserve, counter in ((True, c.reserved_count), (False, c.confirmed_count))
}
_USER_USED = select(u.used).where(u.coupon_id == bindparam("coupon_id"), u.user_id == bindparam("user_id"))
_EXPIRED_HOLDS_OF_USER = select(func.count()).where(
    r.coupon_id == bindparam("coupon_id"), r.user_id == bindparam("user_id"), _EXPIRED_HOLD
)
_CONFIRM_USAGE = (
    update(coupons)
    .where(c.id == bindparam("coupon_id"))
    .values(reserved_count=c.reserved_count - 1, confirmed_count=c.confirmed_count + 1)
)
_GIVE_BACK = (
    update(coupons)
    .where(c.id == bindparam("coupon_id"))
    .values(
        reserved_count=c.reserved_count - bindparam("reserved"),
        confirmed_count=c.confirmed_count - bindparam("confirmed"),
    )
)
# Bound names of UPDATE and INSERT statements may not be column names of their table: hence `b_`.
_GIVE_BACK_USER = (
    update(coupon_user_usage)
    .where(u.coupon_id == bindparam("b_coupon_id"), u.user_id == bindparam("b_user_id"))
    .values(used=u.used - bindparam("count"))
)
_INSERT_REDEMPTION = redemptions.insert()
# The statuses are SQL literals, not parameters: a planner uses the partial index over active orders
# (uq_redemptions_active_order) only when it can see that the query's condition implies the index's,
# which it cannot for a parameter. Through (coupon_id, status) instead, the check read every confirmed
# redemption of the coupon: a hot coupon slowed down with each use.
_FIND_ORDER = select(r.id).where(
    r.coupon_id == bindparam("coupon_id"),
    r.order_id == bindparam("order_id"),
    r.status.in_([literal_column(f"'{status}'") for status in (RESERVED, CONFIRMED)]),
)
_REDEMPTION_SELECT = select(redemptions, c.code).join(coupons, c.id == r.coupon_id)
_GET_REDEMPTION = _REDEMPTION_SELECT.where(r.id == bindparam("redemption_id"))
_MOVE = {
    held: update(redemptions)
    .where(r.id == bindparam("redemption_id"), r.status == bindparam("source"), *([_LIVE_HOLD] if held else []))
    .values(status=bindparam("target"), updated_at=_NOW)
    for held in (True, False)
}
_RELEASE = {
    one_coupon: update(redemptions)
    .where(_EXPIRED_HOLD, *([r.coupon_id == bindparam("b_coupon_id")] if one_coupon else []))
    .values(status=RELEASED, updated_at=_NOW)
    .returning(r.coupon_id, r.user_id)
    for one_coupon in (True, False)
}


@cache
def _take_user_usage(dialect: str) -> Any:
    """The per-user guard for one dialect (both spell `ON CONFLICT` the same, with their own classes)."""
    limit = select(c.per_user_limit).where(c.id == bindparam("b_coupon_id")).scalar_subquery()
    return (
        insert_for(dialect, coupon_user_usage)
        .values(coupon_id=bindparam("b_coupon_id"), user_id=bindparam("b_user_id"), used=1)
        .on_conflict_do_update(index_elements=[u.coupon_id, u.user_id], set_={"used": u.used + 1}, where=u.used < limit)
        .returning(u.used)
    )


@cache
def _coupon_list(status: str | None, by_code: bool, after: bool) -> Select[Any]:
    statement = _COUPON_SELECT
    if status in (ACTIVE, PAUSED):
        statement = statement.where(c.status == bindparam("status"), c.expires_at > _NOW)
    elif status is not None:
        statement = statement.where(c.expires_at <= _NOW)
    if by_code:
        statement = statement.where(c.code == bindparam("code"))
    return paginate(statement, c.id, after)


@cache
def _redemption_list(by_coupon: bool, by_user: bool, status: str | None, after: bool) -> Select[Any]:
    statement = _REDEMPTION_SELECT
    if by_coupon:
        statement = statement.where(r.coupon_id == bindparam("coupon_id"))
    if by_user:
        statement = statement.where(r.user_id == bindparam("user_id"))
    if status == RESERVED:
        statement = statement.where(r.status == RESERVED, _LIVE_HOLD)
    elif status == RELEASED:
        statement = statement.where(or_(r.status == RELEASED, _EXPIRED_HOLD))
    elif status is not None:
        statement = statement.where(r.status == bindparam("status"))
    return paginate(statement, r.id, after)


def _coupon(row: Any) -> Coupon:
    return Coupon(
        id=row.id, code=row.code, name=row.name, currency=row.currency,
        discount_type=row.discount_type, discount_amount=row.discount_amount,
        discount_percent=row.discount_percent, maximum_discount=row.maximum_discount,
        minimum_order_amount=row.minimum_order_amount, starts_at=row.starts_at,
        expires_at=row.expires_at, total_limit=row.total_limit, per_user_limit=row.per_user_limit,
        status=row.status, confirmed=row.confirmed_count, reserved=row.reserved_live,
        version=row.version, created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


def _redemption(row: Any) -> Redemption:
    return Redemption(
        id=row.id, coupon_id=row.coupon_id, code=row.code, user_id=row.user_id, order_id=row.order_id,
        order_amount=row.order_amount, currency=row.currency, discount_amount=row.discount_amount,
        status=row.status, hold_expires_at=row.hold_expires_at, created_at=row.created_at,
        updated_at=row.updated_at,
    )  # fmt: skip


def insert_coupon(tx: Transaction, values: dict[str, Any]) -> None:
    """Insert a coupon; a taken code is `DuplicateRow`, after which the transaction can only roll back."""
    try:
        tx.execute(_INSERT_COUPON, values)
    except IntegrityError as exc:
        raise DuplicateRow(str(exc.orig)) from exc


def get_coupon(tx: Transaction, coupon_id: str, now: datetime) -> Coupon | None:
    row = tx.execute(_GET_COUPON, {"coupon_id": coupon_id, "now": now}).first()
    return _coupon(row) if row else None


def list_coupons(
    tx: Transaction, now: datetime, page: PageRequest, status: str | None, code: str | None
) -> list[Coupon]:
    statement = _coupon_list(status, code is not None, page.cursor is not None)
    params = {"now": now, "status": status, "code": code, **page_params(page)}
    return [_coupon(row) for row in tx.execute(statement, params)]


def update_coupon(tx: Transaction, coupon_id: str, version: int, values: dict[str, Any]) -> bool:
    """Apply a change if the coupon is still at `version`; False if another change came first."""
    result = tx.execute(
        update(coupons).where(c.id == coupon_id, c.version == version).values(version=version + 1, **values)
    )
    return bool(result.rowcount == 1)


def take_usage(tx: Transaction, coupon_id: str, now: datetime, *, reserve: bool) -> bool:
    """Take one use of the coupon in ONE conditional update; False if status, window or limit forbid it.

    The condition and the increment are a single statement, so no two requests can both see the last
    free use: on PostgreSQL the row lock makes the second re-check the condition, on SQLite the
    transaction already holds the write lock (BEGIN IMMEDIATE).
    """
    result = tx.execute(_TAKE_USAGE[reserve], {"coupon_id": coupon_id, "now": now})
    return bool(result.rowcount == 1)


def user_used(tx: Transaction, coupon_id: str, user_id: str) -> int:
    return int(tx.scalar(_USER_USED, {"coupon_id": coupon_id, "user_id": user_id}) or 0)


def count_expired_holds(tx: Transaction, coupon_id: str, user_id: str, now: datetime) -> int:
    """The user's holds on the coupon that expired but were not swept yet."""
    params = {"coupon_id": coupon_id, "user_id": user_id, "now": now}
    return int(tx.scalar(_EXPIRED_HOLDS_OF_USER, params) or 0)


def take_user_usage(tx: Transaction, coupon_id: str, user_id: str) -> bool:
    """Count one more use for the user, only while under the coupon's per-user limit (one statement)."""
    statement = _take_user_usage(tx.dialect_name)
    return tx.execute(statement, {"b_coupon_id": coupon_id, "b_user_id": user_id}).first() is not None


def confirm_usage(tx: Transaction, coupon_id: str) -> None:
    """Turn one reserved use of the coupon into a confirmed one (the user keeps holding it)."""
    tx.execute(_CONFIRM_USAGE, {"coupon_id": coupon_id})


def give_back(tx: Transaction, coupon_id: str, users: Counter[str], *, reserved: int, confirmed: int) -> None:
    """Return usage to the coupon and to the users who held it."""
    tx.execute(_GIVE_BACK, {"coupon_id": coupon_id, "reserved": reserved, "confirmed": confirmed})
    for user_id, count in users.items():
        tx.execute(_GIVE_BACK_USER, {"b_coupon_id": coupon_id, "b_user_id": user_id, "count": count})


def insert_redemption(tx: Transaction, values: dict[str, Any]) -> None:
    """Insert a redemption; an order already active is `DuplicateRow`, after which only a rollback remains."""
    try:
        tx.execute(_INSERT_REDEMPTION, values)
    except IntegrityError as exc:
        raise DuplicateRow(str(exc.orig)) from exc


def find_order_redemption(tx: Transaction, coupon_id: str, order_id: str) -> bool:
    """Whether the order holds an active (RESERVED or CONFIRMED) redemption of the coupon."""
    return tx.scalar(_FIND_ORDER, {"coupon_id": coupon_id, "order_id": order_id}) is not None


def get_redemption(tx: Transaction, redemption_id: str) -> Redemption | None:
    row = tx.execute(_GET_REDEMPTION, {"redemption_id": redemption_id}).first()
    return _redemption(row) if row else None


def list_redemptions(
    tx: Transaction,
    page: PageRequest,
    now: datetime,
    *,
    coupon_id: str | None = None,
    user_id: str | None = None,
    status: str | None = None,
) -> list[Redemption]:
    statement = _redemption_list(coupon_id is not None, user_id is not None, status, page.cursor is not None)
    params = {"coupon_id": coupon_id, "user_id": user_id, "status": status, "now": now, **page_params(page)}
    return [_redemption(row) for row in tx.execute(statement, params)]


def move_redemption(tx: Transaction, redemption_id: str, source: str, target: str, now: datetime) -> bool:
    """Move a redemption from `source` to `target` status; False if it was not in `source`.

    A RESERVED redemption moves only while its hold lasts: an expired hold is RELEASED already.
    """
    params = {"redemption_id": redemption_id, "source": source, "target": target, "now": now}
    result = tx.execute(_MOVE[source == RESERVED], params)
    return bool(result.rowcount == 1)


def release_expired_holds(tx: Transaction, now: datetime, coupon_id: str | None = None) -> int:
    """Release every hold that has expired (of one coupon, or all) and give its usage back."""
    released = tx.execute(_RELEASE[coupon_id is not None], {"now": now, "b_coupon_id": coupon_id}).all()
    per_coupon: dict[str, Counter[str]] = {}
    for row in released:
        per_coupon.setdefault(row.coupon_id, Counter())[row.user_id] += 1
    for held_coupon, users in sorted(per_coupon.items()):
        give_back(tx, held_coupon, users, reserved=sum(users.values()), confirmed=0)
    return len(released)
