"""The coupon service's operations as `Call`s: one builder per operation of `contracts/coupon/openapi.yaml`."""

from __future__ import annotations

import httpx

from dataservices.clients.calls import IDEMPOTENCY_HEADER, Call, parse_model, path, query, required_header
from dataservices.clients.coupon.models import (
    Coupon,
    CouponChanges,
    CouponStatus,
    NewCoupon,
    Quote,
    QuoteRequest,
    Redeemed,
    Redemption,
    RedemptionRequest,
    RedemptionStatus,
    VersionedCoupon,
)
from dataservices.clients.errors import REPLAY_HEADER
from dataservices.clients.models import Page

COUPONS = "/v1/coupons"
REDEMPTIONS = "/v1/redemptions"


def coupon_redemptions(coupon_id: str) -> str:
    """The path of one coupon's redemptions, for `list_redemptions`."""
    return path(COUPONS, coupon_id, "redemptions")


def _versioned(response: httpx.Response) -> VersionedCoupon:
    etag = required_header(response, "ETag")
    return VersionedCoupon(coupon=Coupon.model_validate_json(response.content), etag=etag)


def _redeemed(response: httpx.Response) -> Redeemed:
    redemption = Redemption.model_validate_json(response.content)
    return Redeemed(redemption=redemption, replayed=response.headers.get(REPLAY_HEADER) == "true")


def create_coupon(coupon: NewCoupon) -> Call[VersionedCoupon]:
    return Call("POST", COUPONS, _versioned, body=coupon.to_json())


def get_coupon(coupon_id: str, consistency_token: str | None) -> Call[VersionedCoupon]:
    return Call("GET", path(COUPONS, coupon_id), _versioned, consistency_token=consistency_token)


def list_coupons(
    *,
    status: CouponStatus | None,
    code: str | None,
    limit: int | None,
    cursor: str | None,
    consistency_token: str | None,
) -> Call[Page[Coupon]]:
    params = query(status=status, code=code, limit=limit, cursor=cursor)
    return Call("GET", COUPONS, parse_model(Page[Coupon]), params, consistency_token=consistency_token)


def update_coupon(coupon_id: str, if_match: str, changes: CouponChanges) -> Call[VersionedCoupon]:
    body = changes.to_json()
    if not body:
        raise ValueError("update_coupon needs at least one change")
    return Call("PATCH", path(COUPONS, coupon_id), _versioned, body=body, headers={"If-Match": if_match})


def quote_coupon(coupon_id: str, request: QuoteRequest) -> Call[Quote]:
    # A quote computes and changes nothing, so repeating it is harmless although it is a POST.
    return Call("POST", path(COUPONS, coupon_id, "quotes"), parse_model(Quote), body=request.to_json(), idempotent=True)


def redeem_coupon(coupon_id: str, request: RedemptionRequest, idempotency_key: str) -> Call[Redeemed]:
    headers = {IDEMPOTENCY_HEADER: idempotency_key}
    return Call("POST", path(COUPONS, coupon_id, "redemptions"), _redeemed, body=request.to_json(), headers=headers)


def get_redemption(redemption_id: str, consistency_token: str | None) -> Call[Redemption]:
    return Call("GET", path(REDEMPTIONS, redemption_id), parse_model(Redemption), consistency_token=consistency_token)


def list_redemptions(
    base: str,
    *,
    user_id: str | None = None,
    status: RedemptionStatus | None,
    limit: int | None,
    cursor: str | None,
    consistency_token: str | None,
) -> Call[Page[Redemption]]:
    """Redemptions of one coupon (`coupon_redemptions(id)`) or of every coupon (`REDEMPTIONS`)."""
    params = query(user_id=user_id, status=status, limit=limit, cursor=cursor)
    return Call("GET", base, parse_model(Page[Redemption]), params, consistency_token=consistency_token)


def move_redemption(redemption_id: str, step: str) -> Call[Redemption]:
    """`step` is `confirmation`, `release` or `cancellation`.

    The contract makes each transition repeatable (`x-state-transition.repeatable`): a redemption already
    in the target status is answered unchanged, so a retry is safe without an idempotency key.
    """
    return Call("POST", path(REDEMPTIONS, redemption_id, step), parse_model(Redemption), idempotent=True)
