"""The harness serves any service: a registered one on either engine, or a new one wired to another.

The second service here exists only for this test: a "relay" whose one route calls the coupon service
at the URL the harness gave it. Its first migration is written by `new_revision` from its tables, as
`dataservices revision` writes a new service's, so this is also the "adding a service" path in small.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, select

from dataservices.common.db import driver_url
from dataservices.common.migrate import new_revision
from dataservices.common.service_spec import ServiceSpec
from dataservices.common.settings import AuthSettings, ServiceSettings
from dataservices.coupon.spec import SPEC as COUPON
from tests.fixtures.services import ServiceDatabase, running_service, running_services

COUPON_BODY = {
    "code": "HARNESS1",
    "name": "Harness",
    "currency": "EUR",
    "discount": {"type": "FIXED_AMOUNT", "amount": {"amount": 100, "currency": "EUR"}},
    "startsAt": "2020-01-01T00:00:00Z",
    "expiresAt": "2099-01-01T00:00:00Z",
    "perUserLimit": 1,
}


class RelaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DATASERVICES_RELAY_", extra="ignore")
    port: int = 18189
    coupon_base_url: str = ""


def relay_app(settings: RelaySettings, auth: AuthSettings) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/upstream")
    async def upstream() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=settings.coupon_base_url) as client:
            ready = await client.get("/health/ready")
        return {"coupon": ready.json(), "via": settings.coupon_base_url}

    return app


relay_tables = MetaData()
Table("relayed", relay_tables, Column("id", String(30), primary_key=True), Column("status", Integer, nullable=False))


def relay_spec(versions: Path) -> ServiceSpec[RelaySettings]:
    versions.mkdir(parents=True, exist_ok=True)
    spec = ServiceSpec(
        name="relay",
        title="Relay service",
        settings=RelaySettings,
        create_app=relay_app,
        metadata=relay_tables,
        versions=versions,
        scopes=("relay:read",),
        calls=("coupon",),
    )
    new_revision(spec, "create relay tables")
    return spec


def _rows(database: ServiceDatabase, metadata: MetaData) -> dict[str, int]:
    engine = create_engine(driver_url(database.url))
    try:
        with engine.connect() as connection:
            return {
                name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def test_services_started_together_are_told_where_the_others_listen(tmp_path: Path, service_database: Any) -> None:
    relay = relay_spec(tmp_path / "relay-versions")
    with running_services([relay, COUPON], service_database) as services:
        assert list(services) == ["coupon", "relay"]  # the called service first
        answer = httpx.get(f"{services['relay'].url}/v1/upstream", timeout=10).json()
        # On PostgreSQL readiness also says whether the replica serves reads.
        on_replica = services["coupon"].settings.replica_database_url is not None
        ready = {"status": "UP"} | ({"replica": "UP"} if on_replica else {})
        assert answer == {"coupon": ready, "via": services["coupon"].url}
        assert services["relay"].settings.database_url != services["coupon"].settings.database_url
        assert _rows(services["relay"].database, relay_tables) == {"relayed": 0}


def test_reset_empties_every_table_the_service_declares(service_database: Any) -> None:
    with running_service(COUPON, service_database("coupon")) as service:
        with service.client() as client:
            coupon = client.post("/v1/coupons", json=COUPON_BODY).raise_for_status().json()
            order = {"userId": "u1", "orderId": "o1", "orderAmount": {"amount": 5000, "currency": "EUR"}}
            client.post(
                f"/v1/coupons/{coupon['id']}/redemptions", json=order, headers={"Idempotency-Key": "k1"}
            ).raise_for_status()
        filled = _rows(service.database, COUPON.metadata)
        assert set(filled) == set(COUPON.metadata.tables)
        assert all(filled.values()), filled

        service.reset()

        assert set(_rows(service.database, COUPON.metadata).values()) == {0}
        with service.client() as client:
            assert client.post("/v1/coupons", json=COUPON_BODY).status_code == 201  # the code is free again


def test_a_service_on_postgresql_answers_writes_and_reads_through_primary_and_replica(service_database: Any) -> None:
    database: ServiceDatabase = service_database("coupon")
    with running_service(COUPON, database) as service, service.client() as client:
        created = client.post("/v1/coupons", json={**COUPON_BODY, "code": "ENGINE1"})
        token = created.headers["Consistency-Token"]
        read = client.get(f"/v1/coupons/{created.json()['id']}", headers={"Consistency-Token": token})
    assert created.status_code == 201
    assert read.status_code == 200
    assert token.startswith("pg." if database.engine == "postgresql" else "sqlite.")
    assert (database.replica_url is not None) == (database.engine == "postgresql")
