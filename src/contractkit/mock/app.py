"""The mock server of one contract: the services' request checks in front of the contract's examples.

Every request meets what a real service does before its own code runs, from the same code
(`contractkit.server`): the body limit (413), routing (404, and 405 with the full `Allow`), the bearer
token (401, 403) and validation against the operation (400, 415, 422, 428). An admitted request gets
the answer its `Prefer` header names, else what the mock remembers (`memory`), else the operation's
first documented success with its first example. A create the client asked a success example of is
still remembered, made from that example.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contractkit.bundle.serialize import dump_yaml
from contractkit.mock.answers import Answer, Answers
from contractkit.mock.memory import Memory
from contractkit.mock.prefer import PREFER, PREFERENCE_APPLIED, parse_prefer
from contractkit.mock.values import ValueMaker
from contractkit.operations import Operation, OperationIndex
from contractkit.server.admission import Admitted, admit
from contractkit.server.auth import BearerVerifier
from contractkit.server.problem_details import CATALOGUE_BASE_URI, InternalError
from contractkit.server.responses import BodySizeLimit, UnexpectedErrors, install_problem_handlers
from contractkit.server.validation import RequestValidator

log = structlog.get_logger(__name__)

# The services' own limit: far above any request body of the contracts, small enough to refuse abuse early.
MAX_BODY_BYTES = 65536


def render(answer: Answer) -> Response:
    """The HTTP response of an answer, its body in the answer's media type."""
    headers = dict(answer.headers)
    if answer.applied:
        headers[PREFERENCE_APPLIED] = ", ".join(answer.applied)
    content: bytes | str | None = None
    media_type = answer.media_type
    if media_type is not None:
        if "json" in media_type:
            content = orjson.dumps(answer.body)
        elif "yaml" in media_type:
            content = dump_yaml(answer.body)
        else:
            content = "" if answer.body is None else str(answer.body)
    return Response(content=content, status_code=answer.status, media_type=media_type, headers=headers)


class MockOperations:
    """Answers the admitted requests of one contract's operations."""

    def __init__(self, index: OperationIndex, remember: bool) -> None:
        values = ValueMaker(index.document)
        self.index = index
        self.answers = Answers(index.document, values)
        self.memory = Memory(index, self.answers) if remember else None

    def answer(self, operation: Operation, request: Request, admitted: Admitted) -> Answer:
        path = request.url.path
        preference = parse_prefer(request.headers.getlist(PREFER))
        if preference.any:
            preferred = self.answers.preferred(operation, preference, path)
            if preferred is not None:
                made = self.memory.create_from(operation, admitted, preferred) if self.memory is not None else None
                return made or preferred
            log.warning(
                "preference_ignored",
                operation=operation.operation_id,
                prefer=request.headers.get(PREFER),
                documented=self.answers.statuses(operation),
            )
        remembered = self.memory.respond(operation, admitted, path) if self.memory is not None else None
        if remembered is not None:
            return remembered
        status = self.answers.success(operation) or next(iter(self.answers.statuses(operation)), None)
        if status is None:
            raise InternalError(f"The contract documents no response for {operation.operation_id}.")
        return self.answers.answer(operation, status, path)


def _endpoint(
    operations: MockOperations, operation: Operation, verifier: BearerVerifier, validator: RequestValidator
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        admitted = await admit(request, operation, verifier, validator)
        return render(operations.answer(operation, request, admitted))

    return endpoint


def create_mock_app(
    document: dict[str, Any],
    verifier: BearerVerifier,
    *,
    remember: bool = True,
    problem_base_uri: str = CATALOGUE_BASE_URI,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Starlette:
    """A Starlette app that serves every operation of a bundled contract as the mock."""
    index = OperationIndex(document)
    operations = MockOperations(index, remember)
    validator = RequestValidator(index)
    routes = []
    for operation in index.operations.values():
        route = Route(operation.path, _endpoint(operations, operation, verifier, validator), methods=[operation.method])
        # Starlette adds HEAD to every GET route; the services serve only what the contract documents.
        if operation.method != "HEAD" and route.methods is not None:
            route.methods.discard("HEAD")
        routes.append(route)
    app = Starlette(routes=routes)
    app.state.problem_base_uri = problem_base_uri
    app.state.mock = operations
    install_problem_handlers(app)
    # As the services stack them: the body limit runs first, then the last-resort 500.
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(UnexpectedErrors)
    return app
