"""The demo data `make run` loads, through the service layer (what it prints is in `coupon/spec.py`)."""

from __future__ import annotations

from datetime import timedelta

from dataservices.common.db import Database
from dataservices.common.timestamps import format_utc, utc_now
from dataservices.coupon.app import coupon_service
from dataservices.coupon.errors import CouponCodeTaken
from dataservices.coupon.schemas import CouponCreate
from dataservices.coupon.settings import CouponSettings


def _demo_coupons() -> list[dict[str, object]]:
    start = utc_now().replace(microsecond=0) - timedelta(days=1)
    window = {"startsAt": format_utc(start), "expiresAt": format_utc(start + timedelta(days=90))}
    return [
        {
            "code": "WELCOME10",
            "name": "Welcome, 10% off up to 15.00 EUR",
            "currency": "EUR",
            "discount": {"type": "PERCENTAGE", "percent": 10, "maximumDiscount": {"amount": 1500, "currency": "EUR"}},
            "minimumOrderAmount": {"amount": 2000, "currency": "EUR"},
            "perUserLimit": 1,
            **window,
        },
        {
            "code": "FLASH5",
            "name": "Flash sale, 5.00 EUR off, first 100 orders",
            "currency": "EUR",
            "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 500, "currency": "EUR"}},
            "totalLimit": 100,
            "perUserLimit": 2,
            **window,
        },
        {
            "code": "PAUSED20",
            "name": "Paused campaign, 20% off",
            "currency": "EUR",
            "discount": {"type": "PERCENTAGE", "percent": 20},
            "status": "PAUSED",
            **window,
        },
    ]


async def load_demo_data(settings: CouponSettings) -> None:
    """Create the demo coupons unless they exist (running the demo twice changes nothing)."""
    database = Database(settings.resolved_database_url())
    service = coupon_service(settings, database)
    try:
        for body in _demo_coupons():
            try:
                await service.create(CouponCreate.model_validate(body))
            except CouponCodeTaken:
                continue
    finally:
        await database.dispose()
