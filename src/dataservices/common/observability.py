"""Structured logs and W3C trace context.

Each request is logged once, as JSON, with its trace id: the caller's when it sent a valid
`traceparent`, a new one otherwise (an invalid header is ignored, as the W3C recommendation asks).
The trace id is bound for the whole request, so every log line of the request carries it.
"""

from __future__ import annotations

import logging
import random
import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
log = structlog.get_logger("dataservices.request")


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr, one event per line, with ISO timestamps."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )


def trace_id_of(traceparent: str | None) -> str:
    """The trace id of a valid version-00 `traceparent`, or a new random one."""
    if traceparent:
        match = _TRACEPARENT.match(traceparent.strip())
        if match and match.group(1) != "0" * 32 and match.group(2) != "0" * 16:
            return match.group(1)
    # A trace id must be unique, not secret: the Mersenne Twister draws one far faster than the
    # operating system's random source, which took an eighth of a redemption's time under load.
    return f"{random.getrandbits(128):032x}"


class RequestLogging:
    """Bind the trace id for the request and log its outcome and duration."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw = headers.get(b"traceparent")
        trace_id = trace_id_of(raw.decode("latin-1") if raw else None)
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with structlog.contextvars.bound_contextvars(trace_id=trace_id, service=self.service):
            scope.setdefault("state", {})["trace_id"] = trace_id
            try:
                await self.app(scope, receive, send_with_status)
            finally:
                log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
