"""A burst: many redemptions of one coupon sent at the same instant, each on its own connection, answered once.

wrk cannot do this: it keeps every connection busy until its duration ends and has no way to send exactly one
request per connection. This client opens every connection first, then writes every request in one go and waits
for all the answers. It is plain asyncio streams with a hand-written HTTP/1.1 request (`Connection: close`, so an
answer ends where the connection does): for 1,000 requests it spends a few tens of milliseconds of CPU, so it
takes almost nothing from the server while the burst is measured.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass

from bench.service.results import percentile

# The whole burst, answers included, is abandoned after this long (today's service needs about 30 s).
BURST_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Answer:
    """One request's status (0 when the connection failed), its problem `code` if any, and its latency."""

    status: int
    code: str | None
    seconds: float


@dataclass(frozen=True)
class BurstResult:
    """Every answer of a burst and how long until the last one arrived."""

    answers: tuple[Answer, ...]
    seconds: float

    @property
    def outcomes(self) -> Counter[str]:
        """Answers counted as "201", "409 COUPON_EXHAUSTED", "0 (connection failed)", ..."""
        counted: Counter[str] = Counter()
        for answer in self.answers:
            if answer.status == 0:
                counted["no answer"] += 1
            else:
                counted[f"{answer.status} {answer.code}" if answer.code else str(answer.status)] += 1
        return counted

    def latency_ms(self, share: float) -> float:
        return percentile(sorted(answer.seconds for answer in self.answers), share) * 1000


def _request(host: str, port: int, path: str, token: str, unique: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Idempotency-Key: {unique}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def _read_answer(raw: bytes) -> tuple[int, str | None]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    code = None
    if status >= 400:
        try:
            code = json.loads(body).get("code")
        except (ValueError, AttributeError):
            code = "unreadable body"
    return status, code


async def _burst(host: str, port: int, requests: list[bytes]) -> BurstResult:
    connections = await asyncio.gather(*(asyncio.open_connection(host, port) for _ in requests))
    fired = time.perf_counter()

    async def one(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes) -> Answer:
        reader, writer = connection
        try:
            writer.write(request)
            raw = await reader.read()
            status, code = _read_answer(raw)
        except (OSError, ValueError, IndexError) as exc:
            status, code = 0, type(exc).__name__
        finally:
            writer.close()
        return Answer(status, code, time.perf_counter() - fired)

    answers = await asyncio.gather(*(one(c, r) for c, r in zip(connections, requests, strict=True)))
    return BurstResult(tuple(answers), max(answer.seconds for answer in answers))


def redemption_burst(host: str, port: int, coupon_id: str, token: str, tag: str, count: int) -> BurstResult:
    """Send `count` redemptions of `coupon_id` at once (key, user and order `tag-<n>`) and collect the answers."""
    path = f"/v1/coupons/{coupon_id}/redemptions"
    requests = []
    for n in range(1, count + 1):
        unique = f"{tag}-{n}"
        body = {"userId": unique, "orderId": unique, "orderAmount": {"amount": 5000, "currency": "EUR"}}
        requests.append(_request(host, port, path, token, unique, json.dumps(body).encode()))
    return asyncio.run(asyncio.wait_for(_burst(host, port, requests), BURST_TIMEOUT_SECONDS))
