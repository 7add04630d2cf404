"""KIT-3xx: HTTP semantics the contract declares: Location, ETag and If-Match, cursor pages, filters, problems."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from contractkit.kit.calls import Call, Reply
from contractkit.kit.checks.registry import GENERIC
from contractkit.kit.context import KitContext, checklist
from contractkit.kit.pages import Collection, walk
from contractkit.kit.promises import Category, Skipped, promise
from contractkit.operations import Operation, Parameter

_TEMPLATE_PARAM = re.compile(r"\{([^}]+)\}")


def _path_pattern(template: str) -> re.Pattern[str]:
    parts = _TEMPLATE_PARAM.split(template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


def read_call(ctx: KitContext, path: str) -> Call | None:
    """A GET of a concrete path, to the contract's operation whose template matches it."""
    for op in ctx.facts.operations.values():
        if op.method != "GET":
            continue
        match = _path_pattern(op.path).match(path)
        if match:
            return Call(operation=op, path_params={k: unquote(v) for k, v in match.groupdict().items()})
    return None


def resource_read(ctx: KitContext, op: Operation, path_params: dict[str, str]) -> Call | None:
    """The GET of the resource an operation acts on: the same path, or the path without its last segment."""
    path = Call(operation=op, path_params=path_params).path
    while path:
        found = read_call(ctx, path)
        if found is not None and found.operation.operation_id != op.operation_id:
            return found
        path = path.rsplit("/", 1)[0]
    return None


@promise(GENERIC, "KIT-301", "MUST", Category.HTTP, "A 201 carries a `Location` that reads back the created resource.")
async def location(ctx: KitContext) -> None:
    creating = [op for op in ctx.facts.operations.values() if "location" in op.response_headers(201)]
    if not creating:
        raise Skipped("no operation documents a Location header on 201")
    found = checklist()
    for op in creating:
        reply = await ctx.send(await ctx.service.valid_call(ctx, op.operation_id))
        if not found.check(reply.status == 201, f"{reply.describe()}: a valid request must be answered 201"):
            continue
        where = reply.header("location")
        if not found.check(bool(where), f"{reply.describe()}: 201 without Location"):
            continue
        assert where is not None
        read = read_call(ctx, urlsplit(where).path)
        if not found.check(read is not None, f"{reply.describe()}: Location {where!r} names no readable path"):
            continue
        assert read is not None
        back = await ctx.send(read)
        created, fetched = reply.json(), back.json()
        found.check(
            back.status == 200
            and isinstance(fetched, dict)
            and isinstance(created, dict)
            and fetched.get("id") == created.get("id"),
            f"{back.describe()}: the Location of {reply.describe()} does not read back the created resource",
        )


async def _etag(ctx: KitContext, read: Call) -> str | None:
    reply = await ctx.send(read)
    return reply.header("etag") if reply.status == 200 else None


@promise(
    GENERIC,
    "KIT-302",
    "MUST",
    Category.HTTP,
    "A change needs `If-Match`: the current ETag applies it and returns a new ETag, a stale one is 412 "
    "PRECONDITION_FAILED and a missing one 428 PRECONDITION_REQUIRED, both changing nothing.",
)
async def conditional_changes(ctx: KitContext) -> None:
    conditional = [op for op in ctx.facts.operations.values() if op.requires_header("If-Match")]
    if not conditional:
        raise Skipped("no operation requires If-Match")
    found = checklist()
    for op in conditional:
        call = await ctx.service.valid_call(ctx, op.operation_id)
        read = resource_read(ctx, op, call.path_params)
        if not found.check(read is not None, f"{op.operation_id}: no GET reads the resource it changes"):
            continue
        assert read is not None
        before = await _etag(ctx, read)
        if not found.check(before is not None, f"{read.describe()}: no ETag on the resource"):
            continue
        assert before is not None
        missing = await ctx.send(call.without_header("If-Match"))
        found.check(
            (missing.status, missing.code) == (428, "PRECONDITION_REQUIRED"),
            f"{missing.describe()}: a change without If-Match must be 428 PRECONDITION_REQUIRED",
        )
        found.check(await _etag(ctx, read) == before, f"{missing.describe()}: a refused change changed the ETag")
        applied = await ctx.send(call.with_headers(If_Match=before))
        if not found.check(applied.ok, f"{applied.describe()}: a change with the current ETag was refused"):
            continue
        after = applied.header("etag")
        found.check(
            after is not None and after != before,
            f"{applied.describe()}: a change must answer a new ETag (was {before}, got {after})",
        )
        found.check(await _etag(ctx, read) == after, f"{read.describe()}: the ETag read back is not the change's")
        stale = await ctx.send(call.with_headers(If_Match=before))
        found.check(
            (stale.status, stale.code) == (412, "PRECONDITION_FAILED"),
            f"{stale.describe()}: a change with the stale ETag {before} must be 412 PRECONDITION_FAILED",
        )
        found.check(await _etag(ctx, read) == after, f"{stale.describe()}: a refused change changed the ETag")


async def _collection(ctx: KitContext, op: Operation) -> Collection | None:
    key = f"collection:{op.operation_id}"
    if key not in ctx.cache:
        ctx.cache[key] = await ctx.service.collection(ctx, op.operation_id)
    collection: Collection | None = ctx.cache[key]
    return collection


def _lists(ctx: KitContext) -> list[Operation]:
    lists = [op for op in ctx.facts.operations.values() if op.is_list]
    if not lists:
        raise Skipped("no operation returns cursor pages (limit and cursor)")
    return lists


@promise(
    GENERIC,
    "KIT-303",
    "MUST",
    Category.HTTP,
    "A full walk of cursor pages returns every item exactly once, even while items are being created.",
)
async def page_walk(ctx: KitContext) -> None:
    found = checklist()
    walked = 0
    for op in _lists(ctx):
        collection = await _collection(ctx, op)
        if collection is None:
            continue
        walked += 1
        known = collection.expected()
        result = await walk(ctx, collection, limit=2, create_while_walking=3, stop_when_seen=known)
        seen = result.ids
        label = op.operation_id
        found.check(len(seen) == len(set(seen)), f"{label}: the walk returned an item twice: {_repeated(seen)}")
        for item_id in known:
            found.check(seen.count(item_id) == 1, f"{label}: item {item_id} appeared {seen.count(item_id)} times")
        for item_id in result.added:
            found.check(seen.count(item_id) <= 1, f"{label}: item {item_id} created during the walk repeated")
        if collection.exclusive:
            strangers = sorted(set(seen) - set(known) - set(result.added))
            found.check(not strangers, f"{label}: the walk returned items outside its scope: {strangers[:5]}")
        found.check(result.pages_within_limit, f"{label}: a page held more items than `limit` asked for")
    if not walked:
        raise Skipped("the service module narrows no list to kit-made items")


def _repeated(ids: list[str]) -> list[str]:
    return sorted({item for item in ids if ids.count(item) > 1})[:5]


def _filter_values(param: Parameter, collection: Collection) -> list[Any]:
    values = list(param.schema.get("enum", ()))
    prop = param.filter_property or param.name
    for item in collection.items:
        if item.get(prop) is not None and item.get(prop) not in values:
            values.append(item.get(prop))
    return values


@promise(
    GENERIC,
    "KIT-304",
    "MUST",
    Category.HTTP,
    "Every documented filter of a list returns exactly the items that match it.",
)
async def filters(ctx: KitContext) -> None:
    found = checklist()
    checked = 0
    for op in _lists(ctx):
        collection = await _collection(ctx, op)
        if collection is None or not op.filters:
            continue
        for param in op.filters:
            if param.location != "query" or param.name in collection.call.path_params:
                continue
            prop = param.filter_property or param.name
            values = _filter_values(param, collection)
            distinct = {item.get(prop) for item in collection.items}
            if len(distinct) < 2 and not collection.exclusive:
                found.fail(f"{op.operation_id}: the kit made no items that tell the {param.name} filter apart")
                continue
            for value in values:
                checked += 1
                scope = {k: v for k, v in collection.call.query.items() if k != param.name}
                expected = [
                    item[collection.id_property]
                    for item in collection.items
                    if param.keeps(item.get(prop), value) and all(item.get(k) == v for k, v in scope.items())
                ]
                narrowed = Collection(
                    call=Call(
                        operation=op,
                        path_params=collection.call.path_params,
                        query={**scope, param.name: value},
                        headers=collection.call.headers,
                    ),
                    items=[],
                    id_property=collection.id_property,
                    exclusive=collection.exclusive,
                )
                result = await walk(ctx, narrowed, limit=50, stop_when_seen=expected)
                wrong = [item for item in result.items if not param.keeps(item.get(prop), value)]
                found.check(
                    not wrong,
                    f"{op.operation_id}?{param.name}={value} returned items whose {prop} does not match: "
                    f"{[(item.get(collection.id_property), item.get(prop)) for item in wrong[:3]]}",
                )
                missing = sorted(set(expected) - set(result.ids))
                found.check(
                    not missing, f"{op.operation_id}?{param.name}={value} left out matching items {missing[:3]}"
                )
    if not checked:
        raise Skipped("no list filter could be checked against kit-made items")


def _missing_id(value: str, rng: random.Random) -> str:
    """A value of the same shape as an existing id that names nothing: its tail shuffled."""
    head, tail = value[: max(len(value) - 10, 0)], list(value[max(len(value) - 10, 0) :])
    for _ in range(20):
        rng.shuffle(tail)
        if "".join(tail) != value[len(head) :]:
            break
    return head + "".join(tail)


@promise(
    GENERIC,
    "KIT-305",
    "MUST",
    Category.HTTP,
    "A request naming a resource that does not exist gets the operation's documented 404 problem, and an "
    "invalid parameter a 422 VALIDATION_FAILED whose errors point at it.",
)
async def documented_refusals(ctx: KitContext) -> None:
    found = checklist()
    rng = random.Random(ctx.options.seed)
    for op in ctx.facts.operations.values():
        if "404" in op.statuses and any(p.location == "path" for p in op.parameters):
            call = await ctx.service.valid_call(ctx, op.operation_id)
            params = {name: _missing_id(value, rng) for name, value in call.path_params.items()}
            reply = await ctx.send(Call(**{**call.__dict__, "path_params": params}))
            found.check(reply.status == 404, f"{reply.describe()}: a resource that does not exist must be 404")
        limit = op.parameter("limit", "query")
        if limit is not None and "422" in op.statuses:
            call = await ctx.service.valid_call(ctx, op.operation_id)
            invalid = _beyond(limit)
            reply = await ctx.send(Call(**{**call.__dict__, "query": {**call.query, "limit": invalid}}))
            _pointed(found, reply, "QUERY", "/limit")


def _beyond(param: Parameter) -> int:
    maximum = param.schema.get("maximum")
    return int(maximum) + 1 if isinstance(maximum, int) else -1


def _pointed(found: Any, reply: Reply, location: str, pointer: str) -> None:
    body = reply.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    pointed = isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("pointer") == pointer and e.get("location") == location for e in errors
    )
    found.check(
        (reply.status, reply.code) == (422, "VALIDATION_FAILED") and pointed,
        f"{reply.describe()}: an invalid {location.lower()} parameter must be 422 VALIDATION_FAILED with an "
        f"error at {pointer}",
    )
