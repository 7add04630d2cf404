"""Development tokens the services accept.

Tokens are checked by `contractkit.server.auth` (bearer JWTs with scopes, RFC 6750), the code every
server of the contracts runs; `AuthSettings` says which key and claims it checks. This module only
mints HS256 tokens for development and tests.
"""

from __future__ import annotations

import time

import jwt

from dataservices.common.settings import AuthSettings


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
