"""Bearer tokens for the clients: a fixed token, any async provider, or OAuth2 client credentials with a cache.

A client takes `token`: a string, or an async function returning the current token, asked before
every request (so it must be cheap: cache). `ClientCredentials` is the provider services use: it asks
the token endpoint once (RFC 6749 §4.4), reuses the token until shortly before it expires, lets
concurrent callers wait for one refresh instead of each asking, and drops a token a service refused
(401) so the request is sent once more with a fresh one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, ValidationError

from dataservices.clients.errors import TokenRequestFailed

TokenProvider = Callable[[], Awaitable[str]]
BearerToken = str | TokenProvider

# A token is renewed this long before it expires, so a request never leaves with a token that expires on
# the way (clock skew between hosts, a slow request). Capped at half the token's lifetime for short ones.
REFRESH_MARGIN_SECONDS = 30.0
# The token endpoint is on the path of the first request after every renewal: it must answer quickly.
TOKEN_TIMEOUT_SECONDS = 5.0


@runtime_checkable
class RenewableTokens(Protocol):
    """A provider that can be told a token was refused, so its next answer is a new token."""

    async def __call__(self) -> str: ...

    def invalidate(self, token: str) -> None: ...


class BearerAuth(httpx.Auth):
    """Puts the current bearer token on each request; a refused token is renewed once and the request resent."""

    def __init__(self, token: BearerToken) -> None:
        self._token = token

    async def _current(self) -> str:
        return self._token if isinstance(self._token, str) else await self._token()

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        # A 401 means the service did nothing with the request, so sending it again is safe whatever it was.
        if response.status_code == 401 and isinstance(self._token, RenewableTokens):
            self._token.invalidate(token)
            renewed = await self._current()
            if renewed != token:
                request.headers["Authorization"] = f"Bearer {renewed}"
                yield request


class _TokenAnswer(BaseModel):
    access_token: str
    token_type: str
    expires_in: int | None = None


class _TokenRefusal(BaseModel):
    error: str
    error_description: str | None = None


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    renew_at: float  # on the provider's clock; infinity when the endpoint gave no lifetime


class ClientCredentials:
    """OAuth2 client-credentials tokens, fetched once and reused until shortly before they expire.

    The client authenticates with HTTP Basic (RFC 6749 §2.3.1). A token without `expires_in` is kept
    until a service refuses it. One provider belongs to one event loop, like the client that uses it;
    close it with `aclose()` (or `async with`).
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scopes: Iterable[str] = (),
        audience: str | None = None,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
        timeout: float = TOKEN_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self._form = {"grant_type": "client_credentials"}
        if scope := " ".join(scopes):
            self._form["scope"] = scope
        if audience is not None:
            self._form["audience"] = audience
        self._margin = refresh_margin
        self._clock = clock
        self._http = httpx.AsyncClient(
            auth=httpx.BasicAuth(client_id, client_secret), timeout=timeout, transport=transport
        )
        self._cached: _Cached | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> ClientCredentials:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __call__(self) -> str:
        cached = self._cached
        if cached is not None and self._clock() < cached.renew_at:
            return cached.token
        async with self._lock:
            # Callers that waited for the lock find the token the first one fetched.
            cached = self._cached
            if cached is None or self._clock() >= cached.renew_at:
                cached = self._cached = await self._fetch()
            return cached.token

    def invalidate(self, token: str) -> None:
        """Forget `token` (a service refused it); a newer token fetched meanwhile is kept."""
        if self._cached is not None and self._cached.token == token:
            self._cached = None

    async def _fetch(self) -> _Cached:
        asked_at = self._clock()
        try:
            response = await self._http.post(self.token_url, data=self._form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise TokenRequestFailed(f"the token endpoint {self.token_url} did not answer: {exc!r}") from exc
        if response.is_error:
            raise TokenRequestFailed(f"the token endpoint refused: {self._refusal(response)}")
        try:
            answer = _TokenAnswer.model_validate_json(response.content)
        except ValidationError as exc:
            raise TokenRequestFailed(f"the token endpoint's answer is not a token response: {exc}") from exc
        if answer.token_type.lower() != "bearer":
            raise TokenRequestFailed(f"the token endpoint issued a {answer.token_type!r} token, not a bearer token")
        if answer.expires_in is None:
            return _Cached(answer.access_token, float("inf"))
        # Measured from when the token was asked for: the endpoint's clock started the lifetime no later.
        margin = min(self._margin, answer.expires_in / 2)
        return _Cached(answer.access_token, asked_at + answer.expires_in - margin)

    @staticmethod
    def _refusal(response: httpx.Response) -> str:
        try:
            refusal = _TokenRefusal.model_validate_json(response.content)
        except ValidationError:
            return f"{response.status_code} {response.text[:200]!r}"
        described = f" ({refusal.error_description})" if refusal.error_description else ""
        return f"{response.status_code} {refusal.error}{described}"
