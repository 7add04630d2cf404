"""`dataservices serve --workers 2` on one SQLite file: two processes, one set of guarantees.

Each worker process has its own writer thread; they take turns through the writer lock file. Hundreds
of simultaneous requests spread over both processes must keep every invariant a single process keeps.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from dataservices.common.auth import issue_development_token
from dataservices.common.serving import free_port
from dataservices.common.settings import AuthSettings

WORKERS = 2
STARTUP_SECONDS = 60.0
CONNECTIONS = 64


@dataclass(frozen=True)
class ServedProcesses:
    url: str
    pid: int
    database: Path

    def worker_cpu_seconds(self) -> list[float]:
        """CPU seconds used so far by each worker process (children of the supervisor that run `spawn_main`)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        ticks = os.sysconf("SC_CLK_TCK")
        used = []
        for child in children:
            if b"spawn_main" not in Path(f"/proc/{child}/cmdline").read_bytes():
                continue  # multiprocessing's resource tracker, not a worker
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            used.append((int(fields[11]) + int(fields[12])) / ticks)
        return used


@contextmanager
def served(tmp_path: Path, workers: int) -> Iterator[ServedProcesses]:
    database = tmp_path / "coupon.db"
    port = free_port()
    environment = {**os.environ, "DATASERVICES_COUPON_DATABASE_URL": f"sqlite:///{database}"}
    command = [sys.executable, "-m", "dataservices", "serve", "coupon", "--host", "127.0.0.1", "--port", str(port)]
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([*command, "--workers", str(workers)], env=environment, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        yield ServedProcesses(url, process.pid, database)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _headers() -> dict[str, str]:
    token = issue_development_token(AuthSettings(), ["coupon:read", "coupon:write", "coupon:redeem"])
    return {"Authorization": f"Bearer {token}"}


def _create_coupon(url: str, total_limit: int) -> str:
    body = {
        "code": f"WORKERS{total_limit}",
        "name": "Two processes",
        "currency": "EUR",
        "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 100, "currency": "EUR"}},
        "startsAt": "2020-01-01T00:00:00Z",
        "expiresAt": "2099-01-01T00:00:00Z",
        "totalLimit": total_limit,
        "perUserLimit": 1,
    }
    response = httpx.post(f"{url}/v1/coupons", json=body, headers={**_headers(), "Idempotency-Key": "create"})
    assert response.status_code == 201, response.text
    coupon_id: str = response.json()["id"]
    return coupon_id


async def _redeem_all(url: str, coupon_id: str, keys: list[str], *, same_order: bool = False) -> list[httpx.Response]:
    """POST one redemption per key at once over CONNECTIONS connections (one user and order each, or all alike)."""
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, headers=_headers(), limits=limits, timeout=60) as client:

        async def redeem(index: int, key: str) -> httpx.Response:
            who = "0" if same_order else str(index)
            body = {
                "userId": f"user-{who}",
                "orderId": f"order-{who}",
                "orderAmount": {"amount": 5000, "currency": "EUR"},
            }
            path = f"/v1/coupons/{coupon_id}/redemptions"
            return await client.post(path, json=body, headers={"Idempotency-Key": key})

        return await asyncio.gather(*(redeem(index, key) for index, key in enumerate(keys)))


def _answers(responses: list[httpx.Response]) -> Counter[tuple[int, str]]:
    return Counter((r.status_code, r.json().get("code", "") if r.status_code >= 400 else "") for r in responses)


def _database_counts(database: Path, coupon_id: str) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT count(*) FROM redemptions WHERE coupon_id = ?", (coupon_id,)).fetchone()[0]
        counter = connection.execute(
            "SELECT reserved_count + confirmed_count FROM coupons WHERE id = ?", (coupon_id,)
        ).fetchone()[0]
    return int(rows), int(counter)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedProcesses]:
    with served(tmp_path_factory.mktemp("workers"), WORKERS) as processes:
        yield processes


def test_a_limit_holds_across_worker_processes(two_workers: ServedProcesses) -> None:
    coupon_id = _create_coupon(two_workers.url, total_limit=100)
    cpu_before = two_workers.worker_cpu_seconds()

    responses = asyncio.run(_redeem_all(two_workers.url, coupon_id, [f"limit-{i}" for i in range(400)]))

    assert _answers(responses) == {(201, ""): 100, (409, "COUPON_EXHAUSTED"): 300}
    assert _database_counts(two_workers.database, coupon_id) == (100, 100)
    # Both processes took part: each used CPU time while the requests were answered.
    cpu_after = two_workers.worker_cpu_seconds()
    assert len(cpu_after) == WORKERS
    assert all(after > before for before, after in zip(cpu_before, cpu_after, strict=True))


def test_one_key_runs_once_across_worker_processes(two_workers: ServedProcesses) -> None:
    coupon_id = _create_coupon(two_workers.url, total_limit=1000)

    responses = asyncio.run(_redeem_all(two_workers.url, coupon_id, ["the-same-key"] * 100, same_order=True))

    # One request ran; every other one is a replay of its answer or was told it was still in flight.
    assert set(_answers(responses)) <= {(201, ""), (409, "IDEMPOTENCY_KEY_IN_USE")}
    created = [r for r in responses if r.status_code == 201]
    originals = [r for r in created if r.headers.get("Idempotent-Replayed") != "true"]
    assert len(originals) == 1
    assert {r.json()["id"] for r in created} == {originals[0].json()["id"]}
    assert _database_counts(two_workers.database, coupon_id) == (1, 1)


def test_the_writers_take_turns_through_a_lock_file(two_workers: ServedProcesses) -> None:
    assert Path(f"{two_workers.database}-writer.lock").is_file()
