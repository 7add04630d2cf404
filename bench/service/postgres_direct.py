"""The PostgreSQL baseline: the redemption transaction and the coupon reads through asyncpg, with a connection pool.

asyncpg is the fastest plain PostgreSQL client for Python: a binary protocol in C, statements prepared once per
connection. Unlike SQLite, PostgreSQL serves many writers at once (each waits only for the rows it changes), so the
baseline runs `TASKS` transactions at a time over a pool of `POOL_SIZE` connections, the combination that did most
on the two-core development machine. The statements are the ones the service sends on PostgreSQL (its SQL, copied,
with its casts; `tests/bench/test_service_bench_postgres.py` checks they still are), in ONE transaction per
redemption, as the service runs it: claim the idempotency key, read the coupon, give back the uses of its expired
holds, check the order holds no redemption of it yet, take a use, count the user's use, insert the redemption,
store the answer on the key row, commit. Reads run on the replica, as the service's reads without a token do.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg

from bench.service.results import Sample
from bench.service.sqlite_direct import CLIENT_ID, DISCOUNT
from dataservices.common.ids import new_id
from dataservices.common.timestamps import utc_now

# Connections, and transactions in flight at once (TOOL-FACTS: 16 x 64 was asyncpg's best on two cores).
POOL_SIZE = 16
TASKS = 64
_KEY_TTL = timedelta(hours=24)
# One timed operation: (connection, task number, operation number of that task).
Operation = Callable[[asyncpg.Connection, int, int], Awaitable[None]]

CLAIM_KEY = (
    "INSERT INTO idempotency_keys (client_id, idempotency_key, fingerprint, state, locked_at, expires_at) "
    "VALUES ($1::VARCHAR, $2::VARCHAR, $3::VARCHAR, $4::VARCHAR, $5::TIMESTAMP WITH TIME ZONE, "
    "$6::TIMESTAMP WITH TIME ZONE) ON CONFLICT DO NOTHING RETURNING idempotency_keys.client_id"
)
_COUPON_COLUMNS = (
    "SELECT coupons.id, coupons.code, coupons.name, coupons.currency, coupons.discount_type, "
    "coupons.discount_amount, coupons.discount_percent, coupons.maximum_discount, coupons.minimum_order_amount, "
    "coupons.starts_at, coupons.expires_at, coupons.total_limit, coupons.per_user_limit, coupons.status, "
    "coupons.confirmed_count, coupons.reserved_count, coupons.version, coupons.created_at, coupons.updated_at, "
    "coupons.reserved_count - (SELECT count(*) AS count_1 FROM redemptions WHERE redemptions.coupon_id = coupons.id "
    "AND redemptions.status = $1::VARCHAR AND redemptions.hold_expires_at <= $2::TIMESTAMP WITH TIME ZONE) "
    "AS reserved_live FROM coupons"
)
READ_COUPON = _COUPON_COLUMNS + " WHERE coupons.id = $3::VARCHAR"
# `GET /v1/coupons?code=` with the default page size of 20 (one extra row tells whether another page exists).
LIST_BY_CODE = _COUPON_COLUMNS + " WHERE coupons.code = $3::VARCHAR ORDER BY coupons.id DESC LIMIT $4"
RELEASE_EXPIRED_HOLDS = (
    "UPDATE redemptions SET status=$1::VARCHAR, updated_at=$2::TIMESTAMP WITH TIME ZONE "
    "WHERE redemptions.status = $3::VARCHAR AND redemptions.hold_expires_at <= $2::TIMESTAMP WITH TIME ZONE "
    "AND redemptions.coupon_id = $4::VARCHAR RETURNING redemptions.coupon_id, redemptions.user_id"
)
FIND_ORDER = (
    "SELECT redemptions.id FROM redemptions WHERE redemptions.coupon_id = $1::VARCHAR "
    "AND redemptions.order_id = $2::VARCHAR AND redemptions.status IN ('RESERVED', 'CONFIRMED')"
)
TAKE_USAGE = (
    "UPDATE coupons SET confirmed_count=(coupons.confirmed_count + $1::INTEGER) WHERE coupons.id = $2::VARCHAR "
    "AND coupons.status = $3::VARCHAR AND coupons.starts_at <= $4::TIMESTAMP WITH TIME ZONE "
    "AND coupons.expires_at > $4::TIMESTAMP WITH TIME ZONE AND (coupons.total_limit IS NULL "
    "OR coupons.confirmed_count + coupons.reserved_count < coupons.total_limit)"
)
TAKE_USER_USAGE = (
    "INSERT INTO coupon_user_usage (coupon_id, user_id, used) VALUES ($1::VARCHAR, $2::VARCHAR, $3::INTEGER) "
    "ON CONFLICT (coupon_id, user_id) DO UPDATE SET used = (coupon_user_usage.used + $4::INTEGER) "
    "WHERE coupon_user_usage.used < (SELECT coupons.per_user_limit FROM coupons WHERE coupons.id = $1::VARCHAR) "
    "RETURNING coupon_user_usage.used"
)
INSERT_REDEMPTION = (
    "INSERT INTO redemptions (id, coupon_id, user_id, order_id, order_amount, currency, discount_amount, status, "
    "hold_expires_at, created_at, updated_at) VALUES ($1::VARCHAR, $2::VARCHAR, $3::VARCHAR, $4::VARCHAR, "
    "$5::BIGINT, $6::VARCHAR, $7::BIGINT, $8::VARCHAR, $9::TIMESTAMP WITH TIME ZONE, $10::TIMESTAMP WITH TIME ZONE, "
    "$11::TIMESTAMP WITH TIME ZONE)"
)
STORE_ANSWER = (
    "UPDATE idempotency_keys SET state=$1::VARCHAR, response_status=$2::INTEGER, response_headers=$3::JSON, "
    "response_body=$4 WHERE idempotency_keys.client_id = $5::VARCHAR AND idempotency_keys.idempotency_key = "
    "$6::VARCHAR AND idempotency_keys.state = $7::VARCHAR AND idempotency_keys.locked_at = "
    "$8::TIMESTAMP WITH TIME ZONE"
)
# The statements of one redemption, in order, for the test that compares them with what the service sends.
REDEMPTION_STATEMENTS = (
    CLAIM_KEY,
    READ_COUPON,
    RELEASE_EXPIRED_HOLDS,
    FIND_ORDER,
    TAKE_USAGE,
    TAKE_USER_USAGE,
    INSERT_REDEMPTION,
    STORE_ANSWER,
)


def _asyncpg_url(url: str) -> str:
    """The plain `postgresql://` form of a URL that may name a SQLAlchemy driver."""
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


async def _redeem_once(connection: asyncpg.Connection, coupon_id: str, unique: str) -> None:
    """One redemption (key `unique`, user and order `unique`) in one transaction; raises if it is refused."""
    body = {"userId": unique, "orderId": unique, "orderAmount": {"amount": 5000, "currency": "EUR"}}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(f"POST /v1/coupons/{coupon_id}/redemptions\n{canonical}".encode()).hexdigest()
    now = utc_now()
    redemption_id = new_id("rdm")
    async with connection.transaction():
        claimed = await connection.fetchval(CLAIM_KEY, CLIENT_ID, unique, digest, "IN_FLIGHT", now, now + _KEY_TTL)
        if claimed is None:
            raise RuntimeError(f"idempotency key {unique} was already claimed")
        coupon = await connection.fetchrow(READ_COUPON, "RESERVED", now, coupon_id)
        if coupon is None:
            raise RuntimeError(f"no coupon {coupon_id}")
        await connection.fetch(RELEASE_EXPIRED_HOLDS, "RELEASED", now, "RESERVED", coupon_id)
        if await connection.fetchval(FIND_ORDER, coupon_id, unique) is not None:
            raise RuntimeError(f"order {unique} already holds the coupon")
        if await connection.execute(TAKE_USAGE, 1, coupon_id, "ACTIVE", now) != "UPDATE 1":
            raise RuntimeError(f"coupon {coupon_id} refused a use")
        if await connection.fetchval(TAKE_USER_USAGE, coupon_id, unique, 1, 1) is None:
            raise RuntimeError(f"user {unique} is at the per-user limit")
        values = (redemption_id, coupon_id, unique, unique, 5000, "EUR", DISCOUNT, "CONFIRMED", None, now, now)
        await connection.execute(INSERT_REDEMPTION, *values)
        answer = {"id": redemption_id, "couponId": coupon_id, "code": coupon["code"], **body, "status": "CONFIRMED"}
        headers = json.dumps({"Location": f"/v1/redemptions/{redemption_id}", "content-type": "application/json"})
        stored = json.dumps(answer, separators=(",", ":")).encode()
        await connection.execute(STORE_ANSWER, "COMPLETED", 201, headers, stored, CLIENT_ID, unique, "IN_FLIGHT", now)


async def _timed(
    url: str, seconds: float, operation: Callable[[asyncpg.Connection, int, int], Awaitable[None]]
) -> Sample:
    """Run `operation(connection, task, n)` from TASKS tasks over a pool for `seconds`; latency per operation."""
    latencies: list[int] = []
    pool = await asyncpg.create_pool(_asyncpg_url(url), min_size=POOL_SIZE, max_size=POOL_SIZE, timeout=10)
    try:
        started = time.perf_counter_ns()
        deadline = started + int(seconds * 1e9)

        async def task(number: int) -> None:
            n = 0
            while (begun := time.perf_counter_ns()) < deadline:
                n += 1
                async with pool.acquire() as connection:
                    await operation(connection, number, n)
                latencies.append(time.perf_counter_ns() - begun)

        await asyncio.gather(*(task(number) for number in range(TASKS)))
        return Sample.of_latencies(latencies, (time.perf_counter_ns() - started) / 1e9)
    finally:
        await pool.close()


def redemptions(url: str, coupon_ids: tuple[str, ...], tag: str, seconds: float) -> Sample:
    """Redeem the coupons in turn, one transaction each, from TASKS tasks for `seconds`."""

    async def redeem(connection: asyncpg.Connection, task: int, n: int) -> None:
        await _redeem_once(connection, coupon_ids[(task + n * TASKS) % len(coupon_ids)], f"{tag}-{task}-{n}")

    return asyncio.run(_timed(url, seconds, redeem))


def reads(url: str, by: str, keys: tuple[str, ...], seconds: float) -> Sample:
    """Read coupons in turn (`by` "id" or "code", as the two GET operations do) in read-only transactions."""
    if by not in ("id", "code"):
        raise ValueError(f"reads are by id or by code, not {by!r}")

    async def read(connection: asyncpg.Connection, task: int, n: int) -> None:
        key = keys[(task + n * TASKS) % len(keys)]
        async with connection.transaction(readonly=True):
            if by == "id":
                found = await connection.fetch(READ_COUPON, "RESERVED", utc_now(), key)
            else:
                found = await connection.fetch(LIST_BY_CODE, "RESERVED", utc_now(), key, 21)
        if len(found) != 1:
            raise RuntimeError(f"expected one coupon for {by} {key}, found {len(found)}")

    return asyncio.run(_timed(url, seconds, read))
