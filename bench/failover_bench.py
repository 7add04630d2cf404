"""How long the served coupon service takes to answer each PostgreSQL failure, and to recover, as a client sees it.

One throw-away primary and streaming replica (fsync on), and `dataservices serve coupon` on it as an operator would
run it: the primary URL names both servers with `target_session_attrs=read-write`, reads go to the replica. Then,
in turn, and timed from the moment the action returned:

1. the replica stops: how long until a read is answered (by the primary), until readiness says DEGRADED;
2. the replica starts again: until readiness says UP (its reads are the replica's again);
3. the replica's replay is paused and a coupon written: until readiness says LAGGING (the service's lag limit,
   `replica_max_lag_seconds`, is its default of 2 s); replay resumed: until readiness says UP;
4. the primary stops: how long the first write takes to be answered 503, and what the 503s take;
5. the primary starts again: until a write is answered 201;
6. the primary stops and the replica is promoted: until a write is answered 201 (by the promoted server).

Reads keep running through steps 1 to 5 and every answer is counted: a read is never to fail for want of a
replica, and one that fails is reported. Every wait is bounded by `STEP_SECONDS`; only 127.0.0.1 is used.

    python -m bench.failover_bench
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from bench.measure import table
from bench.service.results import percentile
from bench.service.server import served_coupon_service
from dataservices.common.auth import issue_development_token
from dataservices.common.migrate import upgrade
from dataservices.common.settings import AuthSettings
from dataservices.coupon.spec import SPEC as COUPON
from dataservices.pgpair import PostgresPair

# The longest any step may take before the benchmark gives up on it (and reports it as not reached).
STEP_SECONDS = 30.0
# How often a waiting step asks again: fine enough for the figures, light enough not to load the server.
POLL_SECONDS = 0.005
# Readers running beside the steps: enough to always have a read in flight when a server stops.
READERS = 2


@dataclass
class Step:
    """One timed step: what happened, how long until the answer looked as expected (None: not within the bound)."""

    action: str
    waited_for: str
    seconds: float | None
    detail: str = ""


@dataclass
class Reads:
    """Answers to the reads running beside the steps, by status."""

    statuses: Counter[int] = field(default_factory=Counter)
    slowest_ms: float = 0.0


def _coupon_body() -> dict[str, object]:
    return {
        "code": f"FO{uuid.uuid4().hex[:10].upper()}",
        "name": "Failover coupon",
        "currency": "EUR",
        "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 100, "currency": "EUR"}},
        "startsAt": "2020-01-01T00:00:00Z",
        "expiresAt": "2099-01-01T00:00:00Z",
    }


def _until(check: Callable[[], bool]) -> float | None:
    """Seconds until `check()` is true, asking every POLL_SECONDS; None if it is not within STEP_SECONDS."""
    started = time.perf_counter()
    while time.perf_counter() - started < STEP_SECONDS:
        if check():
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    return None


def _ready_says(client: httpx.Client, status: str, replica: str) -> Callable[[], bool]:
    def check() -> bool:
        answer = client.get("/health/ready")
        return answer.status_code == 200 and answer.json() == {"status": status, "replica": replica}

    return check


@contextmanager
def _reading(url: str, headers: dict[str, str], path: str) -> Iterator[Reads]:
    """Readers that GET `path` until the block ends; their answers are counted in the `Reads` yielded."""
    reads = Reads()
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=STEP_SECONDS) as client:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    status = client.get(path).status_code
                except httpx.HTTPError:
                    status = 0
                reads.statuses[status] += 1
                reads.slowest_ms = max(reads.slowest_ms, (time.perf_counter() - started) * 1000)
                time.sleep(POLL_SECONDS)

    readers = [threading.Thread(target=read, name=f"reader-{n}") for n in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        yield reads
    finally:
        stop.set()
        for reader in readers:
            reader.join(STEP_SECONDS)


def run(pair: PostgresPair, workdir: Path) -> tuple[list[Step], Reads]:
    """Serve the coupon service on `pair` and take it through the five steps."""
    urls = pair.create_database("coupon")
    upgrade(COUPON, urls.primary_url)
    environment = {
        "DATASERVICES_COUPON_DATABASE_URL": urls.failover_url,
        "DATASERVICES_COUPON_REPLICA_DATABASE_URL": urls.replica_url,
    }
    token = issue_development_token(AuthSettings(), ["coupon:read", "coupon:write"], ttl_seconds=3600)
    headers = {"Authorization": f"Bearer {token}"}
    steps: list[Step] = []
    with (
        served_coupon_service(environment, workdir) as server,
        httpx.Client(base_url=server.url, headers=headers, timeout=STEP_SECONDS) as client,
    ):
        created = client.post("/v1/coupons", json=_coupon_body())
        created.raise_for_status()
        pair.wait_for_replica()
        path = f"/v1/coupons/{created.json()['id']}"

        def write_answers(status: int) -> Callable[[], bool]:
            return lambda: client.post("/v1/coupons", json=_coupon_body()).status_code == status

        def first_answer_to(request: Callable[[], httpx.Response], status: int) -> float | None:
            started = time.perf_counter()
            answer = request()
            took = time.perf_counter() - started
            retry_after = status != 503 or answer.headers.get("Retry-After", "").isdigit()
            return took if answer.status_code == status and retry_after else None

        def timed(action: Callable[[], None]) -> str:
            started = time.perf_counter()
            action()
            return f"counted from the start command, which took {(time.perf_counter() - started) * 1000:,.0f} ms"

        with _reading(server.url, headers, path) as reads:
            pair.stop_replica()
            read_took = first_answer_to(lambda: client.get(path), 200)
            steps.append(Step("replica stopped", "a read answered 200 (by the primary)", read_took))
            steps.append(Step("replica stopped", "readiness DEGRADED, replica DOWN",
                              _until(_ready_says(client, "DEGRADED", "DOWN"))))  # fmt: skip
            started = time.perf_counter()
            detail = timed(pair.start_replica)
            back = _until(_ready_says(client, "UP", "UP"))
            back = None if back is None else time.perf_counter() - started
            steps.append(Step("replica started", "readiness UP: reads on the replica again", back, detail))

            with psycopg.connect(urls.replica_url, autocommit=True, connect_timeout=5) as replica:
                replica.execute("SELECT pg_wal_replay_pause()")
                try:
                    client.post("/v1/coupons", json=_coupon_body()).raise_for_status()
                    lagging = _until(_ready_says(client, "DEGRADED", "LAGGING"))
                    steps.append(Step("replay paused, a coupon written", "readiness DEGRADED, replica LAGGING",
                                      lagging, "the lag limit is 2 s"))  # fmt: skip
                finally:
                    replica.execute("SELECT pg_wal_replay_resume()")
                steps.append(Step("replay resumed", "readiness UP", _until(_ready_says(client, "UP", "UP"))))

            pair.stop_primary()
            first = first_answer_to(lambda: client.post("/v1/coupons", json=_coupon_body()), 503)
            unavailable = []
            for _ in range(20):
                started = time.perf_counter()
                answer = client.post("/v1/coupons", json=_coupon_body())
                if answer.status_code == 503:
                    unavailable.append((time.perf_counter() - started) * 1000)
            unavailable.sort()
            spread = f"next 20 writes: {len(unavailable)} x 503"
            if unavailable:
                spread += f", p50 {percentile(unavailable, 50):.1f} ms, max {unavailable[-1]:.1f} ms"
            steps.append(Step("primary stopped", "a write answered 503 with Retry-After", first, spread))
            started = time.perf_counter()
            detail = timed(pair.start_primary)
            back = _until(write_answers(201))
            back = None if back is None else time.perf_counter() - started
            steps.append(Step("primary started", "a write answered 201", back, detail))
        pair.wait_for_replica()
        pair.stop_primary()
        pair.promote_replica()
        steps.append(Step("primary stopped, replica promoted", "a write answered 201 (by the promoted replica)",
                          _until(write_answers(201))))  # fmt: skip
    return steps, reads


def render(steps: list[Step], reads: Reads) -> str:
    """The steps as a Markdown table, and the reads that ran beside them."""
    rows = []
    for step in steps:
        took = "not within the bound" if step.seconds is None else f"{step.seconds * 1000:,.1f}"
        rows.append([step.action, step.waited_for, took, step.detail])
    counted = ", ".join(f"{count:,} x {status or 'no answer'}" for status, count in sorted(reads.statuses.items()))
    return (
        table(rows, ["what happened", "until", "ms", "detail"])
        + f"\n\nReads beside steps 1-5 ({READERS} readers, no token): {counted}; slowest {reads.slowest_ms:,.1f} ms.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.failover_bench", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="failover-bench-") as workdir,
        PostgresPair.start(Path(tempfile.mkdtemp(prefix="failover-bench-pg-"))) as pair,
    ):
        steps, reads = run(pair, Path(workdir))
    print(render(steps, reads))
    failed_reads = sum(count for status, count in reads.statuses.items() if status != 200)
    unreached = [step for step in steps if step.seconds is None]
    if failed_reads or unreached:
        print(f"FAILED: {failed_reads} reads did not answer 200; {len(unreached)} steps not reached", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
