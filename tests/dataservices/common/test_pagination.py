"""Cursor pagination: a walk visits every item once, newest first, and ends with a null cursor."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dataservices.common.pagination import PageRequest, page_of
from tests.fixtures.coupon_service import RunningCouponService

COUPONS = 45
PAUSED_EVERY = 3  # every third coupon is created paused, to walk a filtered collection too
MAX_PAGES = 100  # a walk never needs more; more means the cursor does not advance


def _body(index: int) -> dict[str, Any]:
    return {
        "code": f"P{index:02d}{uuid.uuid4().hex[:8].upper()}",
        "name": f"Pagination coupon {index}",
        "currency": "EUR",
        "discount": {"type": "PERCENTAGE", "percent": 10},
        "startsAt": "2026-01-01T00:00:00Z",
        "expiresAt": "2099-01-01T00:00:00Z",
        "status": "PAUSED" if index % PAUSED_EVERY == 0 else "ACTIVE",
    }


def _create(service: RunningCouponService, count: int, first: int = 0) -> list[dict[str, Any]]:
    async def create_all() -> list[httpx.Response]:
        async with service.async_client() as client:
            return await asyncio.gather(*(client.post("/v1/coupons", json=_body(first + i)) for i in range(count)))

    responses = asyncio.run(asyncio.wait_for(create_all(), timeout=60))
    assert {response.status_code for response in responses} == {201}
    return [response.json() for response in responses]


@pytest.fixture(scope="module")
def seeded(coupon_service_module: RunningCouponService) -> list[dict[str, Any]]:
    """The module's service holding exactly COUPONS coupons."""
    return _create(coupon_service_module, COUPONS)


@pytest.fixture(scope="module")
def client(coupon_service_module: RunningCouponService) -> Iterator[httpx.Client]:
    with coupon_service_module.client() as client:
        yield client


def test_a_cursor_is_a_position_not_a_token(client: httpx.Client, seeded: list[dict[str, Any]]) -> None:
    newest_first = sorted((coupon["id"] for coupon in seeded), reverse=True)

    after_tenth = client.get("/v1/coupons", params={"limit": 5, "cursor": newest_first[9]}).json()
    before_everything = client.get("/v1/coupons", params={"limit": 5, "cursor": "0"}).json()
    past_everything = client.get("/v1/coupons", params={"limit": 5, "cursor": "zzzz"}).json()

    assert [item["id"] for item in after_tenth["items"]] == newest_first[10:15]
    assert before_everything == {"items": [], "nextCursor": None}
    assert [item["id"] for item in past_everything["items"]] == newest_first[:5]


@pytest.mark.parametrize(
    ("rows", "limit", "items", "cursor"),
    [
        (["e", "d", "c"], 2, ["e", "d"], "d"),
        (["e", "d"], 2, ["e", "d"], None),
        (["e"], 2, ["e"], None),
        ([], 2, [], None),
    ],
)
def test_page_of_cuts_the_extra_row_into_the_next_cursor(
    rows: list[str], limit: int, items: list[str], cursor: str | None
) -> None:
    page = page_of(rows, PageRequest(limit=limit, cursor=None), lambda row: row)

    assert (page.items, page.next_cursor) == (items, cursor)
