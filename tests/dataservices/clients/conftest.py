"""Fixtures of the client tests: async tests on asyncio (anyio's pytest plugin), a coupon client on a live service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dataservices.clients.coupon import CouponClient
from tests.dataservices.clients.wire import RecordingTransport
from tests.fixtures.coupon_service import RunningCouponService


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def service(coupon_service_module: RunningCouponService) -> RunningCouponService:
    return coupon_service_module


@pytest.fixture
async def client(service: RunningCouponService) -> AsyncIterator[CouponClient]:
    async with CouponClient(service.url, service.token()) as client:
        yield client


@pytest.fixture
async def wire(service: RunningCouponService) -> AsyncIterator[tuple[CouponClient, RecordingTransport]]:
    transport = RecordingTransport()
    async with CouponClient(service.url, service.token(), transport=transport) as client:
        yield client, transport
