"""The SQLite baseline: the redemption transaction and the coupon reads through `sqlite3` itself, one connection.

With one writer, a single connection in a loop is the fastest a plain client gets from SQLite (more connections
only queue on the write lock and pay for the hand-offs: on the development machine one `sqlite3` connection did
about 3.5 times the redemptions of eight aiosqlite connections). The connection sets the service's PRAGMAs, on a
database the service's migrations made. The statements are the ones the service sends (SQLAlchemy's SQL, copied;
`tests/bench/test_service_bench.py` checks they still are), in the ideal shape of ONE transaction per redemption:
claim the idempotency key, read the coupon, give back the uses of its expired holds, check the order holds no
redemption of it yet, take a use, count the user's use, insert the redemption, store the answer on the key row,
commit.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.engine import make_url

from bench.service.results import Sample
from dataservices.common.db import SQLITE_LOCK_TIMEOUT_SECONDS
from dataservices.common.ids import new_id
from dataservices.common.timestamps import utc_now

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    f"PRAGMA busy_timeout={int(SQLITE_LOCK_TIMEOUT_SECONDS * 1000)}",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=FULL",
)
CLIENT_ID = "bench-client"
DISCOUNT = 500
_KEY_TTL = timedelta(hours=24)

CLAIM_KEY = (
    "INSERT INTO idempotency_keys (client_id, idempotency_key, fingerprint, state, locked_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING client_id"
)
_COUPON_COLUMNS = (
    "SELECT coupons.id, coupons.code, coupons.name, coupons.currency, coupons.discount_type, "
    "coupons.discount_amount, coupons.discount_percent, coupons.maximum_discount, coupons.minimum_order_amount, "
    "coupons.starts_at, coupons.expires_at, coupons.total_limit, coupons.per_user_limit, coupons.status, "
    "coupons.confirmed_count, coupons.reserved_count, coupons.version, coupons.created_at, coupons.updated_at, "
    "coupons.reserved_count - (SELECT count(*) AS count_1 FROM redemptions WHERE redemptions.coupon_id = coupons.id "
    "AND redemptions.status = ? AND redemptions.hold_expires_at <= ?) AS reserved_live FROM coupons"
)
READ_COUPON = _COUPON_COLUMNS + " WHERE coupons.id = ?"
# `GET /v1/coupons?code=` with the default page size of 20 (one extra row tells whether another page exists).
LIST_BY_CODE = _COUPON_COLUMNS + " WHERE coupons.code = ? ORDER BY coupons.id DESC LIMIT ? OFFSET ?"
# Expired holds of the coupon give their use back before a new one is taken (none expire in the benchmark).
RELEASE_EXPIRED_HOLDS = (
    "UPDATE redemptions SET status=?, updated_at=? WHERE redemptions.status = ? AND redemptions.hold_expires_at <= ? "
    "AND redemptions.coupon_id = ? RETURNING coupon_id, user_id"
)
FIND_ORDER = (
    "SELECT redemptions.id FROM redemptions WHERE redemptions.coupon_id = ? AND redemptions.order_id = ? "
    "AND redemptions.status IN ('RESERVED', 'CONFIRMED')"
)
TAKE_USAGE = (
    "UPDATE coupons SET confirmed_count=(coupons.confirmed_count + ?) WHERE coupons.id = ? AND coupons.status = ? "
    "AND coupons.starts_at <= ? AND coupons.expires_at > ? AND (coupons.total_limit IS NULL OR "
    "coupons.confirmed_count + coupons.reserved_count < coupons.total_limit)"
)
TAKE_USER_USAGE = (
    "INSERT INTO coupon_user_usage (coupon_id, user_id, used) VALUES (?, ?, ?) ON CONFLICT (coupon_id, user_id) "
    "DO UPDATE SET used = (coupon_user_usage.used + ?) WHERE coupon_user_usage.used < "
    "(SELECT coupons.per_user_limit FROM coupons WHERE coupons.id = ?) RETURNING used"
)
INSERT_REDEMPTION = (
    "INSERT INTO redemptions (id, coupon_id, user_id, order_id, order_amount, currency, discount_amount, status, "
    "hold_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
STORE_ANSWER = (
    "UPDATE idempotency_keys SET state=?, response_status=?, response_headers=?, response_body=? "
    "WHERE idempotency_keys.client_id = ? AND idempotency_keys.idempotency_key = ? AND idempotency_keys.state = ? "
    "AND idempotency_keys.locked_at = ?"
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


def _stamp() -> str:
    """Now as SQLAlchemy stores the service's UTC timestamps in SQLite (naive UTC text)."""
    return utc_now().replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@contextmanager
def connect(url: str) -> Iterator[sqlite3.Connection]:
    """One `sqlite3` connection to the SQLite file of a SQLAlchemy URL, with the service's PRAGMAs."""
    path = make_url(url).database
    if not path:
        raise ValueError(f"not a SQLite file URL: {url}")
    # isolation_level=None: the loop issues BEGIN IMMEDIATE and COMMIT itself, as the service does.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        for pragma in PRAGMAS:
            connection.execute(pragma)
        yield connection
    finally:
        connection.close()


def redeem_once(connection: sqlite3.Connection, coupon_id: str, unique: str) -> None:
    """One redemption (key `unique`, user and order `unique`) in one transaction; raises if it is refused."""
    body = {"userId": unique, "orderId": unique, "orderAmount": {"amount": 5000, "currency": "EUR"}}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    path = f"/v1/coupons/{coupon_id}/redemptions"
    digest = hashlib.sha256(f"POST {path}\n{canonical}".encode()).hexdigest()
    now = _stamp()
    expires = (utc_now() + _KEY_TTL).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    redemption_id = new_id("rdm")
    execute = connection.execute
    execute("BEGIN IMMEDIATE")
    try:
        if execute(CLAIM_KEY, (CLIENT_ID, unique, digest, "IN_FLIGHT", now, expires)).fetchone() is None:
            raise RuntimeError(f"idempotency key {unique} was already claimed")
        coupon = execute(READ_COUPON, ("RESERVED", now, coupon_id)).fetchone()
        if coupon is None:
            raise RuntimeError(f"no coupon {coupon_id}")
        execute(RELEASE_EXPIRED_HOLDS, ("RELEASED", now, "RESERVED", now, coupon_id)).fetchall()
        if execute(FIND_ORDER, (coupon_id, unique)).fetchone() is not None:
            raise RuntimeError(f"order {unique} already holds the coupon")
        if execute(TAKE_USAGE, (1, coupon_id, "ACTIVE", now, now)).rowcount != 1:
            raise RuntimeError(f"coupon {coupon_id} refused a use")
        if execute(TAKE_USER_USAGE, (coupon_id, unique, 1, 1, coupon_id)).fetchone() is None:
            raise RuntimeError(f"user {unique} is at the per-user limit")
        values = (redemption_id, coupon_id, unique, unique, 5000, "EUR", DISCOUNT, "CONFIRMED", None, now, now)
        execute(INSERT_REDEMPTION, values)
        answer = {"id": redemption_id, "couponId": coupon_id, "code": coupon[1], **body, "status": "CONFIRMED"}
        headers = json.dumps({"Location": f"/v1/redemptions/{redemption_id}", "content-type": "application/json"})
        stored = json.dumps(answer, separators=(",", ":")).encode()
        execute(STORE_ANSWER, ("COMPLETED", 201, headers, stored, CLIENT_ID, unique, "IN_FLIGHT", now))
        execute("COMMIT")
    except BaseException:
        execute("ROLLBACK")
        raise


def redemptions(url: str, coupon_ids: tuple[str, ...], tag: str, seconds: float) -> Sample:
    """Redeem the coupons in turn, one transaction each, for `seconds`; per-transaction latency percentiles."""
    latencies: list[int] = []
    with connect(url) as connection:
        started = time.perf_counter_ns()
        deadline = started + int(seconds * 1e9)
        n = 0
        now = started
        while now < deadline:
            redeem_once(connection, coupon_ids[n % len(coupon_ids)], f"{tag}-0-{n + 1}")
            n += 1
            done = time.perf_counter_ns()
            latencies.append(done - now)
            now = done
    return Sample.of_latencies(latencies, (now - started) / 1e9)


def reads(url: str, by: str, keys: tuple[str, ...], seconds: float) -> Sample:
    """Read coupons in turn (`by` "id" or "code", as the two GET operations do), one read transaction each."""
    if by not in ("id", "code"):
        raise ValueError(f"reads are by id or by code, not {by!r}")
    latencies: list[int] = []
    with connect(url) as connection:
        execute = connection.execute
        started = time.perf_counter_ns()
        deadline = started + int(seconds * 1e9)
        n = 0
        now = started
        while now < deadline:
            key = keys[n % len(keys)]
            execute("BEGIN")
            if by == "id":
                found = execute(READ_COUPON, ("RESERVED", _stamp(), key)).fetchall()
            else:
                found = execute(LIST_BY_CODE, ("RESERVED", _stamp(), key, 21, 0)).fetchall()
            execute("COMMIT")
            if len(found) != 1:
                raise RuntimeError(f"expected one coupon for {by} {key}, found {len(found)}")
            n += 1
            done = time.perf_counter_ns()
            latencies.append(done - now)
            now = done
    return Sample.of_latencies(latencies, (now - started) / 1e9)
