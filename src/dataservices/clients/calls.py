"""Requests as values: a `Call` names the operation's method, path, query, body and headers, and how to read the answer.

A service's client module builds calls with these pieces (`path`, `query`, `parse_model`) and hands
them to `ServiceClient.call`, which adds what every request carries (token, trace context, consistency
token) and sends them. A call that is safe to repeat (`repeatable`) may be retried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel
from pydantic.alias_generators import to_camel

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

IDEMPOTENCY_HEADER = "Idempotency-Key"
# RFC 9110 §9.2.2: repeating one of these has the effect of sending it once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request to a service and how to read its successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, str | int] = field(default_factory=dict)
    body: Any = None  # sent as JSON when not None
    headers: Mapping[str, str] = field(default_factory=dict)
    # A read that must see at least this write (`Consistency-Token`), instead of the context's token.
    consistency_token: str | None = None
    # The contract makes repeating this operation harmless although its method is not idempotent
    # (e.g. a state transition that answers the resource unchanged when it is already there).
    idempotent: bool = False

    @property
    def reads(self) -> bool:
        """Whether this call reads, and so sends the consistency token it must see."""
        return self.method in READ_METHODS

    @property
    def repeatable(self) -> bool:
        """Whether sending this call twice has the effect of sending it once, so a retry is safe."""
        keyed = any(name.lower() == IDEMPOTENCY_HEADER.lower() for name in self.headers)  # header names ignore case
        return self.idempotent or self.method in IDEMPOTENT_METHODS or keyed


def path(*segments: str) -> str:
    """A path from fixed parts and values; each value is percent-encoded, so no id can change which path is called.

    `path("/v1/coupons", coupon_id, "redemptions")`: the first part is taken as it is.
    """
    first, *rest = segments
    return "/".join((first, *(quote(segment, safe="") for segment in rest)))


def query(**values: str | int | None) -> dict[str, str | int]:
    """Query parameters with camelCase names; None values are left out."""
    return {to_camel(name): value for name, value in values.items() if value is not None}


def parse_model(model: type[M]) -> Callable[[httpx.Response], M]:
    """A parser that reads the answer's body as `model`."""
    return lambda response: model.model_validate_json(response.content)


def required_header(response: httpx.Response, name: str) -> str:
    """A header the contract promises on this answer; its absence makes the answer unreadable."""
    value: str | None = response.headers.get(name)
    if value is None:
        raise ValueError(f"the answer has no {name} header")
    return value
