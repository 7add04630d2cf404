"""The coupon service verifies every consumer pact in `contracts/pacts/` whose provider is `coupon-service`.

Each pact is replayed against a live coupon service (uvicorn on 127.0.0.1, a fresh SQLite database).
Provider states are set up through the service's own API (`tests/pacts/coupon_states.py`). After each
interaction the teardown empties the database, so no state leaks into the next one. The verifier
sends a real bearer token (`add_custom_header`) in place of the consumer's example.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from tests.fixtures.coupon_service import RunningCouponService
from tests.fixtures.live_server import LiveServer
from tests.pacts.coupon_states import PACTS_DIR, PROVIDER, STATE_PATH, CouponStates, coupon_pacts, verifier_for
from tests.pacts.provider.recording import verify_and_record


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
    states = CouponStates(coupon_service.client, coupon_service.reset)
    return f"{live_server(states.app()).url}{STATE_PATH}"


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
