"""Trace context: calls carry the current trace, and a service calling another logs under the same trace id.

The end-to-end test runs a small calling service on 127.0.0.1 (its route calls the real coupon service
through `CouponClient`), wrapped in the request logging every data service has, and reads both services'
request log lines.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dataservices.clients import use_traceparent
from dataservices.clients.coupon import CouponClient
from dataservices.common.observability import RequestLogging, configure_logging
from tests.dataservices.clients.wire import RecordingTransport
from tests.fixtures.coupon_service import RunningCouponService
from tests.fixtures.live_server import LiveServer

pytestmark = pytest.mark.anyio

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
VALID = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


async def test_outside_a_trace_no_traceparent_is_sent(wire: tuple[CouponClient, RecordingTransport]) -> None:
    client, transport = wire

    await client.list_coupons(limit=1)

    assert "traceparent" not in transport.requests[0].headers


async def test_each_call_in_a_trace_sends_the_trace_with_its_own_parent_id(
    wire: tuple[CouponClient, RecordingTransport],
) -> None:
    client, transport = wire

    with use_traceparent(TRACEPARENT):
        await client.list_coupons(limit=1)
        await client.list_coupons(limit=1)

    sent = [request.headers["traceparent"] for request in transport.requests]
    assert all(VALID.match(value) for value in sent)
    assert [value.split("-")[1] for value in sent] == [TRACE_ID, TRACE_ID]
    assert [value.split("-")[3] for value in sent] == ["01", "01"]  # the caller's sampling decision
    parent_ids = {value.split("-")[2] for value in sent}
    assert len(parent_ids) == 2
    assert "00f067aa0ba902b7" not in parent_ids  # that is the caller's span, not this call's


@pytest.fixture
def request_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """Request lines (logged at info; the suite logs warnings only), captured from the process's stdout."""
    configure_logging("info", cache_loggers=False)
    try:
        yield capfd
    finally:
        configure_logging("warning", cache_loggers=False)


async def _request_lines(capture: pytest.CaptureFixture[str], services: set[str]) -> list[dict[str, Any]]:
    """The request lines of `services`, once each has logged one: a request is logged after its answer is sent."""
    lines: list[dict[str, Any]] = []
    for _ in range(500):  # bounded: a few seconds at most on a loaded machine
        out = capture.readouterr().out
        lines += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        requests = [line for line in lines if line.get("event") == "request"]
        if {line.get("service") for line in requests} >= services:
            return requests
        await asyncio.sleep(0.01)
    return [line for line in lines if line.get("event") == "request"]


@pytest.fixture
def caller(live_server: Callable[..., LiveServer], coupon_service_module: RunningCouponService) -> LiveServer:
    """A service whose one route calls the coupon service, wrapped in request logging as every data service is."""

    async def checkout(request: Request) -> Response:
        service = coupon_service_module
        async with CouponClient(service.url, service.token()) as coupons:
            page = await coupons.list_coupons(limit=1)
        return JSONResponse({"coupons": len(page.items)})

    app = Starlette(routes=[Route("/checkout", checkout)])
    app.add_middleware(RequestLogging, service="caller-service")
    return live_server(app)


@pytest.mark.parametrize("incoming", [TRACEPARENT, None, "not-a-traceparent"])
async def test_a_service_calling_another_logs_under_one_trace_id(
    caller: LiveServer, request_logs: pytest.CaptureFixture[str], incoming: str | None
) -> None:
    headers = {"traceparent": incoming} if incoming else {}
    async with httpx.AsyncClient(base_url=caller.url) as http:
        response = await http.get("/checkout", headers=headers)
    assert response.status_code == 200

    lines = await _request_lines(request_logs, {"caller-service", "coupon-service"})
    (outer,) = [line for line in lines if line["service"] == "caller-service"]
    (inner,) = [line for line in lines if line["service"] == "coupon-service"]
    assert outer["trace_id"] == inner["trace_id"]
    assert re.fullmatch("[0-9a-f]{32}", outer["trace_id"])
    if incoming == TRACEPARENT:
        assert outer["trace_id"] == TRACE_ID
