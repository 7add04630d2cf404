"""Answer every error of a Starlette app with problem+json: refusals, routing errors, crashes, big bodies.

`install_problem_handlers` maps `Problem`s and Starlette's routing errors (404, 405 with the full `Allow`);
`UnexpectedErrors` answers any other exception with a 500 problem; `BodySizeLimit` refuses a body over
the limit with 413 before it is read whole. The problem `type` URIs start with the app's
`state.problem_base_uri`.
"""

from __future__ import annotations

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contractkit.server.problem_details import (
    ContentTooLarge,
    InternalError,
    MethodNotAllowed,
    Problem,
    ResourceNotFound,
    render_problem,
)

log = structlog.get_logger(__name__)


def problem_response(problem: Problem, request: Request) -> Response:
    """Answer the request that caused `problem` with its rendering."""
    base_uri: str = getattr(request.app.state, "problem_base_uri", "about:blank#")
    rendered = render_problem(problem, base_uri, request.url.path)
    return Response(
        content=rendered.body, status_code=rendered.status, media_type=rendered.media_type, headers=rendered.headers
    )


def allowed_methods(app: Starlette, path: str) -> list[str]:
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


def routing_problem(request: Request, exc: HTTPException) -> Problem:
    """The problem for an error Starlette's routing raised (no route: 404; wrong method: 405)."""
    if exc.status_code == 405:
        allow = ", ".join(allowed_methods(request.app, request.url.path))
        return MethodNotAllowed(
            f"{request.method} is not allowed on {request.url.path}; use {allow}.", headers={"Allow": allow}
        )
    if exc.status_code == 404:
        return ResourceNotFound(f"No resource is served at {request.url.path}.")
    # Routing raises only 404 and 405 for our routes; keep any other status and say what it was.
    problem = Problem(str(exc.detail), headers=exc.headers)
    problem.status = exc.status_code
    problem.slug, problem.title, problem.code = "http-error", "HTTP error", "HTTP_ERROR"
    return problem


def install_problem_handlers(app: Starlette) -> None:
    """Answer every `Problem` and every routing error of the app with problem+json."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return problem_response(routing_problem(request, exc), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(HTTPException, on_http_exception)


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


class BodySizeLimit:
    """Refuse request bodies over `max_bytes` with 413 before the app reads them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, int(declared))
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise ContentTooLarge(self._detail(seen))
            return message

        await self.app(scope, limited_receive, send)

    def _detail(self, size: int) -> str:
        return f"The request body has at least {size} bytes; the limit is {self.max_bytes}."

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, size: int) -> None:
        request = Request(scope, receive)
        response = problem_response(ContentTooLarge(self._detail(size)), request)
        await response(scope, receive, send)
