"""Retries against real servers: `Retry-After` obeyed, attempts and budget bounded, only requests safe to repeat.

The coupon service gives the real refusals (503 while another process holds its database's write lock, 409
while a request with the same key is in flight). A small server on 127.0.0.1 gives what the coupon service
never sends (429, a `Retry-After` longer than any budget). Each client gets a `sleep` that records the
wait instead of spending it, and may change the world in between (release the lock), so nothing here
depends on how long anything takes.
"""

from __future__ import annotations

import asyncio
import email.utils
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dataservices.clients import (
    Call,
    Money,
    OutcomeUnknown,
    RateLimited,
    RetryPolicy,
    ServiceClient,
    ServiceUnavailable,
    Timeouts,
)
from dataservices.clients.calls import parse_model
from dataservices.clients.coupon import CouponClient, CouponExhausted
from dataservices.clients.models import Problem
from dataservices.coupon.tables import idempotency_keys
from tests.dataservices.clients.test_coupon_client import claim_key_in_flight, new_coupon
from tests.dataservices.clients.wire import RecordingTransport
from tests.fixtures.coupon_service import RunningCouponService
from tests.fixtures.live_server import LiveServer

pytestmark = pytest.mark.anyio

EUR_49_90 = Money(amount=4990, currency="EUR")


class Waits:
    """A `sleep` for RetryPolicy that records each wait and runs a step of the test instead of waiting."""

    def __init__(self, between: Callable[[], None] = lambda: None) -> None:
        self.seconds: list[float] = []
        self._between = between

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        self._between()


@pytest.fixture
def write_lock(coupon_service: RunningCouponService) -> Iterator[sqlite3.Connection]:
    """Another process's connection to the coupon database, holding its write lock until released."""
    with closing(sqlite3.connect(coupon_service.database_path, isolation_level=None)) as other:
        yield other


async def test_a_keyed_write_refused_with_503_is_sent_again_after_retry_after(
    coupon_service: RunningCouponService, write_lock: sqlite3.Connection
) -> None:
    waits = Waits(between=lambda: write_lock.execute("ROLLBACK"))
    transport = RecordingTransport()
    async with CouponClient(
        coupon_service.url, coupon_service.token(), retries=RetryPolicy(sleep=waits), transport=transport
    ) as client:
        coupon = (await client.create_coupon(new_coupon())).coupon
        write_lock.execute("BEGIN IMMEDIATE")

        redeemed = await client.redeem(
            coupon.id, user_id="usr_1", order_id="ord_1", order_amount=EUR_49_90, idempotency_key="lock-1"
        )
        usage = (await client.get_coupon(coupon.id)).coupon.usage

    assert waits.seconds == [1.0]  # the service's Retry-After
    assert [request.method for request in transport.requests] == ["POST", "POST", "POST", "GET"]
    assert not redeemed.replayed  # the refused attempt left nothing behind
    assert usage.confirmed == 1


async def test_a_write_without_a_key_is_not_sent_again(
    coupon_service: RunningCouponService, write_lock: sqlite3.Connection
) -> None:
    waits = Waits()
    async with CouponClient(coupon_service.url, coupon_service.token(), retries=RetryPolicy(sleep=waits)) as client:
        write_lock.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ServiceUnavailable) as raised:
                await client.create_coupon(new_coupon())
        finally:
            write_lock.execute("ROLLBACK")

    assert waits.seconds == []
    assert raised.value.retry_after == 1.0  # left for the caller, who knows whether repeating is safe


async def test_a_key_in_flight_is_sent_again_until_the_other_request_is_done(
    coupon_service: RunningCouponService,
) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{coupon_service.database_path}")

    def other_request_gives_up() -> None:
        with engine.begin() as connection:
            connection.execute(idempotency_keys.delete().where(idempotency_keys.c.idempotency_key == "busy"))

    waits = Waits(between=other_request_gives_up)
    try:
        async with CouponClient(coupon_service.url, coupon_service.token(), retries=RetryPolicy(sleep=waits)) as client:
            coupon = (await client.create_coupon(new_coupon())).coupon
            body = {"userId": "usr_1", "orderId": "ord_1", "orderAmount": EUR_49_90.to_json()}
            claim_key_in_flight(coupon_service, coupon.id, "busy", body)

            redeemed = await client.redeem(
                coupon.id, user_id="usr_1", order_id="ord_1", order_amount=EUR_49_90, idempotency_key="busy"
            )
    finally:
        engine.dispose()

    assert redeemed.redemption.order_id == "ord_1"
    (wait,) = waits.seconds
    assert 0 <= wait <= RetryPolicy().backoff  # no Retry-After on this answer: the first backoff, jittered


class Refusals:
    """A server that answers every request with the same problem and counts what it received."""

    def __init__(self, status: int, code: str, retry_after: str | None) -> None:
        self.received = 0
        self.status, self.code, self.retry_after = status, code, retry_after

    async def endpoint(self, request: Request) -> Response:
        self.received += 1
        problem = Problem(title="Refused", status=self.status, code=self.code)
        headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
        return JSONResponse(problem.to_json(), self.status, headers, media_type="application/problem+json")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/things", self.endpoint, methods=["GET", "POST"])])


def _get_things() -> Call[Problem]:
    return Call("GET", "/v1/things", parse_model(Problem))


async def test_attempts_are_bounded(live_server: Callable[..., LiveServer]) -> None:
    refusals = Refusals(503, "SERVICE_UNAVAILABLE", retry_after="0")
    waits = Waits()
    server = live_server(refusals.app())

    async with ServiceClient(server.url, "token", retries=RetryPolicy(attempts=4, sleep=waits)) as client:
        with pytest.raises(ServiceUnavailable):
            await client.call(_get_things())

    assert refusals.received == 4
    assert waits.seconds == [0.0, 0.0, 0.0]


async def test_a_retry_after_beyond_the_budget_is_not_waited_for(live_server: Callable[..., LiveServer]) -> None:
    refusals = Refusals(429, "RATE_LIMITED", retry_after="30")
    waits = Waits()
    server = live_server(refusals.app())

    async with ServiceClient(
        server.url, "token", timeouts=Timeouts(total=10), retries=RetryPolicy(sleep=waits)
    ) as client:
        with pytest.raises(RateLimited) as raised:
            await client.call(_get_things())

    assert refusals.received == 1
    assert waits.seconds == []
    assert raised.value.retry_after == 30.0


async def test_retry_after_may_be_an_http_date(live_server: Callable[..., LiveServer]) -> None:
    in_a_minute = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    refusals = Refusals(429, "RATE_LIMITED", retry_after=in_a_minute)
    waits = Waits()
    server = live_server(refusals.app())

    async with ServiceClient(
        server.url, "token", timeouts=Timeouts(total=600), retries=RetryPolicy(attempts=2, sleep=waits)
    ) as client:
        with pytest.raises(RateLimited):
            await client.call(_get_things())

    (wait,) = waits.seconds
    # Whole seconds to a date with whole seconds; the lower bound leaves a busy machine plenty of time.
    assert 30 <= wait <= 61


async def test_a_problem_that_will_not_pass_is_not_retried(live_server: Callable[..., LiveServer]) -> None:
    refusals = Refusals(409, "COUPON_EXHAUSTED", retry_after="1")
    waits = Waits()
    server = live_server(refusals.app())

    async with ServiceClient(server.url, "token", retries=RetryPolicy(sleep=waits)) as client:
        with pytest.raises(CouponExhausted):
            await client.call(_get_things())

    assert refusals.received == 1
    assert waits.seconds == []


class LateThenAnswers:
    """A server whose first answer comes only after the client gave up on it; later requests get `then`.

    The first request is held until the retry arrives (bounded), so the client's read timeout, not a
    guess at how long to sleep, makes the first attempt's outcome unknown.
    """

    def __init__(self, status: int, code: str | None) -> None:
        self.received = 0
        self.status, self.code = status, code
        self._retried = asyncio.Event()

    async def endpoint(self, request: Request) -> Response:
        self.received += 1
        if self.received == 1:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._retried.wait(), timeout=10)
            return Response(status_code=204)  # nobody is waiting for it any more
        self._retried.set()
        if self.code is None:
            problem = Problem(title="Done", status=self.status, code="DONE")  # a success body the call parses
            return JSONResponse(problem.to_json(), self.status)
        problem = Problem(title="Refused", status=self.status, code=self.code)
        return JSONResponse(problem.to_json(), self.status, {"Retry-After": "0"}, media_type="application/problem+json")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/things", self.endpoint, methods=["POST"])])


def _keyed_post() -> Call[Problem]:
    return Call("POST", "/v1/things", parse_model(Problem), body={}, headers={"Idempotency-Key": "k-1"})


@pytest.mark.parametrize(
    ("status", "code", "raised", "received"),
    [
        (503, "SERVICE_UNAVAILABLE", OutcomeUnknown, 3),  # each retry was refused before doing anything
        (429, "RATE_LIMITED", OutcomeUnknown, 3),
        (409, "COUPON_EXHAUSTED", CouponExhausted, 2),  # the key's outcome: the service settled it
    ],
)
async def test_a_late_first_answer_leaves_the_outcome_unknown_until_an_answer_settles_it(
    live_server: Callable[..., LiveServer], status: int, code: str, raised: type[Exception], received: int
) -> None:
    server = LateThenAnswers(status, code)
    waits = Waits()
    url = live_server(server.app()).url
    timeouts = Timeouts(read=0.3, total=30)

    async with ServiceClient(url, "token", timeouts=timeouts, retries=RetryPolicy(attempts=3, sleep=waits)) as client:
        with pytest.raises(raised) as failure:
            await client.call(_keyed_post())

    assert server.received == received
    assert type(failure.value) is raised
    # An unknown outcome names the refusal that failed to settle it.
    assert raised is not OutcomeUnknown or type(failure.value.__cause__) in (ServiceUnavailable, RateLimited)


async def test_a_late_first_answer_then_a_success_is_the_result(live_server: Callable[..., LiveServer]) -> None:
    server = LateThenAnswers(201, None)
    url = live_server(server.app()).url

    async with ServiceClient(url, "token", timeouts=Timeouts(read=0.3), retries=RetryPolicy(sleep=Waits())) as client:
        result = await client.call(_keyed_post())

    assert (server.received, result.code) == (2, "DONE")


def test_a_policy_needs_an_attempt() -> None:
    with pytest.raises(ValueError, match="at least one attempt"):
        RetryPolicy(attempts=0)
