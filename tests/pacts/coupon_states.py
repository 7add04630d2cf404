"""The provider states of the coupon service's pacts, made through its API, for every server that serves it.

A state-change server answers the verifier with the ids it created (`couponId`, `etag`, ...), which the
verifier injects into the requests whose pacts use provider-state generators (`${couponId}`).
pact-python 4.2's function and dict state handlers discard return values, so injection needs this URL
handler. The same states set up the reference service (`tests/pacts/provider`) and `contractkit mock`
(`tests/pacts/consumer`): both are reached only over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pact import Verifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PROVIDER = "coupon-service"
PACTS_DIR = Path(__file__).resolve().parents[2] / "contracts" / "pacts"
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


def verifier_for(pact: Path, provider_url: str, states_url: str, token: str) -> Verifier:
    """A verifier of one pact against a server, its states set through `states_url`, sending `token`."""
    return (
        Verifier(PROVIDER, host="127.0.0.1")
        .add_transport(url=provider_url)
        .add_source(pact)
        .state_handler(states_url, teardown=True, body=True)
        .add_custom_header("Authorization", f"Bearer {token}")
    )


StateValues = dict[str, Any]


def coupon_pacts() -> list[Path]:
    """Every pact in contracts/pacts/ in which the coupon service is the provider."""
    return sorted(
        path for path in PACTS_DIR.glob("*.json") if json.loads(path.read_text())["provider"]["name"] == PROVIDER
    )


class CouponStates:
    """Puts a coupon service into the states consumers name, through its API; `reset` empties it after."""

    def __init__(self, api: Callable[[], httpx.Client], reset: Callable[[], None]) -> None:
        self.api = api
        self.reset = reset
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
        with self.api() as api:
            return JSONResponse(handler(api, request_body.get("params") or {}))

    def app(self) -> Starlette:
        async def change_state(request: Request) -> Response:
            # The handlers call the service over blocking HTTP; keep them off this server's event loop.
            response: Response = await run_in_threadpool(self.change, await request.json())
            return response

        return Starlette(routes=[Route(STATE_PATH, change_state, methods=["POST"])])
