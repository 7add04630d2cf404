"""Where the kit's bearer tokens come from: a signing key, a token command, or one fixed token.

The kit needs a token per scope set and per client (two clients, `main` and `alt`, for the rules that
compare callers), plus tokens that must be refused. With the implementation's signing key (an HS256
secret, or an RS256/ES256 private key whose public half the implementation trusts) it mints all of
them, including expired, not-yet-valid, wrong-audience and wrong-issuer tokens. A token command (your
identity provider's test client) gives real tokens for any scopes and client; tokens that need forged
claims are then skipped, never passed. One fixed token checks only what a single all-scope caller can.
Tokens with a broken signature or `alg: none` are made from a real token, so every source supports them.
"""

from __future__ import annotations

import base64
import json
import shlex
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import jwt

# Far outside any clock-skew leeway an implementation may allow (ours allows 30 s).
_SKEW_BEYOND_LEEWAY_SECONDS = 600
TOKEN_TTL_SECONDS = 3600
_SAFE_ARGUMENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._-")


class Forgery(StrEnum):
    """Tokens that must be refused, by what is wrong with them."""

    MALFORMED = "malformed"
    ALG_NONE = "alg-none"
    BAD_SIGNATURE = "bad-signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    WRONG_AUDIENCE = "wrong-audience"
    WRONG_ISSUER = "wrong-issuer"


# Forgeries that need the signing key: the claims change, so the token must be signed again.
NEEDS_SIGNING_KEY = frozenset({Forgery.EXPIRED, Forgery.NOT_YET_VALID, Forgery.WRONG_AUDIENCE, Forgery.WRONG_ISSUER})


class CredentialsError(Exception):
    """A token could not be obtained (the command failed, the key is unusable)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def forge_from(token: str, forgery: Forgery) -> str:
    """A refused variant of a real token that needs no key: malformed, `alg: none`, broken signature."""
    if forgery is Forgery.MALFORMED:
        return "this-is-not-a-jwt"
    header_b64, payload_b64, signature_b64 = token.split(".")
    if forgery is Forgery.ALG_NONE:
        header = {"alg": "none", "typ": "JWT"}
        return f"{_b64(json.dumps(header).encode())}.{payload_b64}."
    if forgery is Forgery.BAD_SIGNATURE:
        try:
            signature = bytearray(_unb64(signature_b64))
        except ValueError:
            signature = bytearray(32)
        if not signature:
            signature = bytearray(32)
        signature[0] ^= 0xFF
        signature[-1] ^= 0xFF
        return f"{header_b64}.{payload_b64}.{_b64(bytes(signature))}"
    raise ValueError(f"{forgery} needs the signing key")


class Credentials(ABC):
    """A source of bearer tokens for the kit."""

    #: Can it mint tokens with chosen claims (expired, wrong audience...)?
    can_forge_claims: bool = False
    #: Can it give tokens for any scope set (so "exactly the operation's scope" can be checked)?
    can_choose_scopes: bool = True
    #: Can it give tokens for a second client?
    can_choose_subject: bool = True

    @abstractmethod
    def token(self, scopes: Sequence[str], subject: str) -> str:
        """A valid token for `subject` with exactly `scopes`."""

    def forged(self, forgery: Forgery, scopes: Sequence[str], subject: str) -> str | None:
        """A token that must be refused, or None if this source cannot make it."""
        if forgery in NEEDS_SIGNING_KEY:
            return None
        return forge_from(self.token(scopes, subject), forgery)

    @property
    def description(self) -> str:
        return type(self).__name__


@dataclass
class SigningKey(Credentials):
    """Mints tokens with the implementation's own key, as its identity provider would."""

    algorithm: str
    key: str  # an HS secret, or a PEM private key for RS/ES/PS algorithms
    issuer: str
    audience: str
    key_id: str | None = None

    can_forge_claims = True

    def _mint(self, scopes: Sequence[str], subject: str, **claims: object) -> str:
        now = int(time.time())
        payload: dict[str, object] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_TTL_SECONDS,
            "scope": " ".join(scopes),
        }
        payload.update(claims)
        headers = {"kid": self.key_id} if self.key_id else None
        try:
            return jwt.encode(payload, self.key, algorithm=self.algorithm, headers=headers)
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise CredentialsError(f"cannot sign a {self.algorithm} token with the given key: {exc}") from exc

    def token(self, scopes: Sequence[str], subject: str) -> str:
        return self._mint(scopes, subject)

    def forged(self, forgery: Forgery, scopes: Sequence[str], subject: str) -> str | None:
        now = int(time.time())
        away = _SKEW_BEYOND_LEEWAY_SECONDS
        if forgery is Forgery.EXPIRED:
            return self._mint(scopes, subject, iat=now - 2 * away, nbf=now - 2 * away, exp=now - away)
        if forgery is Forgery.NOT_YET_VALID:
            return self._mint(scopes, subject, nbf=now + away, exp=now + away + TOKEN_TTL_SECONDS)
        if forgery is Forgery.WRONG_AUDIENCE:
            return self._mint(scopes, subject, aud=f"not-{self.audience}")
        if forgery is Forgery.WRONG_ISSUER:
            return self._mint(scopes, subject, iss=f"not-{self.issuer}")
        return super().forged(forgery, scopes, subject)

    @property
    def description(self) -> str:
        return (
            f"tokens minted with the {self.algorithm} signing key (issuer {self.issuer!r}, audience {self.audience!r})"
        )


@dataclass
class TokenCommand(Credentials):
    """Runs a command that prints a token; `{scopes}` and `{subject}` in it are replaced per token."""

    template: str
    timeout_seconds: float = 30.0
    _cache: dict[tuple[tuple[str, ...], str], str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.can_choose_subject = "{subject}" in self.template
        self.can_choose_scopes = "{scopes}" in self.template

    def token(self, scopes: Sequence[str], subject: str) -> str:
        key = (tuple(scopes), subject)
        if key not in self._cache:
            for value in (*scopes, subject):
                if not value or not set(value) <= _SAFE_ARGUMENT:
                    raise CredentialsError(f"{value!r} cannot be passed safely to the token command")
            command = self.template.replace("{scopes}", " ".join(scopes)).replace("{subject}", subject)
            try:
                done = subprocess.run(
                    shlex.split(command), capture_output=True, text=True, timeout=self.timeout_seconds, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise CredentialsError(f"the token command could not run: {exc}") from exc
            token = done.stdout.strip()
            if done.returncode != 0 or not token or token.count(".") != 2:
                detail = done.stderr.strip().splitlines()[-1:] or ["no output"]
                raise CredentialsError(f"the token command exited {done.returncode} without a JWT: {detail[0]}")
            self._cache[key] = token
        return self._cache[key]

    @property
    def description(self) -> str:
        return f"tokens from the command {self.template!r}"


@dataclass
class FixedToken(Credentials):
    """One token for every request: only what an all-scope single caller can check runs."""

    value: str

    can_choose_scopes = False
    can_choose_subject = False

    def token(self, scopes: Sequence[str], subject: str) -> str:
        return self.value

    @property
    def description(self) -> str:
        return "one fixed token (per-scope, second-client and forged-claim checks are skipped)"
