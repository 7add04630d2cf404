"""Cursor pagination by keyset: items newest first, the cursor is the last item's id.

Ids are time-ordered (see ids.py), so `id < cursor ORDER BY id DESC` walks the collection without
offsets: a page never repeats or skips an item when others are inserted meanwhile. Any cursor string
is a valid position, so a client cannot send a cursor the service fails to read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The `limit` and `cursor` of a list request."""

    limit: int
    cursor: str | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of items and the cursor of the next, if any."""

    items: list[T]
    next_cursor: str | None


def paginate(statement: Select[Any], id_column: ColumnElement[str], after_cursor: bool) -> Select[Any]:
    """Restrict a query to one page, with bound parameters `cursor` and `limit` (`page_params` fills them).

    Built once per shape of query; the page fetches one extra row to know whether another page exists.
    """
    if after_cursor:
        statement = statement.where(id_column < bindparam("cursor"))
    return statement.order_by(id_column.desc()).limit(bindparam("limit"))


def page_params(page: PageRequest) -> dict[str, Any]:
    """The bound parameters of a `paginate`d query for this page."""
    return {"cursor": page.cursor, "limit": page.limit + 1}


def page_of(rows: Sequence[T], page: PageRequest, id_of: Callable[[T], str]) -> Page[T]:
    """Cut the extra row off and turn it into the next cursor."""
    items = list(rows[: page.limit])
    next_cursor = id_of(items[-1]) if len(rows) > page.limit and items else None
    return Page(items=items, next_cursor=next_cursor)
