"""Bearer tokens from OAuth2 client credentials: a real token endpoint on 127.0.0.1 and the real coupon service.

The token endpoint is a small server this test runs: it checks the client's HTTP Basic credentials and
grant, issues tokens the coupon service accepts (same signing settings as the service under test), and
counts how often it is asked. The provider's clock is a value the test moves, so expiry is tested without
waiting.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dataservices.clients import ClientCredentials, NotSent, RetryPolicy, TokenRequestFailed
from dataservices.clients.coupon import CouponClient
from dataservices.common.auth import issue_development_token
from dataservices.common.settings import AuthSettings
from tests.dataservices.clients.wire import RecordingTransport, closed_port
from tests.fixtures.coupon_service import TEST_AUTH, RunningCouponService
from tests.fixtures.live_server import LiveServer

pytestmark = pytest.mark.anyio

CLIENT_ID, CLIENT_SECRET = "payment-service", "s3cret"
SCOPES = ("coupon:read", "coupon:write", "coupon:redeem")
# Tokens signed with another secret: well-formed, and refused by the coupon service.
FOREIGN_AUTH = AuthSettings(hs256_secret="not-the-services-secret-at-all!!", issuer="tests", audience="dataservices")


@dataclass
class TokenEndpoint:
    """An OAuth2 token endpoint (client-credentials grant only) that records each form it receives."""

    expires_in: int | None = 300
    # Settings to sign the next tokens with, in order; the last one repeats.
    signers: list[AuthSettings] = field(default_factory=lambda: [TEST_AUTH])
    forms: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    async def token(self, request: Request) -> Response:
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        form = dict(parse_qsl((await request.body()).decode(), strict_parsing=True))
        self.forms.append(form)
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return JSONResponse({"error": "invalid_client", "error_description": "unknown client"}, 401)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        signer = self.signers.pop(0) if len(self.signers) > 1 else self.signers[0]
        token = issue_development_token(signer, form.get("scope", "").split(), subject=CLIENT_ID)
        answer: dict[str, object] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})


@pytest.fixture
def endpoint(live_server: Callable[..., LiveServer]) -> TokenEndpoint:
    endpoint = TokenEndpoint()
    server = live_server(Starlette(routes=[Route("/oauth/token", endpoint.token, methods=["POST"])]))
    endpoint.url = f"{server.url}/oauth/token"
    return endpoint


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def credentials(endpoint: TokenEndpoint) -> AsyncIterator[tuple[ClientCredentials, Clock]]:
    clock = Clock()
    async with ClientCredentials(endpoint.url, CLIENT_ID, CLIENT_SECRET, scopes=SCOPES, clock=clock) as provider:
        yield provider, clock


async def test_one_token_serves_every_call_sequential_or_concurrent(
    coupon_service_module: RunningCouponService,
    endpoint: TokenEndpoint,
    credentials: tuple[ClientCredentials, Clock],
) -> None:
    provider, _ = credentials
    async with CouponClient(coupon_service_module.url, provider) as client:
        for _ in range(3):
            await client.list_coupons(limit=1)
        pages = await asyncio.gather(*(client.list_coupons(limit=1) for _ in range(20)))

    assert len(pages) == 20  # the coupon service accepted the endpoint's token every time
    assert len(endpoint.forms) == 1
    assert endpoint.forms[0] == {"grant_type": "client_credentials", "scope": " ".join(SCOPES)}


async def test_concurrent_first_callers_wait_for_one_fetch(
    endpoint: TokenEndpoint, credentials: tuple[ClientCredentials, Clock]
) -> None:
    provider, _ = credentials

    tokens = await asyncio.gather(*(provider() for _ in range(20)))

    assert len(set(tokens)) == 1
    assert len(endpoint.forms) == 1


async def test_a_token_is_renewed_shortly_before_it_expires(
    endpoint: TokenEndpoint, credentials: tuple[ClientCredentials, Clock]
) -> None:
    provider, clock = credentials  # tokens live 300 s; renewed 30 s before
    first = await provider()

    clock.now += 269
    still_first = await provider()
    clock.now += 1
    second = await provider()
    clock.now += 200
    still_second = await provider()

    assert first == still_first
    assert second == still_second
    assert len(endpoint.forms) == 2


async def test_a_short_lived_token_is_renewed_after_half_its_life(
    endpoint: TokenEndpoint, credentials: tuple[ClientCredentials, Clock]
) -> None:
    provider, clock = credentials
    endpoint.expires_in = 20  # a 30 s margin would renew it on every call

    await provider()
    clock.now += 9
    await provider()
    asked_before_half = len(endpoint.forms)
    clock.now += 1
    await provider()

    assert (asked_before_half, len(endpoint.forms)) == (1, 2)


async def test_a_token_without_a_lifetime_is_kept_until_a_service_refuses_it(
    coupon_service_module: RunningCouponService, endpoint: TokenEndpoint, credentials: tuple[ClientCredentials, Clock]
) -> None:
    provider, clock = credentials
    endpoint.expires_in = None
    endpoint.signers = [FOREIGN_AUTH, TEST_AUTH]  # the first token is one the coupon service will refuse
    transport = RecordingTransport()
    clock.now += 10**9

    async with CouponClient(coupon_service_module.url, provider, transport=transport) as client:
        await client.list_coupons(limit=1)
        await client.list_coupons(limit=1)

    assert len(endpoint.forms) == 2  # the refused token, then its replacement, kept for the next call
    sent = [headers["Authorization"] for headers in transport.headers]
    assert len(sent) == 3
    assert sent[0] != sent[1] == sent[2]


@pytest.mark.parametrize(
    ("client_id", "secret", "message"),
    [
        (CLIENT_ID, "wrong", r"401 invalid_client \(unknown client\)"),
        ("stranger", CLIENT_SECRET, r"401 invalid_client \(unknown client\)"),
    ],
)
async def test_refused_credentials_fail_the_call_once_and_clearly(
    coupon_service_module: RunningCouponService, endpoint: TokenEndpoint, client_id: str, secret: str, message: str
) -> None:
    async with (
        ClientCredentials(endpoint.url, client_id, secret, scopes=SCOPES) as provider,
        CouponClient(coupon_service_module.url, provider, retries=RetryPolicy()) as client,
    ):
        with pytest.raises(TokenRequestFailed, match=message):
            await client.list_coupons()

    assert len(endpoint.forms) == 1  # wrong credentials stay wrong: the call is not retried


async def test_an_unreachable_token_endpoint_fails_the_call() -> None:
    url = f"http://127.0.0.1:{closed_port()}/oauth/token"
    async with ClientCredentials(url, CLIENT_ID, CLIENT_SECRET) as provider:
        with pytest.raises(TokenRequestFailed, match="did not answer") as raised:
            await provider()

    assert not isinstance(raised.value, NotSent)


async def test_an_audience_is_asked_for_when_given(endpoint: TokenEndpoint) -> None:
    async with ClientCredentials(endpoint.url, CLIENT_ID, CLIENT_SECRET, audience="dataservices") as provider:
        await provider()

    assert endpoint.forms == [{"grant_type": "client_credentials", "audience": "dataservices"}]


async def test_a_token_that_is_not_a_bearer_token_is_refused(live_server: Callable[..., LiveServer]) -> None:
    async def mac_token(request: Request) -> Response:
        return JSONResponse({"access_token": "abc", "token_type": "mac", "expires_in": 60})

    server = live_server(Starlette(routes=[Route("/oauth/token", mac_token, methods=["POST"])]))
    async with ClientCredentials(f"{server.url}/oauth/token", CLIENT_ID, CLIENT_SECRET) as provider:
        with pytest.raises(TokenRequestFailed, match="'mac' token"):
            await provider()
