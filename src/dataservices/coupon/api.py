"""The coupon service's routes: parse the validated call, run the service operation, serialize.

Each route names its operationId; scopes and request shapes come from the contract (see
`dataservices.common.endpoint`). Routes open no transaction and run no statement: every database
effect, idempotent work included, happens inside the service operation they call.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dataservices.common.db import Written
from dataservices.common.endpoint import Call, ContractCall, ContractRoute
from dataservices.common.http import json_response, stored_to_response
from dataservices.common.pagination import Page, PageRequest
from dataservices.common.validation import parse_body
from dataservices.common.versioning import etag
from dataservices.coupon.answers import succeeded
from dataservices.coupon.model import Coupon, Redemption
from dataservices.coupon.schemas import (
    CouponCreate,
    CouponUpdate,
    QuoteRequest,
    RedemptionRequest,
    coupon_json,
    redemption_json,
)
from dataservices.coupon.service import CouponService

router = APIRouter(route_class=ContractRoute)


async def _service(request: Request) -> CouponService:
    # async: FastAPI runs a plain `def` dependency on its thread pool, a hop on every request.
    service: CouponService = request.app.state.coupon_service
    return service


Service = Annotated[CouponService, Depends(_service)]


def _page(call: Call) -> PageRequest:
    return PageRequest(limit=call.params["limit"], cursor=call.params.get("cursor"))


def _page_json(page: Page[Coupon] | Page[Redemption], service: CouponService) -> dict[str, object]:
    now = service.clock()
    items = [coupon_json(item, now) if isinstance(item, Coupon) else redemption_json(item, now) for item in page.items]
    return {"items": items, "nextCursor": page.next_cursor}


def _token(written: Written[Any]) -> dict[str, str]:
    return {"Consistency-Token": written.token}


@router.post("/v1/coupons", operation_id="createCoupon")
async def create_coupon(call: ContractCall, service: Service) -> Response:
    written = await service.create(parse_body(CouponCreate, call.body))
    coupon = written.value
    headers = {"Location": f"/v1/coupons/{coupon.id}", "ETag": etag(coupon.version), **_token(written)}
    return json_response(201, coupon_json(coupon, service.clock()), headers)


@router.get("/v1/coupons", operation_id="listCoupons")
async def list_coupons(call: ContractCall, service: Service) -> Response:
    page = await service.list(
        _page(call), call.params.get("status"), call.params.get("code"), call.params.get("Consistency-Token")
    )
    return json_response(200, _page_json(page, service))


@router.get("/v1/coupons/{couponId}", operation_id="getCoupon")
async def get_coupon(call: ContractCall, service: Service) -> Response:
    coupon = await service.get(call.params["couponId"], call.params.get("Consistency-Token"))
    return json_response(200, coupon_json(coupon, service.clock()), {"ETag": etag(coupon.version)})


@router.patch("/v1/coupons/{couponId}", operation_id="updateCoupon")
async def update_coupon(call: ContractCall, service: Service) -> Response:
    change = parse_body(CouponUpdate, call.body)
    written = await service.update(call.params["couponId"], call.params["If-Match"], change)
    headers = {"ETag": etag(written.value.version), **_token(written)}
    return json_response(200, coupon_json(written.value, service.clock()), headers)


@router.post("/v1/coupons/{couponId}/quotes", operation_id="quoteCoupon")
async def quote_coupon(call: ContractCall, service: Service) -> Response:
    request = parse_body(QuoteRequest, call.body)
    quote = await service.quote(call.params["couponId"], request, call.params.get("Consistency-Token"))
    currency = quote.currency
    return json_response(
        200,
        {
            "couponId": quote.coupon.id,
            "code": quote.coupon.code,
            "orderAmount": {"amount": quote.order_amount, "currency": currency},
            "eligible": quote.refusal is None,
            "reason": quote.refusal.code if quote.refusal else None,
            "discount": {"amount": quote.discount, "currency": currency},
            "payableAmount": {"amount": quote.order_amount - quote.discount, "currency": currency},
        },
    )


@router.post("/v1/coupons/{couponId}/redemptions", operation_id="redeemCoupon")
async def redeem_coupon(call: ContractCall, service: Service) -> Response:
    request = parse_body(RedemptionRequest, call.body)
    written = await service.redeem(call.params["couponId"], request, call.keyed())
    return stored_to_response(written.value, _token(written) if succeeded(written.value) else None)


@router.get("/v1/coupons/{couponId}/redemptions", operation_id="listCouponRedemptions")
async def list_coupon_redemptions(call: ContractCall, service: Service) -> Response:
    page = await service.list_redemptions(
        _page(call),
        coupon_id=call.params["couponId"],
        status=call.params.get("status"),
        consistency_token=call.params.get("Consistency-Token"),
    )
    return json_response(200, _page_json(page, service))


@router.get("/v1/redemptions", operation_id="listRedemptions")
async def list_redemptions(call: ContractCall, service: Service) -> Response:
    page = await service.list_redemptions(
        _page(call),
        user_id=call.params.get("userId"),
        status=call.params.get("status"),
        consistency_token=call.params.get("Consistency-Token"),
    )
    return json_response(200, _page_json(page, service))


@router.get("/v1/redemptions/{redemptionId}", operation_id="getRedemption")
async def get_redemption(call: ContractCall, service: Service) -> Response:
    redemption = await service.get_redemption(call.params["redemptionId"], call.params.get("Consistency-Token"))
    return json_response(200, redemption_json(redemption, service.clock()))


@router.post("/v1/redemptions/{redemptionId}/confirmation", operation_id="confirmRedemption")
async def confirm_redemption(call: ContractCall, service: Service) -> Response:
    written = await service.confirm(call.params["redemptionId"])
    return json_response(200, redemption_json(written.value, service.clock()), _token(written))


@router.post("/v1/redemptions/{redemptionId}/release", operation_id="releaseRedemption")
async def release_redemption(call: ContractCall, service: Service) -> Response:
    written = await service.release(call.params["redemptionId"])
    return json_response(200, redemption_json(written.value, service.clock()), _token(written))


@router.post("/v1/redemptions/{redemptionId}/cancellation", operation_id="cancelRedemption")
async def cancel_redemption(call: ContractCall, service: Service) -> Response:
    written = await service.cancel(call.params["redemptionId"])
    return json_response(200, redemption_json(written.value, service.clock()), _token(written))
