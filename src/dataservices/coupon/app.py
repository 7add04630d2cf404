"""Assemble the coupon service: settings, database, contract, routes and the hold sweeper."""

from __future__ import annotations

from fastapi import FastAPI

from dataservices.common.app import ServiceParts, create_service_app
from dataservices.common.contract import load_contract
from dataservices.common.db import Database
from dataservices.common.idempotency import IdempotencyKeys
from dataservices.common.settings import AuthSettings
from dataservices.coupon.api import router
from dataservices.coupon.service import CouponService
from dataservices.coupon.settings import CouponSettings
from dataservices.coupon.tables import idempotency_keys

SERVICE = "coupon"
# Keys live 24 hours; purging hourly keeps the table within about 25 hours of traffic.
IDEMPOTENCY_PURGE_SECONDS = 3600.0


def coupon_service(settings: CouponSettings, database: Database) -> CouponService:
    """The service's operations on `database`, with its idempotency keys."""
    keys = IdempotencyKeys(
        database,
        idempotency_keys,
        ttl_seconds=settings.idempotency_ttl_seconds,
        lock_seconds=settings.idempotency_lock_seconds,
        problem_base_uri=settings.problem_base_uri,
    )
    return CouponService(database, keys)


def create_app(settings: CouponSettings | None = None, auth: AuthSettings | None = None) -> FastAPI:
    """The coupon service's ASGI app; the database must already be migrated."""
    settings = settings or CouponSettings()
    database = Database(
        settings.resolved_database_url(), settings.replica_database_url, limits=settings.database_limits()
    )
    contract, contract_yaml = load_contract(SERVICE, settings.contracts_dir)
    service = coupon_service(settings, database)
    parts = ServiceParts(
        name="coupon-service",
        settings=settings,
        auth=auth or AuthSettings(),
        database=database,
        contract=contract,
        contract_yaml=contract_yaml,
        router=router,
        readiness_table="coupons",
        periodic=(
            (settings.hold_sweep_seconds, service.release_expired_holds),
            (IDEMPOTENCY_PURGE_SECONDS, service.keys.purge_expired),
        ),
        state={"coupon_service": service},
    )
    return create_service_app(parts)
