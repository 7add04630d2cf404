"""Every error path of a live service answers RFC 9457 `application/problem+json` with a stable code.

Framework errors (unknown route, wrong method, body too large, an unexpected exception, a database
that is not ready) are checked here; the request validator's answers are in test_validation.py.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from tests.fixtures.coupon_service import TEST_AUTH, RunningCouponService, running_coupon_service
from tests.fixtures.live_server import serve

PROBLEM = "application/problem+json"
CATALOGUE = "https://dataservices.example.com/errors/"
COUPON_ID = "cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K"
REDEMPTION_ID = "rdm_01JD8S0B4N6P8R0T2V4X6Z8B0D"
# Every path of the coupon contract and the methods it documents there.
DOCUMENTED_METHODS = {
    "/v1/coupons": "GET, POST",
    f"/v1/coupons/{COUPON_ID}": "GET, PATCH",
    f"/v1/coupons/{COUPON_ID}/quotes": "POST",
    f"/v1/coupons/{COUPON_ID}/redemptions": "GET, POST",
    "/v1/redemptions": "GET",
    f"/v1/redemptions/{REDEMPTION_ID}": "GET",
    f"/v1/redemptions/{REDEMPTION_ID}/confirmation": "POST",
    f"/v1/redemptions/{REDEMPTION_ID}/release": "POST",
    f"/v1/redemptions/{REDEMPTION_ID}/cancellation": "POST",
    "/health/live": "GET",
    "/health/ready": "GET",
    "/openapi.yaml": "GET",
}


@pytest.fixture(scope="module")
def client(coupon_service_module: RunningCouponService) -> Iterator[httpx.Client]:
    with coupon_service_module.client() as client:
        yield client


def assert_problem(response: httpx.Response, status: int, code: str, slug: str) -> dict[str, Any]:
    """Check the problem document's shape and the fields every problem carries."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"{CATALOGUE}{slug}/"
    assert problem["status"] == status
    assert problem["code"] == code
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", problem["code"])
    assert problem["title"]
    assert problem["detail"]
    assert problem["instance"] == response.request.url.raw_path.decode().split("?")[0]
    return problem


def test_an_unknown_route_is_a_404_problem(client: httpx.Client) -> None:
    response = client.get("/v1/vouchers")

    problem = assert_problem(response, 404, "RESOURCE_NOT_FOUND", "resource-not-found")
    assert problem["title"] == "Resource not found"
    assert "/v1/vouchers" in problem["detail"]


def test_the_instance_is_the_path_percent_encoded(client: httpx.Client) -> None:
    response = client.get("/v1/c%C3%B6upons/a%20b")

    problem = assert_problem(response, 404, "RESOURCE_NOT_FOUND", "resource-not-found")
    assert problem["instance"] == "/v1/c%C3%B6upons/a%20b"


@pytest.mark.parametrize(("path", "allow"), sorted(DOCUMENTED_METHODS.items()))
def test_a_wrong_method_is_a_405_that_lists_every_allowed_method(client: httpx.Client, path: str, allow: str) -> None:
    response = client.request("DELETE", path)

    problem = assert_problem(response, 405, "METHOD_NOT_ALLOWED", "method-not-allowed")
    assert response.headers["Allow"] == allow
    assert problem["detail"].endswith(f"use {allow}.")


def test_put_on_a_coupon_lists_get_and_patch(client: httpx.Client) -> None:
    response = client.put(f"/v1/coupons/{COUPON_ID}", json={})

    assert_problem(response, 405, "METHOD_NOT_ALLOWED", "method-not-allowed")
    assert response.headers["Allow"] == "GET, PATCH"


@pytest.fixture(scope="module")
def small_body_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCouponService]:
    with running_coupon_service(tmp_path_factory.mktemp("small-body"), max_body_bytes=1024) as service:
        yield service


def _coupon_body(name: str) -> dict[str, Any]:
    return {
        "code": "BIGBODY",
        "name": name,
        "currency": "EUR",
        "discount": {"type": "PERCENTAGE", "percent": 10},
        "startsAt": "2026-01-01T00:00:00Z",
        "expiresAt": "2027-01-01T00:00:00Z",
    }


def test_a_body_within_the_limit_is_served(small_body_service: RunningCouponService) -> None:
    with small_body_service.client() as client:
        response = client.post("/v1/coupons", json=_coupon_body("fits"))

    assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def unmigrated_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A coupon service whose database file has no tables: every query fails unexpectedly."""
    database = Path(tmp_path_factory.mktemp("unmigrated")) / "empty.db"
    # No hold sweep: its failing rounds would only add noise to the log.
    settings = CouponSettings(database_url=f"sqlite:///{database}", hold_sweep_seconds=3600)
    app = create_app(settings, TEST_AUTH)
    with serve(app) as server:
        yield server.url


def test_an_unexpected_failure_is_a_500_problem(
    unmigrated_service: str, coupon_service_module: RunningCouponService
) -> None:
    headers = {"Authorization": f"Bearer {coupon_service_module.token()}"}

    response = httpx.get(f"{unmigrated_service}/v1/coupons", headers=headers)

    problem = assert_problem(response, 500, "INTERNAL_ERROR", "internal-error")
    # The cause stays in the log; the caller learns only that a retry is safe.
    assert "no such table" not in response.text
    assert "retried" in problem["detail"]


def test_a_500_leaves_the_connection_open_for_the_next_request(
    unmigrated_service: str, coupon_service_module: RunningCouponService
) -> None:
    headers = {"Authorization": f"Bearer {coupon_service_module.token()}"}
    with httpx.Client(base_url=unmigrated_service, headers=headers) as client:
        first = client.get("/v1/coupons")
        second = client.get("/v1/coupons")
        third = client.get("/health/live")

    assert [first.status_code, second.status_code, third.status_code] == [500, 500, 200]
    # One connection served all three: the server did not close it after the failures.
    assert len({id(r.extensions["network_stream"]) for r in (first, second, third)}) == 1


def test_a_database_that_is_not_ready_is_a_503_problem_with_retry_after(unmigrated_service: str) -> None:
    response = httpx.get(f"{unmigrated_service}/health/ready")

    assert_problem(response, 503, "SERVICE_UNAVAILABLE", "service-unavailable")
    assert response.headers["Retry-After"] == "5"


def test_the_liveness_probe_does_not_need_the_database(unmigrated_service: str) -> None:
    response = httpx.get(f"{unmigrated_service}/health/live")

    assert (response.status_code, response.json()) == (200, {"status": "UP"})


def test_no_answer_names_the_server_software(client: httpx.Client) -> None:
    for response in (client.get("/health/live"), client.get("/no/such/path"), client.get("/v1/coupons")):
        assert "server" not in response.headers
        assert "date" in response.headers


def test_bytes_that_are_not_http_get_the_servers_plain_400_and_a_closed_connection(
    coupon_service_module: RunningCouponService,
) -> None:
    # The one answer that is not a problem document: the HTTP server refuses it before the service sees it
    # (documented in the operations guide).
    host, port = coupon_service_module.server.host, coupon_service_module.server.port
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(b"GARBAGE\r\n\r\n")
        received = b""
        while chunk := connection.recv(4096):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: text/plain" in head.lower()
    assert body == b"Invalid HTTP request received."
