"""The per-service parts of the kit, found by the contract's `info.x-service`."""

from __future__ import annotations

from contractkit.kit.pages import Collection
from contractkit.kit.services.base import ServiceKit
from contractkit.kit.services.coupon import CouponKit

# One entry per service contract; a new service adds its module and one line here.
SERVICE_KITS: dict[str, type[ServiceKit]] = {kit.name: kit for kit in (CouponKit,)}


def service_kit(name: str | None) -> type[ServiceKit] | None:
    return SERVICE_KITS.get(name) if name else None


__all__ = ["SERVICE_KITS", "Collection", "ServiceKit", "service_kit"]
