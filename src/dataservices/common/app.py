"""The application factory every data service uses.

It wires what all services share — problem handlers, auth, contract validation, body limit, request
logging, health probes and `/openapi.yaml` — around a service's router, and refuses to start when
the routes and the contract's operations differ: a service serves exactly its contract.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.responses import Response

from contractkit.server.auth import TokenVerifier
from contractkit.server.responses import BodySizeLimit
from contractkit.server.validation import RequestValidator
from dataservices.common.contract import Contract
from dataservices.common.db import Database
from dataservices.common.endpoint import ContractCall, ContractRoute
from dataservices.common.http import json_response
from dataservices.common.observability import RequestLogging
from dataservices.common.problems import ServiceUnavailable, UnexpectedErrors, install_problem_handlers
from dataservices.common.replica import ReplicaStatus
from dataservices.common.settings import DEVELOPMENT_SECRET, AuthSettings, ServiceSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ServiceParts:
    """What a service brings to the factory."""

    name: str
    settings: ServiceSettings
    auth: AuthSettings
    database: Database
    contract: Contract
    contract_yaml: str
    router: APIRouter
    readiness_table: str  # a table the service's migrations create; readiness checks it exists
    # Work repeated in the background while the app runs: (interval in seconds, coroutine function).
    periodic: tuple[tuple[float, Callable[[], Awaitable[Any]]], ...] = field(default=())
    state: dict[str, Any] = field(default_factory=dict)  # service objects routes find on app.state


async def _repeat(interval: float, job: Callable[[], Awaitable[Any]]) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await job()
        except Exception:  # a failed round is logged and retried next interval, never fatal
            log.exception("periodic_job_failed", job=getattr(job, "__qualname__", repr(job)))


def _operations_router(parts: ServiceParts) -> APIRouter:
    router = APIRouter(route_class=ContractRoute)

    @router.get("/health/live", operation_id="getLiveness")
    async def liveness(call: ContractCall) -> Response:
        return json_response(200, {"status": "UP"})

    @router.get("/health/ready", operation_id="getReadiness")
    async def readiness(call: ContractCall) -> Response:
        try:
            await parts.database.check_writable(parts.readiness_table)
        except Exception as exc:  # not ready, whatever the cause: the probe says why in the log
            log.warning("not_ready", error=str(exc))
            raise ServiceUnavailable(
                "The database is unreachable, not migrated or cannot take writes.", retry_after_seconds=5
            ) from exc
        replica = parts.database.replica_status()
        if replica is None:
            return json_response(200, {"status": "UP"})
        return json_response(200, {"status": "UP" if replica is ReplicaStatus.UP else "DEGRADED", "replica": replica})

    @router.get("/openapi.yaml", operation_id="getContract")
    async def contract(call: ContractCall) -> Response:
        return Response(content=parts.contract_yaml, media_type="application/yaml")

    return router


def _check_routes_match_contract(app: FastAPI, contract: Contract) -> None:
    unchecked = [route.path for route in app.router.routes if isinstance(route, APIRoute)
                 and not isinstance(route, ContractRoute)]  # fmt: skip
    if unchecked:
        raise RuntimeError(f"Routes that skip the contract's auth and validation: {unchecked}")
    served = {
        (method, route.path, route.operation_id)
        for route in app.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    documented = {(op.method, op.path, op.operation_id) for op in contract.operations.values()}
    if served != documented:
        raise RuntimeError(
            "The routes differ from the contract: "
            f"undocumented {sorted(served - documented)}, unserved {sorted(documented - served)}"
        )


def create_service_app(parts: ServiceParts) -> FastAPI:
    """A FastAPI app that serves exactly `parts.contract`."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if parts.auth.hs256_secret == DEVELOPMENT_SECRET and not (parts.auth.public_key or parts.auth.jwks_url):
            log.warning("development_secret", detail="tokens are checked with the development HS256 secret")
        tasks = [asyncio.create_task(_repeat(interval, job)) for interval, job in parts.periodic]
        yield
        for task in tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await parts.database.dispose()

    # FastAPI's generated OpenAPI is off: the contract in contracts/ is the only description.
    app = FastAPI(title=parts.name, openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.problem_base_uri = parts.settings.problem_base_uri
    app.state.token_verifier = TokenVerifier(parts.auth)
    app.state.contract = parts.contract
    app.state.request_validator = RequestValidator(parts.contract)
    app.state.database = parts.database
    for name, value in parts.state.items():
        setattr(app.state, name, value)
    install_problem_handlers(app)
    # Routes are added flat (not include_router, which nests them lazily) so that routing, the
    # contract check and the 405 `Allow` computation all see every route.
    app.router.routes.extend(parts.router.routes)
    app.router.routes.extend(_operations_router(parts).routes)
    _check_routes_match_contract(app, parts.contract)
    # The last added runs first: logging sees every answer, including the 500s UnexpectedErrors makes.
    app.add_middleware(BodySizeLimit, max_bytes=parts.settings.max_body_bytes)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RequestLogging, service=parts.name)
    return app
