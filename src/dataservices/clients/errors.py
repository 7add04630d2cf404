"""What a call to a data service raises: one class per problem `code`, and the two ways a call can go unanswered.

Every failure is a `CallFailed`. Three kinds, because each asks something different of the caller:

- `ServiceError`: the service answered with a problem. The class is chosen by the problem's `code`
  (every code of `contracts/shared/problem-types.yaml` has one; a test keeps them in step), so
  callers branch with `except CouponExhausted`. `retryable` says whether the same request may
  succeed later.
- `NotSent`: the request never reached the service (the connection failed): nothing happened, and
  sending it again is safe whatever it was.
- `OutcomeUnknown`: the request was sent and no usable answer came back (a read timeout, a dropped
  connection, a gateway's 504). The work may or may not have happened: retry with the same
  `Idempotency-Key`, or read back what happened (reconcile), never send a new key.

A class for a code is declared once with `class X(Base, code="CODE")`; declaring a code twice is an
error at import. Codes used by several services live here; a code only one service answers lives in
that service's client package (`dataservices.clients.coupon.errors`).
"""

from __future__ import annotations

import email.utils
import math
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from pydantic import ValidationError

from dataservices.clients.models import Problem

REPLAY_HEADER = "Idempotent-Replayed"


class CallFailed(Exception):
    """A call to a data service that did not give a result: a problem answer, or no answer."""


class NotSent(CallFailed):
    """The request never reached the service (connecting failed or timed out): safe to send again."""


class OutcomeUnknown(CallFailed):
    """The request was sent but no usable answer came: retry with the same idempotency key, or reconcile."""


class TokenRequestFailed(CallFailed):
    """No bearer token could be had from the token endpoint, so the request was not sent."""


class ServiceError(CallFailed):
    """A problem answer of a data service; subclasses are chosen by the problem's `code`."""

    retryable: ClassVar[bool] = False  # the same request (same idempotency key) may succeed later
    problem_code: ClassVar[str | None] = None  # the code this class stands for; None for a family
    _by_code: ClassVar[dict[str, type[ServiceError]]] = {}

    def __init_subclass__(cls, code: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.problem_code = code
        if code is None:
            return
        taken = ServiceError._by_code.get(code)
        if taken is not None:
            raise TypeError(f"problem code {code} already has {taken.__module__}.{taken.__qualname__}")
        ServiceError._by_code[code] = cls

    def __init__(self, problem: Problem, *, replayed: bool = False, retry_after: float | None = None) -> None:
        super().__init__(f"{problem.status} {problem.code}: {problem.detail or problem.title}")
        self.problem = problem
        self.status = problem.status
        self.code = problem.code
        self.title = problem.title
        self.detail = problem.detail
        self.errors = problem.errors
        # True when this refusal is the stored outcome of an earlier request with the same idempotency key.
        self.replayed = replayed
        self.retry_after = retry_after  # seconds, from `Retry-After`

    @staticmethod
    def for_code(code: str) -> type[ServiceError] | None:
        """The class declared for a problem code, if any."""
        return ServiceError._by_code.get(code)


class UnexpectedResponse(ServiceError):
    """An error answer that is not a problem document, e.g. a proxy's HTML page."""


class UnreadableAnswer(UnexpectedResponse, OutcomeUnknown):
    """A success answer in a shape the contract does not allow: the work probably happened; read it back."""


class GatewayFailed(UnexpectedResponse, OutcomeUnknown):
    """A 502 or 504 from something between the caller and the service: the service may have done the work."""

    retryable = True


class MalformedRequest(ServiceError, code="MALFORMED_REQUEST"):
    """The request body could not be read as JSON."""


class HttpError(ServiceError, code="HTTP_ERROR"):
    """The request was refused before it reached an operation (a framework-level HTTP error)."""


class Unauthenticated(ServiceError, code="UNAUTHENTICATED"):
    """The bearer token is missing, invalid or expired."""


class InsufficientScope(ServiceError, code="INSUFFICIENT_SCOPE"):
    """The token lacks the scope the operation needs."""


class NotFound(ServiceError, code="RESOURCE_NOT_FOUND"):
    """Nothing is served at the path; subclasses name the resource that does not exist."""


class MethodNotAllowed(ServiceError, code="METHOD_NOT_ALLOWED"):
    """The path does not support the method."""


class Conflict(ServiceError):
    """The request conflicts with the resource's current state; the subclass says how."""


class PreconditionFailed(ServiceError, code="PRECONDITION_FAILED"):
    """`If-Match` is stale: read the resource again and reapply the change."""


class PreconditionRequired(ServiceError, code="PRECONDITION_REQUIRED"):
    """The change did not name the version it is based on (`If-Match`)."""


class ContentTooLarge(ServiceError, code="CONTENT_TOO_LARGE"):
    """The request body is larger than the service accepts."""


class UnsupportedMediaType(ServiceError, code="UNSUPPORTED_MEDIA_TYPE"):
    """The request body is not `application/json`."""


class ValidationFailed(ServiceError, code="VALIDATION_FAILED"):
    """Some values are invalid; `errors` lists each one."""


class IdempotencyKeyRequired(ServiceError, code="IDEMPOTENCY_KEY_REQUIRED"):
    """The operation needs an `Idempotency-Key`."""


class IdempotencyKeyReused(ServiceError, code="IDEMPOTENCY_KEY_REUSED"):
    """The key was used for a different request; a new request needs a new key."""


class IdempotencyKeyInUse(Conflict, code="IDEMPOTENCY_KEY_IN_USE"):
    """A request with this key is still running; send the same request again shortly."""

    retryable = True


class RateLimited(ServiceError, code="RATE_LIMITED"):
    """The caller's quota is used up; wait `retry_after` seconds."""

    retryable = True


class InternalError(ServiceError, code="INTERNAL_ERROR"):
    """The service failed while handling the request."""

    retryable = True


class ServiceUnavailable(ServiceError, code="SERVICE_UNAVAILABLE"):
    """The service or its database is briefly unavailable; wait `retry_after` seconds."""

    retryable = True


# A code this client does not know (a newer service) is classified by the answer's status.
_BY_STATUS: dict[int, type[ServiceError]] = {
    401: Unauthenticated,
    403: InsufficientScope,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
    500: InternalError,
    502: GatewayFailed,
    503: ServiceUnavailable,
    504: GatewayFailed,
}
# An answer that is not a problem document comes from something in front of the service (a proxy, a load
# balancer): only these statuses say something a caller can act on.
_BARE_BY_STATUS: dict[int, type[ServiceError]] = {
    429: RateLimited,
    502: GatewayFailed,
    503: ServiceUnavailable,
    504: GatewayFailed,
}


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # HTTP dates are GMT; an obsolete form without a zone means GMT too
        moment = moment.replace(tzinfo=UTC)
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, math.ceil(seconds))


def error_from_response(response: httpx.Response) -> ServiceError:
    """The exception an error answer raises: by the problem's `code`, else by its status."""
    replayed = response.headers.get(REPLAY_HEADER) == "true"
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    error_class: type[ServiceError]
    try:
        problem = Problem.model_validate_json(response.content)
    except ValidationError:
        problem = Problem(
            title=response.reason_phrase or "Unexpected response",
            status=response.status_code,
            code="UNEXPECTED_RESPONSE",
            detail=f"The answer is not a problem document: {response.text[:200]!r}",
        )
        error_class = _BARE_BY_STATUS.get(response.status_code, UnexpectedResponse)
    else:
        error_class = ServiceError.for_code(problem.code) or _BY_STATUS.get(problem.status, ServiceError)
    return error_class(problem, replayed=replayed, retry_after=retry_after)


def unreadable_answer(response: httpx.Response, reason: Exception) -> UnreadableAnswer:
    """The error a success answer raises when the contract does not allow its shape."""
    request = response.request
    problem = Problem(
        title="Unreadable answer",
        status=response.status_code,
        code="UNEXPECTED_RESPONSE",
        detail=f"{request.method} {request.url.path} answered {response.status_code} in a shape the contract does "
        f"not allow: {reason}",
    )
    return UnreadableAnswer(problem)
