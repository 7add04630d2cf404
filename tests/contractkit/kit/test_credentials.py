"""Token sources of the kit: minted tokens verify as an implementation would verify them; forgeries do not."""

from __future__ import annotations

import sys
import time

import jwt
import pytest

from contractkit.kit.credentials import CredentialsError, FixedToken, Forgery, SigningKey, TokenCommand

KEY = SigningKey(algorithm="HS256", key="a-secret-of-at-least-thirty-two-bytes", issuer="idp", audience="services")


def _claims(token: str, **options: bool) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(
        token, KEY.key, algorithms=["HS256"], audience="services", issuer="idp", options=options
    )
    return claims


def test_a_minted_token_carries_exactly_the_scopes_and_the_subject() -> None:
    claims = _claims(KEY.token(("coupon:read", "coupon:redeem"), "kit-abc-main"))
    assert claims["scope"] == "coupon:read coupon:redeem"
    assert claims["sub"] == "kit-abc-main"
    assert int(str(claims["exp"])) > time.time()


@pytest.mark.parametrize(
    ("forgery", "error"),
    [
        (Forgery.EXPIRED, jwt.ExpiredSignatureError),
        (Forgery.NOT_YET_VALID, jwt.ImmatureSignatureError),
        (Forgery.WRONG_AUDIENCE, jwt.InvalidAudienceError),
        (Forgery.WRONG_ISSUER, jwt.InvalidIssuerError),
        (Forgery.BAD_SIGNATURE, jwt.InvalidSignatureError),
        (Forgery.ALG_NONE, jwt.InvalidAlgorithmError),
        (Forgery.MALFORMED, jwt.DecodeError),
    ],
)
def test_each_forgery_is_refused_for_its_own_reason(forgery: Forgery, error: type[Exception]) -> None:
    token = KEY.forged(forgery, ("coupon:read",), "kit-abc-main")
    assert token is not None
    with pytest.raises(error):
        # A leeway of 30 s, as the reference services allow: the forged claims lie far beyond it.
        jwt.decode(token, KEY.key, algorithms=["HS256"], audience="services", issuer="idp", leeway=30)


def test_a_token_command_gets_tokens_per_scope_and_subject_and_cannot_forge_claims() -> None:
    script = "import sys; print('h.' + '-'.join(sys.argv[1:]) + '.s')"
    command = TokenCommand(f'{sys.executable} -c "{script}" {{subject}} {{scopes}}')
    assert command.token(("coupon:read", "coupon:write"), "kit-x-alt") == "h.kit-x-alt-coupon:read-coupon:write.s"
    assert command.can_choose_subject
    assert command.can_choose_scopes
    assert not command.can_forge_claims
    assert command.forged(Forgery.EXPIRED, ("coupon:read",), "kit-x-main") is None
    assert command.forged(Forgery.BAD_SIGNATURE, ("coupon:read",), "kit-x-main") != command.token(
        ("coupon:read",), "kit-x-main"
    )


def test_a_failing_token_command_is_an_error_that_says_so() -> None:
    command = TokenCommand(f'{sys.executable} -c "import sys; sys.exit(3)" {{scopes}}')
    with pytest.raises(CredentialsError, match="exited 3"):
        command.token(("coupon:read",), "kit-x-main")


def test_values_that_could_inject_into_the_command_are_refused() -> None:
    command = TokenCommand("echo {scopes}")
    with pytest.raises(CredentialsError, match="safely"):
        command.token(("coupon:read; rm -rf /",), "kit-x-main")


def test_one_fixed_token_can_neither_choose_scopes_nor_clients() -> None:
    fixed = FixedToken(KEY.token(("coupon:read",), "someone"))
    assert not (fixed.can_choose_scopes)
    assert not (fixed.can_choose_subject)
    assert not (fixed.can_forge_claims)
    assert fixed.token(("anything",), "anyone") == fixed.value
