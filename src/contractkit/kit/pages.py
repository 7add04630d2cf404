"""Walking cursor pages the way a client does, bounded so a cursor that loops cannot hang the kit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from contractkit.kit.calls import Call
from contractkit.kit.context import KitContext, checklist

# More pages than any kit-made collection needs at two items a page; past it the cursor loops.
MAX_PAGES = 500


@dataclass
class Collection:
    """A list operation narrowed to data the kit made, and the kit-made items expected in it."""

    call: Call  # the list call with its scope (path parameters, query); checks add limit and cursor
    # Kit-made items, as the implementation last returned them; some may lie outside the scope's query
    # filters, so that each filter has items to tell apart.
    items: list[dict[str, Any]]
    # Makes one more item in the scope (used to create items while a walk is under way).
    add: Callable[[], Awaitable[dict[str, Any]]] | None = None
    id_property: str = "id"
    # True when the scope holds only kit-made items (then every item must be one of `items`).
    exclusive: bool = True

    def expected(self, query: dict[str, Any] | None = None) -> list[str]:
        """Ids of the kit-made items a list with `query` (the scope's by default) must return."""
        wanted = self.call.query if query is None else query
        return [
            str(item[self.id_property])
            for item in self.items
            if all(item.get(name) == value for name, value in wanted.items())
        ]


@dataclass
class WalkResult:
    """What a walk saw: item ids in order (repeats kept), the items, and those created meanwhile."""

    ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    pages_within_limit: bool = True
    complete: bool = False


async def walk(
    ctx: KitContext,
    collection: Collection,
    *,
    limit: int,
    create_while_walking: int = 0,
    stop_when_seen: Sequence[str] | None = None,
) -> WalkResult:
    """Follow `nextCursor` from the first page to the last.

    A collection that is not exclusive to kit-made items (a list of every coupon) is walked only
    until every id in `stop_when_seen` has shown up: lists are newest first and the kit's items are
    new, so that is a few pages, whatever else the deployment holds.
    """
    result = WalkResult()
    found = checklist()
    cursor: str | None = None
    wanted = set(stop_when_seen or ())
    for page_number in range(MAX_PAGES):
        query: dict[str, Any] = {**collection.call.query, "limit": limit}
        if cursor is not None:
            query["cursor"] = cursor
        reply = await ctx.send(replace(collection.call, query=query))
        body = reply.json()
        if reply.status != 200 or not isinstance(body, dict) or not isinstance(body.get("items"), list):
            found.fail(f"{reply.describe()}: a page of the walk could not be read")
            return result
        items = [item for item in body["items"] if isinstance(item, dict)]
        if len(items) > limit:
            result.pages_within_limit = False
        result.items.extend(items)
        result.ids.extend(str(item.get(collection.id_property)) for item in items)
        if page_number < create_while_walking and collection.add is not None:
            made = await collection.add()
            result.added.append(str(made[collection.id_property]))
        cursor = body.get("nextCursor")
        if cursor is None:
            result.complete = True
            return result
        if not collection.exclusive and wanted <= set(result.ids):
            return result
    found.fail(f"{collection.call.describe()}: the walk did not end after {MAX_PAGES} pages of {limit}")
    return result
