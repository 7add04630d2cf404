"""Request logs of a live service: one JSON line per request, every line of a request under one trace id."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog

from dataservices.common.observability import configure_logging
from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from tests.fixtures.coupon_service import TEST_AUTH, RunningCouponService
from tests.fixtures.live_server import serve

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def request_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """Request lines logged (they are at info; the suite logs warnings only), captured from the process's stdout."""
    configure_logging("info", cache_loggers=False)
    try:
        yield capfd
    finally:
        configure_logging("warning", cache_loggers=False)


def _lines(capture: pytest.CaptureFixture[str], *, requests: int = 1) -> list[dict[str, Any]]:
    """The JSON lines written so far, once at least `requests` request lines are among them (or after 5 s).

    A request's line is written after its answer is sent, so the client can hold the answer first.
    """
    out, deadline = "", time.monotonic() + 5
    while True:
        out += capture.readouterr().out
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        if sum(line.get("event") == "request" for line in lines) >= requests or time.monotonic() > deadline:
            return lines
        time.sleep(0.01)


def _requests(lines: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("event") == "request" and line.get("path") == path]


def test_a_request_is_logged_once_under_the_callers_trace_id(
    coupon_service: RunningCouponService, request_logs: pytest.CaptureFixture[str]
) -> None:
    with coupon_service.client("coupon:read") as client:
        response = client.get("/v1/coupons", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200

    (line,) = _requests(_lines(request_logs), "/v1/coupons")
    assert line["trace_id"] == TRACE_ID
    assert line["service"] == "coupon-service"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["level"] == "info"
    assert isinstance(line["duration_ms"], int | float)
    assert line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", line["timestamp"])


@pytest.mark.parametrize(
    "traceparent",
    [
        None,
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # an all-zero trace id is invalid
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case is invalid
        "not a traceparent",
    ],
)
def test_without_a_valid_traceparent_each_request_gets_a_new_trace_id(
    coupon_service: RunningCouponService, request_logs: pytest.CaptureFixture[str], traceparent: str | None
) -> None:
    headers = {"traceparent": traceparent} if traceparent else {}
    with coupon_service.client("coupon:read") as client:
        for _ in range(2):
            assert client.get("/health/live", headers=headers).status_code == 200

    lines = _requests(_lines(request_logs, requests=2), "/health/live")
    trace_ids = [line["trace_id"] for line in lines]
    assert len(trace_ids) == 2
    assert trace_ids[0] != trace_ids[1]
    for trace_id in trace_ids:
        assert re.fullmatch(r"[0-9a-f]{32}", trace_id)
        assert trace_id not in (TRACE_ID, "0" * 32)


def test_an_unexpected_failure_is_logged_under_the_requests_trace_id(
    tmp_path: Path, coupon_service: RunningCouponService, request_logs: pytest.CaptureFixture[str]
) -> None:
    # A database file without tables: the query fails in a way the service does not expect.
    settings = CouponSettings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", hold_sweep_seconds=3600)
    with serve(create_app(settings, TEST_AUTH)) as server:
        headers = {"Authorization": f"Bearer {coupon_service.token()}", "traceparent": TRACEPARENT}
        response = httpx.get(f"{server.url}/v1/coupons", headers=headers)
    assert response.status_code == 500

    lines = _lines(request_logs)
    (failure,) = [line for line in lines if line.get("event") == "unhandled_exception"]
    (request,) = _requests(lines, "/v1/coupons")
    assert failure["trace_id"] == request["trace_id"] == TRACE_ID
    assert failure["service"] == request["service"] == "coupon-service"
    assert "no such table" in failure["exception"]
    assert request["status"] == 500


def test_lines_outside_a_request_carry_no_trace_id(
    coupon_service: RunningCouponService, request_logs: pytest.CaptureFixture[str]
) -> None:
    with coupon_service.client("coupon:read") as client:
        client.get("/health/live", headers={"traceparent": TRACEPARENT})
    structlog.get_logger("tests").info("outside")

    (outside,) = [line for line in _lines(request_logs) if line.get("event") == "outside"]
    assert "trace_id" not in outside
    assert "service" not in outside
