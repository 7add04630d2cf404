"""Bearer JWT validation with scopes (RFC 6750), as every server of the data-service contracts does it.

HS256 with a shared secret serves development; production verifies RS256 tokens with a configured
public key or the identity provider's JWKS. Every operation names its scopes; a missing or invalid
token is 401 with `WWW-Authenticate`, a valid token without the scope is 403.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from contractkit.server.problem_details import InsufficientScope, Unauthenticated

REALM = "dataservices"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: its client id (the token's subject) and scopes."""

    client_id: str
    scopes: frozenset[str]


class TokenSettings(Protocol):
    """How tokens are checked: the key (an HS256 secret, an RS256 public key or a JWKS URL) and the claims."""

    @property
    def hs256_secret(self) -> str: ...
    @property
    def public_key(self) -> str | None: ...
    @property
    def jwks_url(self) -> str | None: ...
    @property
    def issuer(self) -> str: ...
    @property
    def audience(self) -> str: ...
    @property
    def leeway_seconds(self) -> int: ...


class BearerVerifier(Protocol):
    """Turns an `Authorization` header into the caller, or raises `Unauthenticated`."""

    def verify(self, authorization: str | None) -> Principal: ...


def challenge(error: str | None = None, description: str | None = None, scope: str | None = None) -> dict[str, str]:
    """An RFC 6750 `WWW-Authenticate` challenge."""
    value = f'Bearer realm="{REALM}"'
    if error:
        value += f', error="{error}"'
    if description:
        value += f', error_description="{description}"'
    if scope:
        value += f', scope="{scope}"'
    return {"WWW-Authenticate": value}


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or `Unauthenticated`."""
    if not authorization:
        raise Unauthenticated("Send a bearer token in the Authorization header.", headers=challenge())
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(
            "The Authorization header must be 'Bearer <token>'.",
            headers=challenge("invalid_request", "Authorization must use the Bearer scheme"),
        )
    return token


def invalid_token(detail: str, description: str = "The token is not valid") -> Unauthenticated:
    """A 401 for a token that was sent but cannot be accepted."""
    return Unauthenticated(detail, headers=challenge("invalid_token", description))


def scope_claim(claims: dict[str, Any]) -> frozenset[str]:
    """The scopes of a token's `scope` claim (RFC 8693: one space-separated string)."""
    scopes = claims.get("scope", "")
    if not isinstance(scopes, str):
        raise invalid_token("The token's scope claim must be a space-separated string.", "The scope claim is malformed")
    return frozenset(scopes.split())


# Tokens verified recently, by their exact text: a client sends the same token for up to an hour,
# and checking its signature again is most of what authentication costs.
VERIFIED_TOKENS_CACHED = 4096


class TokenVerifier:
    """Checks signature, expiry, issuer and audience, and extracts the principal."""

    def __init__(self, settings: TokenSettings) -> None:
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
        token = bearer_token(authorization)
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
            raise invalid_token("The bearer token has expired.", "The token has expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise invalid_token(f"The bearer token is not valid: {exc}.") from exc
        principal = Principal(client_id=str(claims["sub"]), scopes=scope_claim(claims))
        return principal, float(claims["exp"]) + self._settings.leeway_seconds


def require_scopes(principal: Principal, scopes: tuple[str, ...]) -> None:
    """Refuse with 403 unless the principal holds every scope the operation lists."""
    missing = [scope for scope in scopes if scope not in principal.scopes]
    if missing:
        needed = " ".join(missing)
        raise InsufficientScope(
            f"This operation requires the scope {needed}.",
            headers=challenge("insufficient_scope", f"The token lacks the scope {needed}", scope=needed),
        )
