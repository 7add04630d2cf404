"""W3C trace context: the `traceparent` of the work in progress, carried in a context variable.

A service's request logging (`common/observability.py`) binds each request's trace here: the caller's
valid `traceparent`, or a new trace. The service's log lines carry its trace id, and every call the
request makes through `dataservices.clients` sends the same trace with a new parent id (W3C Trace
Context §3.2), so a checkout's lines in payment, coupon and wallet logs share one trace id. Work outside
a request (a background sweep, a consumer's job) binds a trace with `use_traceparent(new_traceparent())`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

TRACEPARENT_HEADER = "traceparent"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_ZERO_TRACE, _ZERO_PARENT = "0" * 32, "0" * 16
# The `traceparent` of the work being done in this context, or None outside a trace.
_CURRENT: ContextVar[str | None] = ContextVar("dataservices_traceparent", default=None)


def valid_traceparent(value: str | None) -> str | None:
    """`value` if it is a valid version-00 `traceparent` (lower-case hex, non-zero ids), else None.

    An invalid header is ignored, as the W3C recommendation asks: the receiver starts a new trace.
    """
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip())
    if match is None or match.group(1) == _ZERO_TRACE or match.group(2) == _ZERO_PARENT:
        return None
    return match.group(0)


def _random_hex(bits: int) -> str:
    # Ids must be unique, not secret: the Mersenne Twister draws them far faster than the operating
    # system's random source, which took an eighth of a redemption's time under load.
    while True:
        value = random.getrandbits(bits)
        if value:
            return f"{value:0{bits // 4}x}"


def new_traceparent(sampled: bool = True) -> str:
    """A `traceparent` that starts a new trace."""
    return f"00-{_random_hex(128)}-{_random_hex(64)}-{'01' if sampled else '00'}"


def trace_id(traceparent: str) -> str:
    """The trace id of a valid `traceparent`."""
    return traceparent[3:35]


def child_traceparent(traceparent: str) -> str:
    """The `traceparent` of a call made within `traceparent`: the same trace id and flags, a new parent id."""
    return f"{traceparent[:36]}{_random_hex(64)}{traceparent[52:]}"  # "00-<trace id>-" | parent id | "-<flags>"


def current_traceparent() -> str | None:
    """The `traceparent` bound in this context, if any."""
    return _CURRENT.get()


def bind_traceparent(traceparent: str) -> Token[str | None]:
    """Bind a valid `traceparent` until `unbind_traceparent(token)`; for middleware on every request's path."""
    return _CURRENT.set(traceparent)


def unbind_traceparent(token: Token[str | None]) -> None:
    """Restore the trace bound before `bind_traceparent` returned `token`."""
    _CURRENT.reset(token)


@contextmanager
def use_traceparent(traceparent: str) -> Iterator[str]:
    """Work in this block (also tasks it starts) belongs to this trace; an invalid value starts a new one."""
    bound_value = valid_traceparent(traceparent) or new_traceparent()
    token = _CURRENT.set(bound_value)
    try:
        yield bound_value
    finally:
        _CURRENT.reset(token)
