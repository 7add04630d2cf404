"""Consistency tokens belong to the caller's context, never to the client: concurrent callers keep their own.

Every write of the coupon service answers a distinct token (`sqlite.<n>`), so what each read carried shows
whose write it was waiting for.
"""

from __future__ import annotations

import asyncio

import pytest

from dataservices.clients import read_your_writes
from dataservices.clients.coupon import CouponClient
from tests.dataservices.clients.test_coupon_client import new_coupon
from tests.dataservices.clients.wire import RecordingTransport

pytestmark = pytest.mark.anyio

CALLERS = 12


async def test_concurrent_callers_sharing_a_client_each_read_with_their_own_token(
    wire: tuple[CouponClient, RecordingTransport],
) -> None:
    client, transport = wire
    # Writes take turns so each commits alone and answers its own token (writes that wait together share
    # one commit, and so one token); the reads then run all at once.
    turns = [asyncio.Event() for _ in range(CALLERS)]
    turns[0].set()
    every_write_done = asyncio.Barrier(CALLERS)
    written: dict[str, str] = {}  # coupon id -> the token its creation answered

    async def caller(turn: int) -> None:
        with read_your_writes() as session:
            await turns[turn].wait()
            created = await client.create_coupon(new_coupon())
            if turn + 1 < CALLERS:
                turns[turn + 1].set()
            assert session.token is not None
            written[created.coupon.id] = session.token
            # Every caller reads only after all have written: a token kept on the client would be the last
            # writer's by now.
            await every_write_done.wait()
            await client.get_coupon(created.coupon.id)

    await asyncio.gather(*(caller(turn) for turn in range(CALLERS)))

    reads = {
        request.url.path.rsplit("/", 1)[1]: request.headers.get("Consistency-Token")
        for request in transport.requests
        if request.method == "GET"
    }
    assert len(set(written.values())) == CALLERS
    assert reads == written


async def test_without_a_session_reads_send_no_token(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire

    created = await client.create_coupon(new_coupon())
    await client.get_coupon(created.coupon.id)

    assert [request.headers.get("Consistency-Token") for request in transport.requests] == [None, None]


async def test_a_token_given_to_a_read_wins_and_writes_never_send_one(
    wire: tuple[CouponClient, RecordingTransport],
) -> None:
    client, transport = wire

    with read_your_writes(token="sqlite.1") as session:
        await client.list_coupons(limit=1)
        created = await client.create_coupon(new_coupon())
        await client.list_coupons(limit=1, consistency_token="sqlite.2")
        await client.get_coupon(created.coupon.id)

    seeded, write, explicit, after_write = (request.headers.get("Consistency-Token") for request in transport.requests)
    assert (seeded, write, explicit) == ("sqlite.1", None, "sqlite.2")
    assert after_write == session.token != "sqlite.1"


async def test_a_nested_session_continues_the_outer_one_unless_given_a_token() -> None:
    with read_your_writes() as outer:
        with read_your_writes() as continued:
            continued.observe("sqlite.7")
        with read_your_writes(token="sqlite.3") as separate:
            separate.observe("sqlite.9")

    assert continued is outer
    assert outer.token == "sqlite.7"
    assert separate.token == "sqlite.9"
