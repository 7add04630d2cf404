"""Promises: what the kit checks, each with a permanent id, a level and one checking function.

A promise is one RFC 2119 sentence an implementation must (or should) keep, and the async function
that checks it over HTTP. The function fails by raising `Broken` with every case it saw broken, or
steps aside with `Skipped` when it cannot judge (no credentials for it, nothing in the contract it
applies to); returning means the promise was kept.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from contractkit.kit.context import KitContext

Level = Literal["MUST", "SHOULD"]
# KIT-101 for promises of every contract, COUPON-101 for a service's own; numbers are never reused.
_PROMISE_ID = re.compile(r"^[A-Z]+-[1-9][0-9]{2}$")
DOCS_BASE = "https://dataservices.example.com/testing/promises/"


class Category(StrEnum):
    """What a promise is about; the docs and the summary group promises by it."""

    AUTH = "auth"
    IDEMPOTENCY = "idempotency"
    CONCURRENCY = "concurrency"
    STATES = "states"
    MONEY = "money"
    HTTP = "http"
    INPUT = "input"


class Broken(Exception):
    """The implementation broke the promise; `cases` says where, one line each."""

    def __init__(self, cases: Iterable[str]) -> None:
        self.cases = tuple(cases)
        super().__init__("; ".join(self.cases))


class Skipped(Exception):
    """The promise could not be judged here; the reason says why (never a pass, never a failure)."""


CheckFn = Callable[["KitContext"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Promise:
    """One promise of the kit."""

    id: str
    level: Level
    category: Category
    statement: str
    check: CheckFn
    # Runs beside the others from the start of the run: it waits for time to pass (a hold expiring),
    # or drives a long sequence of its own on data no other promise touches.
    background: bool = False

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}#{self.id.lower()}"


class PromiseRegistry:
    """Promises by id, refusing malformed and duplicate ids."""

    def __init__(self) -> None:
        self._promises: dict[str, Promise] = {}

    def add(self, promise: Promise) -> Promise:
        if not _PROMISE_ID.match(promise.id):
            raise ValueError(f"promise id {promise.id!r} must look like KIT-101")
        if promise.id in self._promises:
            raise ValueError(f"promise {promise.id} is registered twice")
        self._promises[promise.id] = promise
        return promise

    def __iter__(self) -> Iterator[Promise]:
        return iter(sorted(self._promises.values(), key=lambda promise: promise.id))

    def __len__(self) -> int:
        return len(self._promises)

    def get(self, promise_id: str) -> Promise | None:
        return self._promises.get(promise_id)


def promise(
    registry: PromiseRegistry, id: str, level: Level, category: Category, statement: str, *, background: bool = False
) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check of a promise."""

    def register(check: CheckFn) -> CheckFn:
        found = Promise(id=id, level=level, category=category, statement=statement, check=check, background=background)
        registry.add(found)
        return check

    return register
