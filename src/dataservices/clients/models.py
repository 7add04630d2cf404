"""The shapes every data service shares, as the clients read and send them: `Money`, `Page`, `Problem`.

`ContractModel` is the base of every client model: snake_case here, camelCase on the wire, frozen,
and tolerant of fields it does not know, so a service can add response fields without breaking its
callers (the compatible changes of DSL-703). Money is integer minor units: a float amount is refused,
never rounded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, StrictInt
from pydantic.alias_generators import to_camel

T = TypeVar("T")

# The largest integer a JSON number keeps exactly (2^53 - 1); the contracts' maximum for amounts.
MAX_AMOUNT = 9_007_199_254_740_991


def format_utc(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`, as every timestamp of the contracts is written."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# A timezone-aware timestamp that a request body sends in UTC with `Z`.
UtcDatetime = Annotated[AwareDatetime, PlainSerializer(format_utc, return_type=str, when_used="json")]


class ContractModel(BaseModel):
    """A body of a contract: camelCase aliases, frozen, unknown answer fields ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")

    def to_json(self) -> dict[str, object]:
        """The JSON body this model is sent as: camelCase names, optional fields left out when unset."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Money(ContractModel):
    """An amount in integer minor units of its currency (cents for EUR)."""

    amount: Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Page(ContractModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next page, until it is None."""

    items: tuple[T, ...]
    next_cursor: str | None


class ProblemFieldError(ContractModel):
    """One invalid part of a request, as a validation problem lists it."""

    location: str  # BODY, QUERY, PATH or HEADER
    pointer: str
    message: str


class Problem(ContractModel):
    """An RFC 9457 problem document as the data services send it."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: tuple[ProblemFieldError, ...] = ()
