"""A database that cannot take a write answers 503 with Retry-After, readiness says so, and it recovers.

Real SQLite files, a real server: another process's transaction holds the write lock, the file is opened
read-only, or its files become unwritable before or while the service runs (the immutable attribute, which
stops root too). Nothing here asserts how long an answer took; the bound is the service's own lock
timeout, and a hang would fail the request's own timeout.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataservices.common.auth import issue_development_token
from dataservices.common.db import ensure_sqlite_directory
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


def test_a_sqlite_uri_filename_makes_its_folder_and_nothing_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    ensure_sqlite_directory(f"sqlite:///file:{tmp_path}/data/coupon.db?mode=ro&uri=true")

    assert (tmp_path / "data").is_dir()
    assert list(work.iterdir()) == []


@contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """Make files unwritable for everyone, root included, for the block (`chattr +i`).

    The tests run as root, whom file modes (`chmod 0444`) do not stop and who could remount a file system;
    the immutable attribute stops every open for writing and every write, also through a descriptor opened
    before, which is what a file system that turned read-only does to a running service. Skips where the
    file system or the process's capabilities do not allow the attribute.
    """
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed (Debian: e2fsprogs)")
    names = [str(path) for path in paths]
    made = subprocess.run(["chattr", "+i", *names], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        subprocess.run(["chattr", "-i", *names], capture_output=True, check=False)
        pytest.skip(f"chattr +i is not possible here: {made.stderr.strip() or made.returncode}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *names], check=True)


def _count(client: httpx.Client) -> int:
    response = client.get("/v1/coupons", params={"limit": 100})
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


def test_a_database_file_that_cannot_be_written_at_start_is_not_ready_until_it_can(tmp_path: Path) -> None:
    database = tmp_path / "coupon.db"
    upgrade(COUPON, f"sqlite:///{database}")
    settings = CouponSettings(database_url=f"sqlite:///{database}")
    headers = {"Authorization": f"Bearer {issue_development_token(TEST_AUTH, ['coupon:read', 'coupon:write'])}"}
    with serve(create_app(settings, TEST_AUTH)) as server, httpx.Client(base_url=server.url, headers=headers) as client:
        with immutable(database):
            not_ready = client.get("/health/ready")
            refused = client.post("/v1/coupons", json=_coupon_body())
            stored = _count(client)
        # SQLite opened the file read-only and would keep it so; the service opens it afresh.
        ready = client.get("/health/ready")
        created = client.post("/v1/coupons", json=_coupon_body())
        after = _count(client)

    _unavailable(not_ready)
    _unavailable(refused)
    assert stored == 0
    assert ready.status_code == 200, ready.text
    assert created.status_code == 201, created.text
    assert after == 1


def test_a_database_whose_files_turn_unwritable_while_it_runs_is_not_ready_until_they_are_writable(
    coupon_service: RunningCouponService,
) -> None:
    database = coupon_service.database_path
    with coupon_service.client() as client:
        assert client.post("/v1/coupons", json=_coupon_body()).status_code == 201
        wal = database.with_name(database.name + "-wal")
        assert wal.exists()
        with immutable(database, wal):
            not_ready = client.get("/health/ready")
            refused = client.post("/v1/coupons", json=_coupon_body())
            readable = client.get("/v1/coupons", params={"limit": 100})
        ready = client.get("/health/ready")
        created = client.post("/v1/coupons", json=_coupon_body())
        after = _count(client)

    _unavailable(not_ready)
    _unavailable(refused)
    assert readable.status_code == 200
    assert len(readable.json()["items"]) == 1
    assert ready.status_code == 200, ready.text
    assert created.status_code == 201, created.text
    assert after == 2


def test_a_running_service_whose_main_file_alone_turns_unwritable_still_takes_writes_into_its_log(
    coupon_service: RunningCouponService,
) -> None:
    # The write connection is open (a coupon was written); writes go to the write-ahead log, which is still
    # writable, and only moving them into the main file (a checkpoint) fails, which SQLite retries on later
    # commits. The service can take writes, so it is ready, and readiness and writes agree.
    database = coupon_service.database_path
    with coupon_service.client() as client:
        assert client.post("/v1/coupons", json=_coupon_body()).status_code == 201
        with immutable(database):
            created = client.post("/v1/coupons", json=_coupon_body())
            ready = client.get("/health/ready")
            after = _count(client)

    assert created.status_code == 201, created.text
    assert ready.status_code == 200, ready.text
    assert after == 2
