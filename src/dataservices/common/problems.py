"""RFC 9457 problem details: the one place that makes a service answer every error with problem+json.

The problem types, their documents and the Starlette handlers are contractkit's
(`contractkit.server`), shared with `contractkit mock`: a refusal the contract describes reads the same
from a service and from the mock. Domain errors subclass `Problem` and carry their type slug, title,
status and stable code. Every problem is rendered by one function, `render_problem`, whether a handler
answers it or an idempotency key records it for replay. What is added here is what only a service
answers: a stale `If-Match` (412), an unavailable database (503), and FastAPI's own parsing errors.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from contractkit.server import responses
from contractkit.server.problem_details import (
    PROBLEM_MEDIA_TYPE,
    ContentTooLarge,
    FieldError,
    IdempotencyKeyRequired,
    InsufficientScope,
    InternalError,
    MalformedRequest,
    MethodNotAllowed,
    PreconditionRequired,
    Problem,
    RenderedProblem,
    ResourceNotFound,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
    render_problem,
    validation_failed,
)
from contractkit.server.responses import UnexpectedErrors, allowed_methods, problem_response

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ContentTooLarge",
    "FieldError",
    "IdempotencyKeyRequired",
    "InsufficientScope",
    "InternalError",
    "MalformedRequest",
    "MethodNotAllowed",
    "PreconditionFailed",
    "PreconditionRequired",
    "Problem",
    "RenderedProblem",
    "ResourceNotFound",
    "ServiceUnavailable",
    "Unauthenticated",
    "UnexpectedErrors",
    "UnsupportedMediaType",
    "ValidationFailed",
    "allowed_methods",
    "install_problem_handlers",
    "problem_response",
    "render_problem",
    "validation_failed",
]


class PreconditionFailed(Problem):
    slug, title, status, code = "precondition-failed", "Precondition failed", 412, "PRECONDITION_FAILED"


class ServiceUnavailable(Problem):
    slug, title, status, code = "service-unavailable", "Service unavailable", 503, "SERVICE_UNAVAILABLE"

    def __init__(self, detail: str, *, retry_after_seconds: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app can produce answer with problem+json."""

    async def on_request_validation(request: Request, exc: Exception) -> Response:
        # Routes validate against the contract themselves; this only guards FastAPI's own parsing.
        assert isinstance(exc, RequestValidationError)
        errors = [
            FieldError("BODY", "/" + "/".join(str(part) for part in err.get("loc", ())[1:]), str(err.get("msg")))
            for err in exc.errors()
        ]
        return problem_response(validation_failed(errors), request)

    responses.install_problem_handlers(app)
    app.add_exception_handler(RequestValidationError, on_request_validation)
