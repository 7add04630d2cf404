"""The coupon service as the registry describes it (`dataservices.registry`)."""

from __future__ import annotations

from pathlib import Path

from dataservices.common.service_spec import Demo, DemoRequest, ServiceSpec
from dataservices.coupon.app import create_app
from dataservices.coupon.demo import load_demo_data
from dataservices.coupon.settings import CouponSettings
from dataservices.coupon.tables import metadata

TRY_ME = {
    "code": "TRYME5",
    "name": "Five euros off, made by hand",
    "currency": "EUR",
    "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 500, "currency": "EUR"}},
    "startsAt": "2026-01-01T00:00:00Z",
    "expiresAt": "2036-01-01T00:00:00Z",
    "perUserLimit": 1,
}

SPEC = ServiceSpec(
    name="coupon",
    title="Coupon service",
    settings=CouponSettings,
    create_app=create_app,
    metadata=metadata,
    versions=Path(__file__).parent / "migrations" / "versions",
    scopes=("coupon:read", "coupon:write", "coupon:redeem"),
    demo=Demo(
        load=load_demo_data,
        requests=(
            DemoRequest("GET", "/v1/coupons?code=WELCOME10"),
            DemoRequest("GET", "/v1/coupons?status=ACTIVE&limit=2"),
            DemoRequest("POST", "/v1/coupons", body=TRY_ME),
        ),
    ),
)
