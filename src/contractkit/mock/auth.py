"""How the mock checks bearer tokens: any well-formed token, or, given a secret, only tokens it signed.

Without a secret the mock is for consumers that have no identity provider yet: it answers 401 exactly
where a service would for a missing header, another scheme, an ill-formed token, or a JWT that has
expired or cannot be read; a token that passes carries every scope, unless it is a JWT with a `scope`
claim, whose scopes are then held to each operation's as the services hold them (403). With a secret
(`--jwt-secret`, `--jwt-issuer`, `--jwt-audience`) the mock runs the services' own verifier.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import jwt

from contractkit.server.auth import Principal, bearer_token, invalid_token, scope_claim

# RFC 6750's b64token: what the credentials of `Authorization: Bearer` may be made of.
_B64TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
ANONYMOUS_CLIENT = "mock-client"


@dataclass(frozen=True, slots=True)
class MockTokenSettings:
    """The key and claims the mock checks tokens against when it is given a secret (HS256)."""

    hs256_secret: str
    issuer: str
    audience: str
    public_key: str | None = None
    jwks_url: str | None = None
    # Clock skew tolerated, as the services do.
    leeway_seconds: int = 30


class AnyWellFormedToken:
    """Accepts any RFC 6750 bearer token; a JWT's expiry and `scope` claim are honoured, its signature is not."""

    def __init__(self, scopes: frozenset[str]) -> None:
        self._every_scope = scopes

    def verify(self, authorization: str | None) -> Principal:
        token = bearer_token(authorization)
        if not _B64TOKEN.match(token):
            raise invalid_token("The bearer token is not an RFC 6750 token (letters, digits and -._~+/ only).")
        if token.count(".") != 2:
            return Principal(client_id=ANONYMOUS_CLIENT, scopes=self._every_scope)
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise invalid_token(f"The bearer token is not valid: {exc}.") from exc
        expires = claims.get("exp")
        if isinstance(expires, int | float) and expires < time.time():
            raise invalid_token("The bearer token has expired.", "The token has expired")
        scopes = scope_claim(claims) if "scope" in claims else self._every_scope
        return Principal(client_id=str(claims.get("sub", ANONYMOUS_CLIENT)), scopes=scopes)
