"""What every check runs with: the contract's facts, an HTTP client, credentials and the run's own names.

`KitContext.send` is the one way a check talks to the implementation. Every answer is also held to
the contract on the way back, for the promise being checked: a 5xx, an undocumented status, or a
problem that is not RFC 9457 with a documented `code` breaks that promise wherever it shows up.

The kit reads its own writes the way the contracts tell a client to: the newest `Consistency-Token` an
answer carried goes on every later call to an operation that declares that header (unless the call sets
it). An implementation that serves reads from replicas is then judged on what it promises, a read that
sees the caller's own writes, and not on how far its replicas happen to lag.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from contractkit.kit.calls import PROBLEM_MEDIA_TYPE, Call, Reply
from contractkit.kit.credentials import Credentials
from contractkit.kit.options import KitOptions
from contractkit.kit.promises import Broken, Skipped
from contractkit.operations import Operation, OperationIndex

if TYPE_CHECKING:
    from contractkit.kit.services.base import ServiceKit

# Lower-case letters and digits only: the run id goes into codes, user ids and order ids of any pattern.
_RUN_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
CONSISTENCY_TOKEN = "Consistency-Token"
# A path template's parameter (`{couponId}`) as `re.escape` writes it.
_PATH_PARAMETER = re.compile(r"\\\{[^}]+\\\}")


class Checklist:
    """The cases one promise checked and the ones it saw broken."""

    def __init__(self) -> None:
        self.cases = 0
        self.failures: list[str] = []

    def check(self, ok: bool, message: str) -> bool:
        """Count a case; record `message` if it is broken. Returns `ok`."""
        self.cases += 1
        if not ok:
            self.fail(message)
        return ok

    def fail(self, message: str) -> None:
        if message not in self.failures:
            self.failures.append(message)

    def settle(self) -> None:
        """Raise `Broken` with every failure, if any."""
        if self.failures:
            raise Broken(self.failures)


_current: ContextVar[Checklist | None] = ContextVar("kit_checklist", default=None)


def checklist() -> Checklist:
    """The checklist of the promise being checked (a detached one outside a promise)."""
    current = _current.get()
    if current is None:
        current = Checklist()
        _current.set(current)
    return current


@contextmanager
def checking(target: Checklist) -> Iterator[Checklist]:
    token = _current.set(target)
    try:
        yield target
    finally:
        _current.reset(token)


async def _chunks(content: bytes, size: int = 16384) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


@dataclass(frozen=True)
class Auth:
    """How a call authenticates: as a kit client with some scopes, with a literal token, or not at all."""

    scopes: tuple[str, ...] | None = None  # None: exactly the operation's scopes
    client: str = "main"
    token: str | None = None
    anonymous: bool = False


DEFAULT_AUTH = Auth()
ANONYMOUS = Auth(anonymous=True)


def bearer(token: str) -> Auth:
    return Auth(token=token)


def slug_of(code: str) -> str:
    """The catalogue slug of a problem code: `COUPON_EXHAUSTED` is `coupon-exhausted`."""
    return code.lower().replace("_", "-")


def contract_breaches(reply: Reply) -> list[str]:
    """How an answer breaks its operation's contract in ways every check cares about."""
    if reply.indeterminate:
        return [f"{reply.describe()}: the outcome is unknown"]
    operation = reply.call.operation
    status = reply.status
    where = reply.call.describe()
    found: list[str] = []
    if status >= 500:
        found.append(f"{where} answered {status}: {reply.content[:300]!r}")
    documented = str(status) in operation.statuses or f"{str(status)[0]}XX" in operation.statuses
    if not documented and "default" not in operation.statuses:
        found.append(f"{where} answered {status}, which the contract does not document for {operation.operation_id}")
    if status < 400:
        return found
    if reply.media_type != PROBLEM_MEDIA_TYPE:
        found.append(f"{where} answered {status} as {reply.media_type or 'no media type'}, not {PROBLEM_MEDIA_TYPE}")
        return found
    body = reply.json()
    if not isinstance(body, dict):
        return [*found, f"{where} answered {status} with a problem that is not a JSON object"]
    missing = [name for name in ("type", "title", "status", "code") if name not in body]
    if missing:
        found.append(f"{where} answered a problem without {', '.join(missing)}")
    if body.get("status") not in (None, status):
        found.append(f"{where} answered {status} with a problem whose status is {body.get('status')}")
    code = body.get("code")
    if isinstance(code, str):
        documented_codes = operation.problem_codes(status)
        if documented_codes and code not in documented_codes:
            found.append(
                f"{where} answered {status} {code}; the contract documents {', '.join(sorted(documented_codes))}"
            )
        problem_type = body.get("type")
        if isinstance(problem_type, str) and not problem_type.rstrip("/").endswith("/" + slug_of(code)):
            found.append(f"{where}: problem type {problem_type!r} is not the catalogue page of {code}")
    if status == 401 and not (reply.header("www-authenticate") or "").lower().startswith("bearer"):
        found.append(f"{where} answered 401 without a Bearer WWW-Authenticate challenge (RFC 6750)")
    if status in (429, 503) and reply.header("retry-after") is None:
        found.append(f"{where} answered {status} without Retry-After")
    return found


def _takes_consistency_token(operation: Operation, headers: dict[str, str]) -> bool:
    """Whether a call should carry the newest token: its operation declares the header and it sets none."""
    wanted = CONSISTENCY_TOKEN.lower()
    declared = any(p.location == "header" and p.name.lower() == wanted for p in operation.parameters)
    return declared and not any(name.lower() == wanted for name in headers)


def consistency_hooks(facts: OperationIndex) -> dict[str, list[Callable[[Any], None]]]:
    """httpx event hooks that make a plain client read its own writes as `KitContext.send` does.

    For checks that drive a client of their own (a model-based run in a thread): every request to an
    operation that declares `Consistency-Token`, and that sets none, carries the newest token an answer gave.
    """
    taking = [
        (operation.method.upper(), re.compile("^" + _PATH_PARAMETER.sub("[^/]+", re.escape(operation.path)) + "$"))
        for operation in facts.operations.values()
        if _takes_consistency_token(operation, {})
    ]
    newest: list[str] = []

    def carry(request: httpx.Request) -> None:
        declared = any(method == request.method and path.match(request.url.path) for method, path in taking)
        if newest and declared and CONSISTENCY_TOKEN not in request.headers:
            request.headers[CONSISTENCY_TOKEN] = newest[0]

    def remember(response: httpx.Response) -> None:
        if response.is_success and (token := response.headers.get(CONSISTENCY_TOKEN)):
            newest[:] = [token]

    return {"request": [carry], "response": [remember]}


@dataclass
class KitContext:
    """Everything a check needs; one per kit run."""

    facts: OperationIndex
    options: KitOptions
    credentials: Credentials
    service: ServiceKit
    http: httpx.AsyncClient
    run_id: str = field(default_factory=lambda: "".join(secrets.choice(_RUN_ID_ALPHABET) for _ in range(8)))
    # Data a service module creates once and reuses across checks (a shared coupon, say).
    cache: dict[str, Any] = field(default_factory=dict)
    _counter: int = 0
    _tokens: dict[tuple[tuple[str, ...], str], str] = field(default_factory=dict)
    # The newest Consistency-Token by arrival. Tokens are opaque, so "newest" cannot mean "highest"; an
    # implementation's token taken after its commit is at least as new as every commit before it, so the
    # answer that arrived last carries one that covers the writes answered before it.
    _consistency_token: str | None = None

    def op(self, operation_id: str) -> Operation:
        try:
            return self.facts.operations[operation_id]
        except KeyError:
            raise Skipped(f"the contract has no operation {operation_id}") from None

    def call(self, operation_id: str, **fields: Any) -> Call:
        return Call(operation=self.op(operation_id), **fields)

    def unique(self, prefix: str = "") -> str:
        """A name no other run and no other call of this run uses."""
        self._counter += 1
        return f"{prefix}{self.run_id}{self._counter:05d}"

    def subject(self, client: str = "main") -> str:
        return f"kit-{self.run_id}-{client}"

    async def token(self, scopes: tuple[str, ...], client: str = "main") -> str:
        key = (scopes, self.subject(client))
        if key not in self._tokens:
            self._tokens[key] = await asyncio.to_thread(self.credentials.token, scopes, self.subject(client))
        return self._tokens[key]

    async def send(self, call: Call, auth: Auth = DEFAULT_AUTH) -> Reply:
        """Send a call; its answer is held to the contract for the promise being checked."""
        headers = dict(call.headers)
        if self._consistency_token is not None and _takes_consistency_token(call.operation, headers):
            headers[CONSISTENCY_TOKEN] = self._consistency_token
        if call.operation.authenticated and not auth.anonymous:
            token = auth.token or await self.token(auth.scopes or call.operation.scopes, auth.client)
            headers["Authorization"] = f"Bearer {token}"
        content, media_type = call.encoded_body()
        if media_type is not None:
            headers["Content-Type"] = media_type
        body: bytes | AsyncIterator[bytes] | None = content
        if call.chunked and content is not None:
            body = _chunks(content)
        try:
            response = await self.http.request(
                call.operation.method, call.path, params=call.query or None, headers=headers, content=body
            )
            reply = Reply(
                call=call,
                status=response.status_code,
                headers={name.lower(): value for name, value in response.headers.items()},
                content=response.content,
            )
        except httpx.TimeoutException:
            reply = Reply(call=call, status=0, headers={}, content=b"", error=f"{self.options.timeout_seconds} s")
        except httpx.TransportError as exc:
            reply = Reply(call=call, status=0, headers={}, content=b"", error=type(exc).__name__)
        current = checklist()
        for breach in contract_breaches(reply):
            current.fail(breach)
        if reply.ok and (consistency := reply.header(CONSISTENCY_TOKEN)):
            self._consistency_token = consistency
        return reply

    async def send_all(self, calls: list[tuple[Call, Auth]]) -> list[Reply]:
        """Send calls all at once (each on its own connection) and wait for every answer."""
        return list(await asyncio.gather(*(self.send(call, auth) for call, auth in calls)))
