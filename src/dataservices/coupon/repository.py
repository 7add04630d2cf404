"""Every SQL statement of the coupon service. Functions take the caller's connection and never commit."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from dataservices.common.db import insert_for
from dataservices.common.pagination import PageRequest, paginate
from dataservices.coupon.model import ACTIVE, CONFIRMED, PAUSED, RELEASED, RESERVED, Coupon, Redemption
from dataservices.coupon.tables import coupon_user_usage, coupons, redemptions

c, r, u = coupons.c, redemptions.c, coupon_user_usage.c


class DuplicateRow(Exception):
    """An insert met a unique constraint."""


def _expired_holds(now: datetime) -> ColumnElement[bool]:
    return and_(r.status == RESERVED, r.hold_expires_at <= now)


def _coupon_select(now: datetime) -> Any:
    # Usage shown excludes holds that expired but were not swept yet, so reads never need to write.
    stale = select(func.count()).where(r.coupon_id == c.id, _expired_holds(now)).correlate(coupons).scalar_subquery()
    return select(coupons, (c.reserved_count - stale).label("reserved_live"))


def _coupon(row: Any) -> Coupon:
    m = row._mapping
    return Coupon(
        id=m["id"], code=m["code"], name=m["name"], currency=m["currency"],
        discount_type=m["discount_type"], discount_amount=m["discount_amount"],
        discount_percent=m["discount_percent"], maximum_discount=m["maximum_discount"],
        minimum_order_amount=m["minimum_order_amount"], starts_at=m["starts_at"],
        expires_at=m["expires_at"], total_limit=m["total_limit"], per_user_limit=m["per_user_limit"],
        status=m["status"], confirmed=m["confirmed_count"], reserved=m["reserved_live"],
        version=m["version"], created_at=m["created_at"], updated_at=m["updated_at"],
    )  # fmt: skip


def _redemption(row: Any) -> Redemption:
    m = row._mapping
    return Redemption(
        id=m["id"], coupon_id=m["coupon_id"], code=m["code"], user_id=m["user_id"], order_id=m["order_id"],
        order_amount=m["order_amount"], currency=m["currency"], discount_amount=m["discount_amount"],
        status=m["status"], hold_expires_at=m["hold_expires_at"], created_at=m["created_at"],
        updated_at=m["updated_at"],
    )  # fmt: skip


def insert_coupon(connection: Connection, values: dict[str, Any]) -> None:
    """Insert a coupon; a taken code is `DuplicateRow`, after which the transaction can only roll back."""
    try:
        connection.execute(coupons.insert().values(**values))
    except IntegrityError as exc:
        raise DuplicateRow(str(exc.orig)) from exc


def get_coupon(connection: Connection, coupon_id: str, now: datetime) -> Coupon | None:
    row = (connection.execute(_coupon_select(now).where(c.id == coupon_id))).first()
    return _coupon(row) if row else None


def list_coupons(
    connection: Connection, now: datetime, page: PageRequest, status: str | None, code: str | None
) -> list[Coupon]:
    statement = _coupon_select(now)
    if status in (ACTIVE, PAUSED):
        statement = statement.where(c.status == status, c.expires_at > now)
    elif status is not None:
        statement = statement.where(c.expires_at <= now)
    if code is not None:
        statement = statement.where(c.code == code)
    rows = (connection.execute(paginate(statement, c.id, page))).all()
    return [_coupon(row) for row in rows]


def update_coupon(connection: Connection, coupon_id: str, version: int, values: dict[str, Any]) -> bool:
    """Apply a change if the coupon is still at `version`; False if another change came first."""
    result = connection.execute(
        update(coupons).where(c.id == coupon_id, c.version == version).values(version=version + 1, **values)
    )
    return bool(result.rowcount == 1)


def take_usage(connection: Connection, coupon_id: str, now: datetime, *, reserve: bool) -> bool:
    """Take one use of the coupon in ONE conditional update; False if status, window or limit forbid it.

    The condition and the increment are a single statement, so no two requests can both see the last
    free use: on PostgreSQL the row lock makes the second re-check the condition, on SQLite the
    transaction already holds the write lock (BEGIN IMMEDIATE).
    """
    counter = c.reserved_count if reserve else c.confirmed_count
    result = connection.execute(
        update(coupons)
        .where(
            c.id == coupon_id,
            c.status == ACTIVE,
            c.starts_at <= now,
            c.expires_at > now,
            or_(c.total_limit.is_(None), c.confirmed_count + c.reserved_count < c.total_limit),
        )
        .values({counter: counter + 1})
    )
    return bool(result.rowcount == 1)


def user_used(connection: Connection, coupon_id: str, user_id: str) -> int:
    used = connection.scalar(select(u.used).where(u.coupon_id == coupon_id, u.user_id == user_id))
    return int(used or 0)


def count_expired_holds(connection: Connection, coupon_id: str, user_id: str, now: datetime) -> int:
    """The user's holds on the coupon that expired but were not swept yet."""
    count = connection.scalar(
        select(func.count()).where(r.coupon_id == coupon_id, r.user_id == user_id, _expired_holds(now))
    )
    return int(count or 0)


def take_user_usage(connection: Connection, coupon_id: str, user_id: str) -> bool:
    """Count one more use for the user, only while under the coupon's per-user limit (one statement)."""
    insert = insert_for(connection, coupon_user_usage)
    limit = select(c.per_user_limit).where(c.id == coupon_id).scalar_subquery()
    statement = (
        insert.values(coupon_id=coupon_id, user_id=user_id, used=1)
        .on_conflict_do_update(
            index_elements=[u.coupon_id, u.user_id],
            set_={"used": u.used + 1},
            where=u.used < limit,
        )
        .returning(u.used)
    )
    return (connection.execute(statement)).first() is not None


def confirm_usage(connection: Connection, coupon_id: str) -> None:
    """Turn one reserved use of the coupon into a confirmed one (the user keeps holding it)."""
    connection.execute(
        update(coupons)
        .where(c.id == coupon_id)
        .values(reserved_count=c.reserved_count - 1, confirmed_count=c.confirmed_count + 1)
    )


def give_back(connection: Connection, coupon_id: str, users: Counter[str], *, reserved: int, confirmed: int) -> None:
    """Return usage to the coupon and to the users who held it."""
    connection.execute(
        update(coupons)
        .where(c.id == coupon_id)
        .values(reserved_count=c.reserved_count - reserved, confirmed_count=c.confirmed_count - confirmed)
    )
    for user_id, count in users.items():
        connection.execute(
            update(coupon_user_usage).where(u.coupon_id == coupon_id, u.user_id == user_id).values(used=u.used - count)
        )


def insert_redemption(connection: Connection, values: dict[str, Any]) -> None:
    """Insert a redemption; an order already active is `DuplicateRow`, after which only a rollback remains."""
    try:
        connection.execute(redemptions.insert().values(**values))
    except IntegrityError as exc:
        raise DuplicateRow(str(exc.orig)) from exc


def find_order_redemption(connection: Connection, coupon_id: str, order_id: str) -> bool:
    """Whether the order holds an active (RESERVED or CONFIRMED) redemption of the coupon."""
    found = connection.scalar(
        select(r.id).where(r.coupon_id == coupon_id, r.order_id == order_id, r.status.in_((RESERVED, CONFIRMED)))
    )
    return found is not None


def _redemption_select() -> Any:
    return select(redemptions, c.code).join(coupons, c.id == r.coupon_id)


def get_redemption(connection: Connection, redemption_id: str) -> Redemption | None:
    row = (connection.execute(_redemption_select().where(r.id == redemption_id))).first()
    return _redemption(row) if row else None


def list_redemptions(
    connection: Connection,
    page: PageRequest,
    now: datetime,
    *,
    coupon_id: str | None = None,
    user_id: str | None = None,
    status: str | None = None,
) -> list[Redemption]:
    statement = _redemption_select()
    if coupon_id is not None:
        statement = statement.where(r.coupon_id == coupon_id)
    if user_id is not None:
        statement = statement.where(r.user_id == user_id)
    if status == RESERVED:
        statement = statement.where(r.status == RESERVED, or_(r.hold_expires_at.is_(None), r.hold_expires_at > now))
    elif status == RELEASED:
        statement = statement.where(or_(r.status == RELEASED, _expired_holds(now)))
    elif status is not None:
        statement = statement.where(r.status == status)
    rows = (connection.execute(paginate(statement, r.id, page))).all()
    return [_redemption(row) for row in rows]


def move_redemption(connection: Connection, redemption_id: str, source: str, target: str, now: datetime) -> bool:
    """Move a redemption from `source` to `target` status; False if it was not in `source`."""
    condition = [r.id == redemption_id, r.status == source]
    if source == RESERVED:
        condition.append(or_(r.hold_expires_at.is_(None), r.hold_expires_at > now))
    result = connection.execute(update(redemptions).where(*condition).values(status=target, updated_at=now))
    return bool(result.rowcount == 1)


def release_expired_holds(connection: Connection, now: datetime, coupon_id: str | None = None) -> int:
    """Release every hold that has expired (of one coupon, or all) and give its usage back."""
    condition = [_expired_holds(now)]
    if coupon_id is not None:
        condition.append(r.coupon_id == coupon_id)
    released = (
        connection.execute(
            update(redemptions)
            .where(*condition)
            .values(status=RELEASED, updated_at=now)
            .returning(r.coupon_id, r.user_id)
        )
    ).all()
    per_coupon: dict[str, Counter[str]] = {}
    for row in released:
        per_coupon.setdefault(row.coupon_id, Counter())[row.user_id] += 1
    for held_coupon, users in sorted(per_coupon.items()):
        give_back(connection, held_coupon, users, reserved=sum(users.values()), confirmed=0)
    return len(released)
