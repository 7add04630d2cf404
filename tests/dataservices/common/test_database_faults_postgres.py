"""The coupon service on a real PostgreSQL primary and replica, while one of them stops, lags or is promoted.

What a user of the service would see: which answers come back (200, 503 problem+json with Retry-After, never a
500 or a hang), what readiness says, that it all comes back by itself, and that nothing was lost or written
half. Which server answered a read shows in what it returns: with the replica's replay paused, the replica
lacks the newest rows and the primary has them. Nothing asserts a duration; waits for the replica monitor are
bounded loops.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest

from dataservices.common.auth import issue_development_token
from dataservices.common.migrate import upgrade
from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from dataservices.coupon.spec import SPEC as COUPON
from dataservices.pgpair import PairDatabase, PostgresPair
from tests.fixtures.coupon_service import ALL_SCOPES, TEST_AUTH
from tests.fixtures.live_server import serve
from tests.fixtures.replication import replay_paused

PROBLEM = "application/problem+json"
# Polls of /health/ready while waiting for the replica monitor (it checks twice a second): a bound, not a target.
READY_POLLS = 200
READY_POLL_SECONDS = 0.05


@contextmanager
def _coupon_service(database_url: str, replica_url: str, **settings: Any) -> Iterator[httpx.Client]:
    """The coupon service served on 127.0.0.1 over the given PostgreSQL URLs; a client with every coupon scope."""
    app = create_app(CouponSettings(database_url=database_url, replica_database_url=replica_url, **settings), TEST_AUTH)
    headers = {"Authorization": f"Bearer {issue_development_token(TEST_AUTH, list(ALL_SCOPES))}"}
    with serve(app) as server, httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture
def coupon_on_postgres(
    postgres_pair: PostgresPair, postgres_database: PairDatabase
) -> Iterator[Callable[..., httpx.Client]]:
    """Start the coupon service on the test's migrated database (settings as keyword arguments); stopped after."""
    upgrade(COUPON, postgres_database.primary_url)
    postgres_pair.wait_for_replica()

    def start(**settings: Any) -> httpx.Client:
        # A lag limit no test reaches by accident: a test that wants a lagging replica sets its own.
        settings.setdefault("replica_max_lag_seconds", 3600)
        service = _coupon_service(postgres_database.primary_url, postgres_database.replica_url, **settings)
        return stack.enter_context(service)

    with ExitStack() as stack:
        yield start


def _coupon_body(**extra: Any) -> dict[str, Any]:
    return {
        "code": f"PG{uuid.uuid4().hex[:10].upper()}",
        "name": "Replica coupon",
        "currency": "EUR",
        "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 100, "currency": "EUR"}},
        "startsAt": "2020-01-01T00:00:00Z",
        "expiresAt": "2099-01-01T00:00:00Z",
        **extra,
    }


def _create_coupon(client: httpx.Client, **extra: Any) -> tuple[str, str]:
    response = client.post("/v1/coupons", json=_coupon_body(**extra))
    assert response.status_code == 201, response.text
    return response.json()["id"], response.headers["Consistency-Token"]


def _redeem(client: httpx.Client, coupon_id: str, key: str) -> httpx.Response:
    body = {"userId": "usr_pg", "orderId": "ord_pg", "orderAmount": {"amount": 5000, "currency": "EUR"}}
    return client.post(f"/v1/coupons/{coupon_id}/redemptions", json=body, headers={"Idempotency-Key": key})


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert int(response.headers["Retry-After"]) >= 1


def _wait_until_ready_says(client: httpx.Client, wanted: dict[str, str]) -> None:
    for _ in range(READY_POLLS):
        response = client.get("/health/ready")
        if response.status_code == 200 and response.json() == wanted:
            return
        time.sleep(READY_POLL_SECONDS)
    raise AssertionError(f"readiness never said {wanted}; last: {response.status_code} {response.text}")


def test_a_read_or_quote_with_its_write_token_sees_the_write_and_one_without_reads_the_replica(
    coupon_on_postgres: Callable[..., httpx.Client], postgres_database: PairDatabase
) -> None:
    client = coupon_on_postgres()
    quote = {"userId": "usr_pg", "orderAmount": {"amount": 5000, "currency": "EUR"}}
    with replay_paused(postgres_database.replica_url):
        coupon_id, token = _create_coupon(client)
        with_token = client.get(f"/v1/coupons/{coupon_id}", headers={"Consistency-Token": token})
        without = client.get(f"/v1/coupons/{coupon_id}")
        quoted = client.post(f"/v1/coupons/{coupon_id}/quotes", json=quote, headers={"Consistency-Token": token})
        quoted_without = client.post(f"/v1/coupons/{coupon_id}/quotes", json=quote)
    assert with_token.status_code == 200  # the primary: the replica has not replayed the coupon
    assert without.status_code == 404  # the replica, which does not have it yet
    assert without.headers["content-type"] == PROBLEM
    assert (quoted.status_code, quoted.json()["discount"]["amount"]) == (200, 100)
    assert quoted_without.status_code == 404


def test_text_postgresql_cannot_store_is_a_422_not_a_500(coupon_on_postgres: Callable[..., httpx.Client]) -> None:
    client = coupon_on_postgres()
    refused = client.post("/v1/coupons", json=_coupon_body(name="Summer\x00sale"))
    assert refused.status_code == 422, refused.text
    assert [error["pointer"] for error in refused.json()["errors"]] == ["/name"]


def test_with_the_replica_stopped_reads_come_from_the_primary_and_readiness_is_degraded(
    coupon_on_postgres: Callable[..., httpx.Client], postgres_pair: PostgresPair
) -> None:
    client = coupon_on_postgres()
    coupon_id, _ = _create_coupon(client)
    assert client.get("/health/ready").json() == {"status": "UP", "replica": "UP"}
    postgres_pair.stop_replica()
    # No replica runs, so the primary serves these; a read never fails for want of a replica.
    assert client.get(f"/v1/coupons/{coupon_id}").status_code == 200
    assert client.get("/v1/coupons", params={"limit": 5}).status_code == 200
    _wait_until_ready_says(client, {"status": "DEGRADED", "replica": "DOWN"})
    created_meanwhile, _ = _create_coupon(client)
    postgres_pair.start_replica()
    _wait_until_ready_says(client, {"status": "UP", "replica": "UP"})
    assert client.get(f"/v1/coupons/{created_meanwhile}").status_code == 200


def test_a_replica_lagging_past_the_limit_degrades_readiness_and_reads_come_from_the_primary(
    coupon_on_postgres: Callable[..., httpx.Client], postgres_database: PairDatabase
) -> None:
    client = coupon_on_postgres(replica_max_lag_seconds=0.2)
    with replay_paused(postgres_database.replica_url):
        coupon_id, _ = _create_coupon(client)
        _wait_until_ready_says(client, {"status": "DEGRADED", "replica": "LAGGING"})
        # Without a token, and the replica without the coupon: only the primary can answer 200.
        assert client.get(f"/v1/coupons/{coupon_id}").status_code == 200
    _wait_until_ready_says(client, {"status": "UP", "replica": "UP"})


def test_with_the_primary_stopped_writes_are_503_reads_go_on_and_the_service_recovers_by_itself(
    coupon_on_postgres: Callable[..., httpx.Client], postgres_pair: PostgresPair
) -> None:
    client = coupon_on_postgres()
    coupon_id, token = _create_coupon(client, totalLimit=10)
    postgres_pair.wait_for_replica()
    postgres_pair.stop_primary()

    _unavailable(client.post("/v1/coupons", json=_coupon_body()))
    _unavailable(_redeem(client, coupon_id, "redeem-during-outage"))
    _unavailable(client.get("/health/ready"))
    # The replica has replayed the coupon: reads with its token or none need no primary.
    assert client.get(f"/v1/coupons/{coupon_id}", headers={"Consistency-Token": token}).status_code == 200
    assert client.get(f"/v1/coupons/{coupon_id}").status_code == 200

    postgres_pair.start_primary()
    _wait_until_ready_says(client, {"status": "UP", "replica": "UP"})
    # The caller retries with the same key: the redemption happens once, and the retry after it is a replay.
    first = _redeem(client, coupon_id, "redeem-during-outage")
    again = _redeem(client, coupon_id, "redeem-during-outage")
    assert first.status_code == 201, first.text
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    assert again.json() == first.json()
    token = first.headers["Consistency-Token"]
    redemptions = client.get(f"/v1/coupons/{coupon_id}/redemptions", headers={"Consistency-Token": token})
    assert [item["id"] for item in redemptions.json()["items"]] == [first.json()["id"]]
    coupon = client.get(f"/v1/coupons/{coupon_id}", headers={"Consistency-Token": token}).json()
    assert coupon["usage"]["confirmed"] == 1


def test_after_promotion_a_failover_url_takes_writes_on_the_promoted_replica(
    fresh_postgres_pair: PostgresPair,
) -> None:
    pair = fresh_postgres_pair
    urls = pair.create_database("coupon")
    upgrade(COUPON, urls.primary_url)
    pair.wait_for_replica()
    with _coupon_service(urls.failover_url, urls.replica_url, replica_max_lag_seconds=3600) as client:
        before, _ = _create_coupon(client)
        pair.wait_for_replica()
        pair.stop_primary()
        _unavailable(client.post("/v1/coupons", json=_coupon_body()))
        pair.promote_replica()
        after, token = _create_coupon(client)
        # The promoted server is no replica any more: ready, degraded, reads on the new primary.
        _wait_until_ready_says(client, {"status": "DEGRADED", "replica": "DOWN"})
        for coupon_id in (before, after):
            assert client.get(f"/v1/coupons/{coupon_id}", headers={"Consistency-Token": token}).status_code == 200
