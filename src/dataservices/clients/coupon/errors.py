"""What the coupon client raises: one exception class per problem `code` a caller may branch on.

Every error carries the problem document (`problem`, and its `status`, `code`, `title`, `detail`,
`errors`). `retryable` says whether sending the same request again (with the same idempotency key)
may succeed. `error_from_response` is the one place an error answer becomes an exception.
"""

from __future__ import annotations

from typing import ClassVar

import httpx
from pydantic import ValidationError

from dataservices.clients.coupon.models import Problem

REPLAY_HEADER = "Idempotent-Replayed"


class CouponServiceError(Exception):
    """A problem answer of the coupon service, or an answer this client cannot read."""

    retryable: ClassVar[bool] = False

    def __init__(self, problem: Problem, *, replayed: bool = False, retry_after: int | None = None) -> None:
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


class UnexpectedResponse(CouponServiceError):
    """An answer the contract does not allow: no problem document, or a body of the wrong shape."""


class Unauthenticated(CouponServiceError):
    """The bearer token is missing, invalid or expired."""


class InsufficientScope(CouponServiceError):
    """The token lacks the scope the operation needs."""


class MalformedRequest(CouponServiceError):
    """The request could not be read."""


class ValidationFailed(CouponServiceError):
    """Some values are invalid; `errors` lists each one."""


class NotFound(CouponServiceError):
    """The resource named in the path does not exist."""


class CouponNotFound(NotFound):
    """No coupon has this id."""


class RedemptionNotFound(NotFound):
    """No redemption has this id."""


class CouponCodeTaken(CouponServiceError):
    """Another coupon already has this code."""


class CouponChangeNotAllowed(CouponServiceError):
    """The change would take something away from the coupon's holders (an earlier end, a lower limit)."""


class PreconditionFailed(CouponServiceError):
    """`If-Match` is stale: read the coupon again and reapply the change."""


class PreconditionRequired(CouponServiceError):
    """The change did not name the version it is based on."""


class RedemptionRefused(CouponServiceError):
    """The coupon cannot be redeemed for this order; the subclass says why."""


class CouponExhausted(RedemptionRefused):
    """The coupon has reached its total limit."""


class CouponUserLimitReached(RedemptionRefused):
    """The user already holds as many redemptions as the coupon allows per user."""


class CouponPaused(RedemptionRefused):
    """The coupon is paused."""


class CouponExpired(RedemptionRefused):
    """The coupon's validity window has passed."""


class CouponNotYetValid(RedemptionRefused):
    """The coupon's validity window has not started."""


class OrderBelowMinimum(RedemptionRefused):
    """The order amount is below the coupon's minimum."""


class CurrencyMismatch(RedemptionRefused):
    """The order is in another currency than the coupon."""


class OrderAlreadyRedeemed(RedemptionRefused):
    """This order already redeemed this coupon."""


class RedemptionStateConflict(CouponServiceError):
    """The redemption's status does not allow this transition."""


class IdempotencyKeyRequired(CouponServiceError):
    """The operation needs an `Idempotency-Key`."""


class IdempotencyKeyReused(CouponServiceError):
    """The key was used for a different request; a new request needs a new key."""


class IdempotencyKeyInUse(CouponServiceError):
    """A request with this key is still running; send the same request again shortly."""

    retryable = True


class RateLimited(CouponServiceError):
    """The caller's quota is used up; wait `retry_after` seconds."""

    retryable = True


class InternalError(CouponServiceError):
    """The service failed; the request had no effect."""

    retryable = True


class ServiceUnavailable(CouponServiceError):
    """The service or its database is briefly unavailable."""

    retryable = True


ERRORS_BY_CODE: dict[str, type[CouponServiceError]] = {
    "UNAUTHENTICATED": Unauthenticated,
    "INSUFFICIENT_SCOPE": InsufficientScope,
    "MALFORMED_REQUEST": MalformedRequest,
    "VALIDATION_FAILED": ValidationFailed,
    "RESOURCE_NOT_FOUND": NotFound,
    "COUPON_NOT_FOUND": CouponNotFound,
    "REDEMPTION_NOT_FOUND": RedemptionNotFound,
    "COUPON_CODE_TAKEN": CouponCodeTaken,
    "COUPON_CHANGE_NOT_ALLOWED": CouponChangeNotAllowed,
    "PRECONDITION_FAILED": PreconditionFailed,
    "PRECONDITION_REQUIRED": PreconditionRequired,
    "COUPON_EXHAUSTED": CouponExhausted,
    "COUPON_USER_LIMIT_REACHED": CouponUserLimitReached,
    "COUPON_PAUSED": CouponPaused,
    "COUPON_EXPIRED": CouponExpired,
    "COUPON_NOT_YET_VALID": CouponNotYetValid,
    "ORDER_BELOW_MINIMUM": OrderBelowMinimum,
    "CURRENCY_MISMATCH": CurrencyMismatch,
    "ORDER_ALREADY_REDEEMED": OrderAlreadyRedeemed,
    "REDEMPTION_STATE_CONFLICT": RedemptionStateConflict,
    "IDEMPOTENCY_KEY_REQUIRED": IdempotencyKeyRequired,
    "IDEMPOTENCY_KEY_REUSED": IdempotencyKeyReused,
    "IDEMPOTENCY_KEY_IN_USE": IdempotencyKeyInUse,
    "RATE_LIMITED": RateLimited,
    "INTERNAL_ERROR": InternalError,
    "SERVICE_UNAVAILABLE": ServiceUnavailable,
}
# An unknown code, or an answer with no problem document (a gateway's 502), is classified by status.
ERRORS_BY_STATUS: dict[int, type[CouponServiceError]] = {
    429: RateLimited,
    500: InternalError,
    502: ServiceUnavailable,
    503: ServiceUnavailable,
    504: ServiceUnavailable,
}


def error_from_response(response: httpx.Response) -> CouponServiceError:
    """The exception an error answer raises."""
    replayed = response.headers.get(REPLAY_HEADER) == "true"
    retry_after_header = response.headers.get("Retry-After", "")
    retry_after = int(retry_after_header) if retry_after_header.isdigit() else None
    try:
        problem = Problem.model_validate_json(response.content)
    except ValidationError:
        problem = Problem(
            title=response.reason_phrase or "Unexpected response",
            status=response.status_code,
            code="UNEXPECTED_RESPONSE",
            detail=f"The answer is not a problem document: {response.text[:200]!r}",
        )
        error_class = ERRORS_BY_STATUS.get(response.status_code, UnexpectedResponse)
    else:
        error_class = ERRORS_BY_CODE.get(problem.code) or ERRORS_BY_STATUS.get(problem.status, CouponServiceError)
    return error_class(problem, replayed=replayed, retry_after=retry_after)
