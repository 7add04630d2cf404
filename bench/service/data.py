"""The benchmark's data: coupons seeded through the service layer, and the counts each run is checked against.

Coupons are created with `CouponService.create` on a database the service's Alembic migrations made, so they are
exactly what the API would have stored (setup is not measured: about 6 ms per coupon on SQLite with
synchronous=FULL). The checks read the same tables with SQLAlchemy, so they work on any engine the service runs on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from dataservices.common.db import Database
from dataservices.common.idempotency import COMPLETED, IN_FLIGHT
from dataservices.common.migrate import upgrade
from dataservices.common.timestamps import format_utc, utc_now
from dataservices.coupon.app import coupon_service
from dataservices.coupon.schemas import CouponCreate
from dataservices.coupon.settings import CouponSettings
from dataservices.coupon.spec import SPEC as COUPON
from dataservices.coupon.tables import coupons, idempotency_keys, redemptions

SPREAD_COUPONS = 1000
BURST_LIMIT = 100
ORDER_AMOUNT = 5000  # minor units; every bench coupon takes 5.00 off it
CURRENCY = "EUR"


@dataclass(frozen=True)
class SeededCoupons:
    """Ids and codes of the coupons each scenario uses."""

    spread_ids: tuple[str, ...]
    spread_codes: tuple[str, ...]
    hot_id: str
    burst_id: str


@dataclass(frozen=True)
class RunOutcome:
    """What one run left in the database, found by its tag (the prefix of its orders and idempotency keys)."""

    redemptions: int
    completed_201: int
    in_flight: int


def _coupon(code: str, *, total_limit: int | None, per_user_limit: int) -> CouponCreate:
    start = utc_now().replace(microsecond=0) - timedelta(days=1)
    return CouponCreate.model_validate(
        {
            "code": code,
            "name": f"Benchmark coupon {code}",
            "currency": CURRENCY,
            "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 500, "currency": CURRENCY}},
            "startsAt": format_utc(start),
            "expiresAt": format_utc(start + timedelta(days=30)),
            "totalLimit": total_limit,
            "perUserLimit": per_user_limit,
        }
    )


async def _seed(url: str, spread_count: int) -> SeededCoupons:
    database = Database(url)
    service = coupon_service(CouponSettings(database_url=url), database)
    try:
        spread = [
            (await service.create(_coupon(f"BENCH{i:04d}", total_limit=None, per_user_limit=1))).value
            for i in range(spread_count)
        ]
        # Unique users and orders make every hot redemption succeed; the high per-user limit says so twice.
        hot = (await service.create(_coupon("BENCHHOT", total_limit=None, per_user_limit=1_000_000))).value
        burst = (await service.create(_coupon("BENCHBURST", total_limit=BURST_LIMIT, per_user_limit=1))).value
    finally:
        await database.dispose()
    return SeededCoupons(
        spread_ids=tuple(coupon.id for coupon in spread),
        spread_codes=tuple(coupon.code for coupon in spread),
        hot_id=hot.id,
        burst_id=burst.id,
    )


def migrate_and_seed(url: str, spread_count: int = SPREAD_COUPONS) -> SeededCoupons:
    """Migrate a new database with the coupon service's migrations and create the benchmark's coupons."""
    upgrade(COUPON, url)
    return asyncio.run(_seed(url, spread_count))


async def _outcome(url: str, tag: str) -> RunOutcome:
    database = Database(url)
    pattern = f"{tag}-%"
    keys = idempotency_keys.c
    tagged = keys.idempotency_key.like(pattern)
    # One statement, so one snapshot on every engine: on PostgreSQL (read committed) each statement of a
    # transaction sees its own, and redemptions still committing after wrk stopped would fall between two counts.
    counts = select(
        select(func.count()).where(redemptions.c.order_id.like(pattern)).scalar_subquery().label("made"),
        select(func.count())
        .where(tagged, keys.state == COMPLETED, keys.response_status == 201)
        .scalar_subquery()
        .label("completed"),
        select(func.count()).where(tagged, keys.state == IN_FLIGHT).scalar_subquery().label("in_flight"),
    )
    try:
        row = await database.read(lambda tx: tx.execute(counts).one())
    finally:
        await database.dispose()
    return RunOutcome(redemptions=int(row.made), completed_201=int(row.completed), in_flight=int(row.in_flight))


def run_outcome(url: str, tag: str) -> RunOutcome:
    """The redemptions and idempotency keys that the run tagged `tag` left behind."""
    return asyncio.run(_outcome(url, tag))


async def _usage(url: str, coupon_id: str) -> tuple[int, int]:
    database = Database(url)
    usage = select(
        select(coupons.c.confirmed_count).where(coupons.c.id == coupon_id).scalar_subquery().label("confirmed"),
        select(func.count()).where(redemptions.c.coupon_id == coupon_id).scalar_subquery().label("made"),
    )
    try:
        row = await database.read(lambda tx: tx.execute(usage).one())
    finally:
        await database.dispose()
    return int(row.confirmed or 0), int(row.made)


def coupon_usage(url: str, coupon_id: str) -> tuple[int, int]:
    """The coupon's confirmed-usage counter and how many redemption rows it has."""
    return asyncio.run(_usage(url, coupon_id))
