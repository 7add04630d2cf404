"""HTTP pieces every service uses: JSON answers, stored answers and the request body limit.

ETags and `If-Match` are in `dataservices.common.versioning`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataservices.common.encoding import dump_json
from dataservices.common.idempotency import REPLAY_HEADER, StoredResponse
from dataservices.common.problems import ContentTooLarge, problem_response


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(content=dump_json(body), status_code=status, media_type="application/json", headers=headers)


def stored_to_response(stored: StoredResponse, extra_headers: dict[str, str] | None = None) -> Response:
    """Send a stored (or freshly made) answer, marking replays."""
    headers = dict(stored.headers)
    headers.update(extra_headers or {})
    if stored.replayed:
        headers[REPLAY_HEADER] = "true"
    return Response(content=stored.body, status_code=stored.status, media_type=stored.media_type, headers=headers)


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
