"""W3C trace context: the trace of the work in progress, carried in a context variable.

A service's request logging (`common/observability.py`) binds each request's trace here: the caller's,
when it sent a valid `traceparent`, or a new one. The service's log lines carry its trace id, and every
call the request makes through `dataservices.clients` sends `outgoing_traceparent()`: the same trace id
and flags with a new parent id (W3C Trace Context §3.2). So a checkout's lines in payment, coupon and
wallet logs share one trace id. Work outside a request (a background sweep, a consumer's job) binds a
trace with `use_traceparent(new_traceparent())`.

Only the trace id and flags are bound: a request that calls no other service never pays for a parent
id, and request logging is on every request's path.
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
SAMPLED, NOT_SAMPLED = "01", "00"

# A trace as it is bound: (trace id, flags), in lower-case hex.
Trace = tuple[str, str]
# The trace of the work being done in this context, or None outside a trace.
_CURRENT: ContextVar[Trace | None] = ContextVar("dataservices_trace", default=None)


def parse_traceparent(value: str | None) -> Trace | None:
    """The trace of a valid version-00 `traceparent` (lower-case hex, non-zero ids), else None.

    An invalid header is ignored, as the W3C recommendation asks: the receiver starts a new trace.
    """
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip())
    if match is None or match.group(1) == _ZERO_TRACE or match.group(2) == _ZERO_PARENT:
        return None
    return match.group(1), match.group(3)


# Ids must be unique, not secret: the Mersenne Twister draws them far faster than the operating system's
# random source, which took an eighth of a redemption's time under load. `or 1`: an all-zero id is invalid.
def new_trace(sampled: bool = True) -> Trace:
    """A new trace: a random trace id and the sampling flag."""
    return f"{random.getrandbits(128) or 1:032x}", SAMPLED if sampled else NOT_SAMPLED


def _traceparent(trace: Trace) -> str:
    return f"00-{trace[0]}-{random.getrandbits(64) or 1:016x}-{trace[1]}"


def new_traceparent(sampled: bool = True) -> str:
    """A `traceparent` that starts a new trace."""
    return _traceparent(new_trace(sampled))


def current_trace() -> Trace | None:
    """The trace bound in this context, if any."""
    return _CURRENT.get()


def outgoing_traceparent() -> str | None:
    """The `traceparent` a call made now sends: the current trace with a new parent id; None outside a trace."""
    trace = _CURRENT.get()
    return None if trace is None else _traceparent(trace)


def bind_trace(trace: Trace) -> Token[Trace | None]:
    """Bind `trace` until `unbind_trace(token)`; for middleware on every request's path."""
    return _CURRENT.set(trace)


def unbind_trace(token: Token[Trace | None]) -> None:
    """Restore the trace bound before `bind_trace` returned `token`."""
    _CURRENT.reset(token)


@contextmanager
def use_traceparent(traceparent: str) -> Iterator[Trace]:
    """Work in this block (also tasks it starts) belongs to this trace; an invalid value starts a new one."""
    trace = parse_traceparent(traceparent) or new_trace()
    token = _CURRENT.set(trace)
    try:
        yield trace
    finally:
        _CURRENT.reset(token)
