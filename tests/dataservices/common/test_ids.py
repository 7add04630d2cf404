"""Ids are opaque, prefixed, 26-character Crockford ULIDs that sort in creation order."""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest

from dataservices.common.ids import new_id, new_ulid
from dataservices.common.timestamps import parse
from tests.fixtures.coupon_service import RunningCouponService

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")  # 128 bits: the first character is at most 7


def _millisecond(ulid: str) -> int:
    """The creation time a ULID carries in its first ten characters."""
    value = 0
    for char in ulid[:10]:
        value = value * 32 + CROCKFORD.index(char)
    return value


@pytest.mark.parametrize("prefix", ["cpn", "rdm", "wal", "txn", "pay", "rfd"])
def test_an_id_is_its_prefix_and_a_crockford_ulid(prefix: str) -> None:
    identifier = new_id(prefix)

    head, _, ulid = identifier.partition("_")
    assert (head, len(identifier)) == (prefix, len(prefix) + 27)
    assert ULID.match(ulid), identifier


def test_a_ulid_starts_with_its_creation_millisecond() -> None:
    before = time.time_ns() // 1_000_000

    ulid = new_ulid()

    assert before <= _millisecond(ulid) <= time.time_ns() // 1_000_000


def test_ids_sort_in_creation_order_even_within_a_millisecond() -> None:
    ids = [new_id("cpn") for _ in range(5000)]

    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    # The loop is far faster than one id per millisecond, so the same-millisecond case was exercised.
    per_millisecond = Counter(_millisecond(identifier[4:]) for identifier in ids)
    assert max(per_millisecond.values()) > 1


def test_ids_made_on_many_threads_are_unique_and_ordered_per_thread() -> None:
    made: dict[int, list[str]] = {}

    def make(thread: int) -> None:
        made[thread] = [new_id("rdm") for _ in range(2000)]

    threads = [threading.Thread(target=make, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(made) == list(range(8))
    assert len({identifier for ids in made.values() for identifier in ids}) == 8 * 2000
    assert all(ids == sorted(ids) for ids in made.values())


def test_resources_created_at_once_get_ids_in_creation_order(coupon_service: RunningCouponService) -> None:
    async def create_all() -> list[Any]:
        async with coupon_service.async_client() as client:
            body = {
                "name": "Id test coupon",
                "currency": "EUR",
                "discount": {"type": "PERCENTAGE", "percent": 10},
                "startsAt": "2026-01-01T00:00:00Z",
                "expiresAt": "2099-01-01T00:00:00Z",
            }
            return await asyncio.gather(
                *(
                    client.post("/v1/coupons", json={**body, "code": f"I{uuid.uuid4().hex[:10].upper()}"})
                    for _ in range(20)
                )
            )

    responses = asyncio.run(asyncio.wait_for(create_all(), timeout=60))

    assert {response.status_code for response in responses} == {201}
    coupons = [response.json() for response in responses]
    for response, coupon in zip(responses, coupons, strict=True):
        assert re.fullmatch(r"cpn_[0-7][0-9A-HJKMNP-TV-Z]{25}", coupon["id"])
        assert response.headers["Location"] == f"/v1/coupons/{coupon['id']}"
    by_id = sorted(coupons, key=lambda coupon: coupon["id"])
    assert len({coupon["id"] for coupon in coupons}) == 20
    created = [parse(coupon["createdAt"]) for coupon in by_id]
    assert created == sorted(created)
