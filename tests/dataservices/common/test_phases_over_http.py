"""Atomic phases in real processes: a request that fails or is killed at any point is finished by a retry.

A test-only service (`phased/service.py`) runs its one operation in three phases and calls a second
process, the bank, between them. Each test makes the first attempt fail at one point, either with an
exception or by killing the service with SIGKILL, restarts it if it died, and retries with the same key.
Afterwards the bank must have moved the money exactly once, the service must hold exactly one transfer
with that movement's receipt, and a further retry must replay the same answer.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from dataservices.common.idempotency import KeyedRequest
from dataservices.common.phases import Progress
from dataservices.common.serving import free_port
from tests.dataservices.common.phased.service import POINTS

STARTUP_SECONDS = 30.0
LOCK_SECONDS = 1  # a killed request's lease is taken over after this long
RETRY_SECONDS = 20.0  # bound on the retries that wait for a dead lease to expire


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)


def _serve(factory: str, env: dict[str, str]) -> Process:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port)]
    popen = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"{factory} exited with {popen.returncode} at start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Process(popen, url)
        except OSError:
            time.sleep(0.05)
    popen.kill()
    raise RuntimeError(f"{factory} did not listen within {STARTUP_SECONDS} s")


class Service:
    """The phased service, restarted on the same database whenever a test killed it."""

    def __init__(self, tmp: Path, bank: Process) -> None:
        self.env = {
            "SERVICE_DATABASE": str(tmp / "service.db"),
            "BANK_URL": bank.url,
            "LOCK_SECONDS": str(LOCK_SECONDS),
        }
        self.database = tmp / "service.db"
        self.process: Process | None = None

    def running(self) -> Process:
        if self.process is None or self.process.popen.poll() is not None:
            self.process = _serve("tests.dataservices.common.phased.service:app", self.env)
        return self.process


@dataclass
class World:
    bank_database: Path
    service: Service

    def movements(self, key: str) -> list[tuple[str, int]]:
        """The bank's movements for the request `key` (found by the key derived from it)."""
        derived = Progress(KeyedRequest("shop", key, "", ""), "started").key_for("move")
        with sqlite3.connect(self.bank_database) as db:
            return db.execute("SELECT receipt, amount FROM movements WHERE key = ?", (derived,)).fetchall()

    def transfers(self, key: str) -> list[tuple[str, int, str | None]]:
        with sqlite3.connect(self.service.database) as db:
            return db.execute("SELECT id, amount, receipt FROM transfers WHERE id = ?", (key,)).fetchall()

    def transfer(self, key: str, fail_at: str | None = None, mode: str = "raise") -> httpx.Response:
        headers = {"Idempotency-Key": key} | ({"Fail-At": fail_at, "Fail-Mode": mode} if fail_at else {})
        url = self.service.running().url
        return httpx.post(f"{url}/transfers", json={"amount": 500}, headers=headers, timeout=10)

    def retry_until_done(self, key: str) -> tuple[httpx.Response, list[int]]:
        """Retry as a client would; 409 means a dead request still holds the key, so wait and try again."""
        seen = []
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            answer = self.transfer(key)
            seen.append(answer.status_code)
            if answer.status_code != 409 or time.monotonic() > deadline:
                return answer, seen
            time.sleep(0.2)

    def unfinished(self) -> list[str]:
        listed = httpx.get(f"{self.service.running().url}/unfinished", timeout=10).json()
        return [item["key"] for item in listed]

    def assert_done_once(self, key: str, answer: httpx.Response) -> None:
        assert answer.status_code == 201, answer.text
        movements = self.movements(key)
        assert len(movements) == 1, movements  # the money moved once, whatever failed, under the derived key
        assert self.transfers(key) == [(key, 500, movements[0][0])]
        assert answer.json() == {"id": key, "receipt": movements[0][0]}
        assert self.transfer(key).json() == answer.json()  # and the answer replays


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("phases")
    bank = _serve("tests.dataservices.common.phased.bank:app", {"BANK_DATABASE": str(tmp / "bank.db")})
    service = Service(tmp, bank)
    try:
        yield World(tmp / "bank.db", service)
    finally:
        if service.process is not None:
            service.process.stop()
        bank.stop()


@pytest.mark.parametrize("point", POINTS)
def test_a_failure_at_any_point_is_finished_by_a_retry(world: World, point: str) -> None:
    key = f"raise-{point}"
    first = world.transfer(key, fail_at=point)
    assert first.status_code == 503
    assert first.json()["detail"] == point

    answer, seen = world.retry_until_done(key)
    assert seen == [201]  # the failed request gave its lease up at once
    world.assert_done_once(key, answer)


@pytest.mark.parametrize("point", POINTS)
def test_a_process_killed_at_any_point_is_taken_over_after_a_restart(world: World, point: str) -> None:
    key = f"kill-{point}"
    doomed = world.service.running()
    with pytest.raises(httpx.TransportError):
        world.transfer(key, fail_at=point, mode="kill")
    assert doomed.popen.wait(10) == -signal.SIGKILL

    # A sweep sees where the dead request stopped (nothing, if it died before its first commit).
    assert world.unfinished() in ([], [key])
    answer, seen = world.retry_until_done(key)
    world.assert_done_once(key, answer)
    assert set(seen[:-1]) <= {409}  # the dead request's lease held the key until it was taken over
    assert key not in world.unfinished()


def test_simultaneous_retries_of_a_killed_request_move_the_money_once(world: World) -> None:
    key = "kill-then-race"
    doomed = world.service.running()
    with pytest.raises(httpx.TransportError):
        world.transfer(key, fail_at="after-call", mode="kill")
    assert doomed.popen.wait(10) == -signal.SIGKILL  # reaped, so the next request starts a new process
    url = world.service.running().url
    time.sleep(LOCK_SECONDS + 0.2)  # the dead lease has expired: every retry races to take it over

    def once(_: int) -> int:
        with httpx.Client(timeout=10) as client:
            answer = client.post(f"{url}/transfers", json={"amount": 500}, headers={"Idempotency-Key": key})
            return answer.status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(once, range(32)))
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    answer, _ = world.retry_until_done(key)
    world.assert_done_once(key, answer)
