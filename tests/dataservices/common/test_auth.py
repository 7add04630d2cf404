"""Bearer JWTs at a live service: 401 with `WWW-Authenticate` for a bad token, 403 for a missing scope.

The development scheme (HS256 with a shared secret) is what the shared fixture runs; production's
RS256 is checked against services built with a public key and with a JWKS endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dataservices.common.migrate import upgrade
from dataservices.common.settings import AuthSettings
from dataservices.coupon.app import create_app
from dataservices.coupon.settings import CouponSettings
from tests.fixtures.coupon_service import TEST_AUTH, RunningCouponService
from tests.fixtures.live_server import LiveServer, serve

PROBLEM = "application/problem+json"
CHALLENGE = 'Bearer realm="dataservices"'
RS_ISSUER = "https://identity.tests.example"


def _claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for the fixture's settings; an override of None removes the claim."""
    now = int(time.time())
    claims = {
        "iss": TEST_AUTH.issuer,
        "aud": TEST_AUTH.audience,
        "sub": "auth-test-client",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "scope": "coupon:read coupon:write coupon:redeem",
        **overrides,
    }
    return {name: value for name, value in claims.items() if value is not None}


def _hs256(secret: str = TEST_AUTH.hs256_secret, **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), secret, algorithm="HS256")


def _get(url: str, authorization: str | None, path: str = "/v1/coupons") -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return httpx.get(f"{url}{path}", headers=headers, params={"limit": 1})


def _unauthenticated(response: httpx.Response, error: str | None) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith(CHALLENGE)
    if error is None:
        assert challenge == CHALLENGE
    else:
        assert f'error="{error}"' in challenge
    problem: dict[str, Any] = response.json()
    assert (problem["status"], problem["code"]) == (401, "UNAUTHENTICATED")
    return problem


@pytest.fixture(scope="module")
def url(coupon_service_module: RunningCouponService) -> str:
    return coupon_service_module.url


def test_a_valid_token_is_accepted(url: str) -> None:
    assert _get(url, f"Bearer {_hs256()}").status_code == 200


def test_the_scheme_name_is_case_insensitive(url: str) -> None:
    assert _get(url, f"bearer {_hs256()}").status_code == 200


def test_no_token_is_a_401_with_a_bare_challenge(url: str) -> None:
    problem = _unauthenticated(_get(url, None), error=None)

    assert "Authorization" in problem["detail"]


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
def test_another_scheme_is_a_401_invalid_request(url: str, authorization: str) -> None:
    _unauthenticated(_get(url, authorization), error="invalid_request")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: "garbage", id="garbage"),
        pytest.param(lambda: "a.b.c", id="three-garbage-parts"),
        pytest.param(lambda: _hs256(secret="another-secret-of-another-issuer"), id="wrong-signature"),
        pytest.param(lambda: _hs256(iss="https://someone-else.example"), id="wrong-issuer"),
        pytest.param(lambda: _hs256(aud="another-audience"), id="wrong-audience"),
        pytest.param(lambda: _hs256(sub=None), id="no-subject"),
        pytest.param(lambda: _hs256(exp=None), id="no-expiry"),
        pytest.param(lambda: _hs256(nbf=int(time.time()) + 3600), id="not-yet-valid"),
        pytest.param(lambda: jwt.encode(_claims(), "", algorithm="none"), id="unsigned"),
    ],
)
def test_an_invalid_token_is_a_401_invalid_token(url: str, token: Callable[[], str]) -> None:
    problem = _unauthenticated(_get(url, f"Bearer {token()}"), error="invalid_token")

    assert problem["detail"].startswith("The bearer token is not valid")


def test_an_expired_token_is_a_401_that_says_so(url: str) -> None:
    now = int(time.time())
    token = _hs256(iat=now - 600, nbf=now - 600, exp=now - 120)

    response = _get(url, f"Bearer {token}")

    problem = _unauthenticated(response, error="invalid_token")
    assert 'error_description="The token has expired"' in response.headers["WWW-Authenticate"]
    assert problem["detail"] == "The bearer token has expired."


def test_a_token_just_past_its_expiry_is_within_the_leeway(url: str) -> None:
    now = int(time.time())
    token = _hs256(iat=now - 600, nbf=now - 600, exp=now - 5)

    assert _get(url, f"Bearer {token}").status_code == 200


def test_a_scope_claim_that_is_not_a_string_is_a_401(url: str) -> None:
    response = _get(url, f"Bearer {_hs256(scope=['coupon:read'])}")

    _unauthenticated(response, error="invalid_token")
    assert "scope claim" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body", "scope", "needed"),
    [
        ("POST", "/v1/coupons", {}, "coupon:read coupon:redeem", "coupon:write"),
        ("GET", "/v1/coupons", None, "coupon:write coupon:redeem", "coupon:read"),
        ("GET", "/v1/redemptions", None, "coupon:redeem", "coupon:read"),
        (
            "POST",
            "/v1/coupons/cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K/redemptions",
            {},
            "coupon:read coupon:write",
            "coupon:redeem",
        ),
        ("POST", "/v1/redemptions/rdm_01JD8S0B4N6P8R0T2V4X6Z8B0D/confirmation", None, "coupon:read", "coupon:redeem"),
        ("POST", "/v1/coupons/cpn_01JD8R3M6Q2W5Y7A9C1E3G5J7K/quotes", {}, "", "coupon:read"),
    ],
)
def test_a_missing_scope_is_a_403_before_the_request_is_validated(
    url: str, method: str, path: str, body: Any, scope: str, needed: str
) -> None:
    # The body is invalid too (and the key missing): the scope is checked first.
    response = httpx.request(
        method, f"{url}{path}", json=body, headers={"Authorization": f"Bearer {_hs256(scope=scope)}"}
    )

    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert (problem["code"], problem["type"]) == (
        "INSUFFICIENT_SCOPE",
        "https://dataservices.example.com/errors/insufficient-scope/",
    )
    assert needed in problem["detail"]
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert f'scope="{needed}"' in challenge


def test_authentication_comes_before_validation(url: str) -> None:
    response = httpx.post(f"{url}/v1/coupons", content=b"{not json", headers={"Content-Type": "application/json"})

    _unauthenticated(response, error=None)


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/openapi.yaml"])
def test_operations_endpoints_need_no_token(url: str, path: str) -> None:
    assert httpx.get(f"{url}{path}").status_code == 200


def test_the_subject_is_the_client_that_owns_an_idempotency_key(coupon_service_module: RunningCouponService) -> None:
    with coupon_service_module.client() as admin:
        coupon = admin.post(
            "/v1/coupons",
            json={
                "code": f"A{uuid.uuid4().hex[:10].upper()}",
                "name": "Two clients",
                "currency": "EUR",
                "discount": {"type": "PERCENTAGE", "percent": 5},
                "startsAt": "2026-01-01T00:00:00Z",
                "expiresAt": "2099-01-01T00:00:00Z",
                "perUserLimit": 5,
            },
        ).json()
    key = str(uuid.uuid4())
    answers = []
    for client_id, order in (("checkout-backend", "ord_a"), ("payment-service", "ord_b")):
        with coupon_service_module.client(subject=client_id) as client:
            answers.append(
                client.post(
                    f"/v1/coupons/{coupon['id']}/redemptions",
                    json={"userId": "usr_1", "orderId": order, "orderAmount": {"amount": 100, "currency": "EUR"}},
                    headers={"Idempotency-Key": key},
                )
            )

    # The same key from two clients is two requests, not a reuse with another body.
    assert [(answer.status_code, answer.headers.get("Idempotent-Replayed")) for answer in answers] == [
        (201, None),
        (201, None),
    ]
    assert answers[0].json()["id"] != answers[1].json()["id"]


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _rs256(key: rsa.RSAPrivateKey, kid: str | None = None, **overrides: Any) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(_claims(iss=RS_ISSUER, **overrides), key, algorithm="RS256", headers=headers)


@contextmanager
def _serve_coupon_app(folder: Path, auth: AuthSettings) -> Iterator[LiveServer]:
    """A coupon service with its own auth settings, on a freshly migrated database."""
    url = f"sqlite+aiosqlite:///{folder / 'coupon.db'}"
    upgrade("coupon", url)
    with serve(create_app(CouponSettings(database_url=url), auth)) as server:
        yield server


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return _rsa_key()


@pytest.fixture(scope="module")
def rs256_url(signing_key: rsa.RSAPrivateKey, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    auth = AuthSettings(public_key=_public_pem(signing_key), issuer=RS_ISSUER, audience=TEST_AUTH.audience)
    with _serve_coupon_app(tmp_path_factory.mktemp("rs256"), auth) as server:
        yield server.url


def test_an_rs256_token_signed_by_the_configured_key_is_accepted(
    rs256_url: str, signing_key: rsa.RSAPrivateKey
) -> None:
    assert _get(rs256_url, f"Bearer {_rs256(signing_key)}").status_code == 200


def test_an_rs256_token_signed_by_another_key_is_refused(rs256_url: str) -> None:
    _unauthenticated(_get(rs256_url, f"Bearer {_rs256(_rsa_key())}"), error="invalid_token")


def test_an_hs256_token_is_refused_when_a_public_key_is_configured(rs256_url: str) -> None:
    _unauthenticated(_get(rs256_url, f"Bearer {_hs256(iss=RS_ISSUER)}"), error="invalid_token")


def _segment(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def test_the_public_key_cannot_be_used_as_an_hmac_secret(rs256_url: str, signing_key: rsa.RSAPrivateKey) -> None:
    # The classic algorithm confusion: HS256 signed with the (public) PEM the service holds.
    header = _segment(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _segment(json.dumps(_claims(iss=RS_ISSUER)).encode())
    signature = hmac.new(_public_pem(signing_key).encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()

    response = _get(rs256_url, f"Bearer {header}.{payload}.{_segment(signature)}")

    _unauthenticated(response, error="invalid_token")


def _jwks_app(jwks: Callable[[], dict[str, Any]]) -> Starlette:
    async def keys(_request: Request) -> JSONResponse:
        return JSONResponse(jwks())

    return Starlette(routes=[Route("/.well-known/jwks.json", keys)])


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    jwk = {**jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key(), as_dict=True)}
    jwk.update({"kid": "key-2026", "use": "sig", "alg": "RS256"})
    with serve(_jwks_app(lambda: {"keys": [jwk]})) as identity:
        auth = AuthSettings(
            jwks_url=f"{identity.url}/.well-known/jwks.json", issuer=RS_ISSUER, audience=TEST_AUTH.audience
        )
        with _serve_coupon_app(tmp_path_factory.mktemp("jwks"), auth) as server:
            yield server.url


def test_an_rs256_token_is_verified_with_the_identity_providers_jwks(
    jwks_url: str, signing_key: rsa.RSAPrivateKey
) -> None:
    assert _get(jwks_url, f"Bearer {_rs256(signing_key, kid='key-2026')}").status_code == 200


def test_a_token_naming_an_unknown_key_id_is_refused(jwks_url: str, signing_key: rsa.RSAPrivateKey) -> None:
    _unauthenticated(_get(jwks_url, f"Bearer {_rs256(signing_key, kid='key-1999')}"), error="invalid_token")
