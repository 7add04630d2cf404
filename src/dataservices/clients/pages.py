"""Walking a cursor-paged list: every item of every page, each page fetched when the walk reaches it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from dataservices.clients.errors import CallFailed
from dataservices.clients.models import Page

T = TypeVar("T")


async def walk_pages(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """Yield the items of `fetch(None)`, then of `fetch(next_cursor)`, until a page has no next cursor.

    A service that answers a cursor with the same cursor would loop forever; the walk stops with an error.
    """
    cursor: str | None = None
    while True:
        page = await fetch(cursor)
        for item in page.items:
            yield item
        if page.next_cursor is None:
            return
        if page.next_cursor == cursor:
            raise CallFailed(f"the service answered cursor {cursor!r} with the same cursor")
        cursor = page.next_cursor
