"""The mock refuses a bad request exactly as the coupon service does: the same status, document and headers.

Both run the same checks (`contractkit.server`); this holds them to it over HTTP, side by side, with
the mock trusting the same signing key as the service, so one token means the same to both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

import contractkit.mock.app
import dataservices.common.endpoint
from contractkit.server.admission import admit
from contractkit.server.auth import TokenVerifier
from contractkit.server.validation import RequestValidator
from dataservices.common.auth import issue_development_token
from tests.contractkit.mock.mocks import COUPON, mocked
from tests.fixtures.coupon_service import TEST_AUTH, RunningCouponService
from tests.fixtures.live_server import LiveServer

COUPON_ID = "cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K"
VALID_COUPON = {
    "code": "SPRING27",
    "name": "Spring",
    "currency": "EUR",
    "discount": {"type": "PERCENTAGE", "percent": 10},
    "startsAt": "2027-01-01T00:00:00Z",
    "expiresAt": "2027-02-01T00:00:00Z",
}


@pytest.fixture(scope="module")
def mock() -> Iterator[LiveServer]:
    with mocked(COUPON, TokenVerifier(TEST_AUTH)) as server:
        yield server


def _token(*scopes: str, **claims: Any) -> str:
    if claims:
        return jwt.encode({"iss": TEST_AUTH.issuer, "aud": TEST_AUTH.audience, **claims}, TEST_AUTH.hs256_secret)
    return issue_development_token(TEST_AUTH, list(scopes or ("coupon:read", "coupon:write", "coupon:redeem")))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


JSON = {"Content-Type": "application/json"}
# (name, method, path, headers, body): each a mistake a consumer makes, with the status both must answer.
CASES: list[tuple[str, int, str, str, dict[str, str], bytes | None]] = [
    ("no token", 401, "GET", "/v1/coupons", {}, None),
    ("another scheme", 401, "GET", "/v1/coupons", {"Authorization": "Basic dXNlcjpwYXNz"}, None),
    ("expired token", 401, "GET", "/v1/coupons", {}, None),
    ("token of another key", 401, "GET", "/v1/coupons", {}, None),
    ("scope claim not a string", 401, "GET", "/v1/coupons", {}, None),
    ("missing scope", 403, "POST", "/v1/coupons", JSON, b"{}"),
    ("malformed JSON", 400, "POST", "/v1/coupons", JSON, b'{"code": '),
    ("missing Idempotency-Key", 400, "POST", f"/v1/coupons/{COUPON_ID}/redemptions", JSON, b"{}"),
    ("unknown path", 404, "GET", "/v1/widgets", {}, None),
    ("method not served", 405, "DELETE", f"/v1/coupons/{COUPON_ID}", {}, None),
    ("not JSON", 415, "POST", "/v1/coupons", {"Content-Type": "text/plain"}, b"SPRING27"),
    ("invalid body", 422, "POST", "/v1/coupons", JSON, b'{"code": "x", "discount": {"type": "PERCENTAGE"}}'),
    ("invalid query", 422, "GET", "/v1/coupons?limit=0&status=GONE&code=", {}, None),
    ("invalid path parameter", 422, "GET", "/v1/coupons/cpn_nope", {}, None),
    ("lone surrogate", 422, "POST", "/v1/coupons", JSON, b'{"code": "\\ud800"}'),
    ("missing If-Match", 428, "PATCH", f"/v1/coupons/{COUPON_ID}", JSON, b'{"status": "PAUSED"}'),
    ("body over the limit", 413, "POST", "/v1/coupons", JSON, b'{"name": "' + b"x" * 70000 + b'"}'),
]


def _bad_tokens() -> dict[str, str]:
    return {
        "expired token": _token(sub="c", exp=1_000_000, scope="coupon:read"),
        "token of another key": jwt.encode({"sub": "c", "exp": 4_000_000_000}, "another-key-of-thirty-two-bytes!!"),
        "scope claim not a string": _token(sub="c", exp=4_000_000_000, scope=["coupon:read"]),
        "missing scope": _token("coupon:read"),
    }


def _sent(name: str, headers: dict[str, str]) -> dict[str, str]:
    """The headers of a case: a valid token with every scope, unless the case is about the token."""
    if name == "no token":
        return {}
    bad = _bad_tokens()
    if name in bad:
        return {**_bearer(bad[name]), **JSON}
    return {**_bearer(_token()), **headers}


@pytest.mark.parametrize(("name", "status", "method", "path", "headers", "body"), CASES, ids=[c[0] for c in CASES])
def test_the_mock_refuses_as_the_service_does(
    name: str,
    status: int,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
    mock: LiveServer,
    coupon_service_module: RunningCouponService,
) -> None:
    sent = _sent(name, headers)
    answers = [
        httpx.request(method, f"{base}{path}", headers=sent, content=body, timeout=30)
        for base in (coupon_service_module.url, mock.url)
    ]
    service, mocked_answer = answers
    assert service.status_code == status, service.text
    assert mocked_answer.status_code == status, mocked_answer.text
    assert mocked_answer.headers["content-type"] == service.headers["content-type"] == "application/problem+json"
    assert mocked_answer.json() == service.json()
    for header in ("www-authenticate", "allow"):
        assert mocked_answer.headers.get(header) == service.headers.get(header), header


def test_the_mock_and_the_services_admit_requests_with_the_same_code(
    coupon_service_module: RunningCouponService,
) -> None:
    """Not a copy: both call contractkit.server's `admit` with its verifier and validator."""
    state = coupon_service_module.server.app.state
    assert dataservices.common.endpoint.admit is admit
    assert contractkit.mock.app.admit is admit
    assert type(state.request_validator) is RequestValidator
    assert type(state.token_verifier) is TokenVerifier
