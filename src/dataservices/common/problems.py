"""RFC 9457 problem details: the one place that turns any exception into `application/problem+json`.

Domain errors subclass `Problem` and carry their type slug, title, status and stable code. Framework
errors (unknown route, wrong method, unreadable body) and unexpected exceptions are mapped here too,
so no error path of any service answers in another format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataservices.common.encoding import dump_json

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Characters RFC 3986 allows unescaped in a path; anything else in `instance` is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid part of a request, as listed in a problem's `errors`."""

    location: str  # BODY, QUERY, PATH or HEADER
    pointer: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"location": self.location, "pointer": _clip(self.pointer, 512), "message": _clip(self.message, 500)}


def _clip(text: str, limit: int) -> str:
    """Keep a text within the length the problem schema allows (messages may quote long input)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Problem(Exception):
    """An error with a problem type; subclasses fix slug, title, status and code."""

    slug: str = "internal-error"
    title: str = "Internal error"
    status: int = 500
    code: str = "INTERNAL_ERROR"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})

    def body(self, base_uri: str, instance: str) -> dict[str, Any]:
        """The problem document for this occurrence."""
        document: dict[str, Any] = {
            "type": f"{base_uri}{self.slug}/",
            "title": self.title,
            "status": self.status,
            "detail": _clip(self.detail, 2000),
            "instance": _clip(quote(instance, safe=_PATH_SAFE), 2048),
            "code": self.code,
        }
        if self.errors:
            document["errors"] = [error.as_json() for error in self.errors]
        return document


class MalformedRequest(Problem):
    slug, title, status, code = "malformed-request", "Malformed request", 400, "MALFORMED_REQUEST"


class Unauthenticated(Problem):
    slug, title, status, code = "unauthenticated", "Unauthenticated", 401, "UNAUTHENTICATED"


class InsufficientScope(Problem):
    slug, title, status, code = "insufficient-scope", "Insufficient scope", 403, "INSUFFICIENT_SCOPE"


class ResourceNotFound(Problem):
    slug, title, status, code = "resource-not-found", "Resource not found", 404, "RESOURCE_NOT_FOUND"


class MethodNotAllowed(Problem):
    slug, title, status, code = "method-not-allowed", "Method not allowed", 405, "METHOD_NOT_ALLOWED"


class PreconditionFailed(Problem):
    slug, title, status, code = "precondition-failed", "Precondition failed", 412, "PRECONDITION_FAILED"


class ContentTooLarge(Problem):
    slug, title, status, code = "content-too-large", "Content too large", 413, "CONTENT_TOO_LARGE"


class UnsupportedMediaType(Problem):
    slug, title, status, code = (
        "unsupported-media-type",
        "Unsupported media type",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )


class ValidationFailed(Problem):
    slug, title, status, code = "validation-failed", "Validation failed", 422, "VALIDATION_FAILED"


class PreconditionRequired(Problem):
    slug, title, status, code = (
        "precondition-required",
        "Precondition required",
        428,
        "PRECONDITION_REQUIRED",
    )


class InternalError(Problem):
    """The fallback for every exception that is not a `Problem`."""


class ServiceUnavailable(Problem):
    slug, title, status, code = "service-unavailable", "Service unavailable", 503, "SERVICE_UNAVAILABLE"

    def __init__(self, detail: str, *, retry_after_seconds: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})


def validation_failed(errors: Sequence[FieldError]) -> ValidationFailed:
    """A 422 that lists every invalid value."""
    count = len(errors)
    noun = "value" if count == 1 else "values"
    return ValidationFailed(f"{count} {noun} in the request {'is' if count == 1 else 'are'} invalid.", errors=errors)


@dataclass(frozen=True, slots=True)
class RenderedProblem:
    """A problem as it is answered: its status, its headers and its `application/problem+json` document."""

    status: int
    headers: dict[str, str]
    body: bytes
    media_type: str = PROBLEM_MEDIA_TYPE


def render_problem(problem: Problem, base_uri: str, instance: str) -> RenderedProblem:
    """The one rendering of a problem, for the request at path `instance`.

    Every problem a service answers goes through here: the exception handlers, the request checks,
    authentication, the body limit, the last-resort 500, an unavailable database, and the refusals an
    idempotency key records and replays.
    """
    return RenderedProblem(problem.status, dict(problem.headers), dump_json(problem.body(base_uri, instance)))


def problem_response(problem: Problem, request: Request) -> Response:
    """Answer the request that caused `problem` with its rendering."""
    base_uri: str = getattr(request.app.state, "problem_base_uri", "about:blank#")
    rendered = render_problem(problem, base_uri, request.url.path)
    return Response(
        content=rendered.body, status_code=rendered.status, media_type=rendered.media_type, headers=rendered.headers
    )


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the app serves on `path`, across all routes that match it.

    Starlette answers 405 with the methods of the first matching route only; a client needs them all.
    """
    methods: set[str] = set()
    scope = {"type": "http", "path": path, "method": "__ALLOW__", "root_path": ""}
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app can produce answer with problem+json."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            allow = ", ".join(allowed_methods(request.app, request.url.path))
            problem: Problem = MethodNotAllowed(
                f"{request.method} is not allowed on {request.url.path}; use {allow}.", headers={"Allow": allow}
            )
        elif exc.status_code == 404:
            problem = ResourceNotFound(f"No resource is served at {request.url.path}.")
        else:
            # Routing raises only 404 and 405 for our routes; keep any other status and say what it was.
            problem = Problem(str(exc.detail), headers=exc.headers)
            problem.status = exc.status_code
            problem.slug, problem.title, problem.code = "http-error", "HTTP error", "HTTP_ERROR"
        return problem_response(problem, request)

    async def on_request_validation(request: Request, exc: Exception) -> Response:
        # Routes validate against the contract themselves; this only guards FastAPI's own parsing.
        assert isinstance(exc, RequestValidationError)
        errors = [
            FieldError("BODY", "/" + "/".join(str(part) for part in err.get("loc", ())[1:]), str(err.get("msg")))
            for err in exc.errors()
        ]
        return problem_response(validation_failed(errors), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(RequestValidationError, on_request_validation)


class UnexpectedErrors:
    """Answer any exception no handler took with a 500 problem, and keep the connection usable.

    Starlette's own last-resort handler re-raises after answering, and uvicorn then closes the
    connection: a client that reuses it meets a reset. This middleware answers and stops there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            request = Request(scope, receive)
            log.exception("unhandled_exception", path=request.url.path, method=request.method)
            if started:
                raise  # half an answer is out; only closing the connection can tell the client
            problem = InternalError("The service failed unexpectedly; the request had no effect and can be retried.")
            await problem_response(problem, request)(scope, receive, send)
