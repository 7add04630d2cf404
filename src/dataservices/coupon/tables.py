"""The coupon service's tables. Its migrations in `migrations/` create exactly these.

The database guards the invariants too, not only the code: usage counters never go negative, never
exceed the total limit, and one order redeems a coupon at most once.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from dataservices.common.db import UTCDateTime
from dataservices.common.idempotency import idempotency_table
from dataservices.common.metadata import service_metadata

metadata = service_metadata()

coupons = Table(
    "coupons",
    metadata,
    Column("id", String(30), primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("discount_type", String(16), nullable=False),
    Column("discount_amount", BigInteger, nullable=True),
    Column("discount_percent", Integer, nullable=True),
    Column("maximum_discount", BigInteger, nullable=True),
    Column("minimum_order_amount", BigInteger, nullable=True),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("total_limit", Integer, nullable=True),
    Column("per_user_limit", Integer, nullable=False),
    Column("status", String(8), nullable=False),
    Column("confirmed_count", Integer, nullable=False, server_default="0"),
    Column("reserved_count", Integer, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("confirmed_count >= 0 AND reserved_count >= 0", name="usage_not_negative"),
    CheckConstraint(
        "total_limit IS NULL OR confirmed_count + reserved_count <= total_limit", name="usage_within_limit"
    ),
    CheckConstraint("expires_at > starts_at", name="window_not_empty"),
    CheckConstraint("status IN ('ACTIVE', 'PAUSED')", name="status_known"),
    CheckConstraint("discount_type IN ('FIXED_AMOUNT', 'PERCENTAGE')", name="discount_type_known"),
)

redemptions = Table(
    "redemptions",
    metadata,
    Column("id", String(30), primary_key=True),
    Column("coupon_id", String(30), ForeignKey("coupons.id"), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("order_amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("discount_amount", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),
    Column("hold_expires_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # One ACTIVE redemption per coupon and order: a released or cancelled one does not block the order
    # from redeeming again (a payment that failed and is retried releases, then redeems anew).
    Index(
        "uq_redemptions_active_order",
        "coupon_id",
        "order_id",
        unique=True,
        sqlite_where=text("status IN ('RESERVED', 'CONFIRMED')"),
        postgresql_where=text("status IN ('RESERVED', 'CONFIRMED')"),
    ),
    CheckConstraint("status IN ('RESERVED', 'CONFIRMED', 'RELEASED', 'CANCELLED')", name="status_known"),
    Index(None, "coupon_id", "status"),
    Index(None, "user_id", "id"),
    Index(None, "status", "hold_expires_at"),
)

# How many redemptions each user holds (RESERVED or CONFIRMED) per coupon: the per-user guard is a
# conditional upsert on this row, so it holds under concurrency like the total limit does.
coupon_user_usage = Table(
    "coupon_user_usage",
    metadata,
    Column("coupon_id", String(30), ForeignKey("coupons.id"), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("used", Integer, nullable=False),
    CheckConstraint("used >= 0", name="used_not_negative"),
)

idempotency_keys = idempotency_table(metadata)
