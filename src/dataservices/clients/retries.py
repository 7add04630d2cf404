"""When a failed call is sent again, and after how long: bounded attempts, a total budget, `Retry-After` obeyed.

A call is retried only when repeating it cannot do the work twice:

- it was `NotSent`: nothing reached the service, whatever the method;
- otherwise only if it is repeatable (an idempotent method, an `Idempotency-Key`, or an operation the
  contract declares repeatable) and the failure may pass: `OutcomeUnknown`, or a problem whose class is
  `retryable` (429, 503, 500, a key still in use).

The wait is the answer's `Retry-After` when it has one, else an exponential backoff with full jitter (so
callers that failed together do not come back together). A retry whose wait would end past the call's
deadline is not made: the failure is raised at once, with its `retry_after` for the caller to use.

An attempt whose outcome is unknown stays unknown until an answer settles it: if a later attempt is
not sent, or meets a passing refusal (503, 429, a key still in use), the call still ends in
`OutcomeUnknown`, since the first attempt may have done the work. A final answer of the service (a
success, or a refusal that will not pass, which for a keyed request is the key's stored outcome)
settles it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dataservices.clients.calls import Call
from dataservices.clients.errors import CallFailed, NotSent, OutcomeUnknown, ServiceError, UnexpectedResponse

# Three attempts ride out a restart or a brief lock wait; more would only queue work behind a sick service.
ATTEMPTS = 3
# The first wait when the answer names none; doubled each time, up to MAX_BACKOFF_SECONDS.
BACKOFF_SECONDS = 0.1
MAX_BACKOFF_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and after how long a call is sent again; `RetryPolicy(attempts=1)` never retries."""

    attempts: int = ATTEMPTS
    backoff: float = BACKOFF_SECONDS
    max_backoff: float = MAX_BACKOFF_SECONDS
    # How a wait is spent; a test passes its own to see the waits without spending them.
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a call needs at least one attempt")

    def wait_before_retry(self, call: Call[Any], failure: CallFailed, attempt: int, remaining: float) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when the failure is final."""
        if attempt >= self.attempts or not worth_retrying(call, failure):
            return None
        told = failure.retry_after if isinstance(failure, ServiceError) else None
        wait = told if told is not None else random.uniform(0, min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))
        return wait if wait < remaining else None


def worth_retrying(call: Call[Any], failure: CallFailed) -> bool:
    """Whether sending `call` again is safe and may succeed."""
    if isinstance(failure, NotSent):
        return True
    if not call.repeatable:
        return False
    if isinstance(failure, ServiceError):
        return failure.retryable
    return isinstance(failure, OutcomeUnknown)


def final_failure(last: CallFailed, unknown: OutcomeUnknown | None) -> CallFailed:
    """What a call that failed after retries raises: `last`, unless it leaves an earlier `unknown` outcome open."""
    if unknown is None or isinstance(last, OutcomeUnknown) or _settles(last):
        return last
    return OutcomeUnknown(f"{unknown}; a retry did not settle it: {last}")


def _settles(failure: CallFailed) -> bool:
    # A refusal that will not pass comes from the service itself and, for a keyed request, is the key's
    # outcome; a proxy's page (UnexpectedResponse) says nothing about what the service did.
    return isinstance(failure, ServiceError) and not failure.retryable and not isinstance(failure, UnexpectedResponse)
