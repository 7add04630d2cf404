"""KIT-1xx: the auth matrix. Every secured operation, every kind of bad token, and the exact scope.

Each operation is called with a request that would succeed with the right token, so the only thing
wrong is the token: an implementation cannot pass by refusing the request for another reason.
"""

from __future__ import annotations

import re

from contractkit.kit.calls import Call
from contractkit.kit.checks.registry import GENERIC
from contractkit.kit.context import Auth, KitContext, bearer, checklist
from contractkit.kit.credentials import NEEDS_SIGNING_KEY, Forgery
from contractkit.kit.promises import Category, Skipped, promise
from contractkit.operations import Operation

_ERROR = re.compile(r'error="([^"]*)"')


async def _secured(ctx: KitContext) -> list[tuple[Operation, Call]]:
    """One would-succeed call per secured operation, made once and shared by the refusal checks."""
    if "auth-calls" not in ctx.cache:
        operations = [op for op in ctx.facts.operations.values() if op.authenticated]
        if not operations:
            raise Skipped("the contract secures no operation")
        ctx.cache["auth-calls"] = [(op, await ctx.service.valid_call(ctx, op.operation_id)) for op in operations]
    calls: list[tuple[Operation, Call]] = ctx.cache["auth-calls"]
    return calls


def _challenge_error(challenge: str | None) -> str | None:
    found = _ERROR.search(challenge or "")
    return found.group(1) if found else None


async def _refused(ctx: KitContext, what: str, forgery: Forgery | None) -> None:
    """Send every secured call with a bad token (or none); each must be a 401 with its challenge."""
    if forgery in NEEDS_SIGNING_KEY and not ctx.credentials.can_forge_claims:
        raise Skipped(f"a {forgery} token needs the implementation's signing key (--jwt-secret or --jwt-private-key)")
    found = checklist()
    for op, call in await _secured(ctx):
        if forgery is None:
            auth = Auth(anonymous=True)
        else:
            token = ctx.credentials.forged(forgery, op.scopes, ctx.subject())
            if token is None:
                raise Skipped(f"the credentials cannot make a {forgery} token")
            auth = bearer(token)
        reply = await ctx.send(call, auth)
        if not found.check(reply.status == 401, f"{reply.describe()}: {what} must be answered 401"):
            continue
        challenge = reply.header("www-authenticate")
        if forgery is not None:
            found.check(
                _challenge_error(challenge) == "invalid_token",
                f'{reply.describe()}: the challenge for {what} must say error="invalid_token" (RFC 6750), '
                f"got {challenge!r}",
            )


@promise(
    GENERIC,
    "KIT-101",
    "MUST",
    Category.AUTH,
    "Every secured operation answers a request without a token with a 401 problem and a Bearer challenge.",
)
async def no_token(ctx: KitContext) -> None:
    await _refused(ctx, "a request without a token", None)


@promise(
    GENERIC,
    "KIT-102",
    "MUST",
    Category.AUTH,
    'Every secured operation refuses a malformed token with 401 and error="invalid_token".',
)
async def malformed_token(ctx: KitContext) -> None:
    await _refused(ctx, "a malformed token", Forgery.MALFORMED)


@promise(
    GENERIC,
    "KIT-103",
    "MUST",
    Category.AUTH,
    "Every secured operation refuses an unsigned token (`alg: none`) with 401.",
)
async def unsigned_token(ctx: KitContext) -> None:
    await _refused(ctx, "a token with alg none", Forgery.ALG_NONE)


@promise(
    GENERIC,
    "KIT-104",
    "MUST",
    Category.AUTH,
    "Every secured operation refuses a token whose signature does not verify with 401.",
)
async def bad_signature(ctx: KitContext) -> None:
    await _refused(ctx, "a token with a wrong signature", Forgery.BAD_SIGNATURE)


@promise(GENERIC, "KIT-105", "MUST", Category.AUTH, "Every secured operation refuses an expired token with 401.")
async def expired_token(ctx: KitContext) -> None:
    await _refused(ctx, "an expired token", Forgery.EXPIRED)


@promise(
    GENERIC,
    "KIT-106",
    "MUST",
    Category.AUTH,
    "Every secured operation refuses a token that is not valid yet (`nbf` in the future) with 401.",
)
async def future_token(ctx: KitContext) -> None:
    await _refused(ctx, "a token that is not valid yet", Forgery.NOT_YET_VALID)


@promise(
    GENERIC,
    "KIT-107",
    "MUST",
    Category.AUTH,
    "Every secured operation refuses a token issued for another audience with 401.",
)
async def wrong_audience(ctx: KitContext) -> None:
    await _refused(ctx, "a token for another audience", Forgery.WRONG_AUDIENCE)


@promise(
    GENERIC, "KIT-108", "MUST", Category.AUTH, "Every secured operation refuses a token from another issuer with 401."
)
async def wrong_issuer(ctx: KitContext) -> None:
    await _refused(ctx, "a token from another issuer", Forgery.WRONG_ISSUER)


@promise(
    GENERIC,
    "KIT-109",
    "MUST",
    Category.AUTH,
    'A valid token without the operation\'s scope gets a 403 problem with error="insufficient_scope".',
)
async def missing_scope(ctx: KitContext) -> None:
    if not ctx.credentials.can_choose_scopes:
        raise Skipped("the credentials give one token for every scope; tokens per scope are needed")
    found = checklist()
    every_scope = ctx.facts.scopes
    for op, call in await _secured(ctx):
        others = tuple(scope for scope in every_scope if scope not in op.scopes)
        reply = await ctx.send(call, Auth(scopes=others))
        if found.check(reply.status == 403, f"{reply.describe()}: a token with only {others} must be answered 403"):
            challenge = reply.header("www-authenticate")
            found.check(
                _challenge_error(challenge) == "insufficient_scope",
                f'{reply.describe()}: the challenge must say error="insufficient_scope", got {challenge!r}',
            )


@promise(GENERIC, "KIT-110", "MUST", Category.AUTH, "A valid token with exactly the operation's scope is accepted.")
async def exact_scope(ctx: KitContext) -> None:
    if not ctx.credentials.can_choose_scopes:
        raise Skipped("the credentials give one token for every scope; tokens per scope are needed")
    found = checklist()
    for op in [op for op in ctx.facts.operations.values() if op.authenticated]:
        call = await ctx.service.valid_call(ctx, op.operation_id)
        reply = await ctx.send(call, Auth(scopes=op.scopes))
        found.check(reply.ok, f"{reply.describe()}: a token with exactly {' '.join(op.scopes)} must be accepted")


@promise(
    GENERIC,
    "KIT-111",
    "SHOULD",
    Category.AUTH,
    "Authentication comes before validation: an invalid request without a token is answered 401, so a "
    "caller without a token learns nothing about what the operation accepts.",
)
async def authentication_first(ctx: KitContext) -> None:
    found = checklist()
    checked = 0
    for op, call in await _secured(ctx):
        if not op.body_schema_pointer:
            continue
        checked += 1
        reply = await ctx.send(call.with_body({"not-a-field": True}), Auth(anonymous=True))
        found.check(reply.status == 401, f"{reply.describe()}: an invalid body without a token must be 401 first")
    if not checked:
        raise Skipped("no secured operation takes a JSON body")
