"""Requests the kit sends and the answers it gets, described in the contract's terms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from contractkit.operations import Operation

PROBLEM_MEDIA_TYPE = "application/problem+json"


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()


@dataclass(frozen=True)
class Call:
    """One request to a contract operation: its parameters and body, before authentication."""

    operation: Operation
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = NO_BODY
    # Raw bytes to send instead of `body` (malformed JSON, other media types); `content_type` names them.
    content: bytes | None = None
    content_type: str | None = None
    # Send the body in chunks without Content-Length, as a streaming client would.
    chunked: bool = False

    @property
    def path(self) -> str:
        path = self.operation.path
        for name, value in self.path_params.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        return path

    def with_headers(self, **headers: str) -> Call:
        """The same call with extra headers; `Idempotency_Key` spells `Idempotency-Key`."""
        merged = dict(self.headers)
        merged.update({name.replace("_", "-"): value for name, value in headers.items()})
        return replace(self, headers=merged)

    def without_header(self, name: str) -> Call:
        return replace(self, headers={k: v for k, v in self.headers.items() if k.lower() != name.lower()})

    def with_body(self, body: Any) -> Call:
        return replace(self, body=body, content=None, content_type=None)

    def with_raw_body(self, content: bytes, content_type: str | None, *, chunked: bool = False) -> Call:
        return replace(self, body=NO_BODY, content=content, content_type=content_type, chunked=chunked)

    def encoded_body(self) -> tuple[bytes | None, str | None]:
        """The bytes and media type this call sends."""
        if self.content is not None:
            return self.content, self.content_type
        if self.body is NO_BODY:
            return None, None
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode(), "application/json"

    def describe(self) -> str:
        return f"{self.operation.method} {self.path}"


@dataclass(frozen=True)
class Reply:
    """An answer, or the lack of one (`status` 0): a call that timed out has an unknown outcome."""

    call: Call
    status: int
    headers: dict[str, str]
    content: bytes
    error: str | None = None

    @property
    def indeterminate(self) -> bool:
        """No answer came: the request may or may not have taken effect."""
        return self.status == 0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    @property
    def code(self) -> str | None:
        """The problem `code` of an error answer."""
        body = self.json() if self.media_type == PROBLEM_MEDIA_TYPE else None
        code = body.get("code") if isinstance(body, dict) else None
        return code if isinstance(code, str) else None

    def describe(self) -> str:
        """`POST /v1/x -> 409 COUPON_EXHAUSTED`, for failure messages."""
        if self.indeterminate:
            return f"{self.call.describe()} -> no answer ({self.error})"
        outcome = f"{self.status} {self.code}" if self.code else str(self.status)
        return f"{self.call.describe()} -> {outcome}"
