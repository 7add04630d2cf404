"""Typed asyncio HTTP clients of the data services, for the services and consumers that call them.

The core here is shared by every service's client: bearer tokens (`ClientCredentials`), requests as
`Call`s, errors by problem code, `Money`/`Page`/`Problem`, page walking, timeouts that tell `NotSent`
from `OutcomeUnknown`, retries that obey `Retry-After`, the trace context and read-your-writes tokens
carried by the caller's context. A service's client (`dataservices.clients.coupon`) adds only its
request builders, its client class and its models.

A client speaks only the service's contract over HTTP: it never imports the service's code or touches
its database (import-linter enforces this).
"""

from dataservices.clients.auth import BearerToken, ClientCredentials, RenewableTokens, TokenProvider
from dataservices.clients.calls import Call
from dataservices.clients.consistency import ConsistencySession, read_your_writes
from dataservices.clients.errors import (
    CallFailed,
    Conflict,
    ContentTooLarge,
    GatewayFailed,
    HttpError,
    IdempotencyKeyInUse,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InsufficientScope,
    InternalError,
    MalformedRequest,
    MethodNotAllowed,
    NotFound,
    NotSent,
    OutcomeUnknown,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
    TokenRequestFailed,
    Unauthenticated,
    UnexpectedResponse,
    UnreadableAnswer,
    UnsupportedMediaType,
    ValidationFailed,
)
from dataservices.clients.models import ContractModel, Money, Page, Problem, ProblemFieldError, UtcDatetime
from dataservices.clients.pages import walk_pages
from dataservices.clients.retries import RetryPolicy
from dataservices.clients.service_client import ServiceClient
from dataservices.clients.timeouts import Timeouts, deadline
from dataservices.common.tracecontext import new_traceparent, use_traceparent

__all__ = [
    "BearerToken",
    "Call",
    "CallFailed",
    "ClientCredentials",
    "Conflict",
    "ConsistencySession",
    "ContentTooLarge",
    "ContractModel",
    "GatewayFailed",
    "HttpError",
    "IdempotencyKeyInUse",
    "IdempotencyKeyRequired",
    "IdempotencyKeyReused",
    "InsufficientScope",
    "InternalError",
    "MalformedRequest",
    "MethodNotAllowed",
    "Money",
    "NotFound",
    "NotSent",
    "OutcomeUnknown",
    "Page",
    "PreconditionFailed",
    "PreconditionRequired",
    "Problem",
    "ProblemFieldError",
    "RateLimited",
    "RenewableTokens",
    "RetryPolicy",
    "ServiceClient",
    "ServiceError",
    "ServiceUnavailable",
    "Timeouts",
    "TokenProvider",
    "TokenRequestFailed",
    "Unauthenticated",
    "UnexpectedResponse",
    "UnreadableAnswer",
    "UnsupportedMediaType",
    "UtcDatetime",
    "ValidationFailed",
    "deadline",
    "new_traceparent",
    "read_your_writes",
    "use_traceparent",
    "walk_pages",
]
