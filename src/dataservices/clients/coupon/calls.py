"""Requests to the coupon service, built once for both clients, and the handling of their answers.

Each operation is a function that returns a `Call`: method, path, query, body, headers and the parser
of a successful answer. `ClientCore` turns a call into an `httpx.Request`, adding the consistency
token to reads, and turns the answer into a result or a `CouponServiceError`. The blocking and the
asyncio client differ only in how they send.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from dataservices.clients.coupon.errors import REPLAY_HEADER, UnexpectedResponse, error_from_response
from dataservices.clients.coupon.models import (
    Coupon,
    CouponStatus,
    Money,
    NewCoupon,
    Page,
    Problem,
    Quote,
    Redeemed,
    Redemption,
    RedemptionStatus,
    VersionedCoupon,
    format_utc,
)

T = TypeVar("T")
# A function returning a current bearer token (e.g. a cached client-credentials token); called per request,
# so it must be cheap.
TokenProvider = Callable[[], str]
CONSISTENCY_HEADER = "Consistency-Token"
USER_AGENT = "dataservices-coupon-client/1"
# Payment answers its own caller synchronously: a coupon call slower than this is better failed and retried.
DEFAULT_TIMEOUT_SECONDS = 5.0


class BearerAuth(httpx.Auth):
    """Adds the bearer token to every request; a provider is asked each time, so tokens can rotate."""

    def __init__(self, token: str | TokenProvider) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._token() if callable(self._token) else self._token
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request and how to read its successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, str | int] = field(default_factory=dict)
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    reads: bool = False  # a read sends the consistency token, so it sees the caller's own writes
    consistency_token: str | None = None  # the caller's token for this read, instead of the remembered one


def _segment(value: str) -> str:
    # Ids are opaque strings: percent-encode them so no value can change which path is called.
    return quote(value, safe="")


def _headers(traceparent: str | None, **extra: str) -> dict[str, str]:
    headers = {name.replace("_", "-").title(): value for name, value in extra.items()}
    if traceparent is not None:
        headers["traceparent"] = traceparent
    return headers


def _query(**values: str | int | None) -> dict[str, str | int]:
    return {to_camel(name): value for name, value in values.items() if value is not None}


def _model(model: type[BaseModel]) -> Callable[[httpx.Response], Any]:
    return lambda response: model.model_validate_json(response.content)


def _versioned(response: httpx.Response) -> VersionedCoupon:
    etag = response.headers.get("ETag")
    if etag is None:
        raise ValueError("the answer has no ETag header")
    return VersionedCoupon(coupon=Coupon.model_validate_json(response.content), etag=etag)


def _redeemed(response: httpx.Response) -> Redeemed:
    redemption = Redemption.model_validate_json(response.content)
    return Redeemed(redemption=redemption, replayed=response.headers.get(REPLAY_HEADER) == "true")


def coupon_path(coupon_id: str, *rest: str) -> str:
    return "/".join(("/v1/coupons", _segment(coupon_id), *rest))


def create_coupon(coupon: NewCoupon, traceparent: str | None) -> Call[VersionedCoupon]:
    body = coupon.model_dump(mode="json", by_alias=True, exclude_none=True)
    return Call("POST", "/v1/coupons", _versioned, body=body, headers=_headers(traceparent))


def get_coupon(coupon_id: str, consistency_token: str | None, traceparent: str | None) -> Call[VersionedCoupon]:
    headers = _headers(traceparent)
    return Call(
        "GET", coupon_path(coupon_id), _versioned, headers=headers, reads=True, consistency_token=consistency_token
    )


def list_coupons(
    *,
    status: CouponStatus | None,
    code: str | None,
    limit: int | None,
    cursor: str | None,
    consistency_token: str | None,
    traceparent: str | None,
) -> Call[Page[Coupon]]:
    params = _query(status=status, code=code, limit=limit, cursor=cursor)
    headers = _headers(traceparent)
    parse = _model(Page[Coupon])
    return Call("GET", "/v1/coupons", parse, params, headers=headers, reads=True, consistency_token=consistency_token)


def update_coupon(
    coupon_id: str, if_match: str, changes: Mapping[str, Any], traceparent: str | None
) -> Call[VersionedCoupon]:
    body = {
        to_camel(name): format_utc(value) if isinstance(value, datetime) else value
        for name, value in changes.items()
        if value is not None
    }
    if not body:
        raise ValueError("update_coupon needs at least one change")
    headers = _headers(traceparent, if_match=if_match)
    return Call("PATCH", coupon_path(coupon_id), _versioned, body=body, headers=headers)


def quote_coupon(coupon_id: str, user_id: str, order_amount: Money, traceparent: str | None) -> Call[Quote]:
    body = {"userId": user_id, "orderAmount": order_amount.model_dump(mode="json")}
    # A quote reads the coupon: it carries the token, so a quote straight after a change sees it.
    path = coupon_path(coupon_id, "quotes")
    return Call("POST", path, _model(Quote), body=body, headers=_headers(traceparent), reads=True)


def redeem_coupon(
    coupon_id: str,
    *,
    user_id: str,
    order_id: str,
    order_amount: Money,
    hold_seconds: int | None,
    idempotency_key: str,
    traceparent: str | None,
) -> Call[Redeemed]:
    body: dict[str, Any] = {"userId": user_id, "orderId": order_id, "orderAmount": order_amount.model_dump(mode="json")}
    if hold_seconds is not None:
        body["holdSeconds"] = hold_seconds
    headers = _headers(traceparent, idempotency_key=idempotency_key)
    return Call("POST", coupon_path(coupon_id, "redemptions"), _redeemed, body=body, headers=headers)


def get_redemption(redemption_id: str, consistency_token: str | None, traceparent: str | None) -> Call[Redemption]:
    path = f"/v1/redemptions/{_segment(redemption_id)}"
    headers = _headers(traceparent)
    return Call("GET", path, _model(Redemption), headers=headers, reads=True, consistency_token=consistency_token)


def list_redemptions(
    path: str,
    *,
    user_id: str | None = None,
    status: RedemptionStatus | None,
    limit: int | None,
    cursor: str | None,
    consistency_token: str | None,
    traceparent: str | None,
) -> Call[Page[Redemption]]:
    """Redemptions of one coupon (`coupon_path(id, "redemptions")`) or of all (`/v1/redemptions`)."""
    params = _query(user_id=user_id, status=status, limit=limit, cursor=cursor)
    headers = _headers(traceparent)
    parse = _model(Page[Redemption])
    return Call("GET", path, parse, params, headers=headers, reads=True, consistency_token=consistency_token)


def move_redemption(redemption_id: str, step: str, traceparent: str | None) -> Call[Redemption]:
    """`step` is `confirmation`, `release` or `cancellation`."""
    path = f"/v1/redemptions/{_segment(redemption_id)}/{step}"
    return Call("POST", path, _model(Redemption), headers=_headers(traceparent))


class ClientCore:
    """What both clients share: settings, the remembered consistency token, building requests, reading answers."""

    def __init__(self, base_url: str, token: str | TokenProvider) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = BearerAuth(token)
        self._base_headers = {"Accept": "application/json, application/problem+json", "User-Agent": USER_AGENT}
        # The token of the last write this client made; reads send it so they see that write. A caller may
        # set it, e.g. to a token another process received.
        self.consistency_token: str | None = None

    def _request(self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
        headers = dict(call.headers)
        token = call.consistency_token or (self.consistency_token if call.reads else None)
        if token is not None:
            headers[CONSISTENCY_HEADER] = token
        return http.build_request(call.method, call.path, params=dict(call.params), json=call.body, headers=headers)

    def _result(self, call: Call[T], response: httpx.Response) -> T:
        if response.is_error:
            raise error_from_response(response)
        token = response.headers.get(CONSISTENCY_HEADER)
        if token:
            self.consistency_token = token
        try:
            return call.parse(response)
        except (ValidationError, ValueError) as exc:
            problem = Problem(
                title="Unexpected response",
                status=response.status_code,
                code="UNEXPECTED_RESPONSE",
                detail=f"{call.method} {call.path} answered {response.status_code} in a shape the contract does "
                f"not allow: {exc}",
            )
            raise UnexpectedResponse(problem) from exc
