"""A call that got no answer is `NotSent` or `OutcomeUnknown`, and only the first is sent again whatever it was.

Each fault is made by a real socket on 127.0.0.1 (`wire.py`): a port nobody listens on, a server that
reads the request and stays silent, one that reads it and hangs up, a pool whose only connection is
taken. The servers record what reached them, which is the ground truth the classification must match.
Timeouts here are short so the tests are quick; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from dataservices.clients import (
    Call,
    NotSent,
    OutcomeUnknown,
    RetryPolicy,
    ServiceClient,
    Timeouts,
    deadline,
)
from dataservices.clients.calls import parse_model
from dataservices.clients.models import Problem
from tests.dataservices.clients.wire import closed_port, raw_server

pytestmark = pytest.mark.anyio

# Short enough to keep the suite quick, long enough for a loaded machine to connect to 127.0.0.1.
SHORT = 0.3
# A deadline that must outlast connecting and sending (so the call fails by its deadline, not by a refused
# or slow connection) on a machine busy with other tests; far below the 30 s read timeout it must beat.
DEADLINE = 1.5


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def _call(method: str, **headers: str) -> Call[Problem]:
    return Call(method, "/v1/things", parse_model(Problem), body={} if method == "POST" else None, headers=headers)


def _client(url: str, waits: Waits, *, read: float = SHORT, connect: float = SHORT, **options: object) -> ServiceClient:
    timeouts = Timeouts(connect=connect, read=read, write=SHORT, pool=SHORT, total=30)
    return ServiceClient(url, "token", timeouts=timeouts, retries=RetryPolicy(sleep=waits), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_refused_connection_is_not_sent_and_is_retried_whatever_the_method(method: str) -> None:
    waits = Waits()
    async with _client(f"http://127.0.0.1:{closed_port()}", waits) as client:
        with pytest.raises(NotSent) as raised:
            await client.call(_call(method))

    assert len(waits.seconds) == RetryPolicy().attempts - 1
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(
    ("method", "headers", "attempts"),
    [
        ("POST", {}, 1),  # the work may have been done: sending it again could do it twice
        ("POST", {"Idempotency-Key": "k-1"}, 3),  # the service replays the first outcome
        ("POST", {"idempotency-key": "k-1"}, 3),  # however the builder spells the header's name
        ("GET", {}, 3),
    ],
)
async def test_a_request_with_no_answer_has_an_unknown_outcome(
    method: str, headers: dict[str, str], attempts: int
) -> None:
    waits = Waits()
    with raw_server("silent") as server:
        async with _client(server.url, waits) as client:
            with pytest.raises(OutcomeUnknown) as raised:
                await client.call(_call(method, **headers))

    assert len(server.received) == attempts
    assert all(head.startswith(f"{method} /v1/things ".encode()) for head in server.received)
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)


async def test_an_unknown_outcome_stays_unknown_when_the_retry_is_not_sent() -> None:
    waits = Waits()
    with raw_server("silent-then-gone") as server:
        async with _client(server.url, waits) as client:
            with pytest.raises(OutcomeUnknown) as raised:
                await client.call(_call("POST", **{"Idempotency-Key": "k-1"}))

    # The first attempt reached the server and may have done the work; the retries never left, and a
    # NotSent from them must not tell the caller that nothing happened.
    assert len(server.received) == 1
    assert len(waits.seconds) == RetryPolicy().attempts - 1
    assert not isinstance(raised.value, NotSent)
    assert isinstance(raised.value.__cause__, NotSent)
    assert "a retry did not settle it" in str(raised.value)


async def test_a_connection_closed_after_the_request_is_an_unknown_outcome() -> None:
    waits = Waits()
    with raw_server("hang-up") as server:
        async with _client(server.url, waits) as client:
            with pytest.raises(OutcomeUnknown) as raised:
                await client.call(_call("POST"))

    assert len(server.received) == 1
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)


async def test_the_context_deadline_ends_a_call_that_has_no_answer() -> None:
    waits = Waits()
    with raw_server("silent") as server:
        async with _client(server.url, waits, read=30, connect=30) as client:
            with deadline(DEADLINE), pytest.raises(OutcomeUnknown) as raised:
                await client.call(_call("POST"))

    assert len(server.received) == 1
    assert isinstance(raised.value.__cause__, TimeoutError)
    assert "time ran out" in str(raised.value)


async def test_a_call_with_no_time_left_is_not_sent() -> None:
    waits = Waits()
    with raw_server("silent") as server:
        async with _client(server.url, waits) as client:
            with deadline(0), pytest.raises(NotSent):
                await client.call(_call("POST"))

    assert server.received == []
    assert waits.seconds == []


async def test_an_inner_deadline_cannot_extend_the_outer_one() -> None:
    with raw_server("silent") as server:
        async with _client(server.url, Waits(), read=30, connect=30) as client:
            with deadline(DEADLINE), deadline(60), pytest.raises(OutcomeUnknown) as raised:
                await client.call(_call("POST"))

    assert len(server.received) == 1
    assert isinstance(raised.value.__cause__, TimeoutError)  # the outer deadline, not the 30 s read timeout


async def test_waiting_for_a_pooled_connection_is_not_sent() -> None:
    waits = Waits()
    one_connection = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=1))
    with raw_server("silent") as server:
        async with _client(server.url, waits, read=30, transport=one_connection) as client:
            holder = asyncio.create_task(client.call(_call("POST")))
            for _ in range(500):  # until the first request holds the only connection; bounded
                if server.received:
                    break
                await asyncio.sleep(0.01)
            with pytest.raises(NotSent) as raised:
                await client.call(_call("POST"))
            holder.cancel()

    assert len(server.received) == 1  # the second request never left
    assert isinstance(raised.value.__cause__, httpx.PoolTimeout)


async def test_a_connect_timeout_is_not_sent() -> None:
    """A connect timeout cannot be made on 127.0.0.1 (a local connect is accepted or refused at once), so
    this one fault comes from `httpx.MockTransport`, raised where the real transport raises it."""
    attempts: list[httpx.Request] = []

    def no_connection(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectTimeout("connect timed out", request=request)

    waits = Waits()
    async with _client("http://service.test", waits, transport=httpx.MockTransport(no_connection)) as client:
        with pytest.raises(NotSent):
            await client.call(_call("POST"))

    assert len(attempts) == RetryPolicy().attempts
