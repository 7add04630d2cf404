"""A database that cannot take a write answers 503 with Retry-After, readiness says so, and it recovers.

Real SQLite files, a real server: another process's transaction holds the write lock, or the file is
opened read-only. Nothing here asserts how long an answer took; the bound is the service's own lock
timeout, and a hang would fail the request's own timeout.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataservices.common.auth import issue_development_token
from dataservices.common.migrate import upgrade
from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from dataservices.coupon.spec import SPEC as COUPON
from tests.fixtures.coupon_service import TEST_AUTH, RunningCouponService
from tests.fixtures.live_server import serve

PROBLEM = "application/problem+json"


def _coupon_body() -> dict[str, Any]:
    return {
        "code": f"F{uuid.uuid4().hex[:10].upper()}",
        "name": "Fault coupon",
        "currency": "EUR",
        "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 100, "currency": "EUR"}},
        "startsAt": "2026-01-01T00:00:00Z",
        "expiresAt": "2030-01-01T00:00:00Z",
    }


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert int(response.headers["Retry-After"]) >= 1


@pytest.fixture
def locked_out(coupon_service: RunningCouponService) -> Iterator[tuple[RunningCouponService, sqlite3.Connection]]:
    """The service, and a connection of another process's kind that can hold its write lock."""
    with closing(sqlite3.connect(coupon_service.database_path, isolation_level=None)) as other:
        yield coupon_service, other


def test_a_write_while_another_process_holds_the_lock_is_503_and_recovers(
    locked_out: tuple[RunningCouponService, sqlite3.Connection],
) -> None:
    service, other = locked_out
    with service.client() as client:
        other.execute("BEGIN IMMEDIATE")
        refused = client.post("/v1/coupons", json=_coupon_body())
        not_ready = client.get("/health/ready")
        still_readable = client.get("/v1/coupons", params={"limit": 1})
        other.execute("ROLLBACK")
        body = _coupon_body()
        created = client.post("/v1/coupons", json=body)
        ready = client.get("/health/ready")
        # The refused write left nothing behind.
        found = client.get("/v1/coupons", params={"code": body["code"]}).json()["items"]

    _unavailable(refused)
    _unavailable(not_ready)
    assert still_readable.status_code == 200  # WAL readers never wait for a writer
    assert created.status_code == 201
    assert ready.status_code == 200
    assert len(found) == 1


def test_a_database_that_cannot_be_written_is_503_and_not_ready(tmp_path: Path) -> None:
    database = tmp_path / "coupon.db"
    upgrade(COUPON, f"sqlite:///{database}")
    # Opened read-only, as a file the service may not write (tests run as root, so permissions would not stop it).
    settings = CouponSettings(database_url=f"sqlite:///file:{database}?mode=ro&uri=true")
    headers = {"Authorization": f"Bearer {issue_development_token(TEST_AUTH, ['coupon:read', 'coupon:write'])}"}
    with serve(create_app(settings, TEST_AUTH)) as server, httpx.Client(base_url=server.url, headers=headers) as client:
        refused = client.post("/v1/coupons", json=_coupon_body())
        not_ready = client.get("/health/ready")
        listed = client.get("/v1/coupons")
    _unavailable(refused)
    _unavailable(not_ready)
    assert listed.status_code == 200
