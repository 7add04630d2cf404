"""KIT-4xx: hostile input. Each gets a 4xx problem, never a 5xx, and leaves nothing stored.

Every bad request starts as a request that would succeed (fresh data from the service module) with one
thing broken, so a refusal can only be about that one thing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from contractkit.kit.calls import Call, Reply
from contractkit.kit.checks.registry import GENERIC
from contractkit.kit.context import KitContext, checklist
from contractkit.kit.promises import Category, Skipped, promise
from contractkit.kit.schemas import constrained, leaves, replaced, value_at
from contractkit.loading import pointer as jsonpointer
from contractkit.operations import Operation

# Sixteen times the 64 KiB the reference services accept; no body of these contracts comes near it.
OVERSIZED_BYTES = 1 << 20
# Deep enough to exhaust a recursive parser, small enough (20 KB) to pass any body-size limit.
NESTING_DEPTH = 10_000
_MARK = "\u2603kit-marker\u2603"
INT64_OVERFLOWS = (2**63, -(2**63) - 1, 10**30)
NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e400")
NUL = "\u0000"
CONTROL_CHARACTERS = (NUL, "\u0007", "\u001b")


def _with_body(ctx: KitContext) -> list[Operation]:
    operations = [op for op in ctx.facts.operations.values() if op.body_schema_pointer]
    if not operations:
        raise Skipped("no operation takes a JSON body")
    return operations


def _body_schema(ctx: KitContext, op: Operation) -> Any:
    assert op.body_schema_pointer is not None
    return jsonpointer.resolve(ctx.facts.document, jsonpointer.split(op.body_schema_pointer))


def _raw(body: Any, pointer: str, literal: str) -> bytes:
    """The body as JSON text with the value at `pointer` replaced by raw JSON text."""
    text = json.dumps(replaced(body, pointer, _MARK), ensure_ascii=False)
    return text.replace(json.dumps(_MARK, ensure_ascii=False), literal, 1).encode()


async def _refused(ctx: KitContext, valid: Call, bad: Call, what: str, statuses: tuple[int, ...] = ()) -> Reply:
    """Send `bad`; it must be a 4xx (one of `statuses` when given) and leave nothing stored."""
    reply = await ctx.send(bad)
    found = checklist()
    wanted = statuses or tuple(range(400, 500))
    expected = " or ".join(map(str, statuses)) if statuses else "a 4xx problem"
    found.check(reply.status in wanted, f"{reply.describe()}: {what} must be refused with {expected}")
    effects = await ctx.service.effects(ctx, valid)
    if effects is not None:
        found.check(effects == 0, f"{reply.describe()}: {what} was refused but {effects} stored thing(s) remain")
    return reply


async def _each_leaf(
    ctx: KitContext,
    keep: Callable[[Any, dict[str, Any]], bool],
    attempt: Callable[[Call, str, Any, dict[str, Any]], Awaitable[None]],
) -> int:
    """Run `attempt` on a fresh valid call for every body leaf `keep` selects; how many ran."""
    count = 0
    for op in _with_body(ctx):
        sample = await ctx.service.valid_call(ctx, op.operation_id)
        for pointer, value, schema in list(leaves(ctx.facts, _body_schema(ctx, op), sample.body)):
            if keep(value, schema):
                count += 1
                await attempt(await ctx.service.valid_call(ctx, op.operation_id), pointer, value, schema)
    return count


@promise(
    GENERIC,
    "KIT-401",
    "MUST",
    Category.INPUT,
    "A body of 1 MiB or more is refused with 413 CONTENT_TOO_LARGE, whether it declares its length or streams.",
)
async def oversized(ctx: KitContext) -> None:
    for op in _with_body(ctx):
        for chunked in (False, True):
            valid = await ctx.service.valid_call(ctx, op.operation_id)
            content, _ = valid.encoded_body()
            padded = b" " * OVERSIZED_BYTES + (content or b"{}")
            bad = valid.with_raw_body(padded, "application/json", chunked=chunked)
            how = "a streamed" if chunked else "a declared"
            await _refused(ctx, valid, bad, f"{how} body of {len(padded)} bytes", (413,))


@promise(GENERIC, "KIT-402", "MUST", Category.INPUT, "A deeply nested body is refused with a 4xx problem.")
async def deeply_nested(ctx: KitContext) -> None:
    for op in _with_body(ctx):
        valid = await ctx.service.valid_call(ctx, op.operation_id)
        first = next(iter(leaves(ctx.facts, _body_schema(ctx, op), valid.body)), None)
        pointer = first[0] if first else ""
        nested = "[" * NESTING_DEPTH + "]" * NESTING_DEPTH
        bad = valid.with_raw_body(_raw(valid.body, pointer, nested) if pointer else nested.encode(), "application/json")
        await _refused(ctx, valid, bad, f"an array nested {NESTING_DEPTH} deep")


@promise(
    GENERIC,
    "KIT-403",
    "MUST",
    Category.INPUT,
    "An integer beyond int64 in any integer field is refused with a 4xx problem.",
)
async def huge_integers(ctx: KitContext) -> None:
    async def attempt(valid: Call, pointer: str, value: Any, schema: dict[str, Any]) -> None:
        for huge in INT64_OVERFLOWS:
            fresh = await ctx.service.valid_call(ctx, valid.operation.operation_id)
            await _refused(ctx, fresh, fresh.with_body(replaced(fresh.body, pointer, huge)), f"{huge} at {pointer}")

    if not await _each_leaf(ctx, lambda value, _: isinstance(value, int) and not isinstance(value, bool), attempt):
        raise Skipped("no request body has an integer field")


@promise(
    GENERIC,
    "KIT-404",
    "MUST",
    Category.INPUT,
    "NaN, Infinity and numbers beyond double range are refused with a 4xx problem.",
)
async def non_finite(ctx: KitContext) -> None:
    async def attempt(valid: Call, pointer: str, value: Any, schema: dict[str, Any]) -> None:
        for literal in NON_FINITE:
            fresh = await ctx.service.valid_call(ctx, valid.operation.operation_id)
            bad = fresh.with_raw_body(_raw(fresh.body, pointer, literal), "application/json")
            await _refused(ctx, fresh, bad, f"{literal} at {pointer}")

    if not await _each_leaf(
        ctx, lambda value, _: isinstance(value, int | float) and not isinstance(value, bool), attempt
    ):
        raise Skipped("no request body has a number field")


@promise(
    GENERIC,
    "KIT-405",
    "MUST",
    Category.INPUT,
    "A control character in a free-text field is refused with a 4xx problem, or stored and returned exactly "
    "as sent; NUL (U+0000), which PostgreSQL text cannot hold, is always refused.",
)
async def control_characters(ctx: KitContext) -> None:
    found = checklist()

    async def attempt(valid: Call, pointer: str, value: Any, schema: dict[str, Any]) -> None:
        for character in CONTROL_CHARACTERS:
            fresh = await ctx.service.valid_call(ctx, valid.operation.operation_id)
            sent = value_at(fresh.body, pointer) + character
            reply = await ctx.send(fresh.with_body(replaced(fresh.body, pointer, sent)))
            if character == NUL:
                found.check(
                    400 <= reply.status < 500, f"{reply.describe()}: a NUL at {pointer} must be refused with a 4xx"
                )
            if reply.ok:
                stored = value_at(reply.json(), pointer)
                found.check(
                    stored in (None, sent),
                    f"{reply.describe()}: {character!r} at {pointer} was accepted but answered as {stored!r}",
                )
            else:
                found.check(400 <= reply.status < 500, f"{reply.describe()}: {character!r} at {pointer} must be a 4xx")
                effects = await ctx.service.effects(ctx, fresh)
                found.check(effects in (None, 0), f"{reply.describe()}: refused, yet {effects} stored")

    if not await _each_leaf(ctx, lambda value, schema: isinstance(value, str) and not constrained(schema), attempt):
        raise Skipped("no request body has a free-text field")


@promise(
    GENERIC,
    "KIT-406",
    "MUST",
    Category.INPUT,
    "A lone surrogate (`\\ud800`) in any string field is refused with a 4xx problem.",
)
async def lone_surrogates(ctx: KitContext) -> None:
    async def attempt(valid: Call, pointer: str, value: Any, schema: dict[str, Any]) -> None:
        bad = valid.with_raw_body(_raw(valid.body, pointer, '"ab\\ud800cd"'), "application/json")
        await _refused(ctx, valid, bad, f"a lone surrogate at {pointer}")

    if not await _each_leaf(ctx, lambda value, _: isinstance(value, str), attempt):
        raise Skipped("no request body has a string field")


@promise(
    GENERIC,
    "KIT-407",
    "MUST",
    Category.INPUT,
    "A value that matches an anchored pattern only before a trailing newline is refused with a 4xx problem: "
    "patterns match the whole string (ECMA-262), in bodies, queries and paths.",
)
async def trailing_newlines(ctx: KitContext) -> None:
    async def attempt(valid: Call, pointer: str, value: Any, schema: dict[str, Any]) -> None:
        bad = valid.with_body(replaced(valid.body, pointer, value + "\n"))
        await _refused(ctx, valid, bad, f"a trailing newline at {pointer}")

    count = await _each_leaf(ctx, lambda value, schema: isinstance(value, str) and constrained(schema), attempt)
    for op in ctx.facts.operations.values():
        for param in op.parameters:
            if param.location not in ("query", "path") or "pattern" not in param.schema:
                continue
            valid = await ctx.service.valid_call(ctx, op.operation_id)
            source = valid.query if param.location == "query" else valid.path_params
            if param.name not in source:
                continue
            count += 1
            changed = {**source, param.name: f"{source[param.name]}\n"}
            bad = replace(valid, query=changed) if param.location == "query" else replace(valid, path_params=changed)
            await _refused(ctx, valid, bad, f"a trailing newline in the {param.location} parameter {param.name}")
    if not count:
        raise Skipped("no field or parameter has a pattern, format or enum")


@promise(
    GENERIC,
    "KIT-408",
    "MUST",
    Category.INPUT,
    "A body in another media type, or without one, is refused with 415 UNSUPPORTED_MEDIA_TYPE.",
)
async def wrong_media_types(ctx: KitContext) -> None:
    for op in _with_body(ctx):
        for media_type in ("text/plain", "application/xml", None):
            valid = await ctx.service.valid_call(ctx, op.operation_id)
            content, _ = valid.encoded_body()
            bad = valid.with_raw_body(content or b"{}", media_type)
            await _refused(ctx, valid, bad, f"a JSON body sent as {media_type or 'no media type'}", (415,))


@promise(
    GENERIC,
    "KIT-409",
    "MUST",
    Category.INPUT,
    "A body that is not JSON (a syntax error, bytes that are not UTF-8) is refused with 400 MALFORMED_REQUEST.",
)
async def malformed_json(ctx: KitContext) -> None:
    found = checklist()
    for op in _with_body(ctx):
        for content in (b'{"unfinished": ', b'\xff\xfe{"a": 1}'):
            valid = await ctx.service.valid_call(ctx, op.operation_id)
            reply = await _refused(ctx, valid, valid.with_raw_body(content, "application/json"), f"{content!r}", (400,))
            found.check(reply.code in (None, "MALFORMED_REQUEST"), f"{reply.describe()}: must be MALFORMED_REQUEST")
