"""How long a call may take, and what a call that got no answer tells the caller: not sent, or outcome unknown.

`Timeouts` bounds each phase of one request (connect, write, read, waiting for a pooled connection)
and the whole call, retries and their waits included (`total`). `deadline(seconds)` bounds every call
made in a block (a checkout's calls to coupon and wallet share its budget); a call gets whichever
ends first.

A request that failed is classified by how far it got, which httpx reports through its `trace`
extension: if no byte of it can have left (connecting failed or timed out, no pooled connection came
free) it is `NotSent`; once its headers started to go out it is `OutcomeUnknown`, because the service
may have received it and done the work.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx

from dataservices.clients.errors import NotSent, OutcomeUnknown

# The defaults suit a data service called synchronously on a caller's request path, within one data centre.
# Connecting takes milliseconds there: a second without a connection means the service is down.
CONNECT_SECONDS = 1.0
# The services answer 503 within their own 10 s database deadline; most answers take milliseconds, and a
# caller that waits longer than this for one answer is better told the outcome is unknown and reconciles.
READ_SECONDS = 5.0
WRITE_SECONDS = 5.0
# Waiting for a free pooled connection means the caller sends more than its pool allows; fail early.
POOL_SECONDS = 1.0
# A whole call, retries included: under what a caller's own caller (a checkout page) waits.
TOTAL_SECONDS = 10.0

# Transport errors raised before any byte of the request can have left.
_BEFORE_SENDING = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)
# The monotonic time by which every call in the current context must be over.
_DEADLINE: ContextVar[float | None] = ContextVar("dataservices_client_deadline", default=None)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds a phase of one request may take, and a whole call (`total`, retries included)."""

    connect: float = CONNECT_SECONDS
    read: float = READ_SECONDS
    write: float = WRITE_SECONDS
    pool: float = POOL_SECONDS
    total: float = TOTAL_SECONDS

    def for_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every call made in this block (also by tasks it starts) ends within `seconds`; an outer deadline still holds."""
    ends = time.monotonic() + seconds
    outer = _DEADLINE.get()
    bound = _DEADLINE.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _DEADLINE.reset(bound)


def call_deadline(total: float) -> float:
    """The monotonic time a call starting now must end by: its own `total`, or the context's deadline if sooner."""
    ends = time.monotonic() + total
    outer = _DEADLINE.get()
    return ends if outer is None else min(outer, ends)


class SendProgress:
    """How far httpx got with one request, from its trace events (`extensions={"trace": progress}`)."""

    def __init__(self) -> None:
        self.connecting = False
        self.sending = False

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith(".send_request_headers.started"):
            self.sending = True
        elif event.startswith("connection."):
            self.connecting = True


def transport_failure(error: Exception, request: httpx.Request, progress: SendProgress) -> NotSent | OutcomeUnknown:
    """What a request that got no answer means for the caller: sent or not.

    `error` is an `httpx.TransportError`, or `TimeoutError` when the call's deadline ran out. A failure
    with no evidence that the request stayed home counts as sent: a transport that reports no progress
    never makes an unsent request look safe to repeat.
    """
    where = f"{request.method} {request.url}"
    if isinstance(error, _BEFORE_SENDING):
        return NotSent(f"{where} was not sent: {error!r}")
    if isinstance(error, TimeoutError) and progress.connecting and not progress.sending:
        return NotSent(f"{where} was not sent: the call's time ran out while connecting")
    if isinstance(error, TimeoutError):
        return OutcomeUnknown(f"{where} got no answer before the call's time ran out; it may have been done")
    return OutcomeUnknown(f"{where} got no answer ({error!r}); it may have been done")
