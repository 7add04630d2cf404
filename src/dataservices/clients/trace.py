"""W3C trace context for calls between services: the current trace, carried in a context variable.

Every call sends `traceparent` when the current context has a trace: the same trace id and flags, with a
new parent id for the call (W3C Trace Context §3.2). Outside any trace the header is left out and the
called service starts its own trace.

A service that calls others binds its request's trace with `TracePropagation`, an ASGI middleware added
outermost: it keeps the caller's valid `traceparent` or starts a trace, writes it on the request so the
service's own request logging records the same trace id, and binds it for the calls the request makes.
So a checkout's lines in payment, coupon and wallet logs share one trace id. Code outside a request
(a background sweep) binds a trace with `use_traceparent(new_traceparent())`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

TRACEPARENT_HEADER = "traceparent"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_ZERO_TRACE, _ZERO_PARENT = "0" * 32, "0" * 16
# The `traceparent` of the work being done in this context, or None outside a trace.
_CURRENT: ContextVar[str | None] = ContextVar("dataservices_client_traceparent", default=None)


def valid_traceparent(value: str | None) -> str | None:
    """`value` if it is a valid version-00 `traceparent` (lower-case hex, non-zero ids), else None."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip())
    if match is None or match.group(1) == _ZERO_TRACE or match.group(2) == _ZERO_PARENT:
        return None
    return match.group(0)


def _random_hex(bits: int) -> str:
    # Ids must be unique, not secret: the Mersenne Twister draws them much faster than the OS source.
    while True:
        value = random.getrandbits(bits)
        if value:
            return f"{value:0{bits // 4}x}"


def new_traceparent(sampled: bool = True) -> str:
    """A `traceparent` that starts a new trace."""
    return f"00-{_random_hex(128)}-{_random_hex(64)}-{'01' if sampled else '00'}"


def current_traceparent() -> str | None:
    """The `traceparent` bound in this context, if any."""
    return _CURRENT.get()


def outgoing_traceparent() -> str | None:
    """The `traceparent` a call made now sends: the current trace with a new parent id, or None outside a trace."""
    current = _CURRENT.get()
    if current is None:
        return None
    return f"{current[:36]}{_random_hex(64)}{current[52:]}"  # version-traceid- | parent id | -flags


@contextmanager
def use_traceparent(traceparent: str) -> Iterator[str]:
    """Calls made in this block (also by tasks it starts) belong to this trace; an invalid value starts a new one."""
    bound_value = valid_traceparent(traceparent) or new_traceparent()
    token = _CURRENT.set(bound_value)
    try:
        yield bound_value
    finally:
        _CURRENT.reset(token)


class TracePropagation:
    """ASGI middleware: the request's trace (the caller's, or a new one) is on its headers and bound for its calls.

    Add it outermost (after the app is built, `app.add_middleware(TracePropagation)`), so the service's
    request logging reads the trace id this middleware settled on.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope["headers"])
        received = next((value for name, value in headers if name == b"traceparent"), None)
        traceparent = valid_traceparent(received.decode("latin-1") if received is not None else None)
        if traceparent is None:
            traceparent = new_traceparent()
            headers = [(name, value) for name, value in headers if name != b"traceparent"]
            headers.append((b"traceparent", traceparent.encode("ascii")))
            scope = {**scope, "headers": headers}
        with use_traceparent(traceparent):
            await self.app(scope, receive, send)
