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
from dataservices.coupon.spec import SPEC as COUPON
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


def test_the_scheme_name_is_case_insensitive(url: str) -> None:
    assert _get(url, f"bearer {_hs256()}").status_code == 200


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
def test_another_scheme_is_a_401_invalid_request(url: str, authorization: str) -> None:
    _unauthenticated(_get(url, authorization), error="invalid_request")


def test_a_token_just_past_its_expiry_is_within_the_leeway(url: str) -> None:
    now = int(time.time())
    token = _hs256(iat=now - 600, nbf=now - 600, exp=now - 5)

    assert _get(url, f"Bearer {token}").status_code == 200


def test_a_scope_claim_that_is_not_a_string_is_a_401(url: str) -> None:
    response = _get(url, f"Bearer {_hs256(scope=['coupon:read'])}")

    _unauthenticated(response, error="invalid_token")
    assert "scope claim" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/openapi.yaml"])
def test_operations_endpoints_need_no_token(url: str, path: str) -> None:
    assert httpx.get(f"{url}{path}").status_code == 200


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
    url = f"sqlite:///{folder / 'coupon.db'}"
    upgrade(COUPON, url)
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
