"""The coupon service verifies every consumer pact in `contracts/pacts/` whose provider is `coupon-service`.

Each pact is replayed against a live coupon service (uvicorn on 127.0.0.1, a fresh SQLite database).
Provider states are set up through the service's own API by a small state-change server: it answers
with the ids it created (`couponId`, `etag`, ...), which the verifier injects into the requests whose
pacts use provider-state generators (`${couponId}`). pact-python 4.2's function and dict state
handlers discard return values, so injection needs this URL handler. After each interaction the
teardown empties the database, so no state leaks into the next one. The verifier sends a real bearer
token (`add_custom_header`) in place of the consumer's example.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
from pact import Verifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dataservices.coupon.tables import metadata
from tests.fixtures.coupon_service import RunningCouponService
from tests.fixtures.live_server import LiveServer
from tests.pacts.provider.recording import verify_and_record

PROVIDER = "coupon-service"
PACTS_DIR = Path(__file__).resolve().parents[3] / "contracts" / "pacts"
STATE_PATH = "/_pact/provider-states"
# Fields of the contract's `CouponCreate` that a consumer may fix through the state's params.
COUPON_FIELDS = {
    "code",
    "name",
    "currency",
    "discount",
    "minimumOrderAmount",
    "startsAt",
    "expiresAt",
    "totalLimit",
    "perUserLimit",
    "status",
}

StateValues = dict[str, Any]


def coupon_pacts() -> list[Path]:
    """Every pact in contracts/pacts/ in which the coupon service is the provider."""
    return sorted(
        path for path in PACTS_DIR.glob("*.json") if json.loads(path.read_text())["provider"]["name"] == PROVIDER
    )


class ProviderStates:
    """Puts the live service into the states consumers name, through its API; empties its database after."""

    def __init__(self, service: RunningCouponService) -> None:
        self.service = service
        self.handlers: dict[str, Callable[[httpx.Client, dict[str, Any]], StateValues]] = {
            "a coupon exists": self.coupon_exists,
            "a coupon with redemptions exists": self.coupon_with_redemptions_exists,
        }

    @staticmethod
    def coupon_exists(api: httpx.Client, params: dict[str, Any]) -> StateValues:
        """An ACTIVE percentage coupon, valid now, with a maximum discount, a minimum order and a total limit."""
        now = datetime.now(UTC).replace(microsecond=0)
        body = {
            "code": "SPRING27",
            "name": "Spring sale, 10% off",
            "currency": "EUR",
            "discount": {"type": "PERCENTAGE", "percent": 10, "maximumDiscount": {"amount": 1500, "currency": "EUR"}},
            "minimumOrderAmount": {"amount": 2000, "currency": "EUR"},
            "startsAt": (now - timedelta(days=1)).isoformat().replace("+00:00", "Z"),
            "expiresAt": (now + timedelta(days=90)).isoformat().replace("+00:00", "Z"),
            "totalLimit": 100,
            "perUserLimit": 1,
        }
        body.update({name: value for name, value in params.items() if name in COUPON_FIELDS})
        created = api.post("/v1/coupons", json=body).raise_for_status()
        coupon = created.json()
        return {"couponId": coupon["id"], "code": coupon["code"], "etag": created.headers["ETag"]}

    def coupon_with_redemptions_exists(self, api: httpx.Client, params: dict[str, Any]) -> StateValues:
        """The coupon of `a coupon exists`, redeemed (CONFIRMED) by two users' orders."""
        values = self.coupon_exists(api, params)
        for n in (1, 2):
            order = {"userId": f"usr_{n}", "orderId": f"ord_{n}", "orderAmount": {"amount": 4990, "currency": "EUR"}}
            redemption = api.post(
                f"/v1/coupons/{values['couponId']}/redemptions", json=order, headers={"Idempotency-Key": f"state-{n}"}
            ).raise_for_status()
            values["redemptionId"] = redemption.json()["id"]
        return values

    def reset(self) -> None:
        engine = sqlalchemy.create_engine(f"sqlite:///{self.service.database_path}")
        try:
            with engine.begin() as connection:
                for table in reversed(metadata.sorted_tables):
                    connection.execute(table.delete())
        finally:
            engine.dispose()

    def change(self, request_body: dict[str, Any]) -> Response:
        state, action = request_body.get("state") or "", request_body.get("action")
        if action == "teardown":
            self.reset()
            return JSONResponse({})
        if state == "":  # the verifier's setup call for an interaction without provider states
            return JSONResponse({})
        handler = self.handlers.get(state)
        if handler is None:
            return JSONResponse({"error": f"no handler for the provider state {state!r}"}, status_code=501)
        with self.service.client() as api:
            return JSONResponse(handler(api, request_body.get("params") or {}))

    def app(self) -> Starlette:
        async def change_state(request: Request) -> Response:
            # The handlers call the service over blocking HTTP; keep them off this server's event loop.
            response: Response = await run_in_threadpool(self.change, await request.json())
            return response

        return Starlette(routes=[Route(STATE_PATH, change_state, methods=["POST"])])


class ReshapeCoupons:
    """A proxy in front of the service that drops `usage` from every coupon: a provider breaking its pacts."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        async with httpx.AsyncClient(base_url=self.upstream) as client:
            upstream = await client.request(
                request.method,
                request.url.path,
                params=request.query_params,
                headers=[(k, v) for k, v in request.headers.items() if k not in ("host", "content-length")],
                content=await request.body(),
            )
        body = upstream.content
        if upstream.headers.get("content-type") == "application/json":
            document = upstream.json()
            document.pop("usage", None)
            body = json.dumps(document).encode()
        headers = {k: v for k, v in upstream.headers.items() if k not in ("content-length", "content-encoding")}
        await Response(body, status_code=upstream.status_code, headers=headers)(scope, receive, send)


@pytest.fixture(autouse=True)
def _no_pact_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "true")


@pytest.fixture
def state_server(coupon_service: RunningCouponService, live_server: Callable[..., LiveServer]) -> str:
    """The URL of the state-change handler for the live coupon service."""
    return f"{live_server(ProviderStates(coupon_service).app()).url}{STATE_PATH}"


def verifier_for(pact: Path, provider_url: str, states_url: str, token: str) -> Verifier:
    return (
        Verifier(PROVIDER, host="127.0.0.1")
        .add_transport(url=provider_url)
        .add_source(pact)
        .state_handler(states_url, teardown=True, body=True)
        .add_custom_header("Authorization", f"Bearer {token}")
    )


def test_there_are_pacts_to_verify() -> None:
    assert coupon_pacts(), f"no pact in {PACTS_DIR} names {PROVIDER} as its provider"


@pytest.mark.parametrize("pact", coupon_pacts(), ids=lambda path: path.stem)
def test_the_coupon_service_honours_the_pact(
    pact: Path, coupon_service: RunningCouponService, state_server: str
) -> None:
    verifier = verifier_for(pact, coupon_service.url, state_server, coupon_service.token(subject="pact-verifier"))

    verify_and_record(verifier, pact)


def test_verification_fails_when_the_provider_breaks_a_pact(
    coupon_service: RunningCouponService, state_server: str, live_server: Callable[..., LiveServer]
) -> None:
    broken = live_server(ReshapeCoupons(coupon_service.url), lifespan="off")
    pact = PACTS_DIR / "backoffice-coupon-service.json"
    verifier = verifier_for(pact, broken.url, state_server, coupon_service.token(subject="pact-verifier"))

    with pytest.raises(RuntimeError):
        verifier.verify()

    failed = {result["description"] for result in verifier.results["interactionResults"] if "mismatch" in result}
    assert failed == {"a request to create a coupon", "a request for a coupon", "a request to pause a coupon"}
    assert "missing the following keys: usage" in verifier.output(strip_ansi=True)
