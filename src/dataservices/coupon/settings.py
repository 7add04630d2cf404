"""The coupon service's settings (`DATASERVICES_COUPON_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dataservices.common.settings import ServiceSettings


class CouponSettings(ServiceSettings):
    """Settings of the coupon service; the database defaults to `var/coupon.db` (SQLite)."""

    model_config = SettingsConfigDict(env_prefix="DATASERVICES_COUPON_", extra="ignore")

    port: int = 8081
    # Expired holds are released on every write to their coupon; the sweep also frees idle coupons.
    hold_sweep_seconds: float = Field(default=5.0, description="interval of the sweep that releases expired holds")

    def resolved_database_url(self) -> str:
        return self.database_url or self.sqlite_default("coupon")
