"""Bearer JWT validation with scopes (RFC 6750).

HS256 with a shared secret serves development and `make run`; production verifies RS256 tokens with
a configured public key or the identity provider's JWKS. Every operation names one scope; a missing or
invalid token is 401 with `WWW-Authenticate`, a valid token without the scope is 403.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
from starlette.requests import Request

from dataservices.common.problems import InsufficientScope, Unauthenticated
from dataservices.common.settings import AuthSettings

REALM = "dataservices"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: its client id (the token's subject) and scopes."""

    client_id: str
    scopes: frozenset[str]


def _challenge(error: str | None = None, description: str | None = None, scope: str | None = None) -> dict[str, str]:
    """An RFC 6750 `WWW-Authenticate` challenge."""
    value = f'Bearer realm="{REALM}"'
    if error:
        value += f', error="{error}"'
    if description:
        value += f', error_description="{description}"'
    if scope:
        value += f', scope="{scope}"'
    return {"WWW-Authenticate": value}


# Tokens verified recently, by their exact text: a client sends the same token for up to an hour,
# and checking its signature again is most of what authentication costs.
VERIFIED_TOKENS_CACHED = 4096


class TokenVerifier:
    """Checks signature, expiry, issuer and audience, and extracts the principal."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._jwks: jwt.PyJWKClient | None = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        )

    def _key_and_algorithms(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, ["RS256"]
        if self._settings.public_key:
            return self._settings.public_key, ["RS256"]
        return self._settings.hs256_secret, ["HS256"]

    def verify(self, authorization: str | None) -> Principal:
        """The principal of an `Authorization` header, or `Unauthenticated`."""
        if not authorization:
            raise Unauthenticated("Send a bearer token in the Authorization header.", headers=_challenge())
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated(
                "The Authorization header must be 'Bearer <token>'.",
                headers=_challenge("invalid_request", "Authorization must use the Bearer scheme"),
            )
        cached = self._verified.get(token)
        if cached is not None and time.time() < cached[1]:
            return cached[0]
        principal, valid_until = self._decode(token)
        self._verified[token] = (principal, valid_until)
        if len(self._verified) > VERIFIED_TOKENS_CACHED:
            self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        """The principal of a token and until when the token is valid (its expiry plus the leeway)."""
        try:
            key, algorithms = self._key_and_algorithms(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated(
                "The bearer token has expired.", headers=_challenge("invalid_token", "The token has expired")
            ) from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthenticated(
                f"The bearer token is not valid: {exc}.",
                headers=_challenge("invalid_token", "The token is not valid"),
            ) from exc
        scopes = claims.get("scope", "")
        if not isinstance(scopes, str):
            raise Unauthenticated(
                "The token's scope claim must be a space-separated string.",
                headers=_challenge("invalid_token", "The scope claim is malformed"),
            )
        principal = Principal(client_id=str(claims["sub"]), scopes=frozenset(scopes.split()))
        return principal, float(claims["exp"]) + self._settings.leeway_seconds


def require_scopes(principal: Principal, scopes: tuple[str, ...]) -> None:
    """Refuse with 403 unless the principal holds every scope the operation lists."""
    missing = [scope for scope in scopes if scope not in principal.scopes]
    if missing:
        needed = " ".join(missing)
        raise InsufficientScope(
            f"This operation requires the scope {needed}.",
            headers=_challenge("insufficient_scope", f"The token lacks the scope {needed}", scope=needed),
        )


def authenticate(request: Request, scopes: tuple[str, ...]) -> Principal:
    """Authenticate the request with the app's verifier and check the operation's scopes."""
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.verify(request.headers.get("authorization"))
    require_scopes(principal, scopes)
    return principal


def issue_development_token(
    settings: AuthSettings, scopes: list[str], subject: str = "development-client", ttl_seconds: int = 3600
) -> str:
    """A signed HS256 token that services sharing `settings` accept; for development and tests."""
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "scope": " ".join(scopes),
    }
    return jwt.encode(claims, settings.hs256_secret, algorithm="HS256")
