"""A test-only service whose one operation runs in atomic phases, and can be made to fail at any point.

`POST /transfers` with an `Idempotency-Key` records a transfer (phase one, local), asks the bank to move
the money with a key derived from its own (phase two: the call, then the receipt recorded locally), and
answers (phase three). A request with `Fail-At: point` fails when it reaches `point`; with
`Fail-Mode: raise` by an exception (the request fails, the process lives), with `Fail-Mode: kill` by
SIGKILL to the whole process where it stands, as a crash or an OOM kill would.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dataservices.common.db import Database
from dataservices.common.idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyKeys,
    KeyedRequest,
    StoredResponse,
    fingerprint,
    idempotency_table,
)
from dataservices.common.phases import Advance, Phase, PhasedWork, Progress
from dataservices.common.sql import Transaction

POINTS = ("record", "record-after-insert", "before-call", "after-call", "keep-receipt", "answer")

metadata = MetaData()
keys_table = idempotency_table(metadata)
transfers = Table(
    "transfers",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("amount", Integer, nullable=False),
    Column("receipt", String(80), nullable=True),
)


class Injected(Exception):
    """The failure a request asked for with `Fail-At`."""


class Transfers:
    """The phased operation for one request, failing where its `Fail-At` header says.

    Made per request: the local phases run on the database's thread, outside the request's context.
    """

    def __init__(self, bank: httpx.AsyncClient, fail_at: str | None, mode: str) -> None:
        self.bank, self.fail_at, self.mode = bank, fail_at, mode

    def _maybe_fail(self, point: str) -> None:
        if point != self.fail_at:
            return
        if self.mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise Injected(point)

    def record(self, tx: Transaction, progress: Progress, _answers: Any) -> Advance:
        self._maybe_fail("record")
        amount = int(progress.data.get("amount", 0)) or 500
        tx.execute(transfers.insert(), {"id": progress.request.key, "amount": amount})
        self._maybe_fail("record-after-insert")  # inside the transaction: its insert must not survive
        return Advance("recorded", {"transfer": progress.request.key, "amount": amount})

    async def move(self, progress: Progress) -> str:
        self._maybe_fail("before-call")
        answer = await self.bank.post(
            "/moves", json={"amount": progress.data["amount"]}, headers={"Idempotency-Key": progress.key_for("move")}
        )
        answer.raise_for_status()
        self._maybe_fail("after-call")  # the bank moved the money; its answer is lost with this request
        return str(answer.json()["receipt"])

    def keep_receipt(self, tx: Transaction, progress: Progress, receipt: str) -> Advance:
        self._maybe_fail("keep-receipt")
        tx.execute(update(transfers).where(transfers.c.id == progress.data["transfer"]).values(receipt=receipt))
        return Advance("moved", {**progress.data, "receipt": receipt})

    def answer(self, tx: Transaction, progress: Progress, _answers: Any) -> StoredResponse:
        self._maybe_fail("answer")
        body = {"id": progress.data["transfer"], "receipt": progress.data["receipt"]}
        return StoredResponse(status=201, body=orjson.dumps(body))

    def phases(self) -> list[Phase]:
        return [
            Phase("started", self.record),
            Phase("recorded", self.keep_receipt, calls=self.move),
            Phase("moved", self.answer),
        ]


def create_app(database_path: str, bank_url: str, lock_seconds: int) -> Starlette:
    url = f"sqlite:///{database_path}"
    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    database = Database(url)
    keys = IdempotencyKeys(database, keys_table, ttl_seconds=3600, lock_seconds=lock_seconds, problem_base_uri="x/")
    bank = httpx.AsyncClient(base_url=bank_url, timeout=5)

    async def transfer(request: Request) -> Response:
        body = await request.body()
        key = request.headers["idempotency-key"]
        keyed = KeyedRequest("shop", key, fingerprint("POST", "/transfers", orjson.loads(body)), "/transfers")
        operation = Transfers(bank, request.headers.get("fail-at"), request.headers.get("fail-mode", "raise"))
        work = PhasedWork(keys, operation.phases())
        try:
            stored = (await work.run(keyed)).value
        except IdempotencyKeyInUse:
            return JSONResponse({"code": "IDEMPOTENCY_KEY_IN_USE"}, status_code=409)
        except IdempotencyKeyReused:
            return JSONResponse({"code": "IDEMPOTENCY_KEY_REUSED"}, status_code=422)
        except (Injected, httpx.HTTPError) as exc:
            return JSONResponse({"code": "FAILED", "detail": str(exc)}, status_code=503)
        return Response(stored.body, status_code=stored.status, media_type="application/json")

    async def unfinished(request: Request) -> Response:
        found = await keys.unfinished()
        return JSONResponse([{"key": item.key, "point": item.point} for item in found])

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await bank.aclose()
        await database.dispose()

    return Starlette(
        routes=[Route("/transfers", transfer, methods=["POST"]), Route("/unfinished", unfinished)], lifespan=lifespan
    )


def app() -> Starlette:
    """The app uvicorn serves (`--factory`), configured from the environment."""
    return create_app(
        os.environ["SERVICE_DATABASE"],
        os.environ["BANK_URL"],
        int(os.environ.get("LOCK_SECONDS", "300")),
    )
