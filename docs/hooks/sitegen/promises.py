"""The promises of the behavioural kit, generated from its registries: one table per service.

Each promise's anchor is the one its `docs_url` names (`testing/promises/#kit-101`), so the link in a
kit report always lands on the promise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sitegen import blocks

PAGE = "testing/promises.md"


class PromiseLike(Protocol):
    """What the page needs of a promise (`contractkit.kit.Promise`)."""

    @property
    def id(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def statement(self) -> str: ...
    @property
    def category(self) -> object: ...
    @property
    def docs_url(self) -> str: ...


def promises_page(
    generic: Sequence[PromiseLike], services: Sequence[tuple[str, Sequence[PromiseLike]]], site: str
) -> str:
    """``testing/promises.md``: every promise, those of every contract first, then each service's own."""
    for promise in [*generic, *(p for _, own in services for p in own)]:
        expected = f"{site.rstrip('/')}/testing/promises/#{promise.id.lower()}"
        if promise.docs_url != expected:
            raise ValueError(f"{promise.id}: docs_url is {promise.docs_url!r}, but its row is {expected!r}")
    lines = [
        "# Promises of the behavioural kit",
        "",
        "Every promise `contractkit verify` checks after the Schemathesis phases, generated from the kit's"
        " registries at every build, so this page always lists what the kit runs. A promise has a permanent"
        " id (never reused), a level (a broken **MUST** fails the run; a broken **SHOULD** fails it unless"
        " declared an expected failure) and a category. How to run them is in"
        " [Run the kit against your implementation](run-the-kit.md).",
        "",
        "## Every contract",
        "",
        "Derived from what the contract declares (security requirements and scopes, required headers,"
        " documented statuses and `x-problem-codes`, `Location` and `ETag` headers, cursor pages and their"
        " filters, `x-state-transition`), so they apply to every service.",
        "",
        *_table(generic),
    ]
    for service, own in services:
        lines += [f"## {service}", "", "The service's own rules, which the contract states in prose.", "", *_table(own)]
    return "\n".join(lines) + "\n"


def _table(promises: Sequence[PromiseLike]) -> list[str]:
    rows = [
        (f'<span id="{p.id.lower()}"></span>**{p.id}**', p.level, str(p.category), blocks.one_line(p.statement))
        for p in promises
    ]
    return blocks.table(["promise", "level", "category", "statement"], rows)
