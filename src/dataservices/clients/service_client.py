"""`ServiceClient`: the asyncio HTTP client every service's client specializes.

It sends a `Call` with what every request carries (bearer token, `traceparent` of the current context,
the consistency token a read must see), bounds it in time, retries it when that is safe, and turns the
answer into the call's result or an exception of `dataservices.clients.errors`. A service's client
only adds one method per operation, each building a `Call`.

One client is meant to be shared by every task of a process (it pools connections); it keeps no state
of any caller: tokens and traces come from the caller's context.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import httpx

from dataservices.clients.auth import BearerAuth, BearerToken
from dataservices.clients.calls import Call
from dataservices.clients.consistency import CONSISTENCY_HEADER, current_session
from dataservices.clients.errors import CallFailed, NotSent, OutcomeUnknown, error_from_response, unreadable_answer
from dataservices.clients.models import Page
from dataservices.clients.pages import walk_pages
from dataservices.clients.retries import RetryPolicy, final_failure
from dataservices.clients.timeouts import SendProgress, Timeouts, call_deadline, transport_failure
from dataservices.common.tracecontext import TRACEPARENT_HEADER, outgoing_traceparent

T = TypeVar("T")


class ServiceClient:
    """An asyncio client of one data service; use it with `async with`, or call `aclose()`.

    `token` is a bearer token or an async function returning the current one (see `ClientCredentials`).
    Failures raise `CallFailed` subclasses: `ServiceError` (by problem code), `NotSent` or `OutcomeUnknown`.
    """

    user_agent: ClassVar[str] = "dataservices-client/1"

    def __init__(
        self,
        base_url: str,
        token: BearerToken,
        *,
        timeouts: Timeouts | None = None,
        retries: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.retries = retries or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=BearerAuth(token),
            timeout=self.timeouts.for_httpx(),
            headers={"Accept": "application/json, application/problem+json", "User-Agent": self.user_agent},
            transport=transport,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, call: Call[T]) -> T:
        """Send `call` (again, while that is safe and time is left) and return its result."""
        ends = call_deadline(self.timeouts.total)
        attempt = 1
        unknown: OutcomeUnknown | None = None  # the latest attempt that may have done the work
        while True:
            try:
                return await self._attempt(call, ends)
            except CallFailed as failure:
                wait = self.retries.wait_before_retry(call, failure, attempt, ends - time.monotonic())
                if wait is None:
                    final = final_failure(failure, unknown)
                    if final is failure:
                        raise
                    raise final from failure
                if isinstance(failure, OutcomeUnknown):
                    unknown = failure
            await self.retries.sleep(wait)
            attempt += 1

    def walk(self, page: Callable[[str | None], Call[Page[T]]]) -> AsyncIterator[T]:
        """Every item of a paged list; `page(cursor)` builds the call for one page."""
        return walk_pages(lambda cursor: self.call(page(cursor)))

    async def _attempt(self, call: Call[T], ends: float) -> T:
        request = self._request(call)
        if ends <= time.monotonic():
            raise NotSent(f"{request.method} {request.url} was not sent: the call's time had run out")
        progress = SendProgress()
        request.extensions["trace"] = progress
        try:
            async with asyncio.timeout(ends - time.monotonic()):
                response = await self._http.send(request)
        except (httpx.TransportError, TimeoutError) as exc:
            raise transport_failure(exc, request, progress) from exc
        if response.is_error:
            raise error_from_response(response)
        written = response.headers.get(CONSISTENCY_HEADER)
        session = current_session()
        if written and session is not None:
            session.observe(written)
        try:
            return call.parse(response)
        except ValueError as exc:  # pydantic's ValidationError is one
            raise unreadable_answer(response, exc) from exc

    def _request(self, call: Call[Any]) -> httpx.Request:
        headers = dict(call.headers)
        if (traceparent := outgoing_traceparent()) is not None:
            headers[TRACEPARENT_HEADER] = traceparent
        if call.reads:
            session = current_session()
            token = call.consistency_token or (session.token if session is not None else None)
            if token is not None:
                headers[CONSISTENCY_HEADER] = token
        return self._http.build_request(
            call.method, call.path, params=dict(call.params), json=call.body, headers=headers
        )
