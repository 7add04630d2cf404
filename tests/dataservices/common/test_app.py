"""A service serves exactly its contract: the factory refuses routes the contract does not document."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter

from dataservices.common.app import ServiceParts, create_service_app
from dataservices.common.contract import load_contract
from dataservices.common.db import Database
from dataservices.common.endpoint import ContractRoute
from dataservices.coupon.api import router as coupon_router
from dataservices.coupon.settings import CouponSettings
from tests.fixtures.coupon_service import TEST_AUTH


def _parts(router: APIRouter, tmp_path: Path) -> ServiceParts:
    settings = CouponSettings(database_url=f"sqlite:///{tmp_path}/coupon.db")
    contract, text = load_contract("coupon")
    return ServiceParts(
        name="coupon-service",
        settings=settings,
        auth=TEST_AUTH,
        database=Database(settings.resolved_database_url()),
        contract=contract,
        contract_yaml=text,
        router=router,
        readiness_table="coupons",
    )


def test_the_coupon_routes_match_the_contract(tmp_path: Path) -> None:
    app = create_service_app(_parts(coupon_router, tmp_path))
    assert app.openapi_url is None  # FastAPI's generated description is off; /openapi.yaml is the contract


def test_an_undocumented_route_stops_the_service(tmp_path: Path) -> None:
    extra = APIRouter(route_class=ContractRoute)
    extra.routes.extend(coupon_router.routes)

    @extra.delete("/v1/coupons/{couponId}", operation_id="deleteCoupon")
    async def delete_coupon() -> None: ...

    with pytest.raises(
        RuntimeError, match=r"undocumented \[\('DELETE', '/v1/coupons/\{couponId\}', 'deleteCoupon'\)\]"
    ):
        create_service_app(_parts(extra, tmp_path))


def test_a_route_that_skips_the_contract_stops_the_service(tmp_path: Path) -> None:
    plain = APIRouter()  # FastAPI's own route class: no authentication, no validation by the contract
    plain.routes.extend(route for route in coupon_router.routes if getattr(route, "operation_id", "") != "getCoupon")

    @plain.get("/v1/coupons/{couponId}", operation_id="getCoupon")
    async def get_coupon() -> None: ...

    with pytest.raises(RuntimeError, match=r"skip the contract's auth and validation: \['/v1/coupons/\{couponId\}'\]"):
        create_service_app(_parts(plain, tmp_path))


def test_a_contract_route_takes_only_dependencies_of_the_request() -> None:
    router = APIRouter(route_class=ContractRoute)
    with pytest.raises(TypeError, match="takes only dependencies of the request"):

        @router.get("/v1/coupons/{couponId}", operation_id="getCoupon")
        async def get_coupon(couponId: str) -> None: ...


def test_a_missing_route_stops_the_service(tmp_path: Path) -> None:
    partial = APIRouter()
    partial.routes.extend(
        route for route in coupon_router.routes if getattr(route, "operation_id", "") != "quoteCoupon"
    )
    with pytest.raises(
        RuntimeError, match=r"unserved \[\('POST', '/v1/coupons/\{couponId\}/quotes', 'quoteCoupon'\)\]"
    ):
        create_service_app(_parts(partial, tmp_path))
