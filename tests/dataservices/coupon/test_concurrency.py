"""Coupon invariants under real concurrency: simultaneous HTTP requests against a live server.

Every request goes to the uvicorn server on 127.0.0.1; the counts the service reports are checked
against the rows in its SQLite file, read through a separate read-only connection.
"""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.coupon_service import RunningCouponService

# Far beyond what a burst takes on a 2-core machine (about 6 s for 300 redemptions); a hang fails.
BURST_TIMEOUT_SECONDS = 120.0
# A listing walk never needs more pages than this; more means the cursor loops.
MAX_PAGES = 50
PROBLEM = "application/problem+json"
# How SQLite stores the service's timestamps (naive UTC, text that sorts in time order).
STORED_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")
# One request of a burst: method, path and the keyword arguments of `httpx.AsyncClient.request`.
Call = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def service(coupon_service_module: RunningCouponService) -> RunningCouponService:
    return coupon_service_module


@pytest.fixture
def client(service: RunningCouponService) -> Iterator[httpx.Client]:
    with service.client() as client:
        yield client


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _create_coupon(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "code": f"C{uuid.uuid4().hex[:12].upper()}",
        "name": "Concurrency test coupon",
        "currency": "EUR",
        "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 500, "currency": "EUR"}},
        "startsAt": _stamp(now - timedelta(days=1)),
        "expiresAt": _stamp(now + timedelta(days=1)),
        "perUserLimit": 1,
        **overrides,
    }
    response = client.post("/v1/coupons", json=body)
    assert response.status_code == 201, response.text
    coupon: dict[str, Any] = response.json()
    return coupon


def _order(user: str, order: str, *, amount: int = 2000, hold_seconds: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"userId": user, "orderId": order, "orderAmount": {"amount": amount, "currency": "EUR"}}
    if hold_seconds is not None:
        body["holdSeconds"] = hold_seconds
    return body


def _redeem(client: httpx.Client, coupon_id: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    return client.post(f"/v1/coupons/{coupon_id}/redemptions", json=body, headers=headers)


def _code(response: httpx.Response) -> str:
    """The problem code of an error answer, checking it is problem+json."""
    assert response.headers["content-type"] == PROBLEM, response.text
    code: str = response.json()["code"]
    return code


def _outcome(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, (_code(response) if response.status_code >= 400 else None)


def _usage(client: httpx.Client, coupon_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/coupons/{coupon_id}")
    assert response.status_code == 200, response.text
    usage: dict[str, Any] = response.json()["usage"]
    return usage


def _list_all(client: httpx.Client, path: str, limit: int = 20) -> list[dict[str, Any]]:
    """Every item of a collection, walking its pages; fails if the walk does not end."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    for _ in range(MAX_PAGES):
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if page["nextCursor"] is None:
            return items
        params["cursor"] = page["nextCursor"]
    pytest.fail(f"{path} did not end after {MAX_PAGES} pages")


def _query(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows straight from the service's SQLite file, through a read-only connection."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as connection:
        return connection.execute(sql, params).fetchall()


def _stored_counters(database: Path, coupon_id: str) -> dict[str, int]:
    """The coupon's counters and the rows they summarise, as stored."""
    [(confirmed_count, reserved_count)] = _query(
        database, "SELECT confirmed_count, reserved_count FROM coupons WHERE id = ?", coupon_id
    )
    rows = dict(
        _query(database, "SELECT status, count(*) FROM redemptions WHERE coupon_id = ? GROUP BY status", coupon_id)
    )
    [(user_used,)] = _query(
        database, "SELECT coalesce(sum(used), 0) FROM coupon_user_usage WHERE coupon_id = ?", coupon_id
    )
    return {
        "confirmed_count": confirmed_count,
        "reserved_count": reserved_count,
        "rows": sum(rows.values()),
        "confirmed_rows": rows.get("CONFIRMED", 0),
        "reserved_rows": rows.get("RESERVED", 0),
        "user_used": user_used,
    }


def _gather(service: RunningCouponService, calls: list[Call]) -> list[httpx.Response]:
    """Send every (method, path, request options) at once and return the answers in order."""

    async def burst() -> list[httpx.Response]:
        async with service.async_client() as client:
            sends: list[Awaitable[httpx.Response]] = [
                client.request(method, path, **options) for method, path, options in calls
            ]
            async with asyncio.timeout(BURST_TIMEOUT_SECONDS):
                results = await asyncio.gather(*sends, return_exceptions=True)
        failures = [result for result in results if isinstance(result, BaseException)]
        assert not failures, f"{len(failures)} requests failed at the transport level: {failures[:3]!r}"
        return [result for result in results if isinstance(result, httpx.Response)]

    return asyncio.run(burst())


def _redeem_call(coupon_id: str, body: dict[str, Any], key: str) -> Call:
    return "POST", f"/v1/coupons/{coupon_id}/redemptions", {"json": body, "headers": {"Idempotency-Key": key}}


@pytest.mark.slow
def test_a_burst_of_300_redemptions_never_exceeds_the_total_limit(
    service: RunningCouponService, client: httpx.Client
) -> None:
    coupon = _create_coupon(client, totalLimit=50)
    calls = [
        _redeem_call(coupon["id"], _order(f"burst-user-{i}", f"burst-order-{i}"), str(uuid.uuid4())) for i in range(300)
    ]

    responses = _gather(service, calls)

    outcomes = Counter(_outcome(response) for response in responses)
    assert outcomes == {(201, None): 50, (409, "COUPON_EXHAUSTED"): 250}
    created = [response.json() for response in responses if response.status_code == 201]
    assert {redemption["status"] for redemption in created} == {"CONFIRMED"}
    assert len({redemption["userId"] for redemption in created}) == 50
    created_ids = {redemption["id"] for redemption in created}
    assert len(created_ids) == 50

    assert _usage(client, coupon["id"]) == {"confirmed": 50, "reserved": 0, "remaining": 0}
    listed = _list_all(client, f"/v1/coupons/{coupon['id']}/redemptions", limit=20)
    assert [item["id"] for item in listed] == sorted(created_ids, reverse=True)
    assert _stored_counters(service.database_path, coupon["id"]) == {
        "confirmed_count": 50,
        "reserved_count": 0,
        "rows": 50,
        "confirmed_rows": 50,
        "reserved_rows": 0,
        "user_used": 50,
    }
    # Every key recorded its outcome (refusals too), so no key is left claimed by a finished request.
    keys = [call[2]["headers"]["Idempotency-Key"] for call in calls]
    states = _query(
        service.database_path,
        f"SELECT state, response_status FROM idempotency_keys WHERE idempotency_key IN ({','.join('?' * len(keys))})",
        *keys,
    )
    assert Counter(states) == {("COMPLETED", 201): 50, ("COMPLETED", 409): 250}

    # A refusal is the outcome of its key: the retry replays it instead of trying again.
    refused = next(call for call, response in zip(calls, responses, strict=True) if response.status_code == 409)
    retry = client.post(refused[1], **refused[2])
    assert (retry.status_code, _code(retry), retry.headers.get("Idempotent-Replayed")) == (
        409,
        "COUPON_EXHAUSTED",
        "true",
    )


def test_one_user_redeeming_at_once_gets_exactly_the_per_user_limit(
    service: RunningCouponService, client: httpx.Client
) -> None:
    coupon = _create_coupon(client, perUserLimit=1)
    calls = [_redeem_call(coupon["id"], _order("eager-user", f"eager-order-{i}"), str(uuid.uuid4())) for i in range(20)]

    responses = _gather(service, calls)

    assert Counter(_outcome(response) for response in responses) == {
        (201, None): 1,
        (409, "COUPON_USER_LIMIT_REACHED"): 19,
    }
    assert _usage(client, coupon["id"]) == {"confirmed": 1, "reserved": 0, "remaining": None}
    stored = _stored_counters(service.database_path, coupon["id"])
    assert (stored["rows"], stored["confirmed_count"], stored["user_used"]) == (1, 1, 1)


def test_one_idempotency_key_sent_20_times_at_once_redeems_once(
    service: RunningCouponService, client: httpx.Client
) -> None:
    coupon = _create_coupon(client)
    key = str(uuid.uuid4())
    body = _order("keyed-user", "keyed-order")

    responses = _gather(service, [_redeem_call(coupon["id"], body, key)] * 20)

    created = [response for response in responses if response.status_code == 201]
    others = [_outcome(response) for response in responses if response.status_code != 201]
    assert created, "no request of the burst redeemed"
    assert set(others) <= {(409, "IDEMPOTENCY_KEY_IN_USE")}, others
    assert len({response.content for response in created}) == 1
    # Exactly one answer did the work; every other 201 is a replay of it.
    assert sorted(response.headers.get("Idempotent-Replayed") for response in created) == [None] + ["true"] * (
        len(created) - 1
    )
    original = created[0].json()
    assert _query(service.database_path, "SELECT id FROM redemptions WHERE coupon_id = ?", coupon["id"]) == [
        (original["id"],)
    ]

    # Once the first request finished, a second burst is all replays of the same answer.
    replays = _gather(service, [_redeem_call(coupon["id"], body, key)] * 20)
    assert {(r.status_code, r.headers.get("Idempotent-Replayed"), r.content) for r in replays} == {
        (201, "true", created[0].content)
    }

    retry = _redeem(client, coupon["id"], body, key)
    assert (retry.status_code, retry.headers.get("Idempotent-Replayed")) == (201, "true")
    assert retry.content == created[0].content

    changed = _redeem(client, coupon["id"], {**body, "orderAmount": {"amount": 2001, "currency": "EUR"}}, key)
    assert (changed.status_code, _code(changed)) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert _usage(client, coupon["id"])["confirmed"] == 1
    assert _stored_counters(service.database_path, coupon["id"])["rows"] == 1


def test_an_expired_hold_gives_its_usage_back(service: RunningCouponService, client: httpx.Client) -> None:
    coupon = _create_coupon(client, totalLimit=1)
    held = _redeem(client, coupon["id"], _order("holder", "held-order", hold_seconds=30))
    assert held.status_code == 201, held.text
    hold = held.json()
    assert hold["status"] == "RESERVED"
    assert _usage(client, coupon["id"]) == {"confirmed": 0, "reserved": 1, "remaining": 0}
    blocked = _redeem(client, coupon["id"], _order("latecomer", "late-order"))
    assert (blocked.status_code, _code(blocked)) == (409, "COUPON_EXHAUSTED")

    # Time passes for the hold only: its expiry moves into the past in the database itself.
    [(stored_expiry,)] = _query(
        service.database_path, "SELECT hold_expires_at FROM redemptions WHERE id = ?", hold["id"]
    )
    assert STORED_TIMESTAMP.match(stored_expiry), stored_expiry
    assert stored_expiry.replace(" ", "T") + "Z" == hold["holdExpiresAt"]
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    with closing(sqlite3.connect(service.database_path, timeout=30)) as connection, connection:
        connection.execute(
            "UPDATE redemptions SET hold_expires_at = ? WHERE id = ?",
            (past.strftime("%Y-%m-%d %H:%M:%S.%f"), hold["id"]),
        )

    expired = client.get(f"/v1/redemptions/{hold['id']}")
    assert expired.status_code == 200
    assert expired.json()["status"] == "RELEASED"
    assert _usage(client, coupon["id"]) == {"confirmed": 0, "reserved": 0, "remaining": 1}
    by_status = f"/v1/coupons/{coupon['id']}/redemptions"
    assert client.get(by_status, params={"status": "RESERVED"}).json()["items"] == []
    assert [item["id"] for item in client.get(by_status, params={"status": "RELEASED"}).json()["items"]] == [hold["id"]]
    quote = client.post(
        f"/v1/coupons/{coupon['id']}/quotes", json={"userId": "latecomer", "orderAmount": _order("", "")["orderAmount"]}
    )
    assert (quote.json()["eligible"], quote.json()["reason"]) == (True, None)

    second = _redeem(client, coupon["id"], _order("latecomer", "late-order-2"))
    assert second.status_code == 201, second.text
    assert second.json()["status"] == "CONFIRMED"

    confirm = client.post(f"/v1/redemptions/{hold['id']}/confirmation")
    assert (confirm.status_code, _code(confirm)) == (409, "REDEMPTION_STATE_CONFLICT")
    assert _usage(client, coupon["id"]) == {"confirmed": 1, "reserved": 0, "remaining": 0}
    assert _stored_counters(service.database_path, coupon["id"]) == {
        "confirmed_count": 1,
        "reserved_count": 0,
        "rows": 2,
        "confirmed_rows": 1,
        "reserved_rows": 0,
        "user_used": 1,
    }
    [(stored_status,)] = _query(service.database_path, "SELECT status FROM redemptions WHERE id = ?", hold["id"])
    assert stored_status == "RELEASED"


def test_cancelling_a_confirmed_redemption_restores_its_usage(
    service: RunningCouponService, client: httpx.Client
) -> None:
    coupon = _create_coupon(client, totalLimit=2, perUserLimit=1)
    first = _redeem(client, coupon["id"], _order("refunded-user", "refunded-order"))
    assert first.status_code == 201, first.text
    redemption = first.json()
    assert _usage(client, coupon["id"]) == {"confirmed": 1, "reserved": 0, "remaining": 1}
    again = _redeem(client, coupon["id"], _order("refunded-user", "another-order"))
    assert (again.status_code, _code(again)) == (409, "COUPON_USER_LIMIT_REACHED")

    cancelled = client.post(f"/v1/redemptions/{redemption['id']}/cancellation")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "CANCELLED"
    assert _usage(client, coupon["id"]) == {"confirmed": 0, "reserved": 0, "remaining": 2}

    repeated = client.post(f"/v1/redemptions/{redemption['id']}/cancellation")
    assert repeated.status_code == 200
    assert repeated.json() == cancelled.json()
    assert _usage(client, coupon["id"]) == {"confirmed": 0, "reserved": 0, "remaining": 2}

    # The cancelled order no longer holds the coupon, so it may redeem again; that takes the user's one use.
    renewed = _redeem(client, coupon["id"], _order("refunded-user", "refunded-order"))
    assert renewed.status_code == 201, renewed.text
    assert renewed.json()["id"] != redemption["id"]
    twice = _redeem(client, coupon["id"], _order("refunded-user", "refunded-order"))
    assert (twice.status_code, _code(twice)) == (409, "ORDER_ALREADY_REDEEMED")
    other_order = _redeem(client, coupon["id"], _order("refunded-user", "new-order"))
    assert (other_order.status_code, _code(other_order)) == (409, "COUPON_USER_LIMIT_REACHED")
    assert _usage(client, coupon["id"]) == {"confirmed": 1, "reserved": 0, "remaining": 1}
    stored = _stored_counters(service.database_path, coupon["id"])
    assert (stored["confirmed_count"], stored["rows"], stored["user_used"]) == (1, 2, 1)


def test_simultaneous_cancellations_give_the_usage_back_once(
    service: RunningCouponService, client: httpx.Client
) -> None:
    coupon = _create_coupon(client, totalLimit=3)
    redemption = _redeem(client, coupon["id"], _order("refund-racer", "refund-race-order")).json()

    responses = _gather(service, [("POST", f"/v1/redemptions/{redemption['id']}/cancellation", {})] * 10)

    assert {response.status_code for response in responses} == {200}
    assert len({response.content for response in responses}) == 1
    assert responses[0].json()["status"] == "CANCELLED"
    assert _usage(client, coupon["id"]) == {"confirmed": 0, "reserved": 0, "remaining": 3}
    stored = _stored_counters(service.database_path, coupon["id"])
    assert (stored["confirmed_count"], stored["reserved_count"], stored["user_used"]) == (0, 0, 0)


def test_racing_confirm_and_release_on_one_hold_has_exactly_one_winner(
    service: RunningCouponService, client: httpx.Client
) -> None:
    coupon = _create_coupon(client, totalLimit=10)
    holds = []
    for i in range(8):
        response = _redeem(client, coupon["id"], _order(f"racer-{i}", f"race-order-{i}", hold_seconds=600))
        assert response.status_code == 201, response.text
        holds.append(response.json()["id"])
    assert _usage(client, coupon["id"]) == {"confirmed": 0, "reserved": 8, "remaining": 2}
    calls: list[Call] = [
        ("POST", f"/v1/redemptions/{hold}/{verb}", {})
        for hold in holds
        for verb in ("confirmation", "release")
        for _ in range(3)
    ]
    random.Random(20261129).shuffle(calls)

    responses = _gather(service, calls)

    outcomes: dict[str, set[tuple[int, str | None]]] = defaultdict(set)
    for (_, path, _), response in zip(calls, responses, strict=True):
        outcomes[path].add(_outcome(response))
    final: dict[str, str] = {}
    for hold in holds:
        final[hold] = client.get(f"/v1/redemptions/{hold}").json()["status"]
        assert final[hold] in ("CONFIRMED", "RELEASED"), final[hold]
        winner, loser = ("confirmation", "release") if final[hold] == "CONFIRMED" else ("release", "confirmation")
        assert outcomes[f"/v1/redemptions/{hold}/{winner}"] == {(200, None)}
        assert outcomes[f"/v1/redemptions/{hold}/{loser}"] == {(409, "REDEMPTION_STATE_CONFLICT")}
    confirmed = sum(status == "CONFIRMED" for status in final.values())
    assert _usage(client, coupon["id"]) == {"confirmed": confirmed, "reserved": 0, "remaining": 10 - confirmed}
    assert _stored_counters(service.database_path, coupon["id"]) == {
        "confirmed_count": confirmed,
        "reserved_count": 0,
        "rows": 8,
        "confirmed_rows": confirmed,
        "reserved_rows": 0,
        "user_used": confirmed,
    }
