"""KIT-2xx: `Idempotency-Key`, on every operation that requires it (brief §4, the IETF draft's rules)."""

from __future__ import annotations

from contractkit.kit.calls import Call, Reply
from contractkit.kit.checks.registry import GENERIC
from contractkit.kit.context import Auth, KitContext, checklist
from contractkit.kit.promises import Category, Skipped, promise
from contractkit.operations import Operation

KEY = "Idempotency-Key"
REPLAYED = "idempotent-replayed"
# Copies of one request sent at once, and how many keys get such a burst: duplicates only show when
# they overlap the first request's work, which a fast server finishes within a few milliseconds.
SAME_KEY_BURST = 50
SAME_KEY_ROUNDS = 5


def _idempotent(ctx: KitContext) -> list[Operation]:
    operations = [op for op in ctx.facts.operations.values() if op.requires_header(KEY)]
    if not operations:
        raise Skipped(f"no operation of the contract requires {KEY}")
    return operations


async def _fresh(ctx: KitContext, op: Operation) -> Call:
    call = await ctx.service.valid_call(ctx, op.operation_id)
    return call.with_headers(**{KEY: ctx.unique("kit-key-")})


def _replayed(reply: Reply) -> bool:
    return (reply.header(REPLAYED) or "").lower() == "true"


async def _effects_are(ctx: KitContext, call: Call, expected: int, why: str) -> None:
    effects = await ctx.service.effects(ctx, call)
    if effects is not None:
        checklist().check(effects == expected, f"{call.describe()}: {why}: found {effects} stored, expected {expected}")


@promise(
    GENERIC,
    "KIT-201",
    "MUST",
    Category.IDEMPOTENCY,
    "A retry with the same key and body returns the stored answer, marked `Idempotent-Replayed: true`, "
    "and runs the work once.",
)
async def replay(ctx: KitContext) -> None:
    found = checklist()
    for op in _idempotent(ctx):
        call = await _fresh(ctx, op)
        first = await ctx.send(call)
        if not found.check(first.ok, f"{first.describe()}: a valid request was refused"):
            continue
        found.check(not _replayed(first), f"{first.describe()}: the first answer is marked as a replay")
        again = await ctx.send(call)
        found.check(
            (again.status, again.json()) == (first.status, first.json()),
            f"{again.describe()}: the retry's answer differs from the first ({first.status} {first.content[:200]!r} "
            f"then {again.status} {again.content[:200]!r})",
        )
        found.check(_replayed(again), f"{again.describe()}: the retry is not marked Idempotent-Replayed: true")
        found.check(
            again.header("location") == first.header("location"),
            f"{again.describe()}: the retry's Location differs from the first",
        )
        await _effects_are(ctx, call, 1, "a retry ran the work again")


@promise(
    GENERIC,
    "KIT-202",
    "MUST",
    Category.IDEMPOTENCY,
    "The same key with a different body is refused with 422 IDEMPOTENCY_KEY_REUSED and changes nothing.",
)
async def reused_key(ctx: KitContext) -> None:
    found = checklist()
    for op in _idempotent(ctx):
        first_call = await _fresh(ctx, op)
        first = await ctx.send(first_call)
        if not found.check(first.ok, f"{first.describe()}: a valid request was refused"):
            continue
        other = (await ctx.service.valid_call(ctx, op.operation_id)).with_headers(**{KEY: first_call.headers[KEY]})
        reply = await ctx.send(other)
        found.check(
            (reply.status, reply.code) == (422, "IDEMPOTENCY_KEY_REUSED"),
            f"{reply.describe()}: a different body under a used key must be 422 IDEMPOTENCY_KEY_REUSED",
        )
        await _effects_are(ctx, other, 0, "a refused reuse of a key stored work")


@promise(
    GENERIC,
    "KIT-203",
    "MUST",
    Category.IDEMPOTENCY,
    "A burst of one key runs the work once: one answer is fresh, every other is an identical replay or a "
    "409 IDEMPOTENCY_KEY_IN_USE.",
)
async def burst(ctx: KitContext) -> None:
    found = checklist()
    for op in [op for op in _idempotent(ctx) for _ in range(SAME_KEY_ROUNDS)]:
        call = await _fresh(ctx, op)
        replies = await ctx.send_all([(call, Auth())] * min(SAME_KEY_BURST, ctx.options.burst))
        answered = [reply for reply in replies if reply.ok]
        fresh = [reply for reply in answered if not _replayed(reply)]
        found.check(
            len(fresh) == 1,
            f"{call.describe()}: {len(fresh)} of {len(replies)} simultaneous requests with one key ran fresh; "
            "exactly one must",
        )
        bodies = {reply.content for reply in answered}
        found.check(len(bodies) <= 1, f"{call.describe()}: the successful answers to one key differ")
        for reply in replies:
            if not reply.ok and not reply.indeterminate:
                found.check(
                    (reply.status, reply.code) == (409, "IDEMPOTENCY_KEY_IN_USE"),
                    f"{reply.describe()}: a request overlapping its key must be replayed or 409 IDEMPOTENCY_KEY_IN_USE",
                )
        after = await ctx.send(call)
        if fresh:
            found.check(
                _replayed(after) and after.content == fresh[0].content,
                f"{after.describe()}: a retry after the burst is not a replay of the one answer",
            )
        await _effects_are(ctx, call, 1, "one key ran its work more than once")


@promise(
    GENERIC,
    "KIT-204",
    "MUST",
    Category.IDEMPOTENCY,
    "Keys are scoped to the calling client: another client's key of the same value is a new request.",
)
async def scoped_to_client(ctx: KitContext) -> None:
    if not ctx.credentials.can_choose_subject:
        raise Skipped("checking key scoping needs tokens for a second client")
    found = checklist()
    for op in _idempotent(ctx):
        mine = await _fresh(ctx, op)
        first = await ctx.send(mine)
        if not found.check(first.ok, f"{first.describe()}: a valid request was refused"):
            continue
        theirs = (await ctx.service.valid_call(ctx, op.operation_id)).with_headers(**{KEY: mine.headers[KEY]})
        reply = await ctx.send(theirs, Auth(client="alt"))
        found.check(
            reply.ok and not _replayed(reply) and reply.content != first.content,
            f"{reply.describe()}: another client's request under the same key value must run as its own "
            f"(got {reply.status}, replayed={_replayed(reply)})",
        )
        await _effects_are(ctx, theirs, 1, "another client's request under a used key value")


@promise(
    GENERIC,
    "KIT-205",
    "MUST",
    Category.IDEMPOTENCY,
    "A request without `Idempotency-Key` is refused with 400 IDEMPOTENCY_KEY_REQUIRED and changes nothing.",
)
async def missing_key(ctx: KitContext) -> None:
    found = checklist()
    for op in _idempotent(ctx):
        call = (await _fresh(ctx, op)).without_header(KEY)
        reply = await ctx.send(call)
        found.check(
            (reply.status, reply.code) == (400, "IDEMPOTENCY_KEY_REQUIRED"),
            f"{reply.describe()}: a request without {KEY} must be 400 IDEMPOTENCY_KEY_REQUIRED",
        )
        await _effects_are(ctx, call, 0, "a request without a key stored work")
